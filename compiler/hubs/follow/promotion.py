"""The promote policy in ``hubs update``: a slot takes the image its source hub has run for
at least ``after``, with git as the evidence.

The source's image is what the source hub runs on disk for the same profile and choice
(:mod:`hubs.tree.counterpart`); how long it has run it is the time the line holding it landed on
the current branch (:func:`hubs.files.gitbase.landed`).  Ripe: the slot's lock entry becomes that
image, with the source and that time.  Not yet: the entry stays (or, the first time, records
the image the slot holds now).  A hold keeps the entry.  Computes; writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from hubs.compile.targets import Target
from hubs.files.gitbase import Landed, landed
from hubs.policy.imageref import ImageRef
from hubs.policy.model import LockEntry, Promote
from hubs.tree import counterpart
from hubs.tree.layering import Fleet

History = Callable[[Path, int], Landed | None]


@dataclass(frozen=True, slots=True)
class Promoted:
    """The lock entries of the promote slots (a slot with none is pending), and one note
    for each slot asked about."""

    entries: dict[str, LockEntry]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Step:
    entry: LockEntry | None
    note: str


def promote(
    fleet: Fleet,
    wanted: Sequence[Target],
    old: dict[str, LockEntry],
    only: Sequence[str],
    now: datetime,
    history: History = landed,
) -> Promoted:
    """Every promote slot of ``wanted`` (or the ``only`` ones) resolved at ``now``."""
    entries: dict[str, LockEntry] = {}
    notes = []
    for target in wanted:
        address = str(target.address)
        if not isinstance(target.source, Promote):
            continue
        before = old.get(address)
        usable = before if before and before.policy == target.source.fingerprint() else None
        if only and address not in only:
            step = _Step(before, "")
        else:
            step = _one(fleet, target, usable, now, history)
            notes.append(step.note)
        if step.entry is not None:
            entries[address] = step.entry
    return Promoted(entries, tuple(notes))


def _one(
    fleet: Fleet, target: Target, before: LockEntry | None, now: datetime, history: History
) -> _Step:
    policy = target.source
    assert isinstance(policy, Promote)
    address = str(target.address)
    if before is not None and policy.held(now.date()):
        until = f" until {policy.hold_until.isoformat()}" if policy.hold_until else ""
        return _Step(before, f"{address}: held at {_shown(before)}{until} (not promoted)")
    key = counterpart.source_of(fleet, target)
    slot = None if key is None else fleet.slot_at(key)
    value = None if slot is None else slot.value
    if slot is None or not isinstance(value, ImageRef) or value.tag is None:
        where = f"{key[0]}" if key else policy.promote
        why = f"{policy.promote} runs no tagged image there ({where})"
        return _wait(target, before, now, why)
    when = history(fleet.root / slot.file, slot.line)
    if when is None:
        why = f"{policy.promote} runs {value}, not committed yet ({slot.file}:{slot.line})"
        return _wait(target, before, now, why)
    age = int((now - when.when).total_seconds())
    since = f"since {_stamp(when.when)}, {when.commit[:12]}"
    if age < policy.seconds:
        why = f"{policy.promote} has run {value} for {_span(age)} of {policy.after} ({since})"
        return _wait(target, before, now, why)
    entry = _entry(value, policy, now, when.when)
    if before is not None and _same(before, entry):
        return _Step(before, f"{address}: {value} (unchanged); from {policy.promote} ({since})")
    old = _shown(before) if before else "(none)"
    ran = f"{policy.promote} has run it for {_span(age)} ({since})"
    return _Step(entry, f"{address}: {old} -> {value}; {ran}")


def _wait(target: Target, before: LockEntry | None, now: datetime, why: str) -> _Step:
    """Not ripe: the entry stays; the first time, it records what the slot holds now."""
    assert isinstance(target.source, Promote)
    entry = before
    value = target.slot.value
    if entry is None and isinstance(value, ImageRef) and value.tag is not None:
        entry = _entry(value, target.source, now, None)
    kept = _shown(entry) if entry is not None else "pending (nothing to keep)"
    return _Step(entry, f"{target.address}: waits, {why}; stays at {kept}")


def _entry(value: ImageRef, policy: Promote, now: datetime, since: datetime | None) -> LockEntry:
    assert value.tag is not None
    return LockEntry(
        image=ImageRef(value.host, value.path, None, None),
        tag=value.tag,
        digest=value.digest,
        resolved=_stamp(now),
        policy=policy.fingerprint(),
        source=policy.promote,
        since=None if since is None else _stamp(since),
    )


def _same(a: LockEntry, b: LockEntry) -> bool:
    return replace(a, resolved="") == replace(b, resolved="")


def _shown(entry: LockEntry) -> str:
    return str(entry.reference(entry.digest is not None))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _span(seconds: int) -> str:
    """``2d 3h``, ``5h``, ``12m``: a time span to the minute, its two largest units."""
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts[:2]) or "0m"
