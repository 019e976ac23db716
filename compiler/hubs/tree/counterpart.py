"""Which slot of one hub matches a slot of another: the image a hub runs for a profile and
choice, wherever it is written.

``hubs promote`` and the promote policy pair a slot of one hub (its own ``image``, a
profile's image, a choice) with what another hub runs for the same profile and choice keys:
a choice without an image of its own runs its profile's image, else the hub's
``singleuser.image`` (:meth:`hubs.tree.layering.Fleet.offers`).  Reads only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hubs.errors import Diagnostic, close_match
from hubs.policy.address import SlotKind
from hubs.policy.model import Promote
from hubs.tree.clusters import Hub
from hubs.tree.layering import Fleet, SlotKey, key_of

if TYPE_CHECKING:
    from hubs.compile.targets import Target


@dataclass(frozen=True, slots=True)
class Place:
    """Where an image is asked for: the hub's own image, a profile's, or a choice's."""

    kind: SlotKind
    profile: str | None = None
    choice: str | None = None

    def __str__(self) -> str:
        if self.kind == "singleuser":
            return "image"
        if self.kind == "profile":
            return f"profiles/{self.profile}/image"
        return f"profiles/{self.profile}/choices/{self.choice}"


def find_hub(fleet: Fleet, text: str) -> Hub | None:
    """The hub ``CLUSTER/HUB`` names (None: no such hub)."""
    cluster, _, name = text.partition("/")
    found = fleet.clusters.get(cluster)
    return found.hub(name) if found is not None else None


def runs(fleet: Fleet, hub: Hub, place: Place) -> SlotKey | None:
    """The slot whose image ``hub`` runs at ``place`` (None: no such profile or choice, or
    an image hubs does not manage)."""
    single: SlotKey = (fleet.image_source(hub), "singleuser", None, None)
    if place.kind == "singleuser":
        return single
    offers = [o for o in fleet.offers(hub) if o.profile == place.profile]
    if place.kind == "choice":
        found = [o.source for o in offers if o.choice == place.choice and o.source]
        return found[0] if found else None
    source = fleet.profile_source(hub)
    if source is None or not offers:
        return None
    own = fleet.hub_file(hub, source).slot("profile", place.profile)
    if own is not None and own.image is not None:
        return key_of(own)
    return single


def place_of(key: SlotKey) -> Place:
    return Place(key[1], key[2], key[3])


# ---------------------------------------------------------------- promote sources checked


def check(fleet: Fleet, wanted: Sequence[Target]) -> list[Diagnostic]:
    """An error for every promote policy whose source is no hub, has no counterpart, is the
    slot itself (a file shared with the source), or leads back to it through other promote
    policies (a cycle); each at its hubs.toml key path."""
    by_key = {key_of(t.slot): t for t in wanted}
    return [
        Diagnostic(why, key=str(t.address), keys=t.address.keys)
        for t in wanted
        if isinstance(t.source, Promote) and (why := _problem(fleet, t, by_key))
    ]


def source_of(fleet: Fleet, target: Target) -> SlotKey | None:
    """The slot a promote target takes its image from (None: no such hub or counterpart)."""
    assert isinstance(target.source, Promote)
    hub = find_hub(fleet, target.source.promote)
    if hub is None:
        return None
    slot = target.slot
    return runs(fleet, hub, Place(slot.kind, slot.profile, slot.choice))


def _problem(fleet: Fleet, target: Target, by_key: dict[SlotKey, Target]) -> str | None:
    assert isinstance(target.source, Promote)
    name = target.source.promote
    hub = find_hub(fleet, name)
    if hub is None:
        known = [h.address for h in fleet.hubs()]
        return f"promote = {name!r}: no such hub in cluster.yaml" + close_match(name, known)
    slot = target.slot
    place = Place(slot.kind, slot.profile, slot.choice)
    key = runs(fleet, hub, place)
    if key is None:
        return f"promote = {name!r}: {name} has no {place} to promote"
    if key == key_of(slot):
        return (
            f"promote = {name!r}: {name} runs this very slot ({slot.file}), shared with it; "
            "promote to a slot of the hub's own file"
        )
    return _cycle(fleet, target, key, by_key)


def _cycle(fleet: Fleet, start: Target, key: SlotKey, by_key: dict[SlotKey, Target]) -> str | None:
    chain = [str(start.address)]
    seen = {key_of(start.slot)}
    step = by_key.get(key)
    while step is not None and isinstance(step.source, Promote):
        chain.append(str(step.address))
        if key in seen:
            return "a promote cycle: " + " <- ".join(chain)
        seen.add(key)
        next_key = source_of(fleet, step)
        if next_key is None:
            return None  # reported at that slot
        key = next_key
        step = by_key.get(key)
    return None
