"""What the lint rules read: the tree's slots (one per YAML node), their notes, the hubs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from hubs.compile.targets import Target
from hubs.policy.imageref import ImageRef
from hubs.tree.clusters import Hub
from hubs.tree.layering import Fleet
from hubs.tree.scan import Note, Slot


@dataclass(frozen=True, slots=True)
class Node:
    """One image as the tree holds it: the first target of its YAML node (aliases share it)."""

    target: Target
    ref: ImageRef

    @property
    def slot(self) -> Slot:
        return self.target.slot

    @property
    def address(self) -> str:
        return str(self.target.address)


@dataclass(slots=True)
class Context:
    fleet: Fleet
    targets: tuple[Target, ...]
    _nodes: list[Node] = field(default_factory=list)
    _hubs: dict[str, Hub] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._hubs = {hub.address: hub for hub in self.fleet.hubs()}
        seen: set[tuple[str, object]] = set()
        for target in self.targets:
            slot, value = target.slot, target.slot.value
            node = (slot.file, slot.physical)
            if slot.kind == "unlisted" or not isinstance(value, ImageRef) or node in seen:
                continue
            seen.add(node)
            self._nodes.append(Node(target, value))

    def nodes(self) -> list[Node]:
        """Every image the tree holds, once per YAML node, in the order of the targets."""
        return self._nodes

    def files(self) -> list[str]:
        """Every plaintext values file of every hub, in cluster.yaml order."""
        return list(dict.fromkeys(path for hub in self.fleet.hubs() for path in hub.files))

    def scope_of(self, path: str) -> str:
        """The scope (as addresses spell it) of the values file ``path`` of some hub."""
        return str(self.fleet.scope_of(self.fleet.users_of(path)[0].cluster, path))

    def notes(self, slot: Slot, kinds: tuple[str, ...]) -> Iterator[Note]:
        """The notes of ``kinds`` on the slot's own profile or choice, once per node."""
        seen: set[object] = set()
        for note in self.fleet.file(slot.file).notes:
            where = (note.profile, note.choice) == (slot.profile, slot.choice)
            if where and note.kind in kinds and note.physical not in seen:
                seen.add(note.physical)
                yield note

    def hubs_of(self, slot: Slot) -> list[Hub]:
        """The hubs whose running image (or profileList) this slot decides."""
        return [self._hubs[address] for address in self.fleet.reach(slot)]

    def users_of(self, slot: Slot) -> list[Hub]:
        """The hubs this slot reaches, else every hub whose values files include it."""
        return self.hubs_of(slot) or list(self.fleet.users_of(slot.file))

    def pull_policy(self, hub: Hub) -> str | None:
        """``singleuser.image.pullPolicy`` as Helm merges it for ``hub`` (last file wins)."""
        files = [self.fleet.hub_file(hub, path) for path in reversed(hub.files)]
        files += [self.fleet.chart()] if self.fleet.has_chart() else []
        for values in files:
            for note in values.notes:
                if note.kind == "pull_policy" and note.profile is None:
                    return note.value
        return None
