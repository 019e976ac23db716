"""``hubs reconcile``: one step for hooks and jobs that knows which side changed.

The last commit (git ``HEAD``) is the base.  For every slot whose values file and hubs.toml
disagree now, it asks which side moved since the base:

- only the values file (a hand edit): hubs.toml takes the file's value (``adopt``);
- only hubs.toml or hubs.lock (a policy edit, ``hubs update``): the file is compiled;
- both, differently, or neither (they disagreed at the base already): a *conflict*, with
  both values and the command that settles it; nothing is written.

The structure is adopted as ``hubs adopt`` does (entries the tree no longer has removed,
new clusters, hubs and images stated), then everything is compiled: one transaction, all
or nothing.  Without a base (no git, no commit, hubs.toml not committed yet) only what
never loses a value is done: the structure is adopted and nothing is compiled; a slot that
differs is reported, since nothing tells which side is newer.  Computes; the command writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hubs.authoring.adopt import Adopted, adopt
from hubs.compile.run import Compiled, build
from hubs.compile.targets import Target, targets
from hubs.errors import DecisionError, Diagnostic, HubsError
from hubs.files.fileio import read_regular
from hubs.files.gitbase import Base
from hubs.policy.address import Address
from hubs.policy.imageref import Image
from hubs.policy.kinds import Kind
from hubs.policy.load import Source, parse_config, parse_lock
from hubs.policy.locate import LOCK_NAME
from hubs.policy.model import Follow, Lock, Promote
from hubs.tree.clusters import LayoutError
from hubs.tree.layering import Fleet
from hubs.tree.scan import scan_text

# Slots whose difference is not a side's edit: compile leaves them, or adopt states them.
_SETTLED_ELSEWHERE = frozenset({Kind.UNSTATED, Kind.USER, Kind.PENDING, Kind.BROKEN})


@dataclass(frozen=True, slots=True)
class Reconciled:
    """What hubs.toml (and hubs.lock) become, what compile then writes, and why."""

    adopted: Adopted
    compiled: Compiled | None  # None without a base: nothing is compiled
    undecided: tuple[Diagnostic, ...]  # without a base: slots that differ, left alone


_SlotKey = tuple[str, str | None, str | None]  # kind, profile, choice
_Slots = dict[_SlotKey, str | None]  # the image text each slot holds


@dataclass(frozen=True, slots=True)
class _Before:
    """The base: hubs.toml's targets at the last commit, and each values file's slots there
    and now (scanned as written, on first use; None when the file is missing or broken)."""

    base: Base
    fleet: Fleet
    wanted: dict[Address, Target]
    then: dict[str, _Slots | None] = field(default_factory=dict)
    now: dict[str, _Slots | None] = field(default_factory=dict)


def reconcile(source: Source, fleet: Fleet, lock: Lock, base: Base | None) -> Reconciled:
    """Adopt what the tree changed, compile what hubs.toml changed, or stop on a conflict."""
    now = targets(source.config, fleet, lock)
    drift = [t for t in now if t.differs and t.policy not in _SETTLED_ELSEWHERE]
    before = _before(source, fleet, base)
    if before is None:
        adopted = adopt(source, fleet, lock, (), False)
        return Reconciled(adopted, None, tuple(_undecided(t) for t in drift))
    edited: list[Address] = []
    conflicts: list[Diagnostic] = []
    for target in drift:
        side = _side(target, before)
        if side == "tree" and not isinstance(target.source, Follow | Promote):
            edited.append(target.address)
        elif side != "hubs.toml":
            conflicts.append(_conflict(target, before, side))
    if conflicts:
        raise DecisionError(conflicts)
    adopted = adopt(source, fleet, lock, (), False, frozenset(edited))
    new = Source(source.path, adopted.text, parse_config(adopted.text, source.path.name))
    compiled = build(new, fleet, adopted.lock or lock)
    return Reconciled(adopted, compiled, ())


def _before(source: Source, fleet: Fleet, base: Base | None) -> _Before | None:
    """The base's view, or None when there is no committed hubs.toml to compare with."""
    text = base.text(source.path) if base is not None else None
    if base is None or text is None:
        return None
    try:
        config = parse_config(text, source.path.name)
        lock = _base_lock(base, source.path.parent / LOCK_NAME)
        wanted = {t.address: t for t in targets(config, fleet, lock)}
    except HubsError:
        return None  # the committed hubs.toml does not load: no base to trust
    return _Before(base, fleet, wanted)


def _base_lock(base: Base, path: Path) -> Lock:
    text = base.text(path)
    return Lock() if text is None else parse_lock(text, path.name)


def _side(target: Target, before: _Before) -> str:
    """Which side moved since the base: ``tree``, ``hubs.toml``, ``both`` or ``neither``."""
    was = before.wanted.get(target.address)
    toml = was is None or was.want != target.want or was.policy != target.policy
    then, now = _held(before, target, before.then), _held(before, target, before.now)
    tree = then is None or then != now
    if toml and tree:
        return "both"
    return "hubs.toml" if toml else "tree" if tree else "neither"


def _held(
    before: _Before, target: Target, cache: dict[str, _Slots | None]
) -> tuple[str | None] | None:
    """The image text the slot's file holds for it, at the base (``then``) or on disk
    (``now``); None when the file or the slot is not there, or the file does not parse."""
    path = target.slot.file
    if path not in cache:
        cache[path] = _scan(before, path, cache is before.then)
    slots = cache[path]
    key = (target.slot.kind, target.slot.profile, target.slot.choice)
    if slots is None or key not in slots:
        return None
    return (slots[key],)


def _scan(before: _Before, path: str, committed: bool) -> _Slots | None:
    where = before.fleet.root / path
    try:
        text = before.base.text(where) if committed else read_regular(where, path)
        if text is None:
            return None
        found = scan_text(text, path, before.fleet.prefix_of(path))
    except (LayoutError, HubsError):
        return None
    return {(s.kind, s.profile, s.choice): s.image for s in found.slots}


_WHY = {
    "both": "both changed since the last commit",
    "neither": "they differed at the last commit already",
    "tree": "a hand edit of a follow-latest slot",
}


def _conflict(target: Target, before: _Before, side: str) -> Diagnostic:
    was = before.wanted.get(target.address)
    then = _held(before, target, before.then)
    held = then[0] or "(nothing)" if then else "(not there)"
    return Diagnostic(
        f"{_WHY[side]}: hubs.toml asks for {_shown(target.want)} (at the last commit: "
        f"{_shown(was.want if was else None)}); the file holds "
        f"{target.slot.image or '(nothing)'} (at the last commit: {held})",
        target.slot.file,
        target.slot.line,
        key=str(target.address),
        rule="conflict",
        fix=_SETTLE.format(address=target.address),
    )


_SETTLE = "keep the file's with `hubs adopt '{address}' --all`, or hubs.toml's with `hubs compile`"


def _undecided(target: Target) -> Diagnostic:
    return Diagnostic(
        f"hubs.toml asks for {_shown(target.want)}, the file holds "
        f"{target.slot.image or '(nothing)'}, and with no commit to compare with nothing "
        "tells which is newer (left alone)",
        target.slot.file,
        target.slot.line,
        key=str(target.address),
        rule="undecided",
        fix=_SETTLE.format(address=target.address),
    )


def _shown(image: Image | None) -> str:
    return "(inherit)" if image is None else str(image)
