"""What ``hubs promote FROM TO`` writes: every slot of TO that has a counterpart in FROM
pinned to the image FROM runs there now, and why each other slot is left.

The slots of TO are its own ``image`` (its own file's ``singleuser.image``) and the profile
and choice images of the file its ``profileList`` comes from.  Each is paired with what FROM
runs for the same profile and choice, wherever that is written (:mod:`hubs.tree.counterpart`).
Reads only: the command applies the edits with :mod:`hubs.authoring.tomledit`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hubs.authoring.setpolicy import Edit, one
from hubs.compile.targets import PlanError, Target, address_of, targets
from hubs.errors import UsageError, close_match
from hubs.policy.address import Address, Scope
from hubs.policy.imageref import ImageRef
from hubs.policy.load import Source
from hubs.policy.model import Follow, Promote
from hubs.tree.clusters import Hub
from hubs.tree.counterpart import Place, find_hub, place_of, runs
from hubs.tree.layering import Fleet, SlotKey, key_of


@dataclass(frozen=True, slots=True)
class Line:
    """One slot of TO: paired (with edits unless it already holds the image) or skipped."""

    address: Address
    said: str
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class Promotion:
    pairs: tuple[Line, ...]
    skipped: tuple[Line, ...]

    @property
    def edits(self) -> list[Edit]:
        return [edit for line in self.pairs for edit in line.edits]


@dataclass(frozen=True, slots=True)
class _Slot:
    """A slot of TO: its address, its key in the tree, and the place it serves."""

    address: Address
    key: SlotKey
    place: Place


def plan(source: Source, fleet: Fleet, from_text: str, to_text: str) -> Promotion:
    """The pairs and skips of promoting ``from_text``'s images to ``to_text``."""
    start, end = _hub(fleet, from_text), _hub(fleet, to_text)
    if start.address == end.address:
        raise UsageError(f"{from_text}: promote takes two different hubs")
    wanted = targets(source.config, fleet, None)
    by_address = {t.address: t for t in wanted}
    by_key = {key_of(t.slot): t for t in wanted}
    pairs: list[Line] = []
    skipped: list[Line] = []
    for slot in _slots_of(fleet, end):
        found = _line(source, fleet, start, end, slot, by_address, by_key)
        (pairs if found.said.startswith(f"{slot.address} <- ") else skipped).append(found)
    return Promotion(tuple(pairs), tuple(skipped))


def _hub(fleet: Fleet, text: str) -> Hub:
    hub = find_hub(fleet, text)
    if hub is None:
        known = [h.address for h in fleet.hubs()]
        raise PlanError([f"{text}: no such hub (CLUSTER/HUB)" + close_match(text, known)])
    return hub


def _slots_of(fleet: Fleet, hub: Hub) -> Iterator[_Slot]:
    own = fleet.own_file(hub)
    single = Place("singleuser")
    if own is not None:
        yield _Slot(
            Address(fleet.scope_of(hub.cluster, own)), (own, "singleuser", None, None), single
        )
    else:
        yield _Slot(
            Address(Scope.hub(hub.cluster, hub.name)), ("", "singleuser", None, None), single
        )
    source = fleet.profile_source(hub)
    if source is None:
        return
    scope = fleet.scope_of(hub.cluster, source)
    for slot in fleet.hub_file(hub, source).slots:
        if slot.kind in ("profile", "choice"):
            yield _Slot(address_of(scope, slot), key_of(slot), place_of(key_of(slot)))


def _line(
    source: Source,
    fleet: Fleet,
    start: Hub,
    end: Hub,
    slot: _Slot,
    by_address: dict[Address, Target],
    by_key: dict[SlotKey, Target],
) -> Line:
    def skip(reason: str) -> Line:
        return Line(slot.address, f"{slot.address}: skipped, {reason}")

    if not slot.key[0]:
        return skip(f"{end.address} has no values file of its own")
    target = by_address.get(slot.address)
    policy = None if target is None else target.source
    if isinstance(policy, Follow):
        return skip("a follow policy (`hubs update` moves it)")
    if isinstance(policy, Promote):
        return skip("held" if policy.hold or policy.hold_until else "a promote policy")
    shared = f"shared with {start.address}: already the same"
    if slot.place.kind != "singleuser" and fleet.profile_source(start) == slot.key[0]:
        return skip(shared)  # both hubs take this profileList from one file
    there = runs(fleet, start, slot.place)
    if there is None:
        return skip(f"no counterpart in {start.address}")
    if runs(fleet, end, slot.place) == there:
        return skip(shared)
    if there[1] != slot.key[1] and (target is None or target.slot.image is None):
        return skip(
            f"no image of its own here in either hub ({start.address} runs its {place_of(there)})"
        )
    found = fleet.slot_at(there)
    value = None if found is None else found.value
    if not isinstance(value, ImageRef):
        return skip(f"{start.address} runs no image reference here")
    named = by_key.get(there)
    origin = str(named.address) if named is not None else f"{there[0]}:{place_of(there)}"
    head = f"{slot.address} <- {origin}: "
    if policy == value:
        return Line(slot.address, head + f"{value} (already)")
    old = str(policy) if isinstance(policy, ImageRef) else (target.slot.image if target else None)
    edits = tuple(one(source, fleet, str(slot.address), str(value)))
    return Line(slot.address, head + f"{old or '(not set)'} -> {value}", edits)
