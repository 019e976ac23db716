"""``hubs update``: resolve follow-latest slots into a new hubs.lock (computed, not written).

The caller plans the compile against the new lock and writes nothing unless every slot
resolved.  An entry whose tag and digest did not change is kept
as it was, so a second run with no new tags changes no byte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from hubs.compile import targets
from hubs.compile.targets import PlanError, Target
from hubs.errors import close_match
from hubs.files.gitbase import landed
from hubs.follow import promotion
from hubs.follow.resolve import FollowRequest, Resolution
from hubs.policy.model import Config, Follow, Lock, LockEntry, Promote
from hubs.registry.routing import mirrored
from hubs.tree.layering import Fleet

Resolver = Callable[[Sequence[FollowRequest]], dict[str, Resolution]]


@dataclass(frozen=True, slots=True)
class Updated:
    lock: Lock
    resolutions: dict[str, Resolution]
    notes: tuple[str, ...]


def follow_slots(wanted: Sequence[Target], only: Sequence[str]) -> dict[str, Follow]:
    """Address -> policy of every follow-latest slot (or of the ``only`` ones); an address
    of ``only`` that is neither a follow-latest nor a promote slot is an error."""
    found = {str(t.address): t.source for t in wanted if isinstance(t.source, Follow)}
    promoted = {str(t.address) for t in wanted if isinstance(t.source, Promote)}
    known = sorted({*found, *promoted})
    unknown = [a for a in only if a not in known]
    if unknown:
        raise PlanError(
            [f"{a}: not a follow-latest or promote slot" + close_match(a, known) for a in unknown]
        )
    return {a: p for a, p in found.items() if not only or a in only}


def requests(slots: dict[str, Follow], lock: Lock, mirrors: dict[str, str]) -> list[FollowRequest]:
    out = []
    for address, policy in slots.items():
        entry = lock.slots.get(address)
        current = entry.tag if entry and entry.policy == policy.fingerprint() else None
        out.append(
            FollowRequest(
                key=address,
                image=mirrored(str(policy.follow), mirrors),
                match=policy.match,
                order=policy.order,
                range=policy.range,
                current=current,
                allow_downgrade=policy.allow_downgrade,
                digest=policy.digest,
            )
        )
    return out


def new_lock(
    old: Lock, slots: dict[str, Follow], found: dict[str, Resolution], prune: bool, now: str
) -> Lock:
    entries = {} if prune else dict(old.slots)
    if prune:  # keep entries of follow slots that were not asked about
        entries = {a: e for a, e in old.slots.items() if a in slots}
    for address, res in found.items():
        policy = slots[address]
        before = old.slots.get(address)
        entry = LockEntry(
            image=policy.follow,
            tag=res.tag,
            digest=res.digest,
            resolved=now,
            policy=policy.fingerprint(),
        )
        same = before is not None and replace(before, resolved="") == replace(entry, resolved="")
        entries[address] = before if same and before is not None else entry
    return Lock(version=old.version, slots=dict(sorted(entries.items())))


def update(
    config: Config,
    fleet: Fleet,
    lock: Lock,
    only: Sequence[str],
    resolver: Resolver,
    now: datetime | None = None,
    history: promotion.History | None = None,
) -> Updated:
    wanted = targets.targets(config, fleet, None)
    slots = follow_slots(wanted, only)
    moment = now or datetime.now(UTC)
    held = {a: p for a, p in slots.items() if _held(a, p, lock, moment)}
    asked = {a: p for a, p in slots.items() if a not in held}
    found = resolver(requests(asked, lock, config.registries.mirrors)) if asked else {}
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    lock2 = new_lock(lock, slots, found, prune=not only, now=stamp)
    asked_promote = [a for a in only if a not in slots] if only else []
    if only and not asked_promote:  # only follow slots asked about: promote entries stay
        promoted = promotion.Promoted({}, ())
    else:
        promoted = promotion.promote(
            fleet, wanted, lock.slots, asked_promote, moment, history or landed
        )
    entries = {**lock2.slots, **promoted.entries}
    lock3 = Lock(version=lock2.version, slots=dict(sorted(entries.items())))
    notes = tuple(_note(a, lock.slots.get(a), r) for a, r in found.items())
    notes += tuple(_held_note(a, p, lock) for a, p in held.items())
    return Updated(lock3, found, notes + promoted.notes)


def _held(address: str, policy: Follow, lock: Lock, now: datetime) -> bool:
    """Held, and locked under this very policy: a hold keeps a tag, it cannot invent one."""
    entry = lock.slots.get(address)
    usable = entry is not None and entry.policy == policy.fingerprint()
    return usable and policy.held(now.date())


def _held_note(address: str, policy: Follow, lock: Lock) -> str:
    until = f" until {policy.hold_until.isoformat()}" if policy.hold_until else ""
    return f"{address}: held at {lock.slots[address].tag}{until} (not updated)"


def _note(address: str, before: LockEntry | None, res: Resolution) -> str:
    old = before.tag if before else "(none)"
    move = f"{old} -> {res.tag}" if old != res.tag else f"{res.tag} (unchanged)"
    skipped = f", {len(res.skipped)} skipped" if res.skipped else ""
    return f"{address}: {move}; {res.candidates} candidates{skipped}; {res.reason}"
