"""``hubs adopt``: take into hubs.toml what the tree has and hubs.toml lacks.

Entries the tree no longer has (:mod:`hubs.compile.stale`) are removed, each reported; a
follow-latest policy among them moves to its one renamed slot (with its hubs.lock entry),
or adopt stops and names the candidates.  New clusters and hubs get the tables import
would write, where import would put them; slots hubs.toml does not state get a pin (or
``{ broken = ... }``) of what the tree holds; with ``--all`` or named addresses, values
edited by hand are taken too.  Every policy, comment, blank line and table order already
in hubs.toml stays.  A follow-latest policy is never changed: a hand edit of a follow slot
is reported, not adopted.  Computes the new text only; the command writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hubs.authoring import importer, tomledit
from hubs.compile.findings import find
from hubs.compile.stale import settle
from hubs.compile.targets import Target, targets
from hubs.errors import UNSTATED_RULES, DecisionError, InputError, close_match
from hubs.policy.address import Address, Scope, address_at, parse
from hubs.policy.imageref import ImageRef, Written
from hubs.policy.kinds import Kind
from hubs.policy.load import Source, parse_config
from hubs.policy.model import INHERIT, Config, Follow, Lock, Promote
from hubs.tree.layering import Fleet


@dataclass(frozen=True, slots=True)
class Adopted:
    """The new hubs.toml text and what was taken (and not)."""

    text: str
    taken: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()  # entries the tree no longer has, and follow policies moved
    lock: Lock | None = None  # hubs.lock with the entries of moved follow policies


@dataclass
class _Work:
    text: str
    taken: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    done: set[Address] = field(default_factory=set)  # slots hubs.toml now states as the tree
    added: set[Scope] = field(default_factory=set)  # hubs and clusters added whole
    moved: dict[str, str] = field(default_factory=dict)  # hubs.lock keys, old to new


def adopt(
    source: Source,
    fleet: Fleet,
    lock: Lock,
    named: Sequence[str],
    every: bool,
    edited: frozenset[Address] = frozenset(),
) -> Adopted:
    """What hubs.toml becomes when it takes the tree's images (computed, not written);
    ``edited`` names slots whose hand edits to take besides everything hubs.toml lacks."""
    config = source.config
    wanted = targets(config, fleet, None)
    only = _addresses(named, wanted)
    work = _Work(source.text)
    if only is None:
        _drop_gone(work, source, fleet, wanted)
    _new_clusters(work, config, fleet, only)
    _new_hubs(work, config, fleet, only)
    for target in wanted:
        if (only is not None and target.address not in only) or target.address in work.done:
            continue  # not asked for, or a follow policy moved here already
        if _added(work, target.address.scope):
            work.done.add(target.address)  # its block states it already
        else:
            explicit = every or only is not None or target.address in edited
            _take(work, target, lock, explicit)
    if only is not None:
        refused = {r.split(": ", 1)[0] for r in work.refused}
        work.refused += [
            f"{a}: nothing to adopt (hubs.toml states what the tree has)"
            for a in sorted(only - work.done, key=str)
            if str(a) not in refused and not _added(work, a.scope)
        ]
    _check(work, fleet, only)
    removed = tuple(work.removed)
    return Adopted(work.text, tuple(work.taken), tuple(work.refused), removed, _moved(work, lock))


def _drop_gone(work: _Work, source: Source, fleet: Fleet, wanted: list[Target]) -> None:
    """Remove every entry the tree no longer has; a follow policy under one moves to the
    one unstated slot of its cluster that holds its repository, or adopt stops."""
    claimed: set[Address] = set()
    for found in settle(source, fleet):
        for old, policy in _follows_under(source.config, found.keys):
            new = _renamed(old, policy, wanted, claimed)
            value = tomledit.value_at(work.text, old.keys)
            assert value is not None  # it was parsed from this very text
            work.text = tomledit.set_policy(work.text, new, value)
            work.done.add(new)
            work.moved[str(old)] = str(new)
            work.removed.append(f"{old}: moved to {new} (follows {policy.follow})")
        work.text = tomledit.remove(work.text, found.keys)
        work.removed.append(f"{found.key}: {found.message}")


def _follows_under(config: Config, keys: tuple[str, ...]) -> list[tuple[Address, Follow]]:
    """The follow-latest policies stated at or under the hubs.toml key path ``keys``."""
    return [
        (address_at(at), policy)
        for at, policy in config.policies()
        if isinstance(policy, Follow) and at[: len(keys)] == keys
    ]


def _renamed(old: Address, policy: Follow, wanted: list[Target], claimed: set[Address]) -> Address:
    """The one slot a gone follow policy moved to: unstated, of the same cluster and kind,
    holding an image of the followed repository."""
    found = [
        t.address
        for t in wanted
        if t.policy == Kind.UNSTATED
        and t.address.scope.cluster == old.scope.cluster
        and t.address.kind == old.kind
        and t.address not in claimed
        and _repository(t) == _followed(policy)
    ]
    if len(found) != 1:
        seen = ", ".join(f"'{a}'" for a in found) or "none in the tree"
        raise DecisionError(
            f"{old}: follows {policy.follow}, and the tree no longer has this slot; the "
            f"slots it may have moved to: {seen}. Say which with `hubs set ADDRESS --follow "
            f"{policy.follow} ...`, or remove it with `hubs set '{old}' --inherit`, then run "
            "`hubs adopt` again"
        )
    claimed.add(found[0])
    return found[0]


def _repository(target: Target) -> tuple[str | None, str] | None:
    value = target.slot.value
    return (value.host, value.path) if isinstance(value, ImageRef) else None


def _followed(policy: Follow) -> tuple[str | None, str]:
    return (policy.follow.host, policy.follow.path)


def _moved(work: _Work, lock: Lock) -> Lock | None:
    if not work.moved:
        return None
    slots = {work.moved.get(key, key): entry for key, entry in lock.slots.items()}
    return replace(lock, slots=slots)


def _addresses(named: Sequence[str], wanted: list[Target]) -> set[Address] | None:
    """The slot addresses asked for (a hub's or a cluster's name means all its slots)."""
    if not named:
        return None

    known = {t.address for t in wanted}
    out: set[Address] = set()
    for text in named:
        if ":" in text:
            address = parse(text)
            if address not in known:
                near = [str(a) for a in known if a.scope.cluster == address.scope.cluster]
                raise InputError(f"{text}: no such slot" + close_match(text, near))
            out.add(address)
            continue
        found = {a for a in known if _under(a, text)}
        if not found:
            raise InputError(f"{text}: no slot of this cluster or hub holds an image")
        out |= found
    return out


def _under(address: Address, name: str) -> bool:
    cluster, _, hub = name.partition("/")
    scope = address.scope
    if hub:
        return scope.cluster == cluster and scope.name == hub
    return scope.cluster == cluster


def _new_clusters(work: _Work, config: Config, fleet: Fleet, only: set[Address] | None) -> None:
    names = list(fleet.clusters)
    for index, (name, cluster) in enumerate(fleet.clusters.items()):
        if name in config.clusters or (only is not None and not _asked(only, name)):
            continue
        later = [("clusters", other) for other in names[index + 1 :] if other in config.clusters]
        lines = importer.cluster_lines(fleet, cluster)
        work.text = tomledit.insert_block(work.text, lines, ("clusters", name), later)
        work.added.add(Scope.file(name, ""))
        count = len(cluster.hubs)
        work.taken.append(f"{name}: cluster added ({count} hub{'s' * (count != 1)})")


def _new_hubs(work: _Work, config: Config, fleet: Fleet, only: set[Address] | None) -> None:
    for name, cluster in fleet.clusters.items():
        spec = config.clusters.get(name)
        if spec is None:
            continue
        hubs = [hub.name for hub in cluster.hubs]
        for index, hub in enumerate(cluster.hubs):
            if hub.name in spec.hubs or (only is not None and not _asked(only, hub.address)):
                continue
            later = [
                Scope.hub(name, other).keys for other in hubs[index + 1 :] if other in spec.hubs
            ]
            lines = importer.hub_lines(fleet, hub)
            work.text = tomledit.insert_block(
                work.text, lines, Scope.hub(name, hub.name).keys, later
            )
            work.taken.append(f"{hub.address}: hub added")
            work.added.add(Scope.hub(name, hub.name))


def _added(work: _Work, scope: Scope) -> bool:
    """Whether ``scope`` came in whole with a new hub or cluster (its own tables)."""
    cluster = Scope.file(scope.cluster, "") in work.added
    return cluster or (scope.kind == "hub" and scope in work.added)


def _asked(only: set[Address], name: str) -> bool:
    return any(_under(address, name) for address in only)


def _take(work: _Work, target: Target, lock: Lock, explicit: bool) -> None:
    """Adopt one slot when hubs.toml lacks it, or (``explicit``) when it was edited by hand."""
    address = target.address
    if target.policy == Kind.UNSTATED:
        _set(work, address, _stated(target))
        return
    if not explicit or target.policy == Kind.USER or target.through is not None:
        return  # adopted, if at all, through the alias that states it
    if isinstance(target.source, Follow | Promote):
        want = _locked(target, lock)
        verb = (
            f"follows {target.source.follow}"
            if isinstance(target.source, Follow)
            else f"promotes {target.source.promote}'s image"
        )
        if want is not None and want != target.slot.image:
            work.refused.append(
                f"{address}: {verb} (hubs.lock: {want}); a hand edit to "
                f"{target.slot.image} is not adopted: to keep it, `hubs set '{address}' --pin "
                f"{target.slot.image}`"
            )
        return
    if target.differs:
        _set(work, address, _stated(target) if target.slot.image is not None else INHERIT)


def _set(work: _Work, address: Address, value: str | dict[str, Any]) -> None:
    work.text = tomledit.set_policy(work.text, address, value)
    work.done.add(address)
    shown = value if isinstance(value, str) else "{ broken = ... }"
    work.taken.append(f"{address}: {shown}")


def _stated(target: Target) -> str | dict[str, Any]:
    value = target.slot.value
    if isinstance(value, Written):
        return {"broken": value.text}
    return target.slot.image or INHERIT


def _locked(target: Target, lock: Lock) -> str | None:
    entry = lock.slots.get(str(target.address))
    policy = target.source
    if entry is None or not isinstance(policy, Follow | Promote):
        return None
    if entry.policy != policy.fingerprint():
        return None
    digest = policy.digest if isinstance(policy, Follow) else entry.digest is not None
    return str(entry.reference(digest))


def _check(work: _Work, fleet: Fleet, only: set[Address] | None) -> None:
    """The promise of adopt: afterwards nothing asked for is unstated, and every slot it
    took (or added with a hub or cluster) holds in hubs.toml what the tree has."""
    config = parse_config(work.text)
    wanted = targets(config, fleet, None)
    left = [
        d
        for d in find(config, fleet, wanted)
        if d.rule in UNSTATED_RULES and (only is None or _named(d.key or "", only))
    ]
    moved = [
        t
        for t in wanted
        if t.address in work.done and t.differs and t.policy not in (Kind.FOLLOW, Kind.PROMOTE)
    ]
    if left or moved:
        what = left[0].key if left else str(moved[0].address)
        raise InputError(
            f"adopt cannot state this tree exactly: {what} would still differ; nothing "
            "written (please report this)"
        )


def _named(key: str, only: set[Address]) -> bool:
    return any(str(a) == key for a in only)
