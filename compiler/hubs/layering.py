"""Which file wins: the fleet's layering, answered from one index built once.

Helm applies a hub's values files in order: maps merge, lists replace.  So a hub's
``singleuser.image`` comes from the last of its files that sets it (else the chart default),
and its ``profileList`` from the last file that has one.  :class:`Fleet` indexes the tree
once (file -> hubs using it, hub -> its own file) and scans each values file on first use;
every "which file" question of the package is answered here, and nothing outside this
module changes a scanned file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import imageref
from .address import Scope
from .clusters import CHART_VALUES, Cluster, Hub, LayoutError, load_clusters
from .errors import Diagnostic
from .scan import Slot, ValuesFile, scan
from .yamldoc import YamlPath

if TYPE_CHECKING:
    from .cache import Store


@dataclass(slots=True)
class Fleet:
    """The whole tree: clusters, the layering index, and values files scanned on first use."""

    root: Path
    clusters: dict[str, Cluster]
    _users: dict[str, tuple[Hub, ...]] = field(default_factory=dict)
    _own: dict[str, str | None] = field(default_factory=dict)
    _files: dict[str, ValuesFile] = field(default_factory=dict)
    _notes: list[Diagnostic] = field(default_factory=list)
    store: Store | None = None  # the scan cache, when one is used

    def __post_init__(self) -> None:
        users: dict[str, list[Hub]] = {}
        for hub in self.hubs():
            for path in dict.fromkeys(hub.files):
                users.setdefault(path, []).append(hub)
        self._users = {path: tuple(hubs) for path, hubs in users.items()}
        self._own = {hub.address: self._find_own(hub) for hub in self.hubs()}

    def _find_own(self, hub: Hub) -> str | None:
        for path in reversed(hub.files):
            if len(self._users[path]) == 1:
                return path
        return None

    # ------------------------------------------------------------ the index

    def hubs(self) -> Iterator[Hub]:
        for cluster in self.clusters.values():
            yield from cluster.hubs

    def users_of(self, path: str) -> tuple[Hub, ...]:
        """The hubs whose values files include ``path``, in cluster.yaml order."""
        return self._users.get(path, ())

    def own_file(self, hub: Hub) -> str | None:
        """The last values file that only this hub uses, where a hub-level policy goes."""
        return self._own[hub.address]

    def prefix_of(self, path: str) -> YamlPath:
        """``("basehub",)`` for a file of daskhub hubs, else ``()``."""
        users = self.users_of(path)
        return users[0].prefix if users else ()

    def scope_of(self, cluster: str, path: str) -> Scope:
        """The hubs.toml scope that governs ``path``: the chart, a hub's own file, or a
        shared file."""
        if path == CHART_VALUES:
            return Scope.defaults()
        users = self.users_of(path)
        if len(users) == 1 and self.own_file(users[0]) == path:
            return Scope.hub(cluster, users[0].name)
        return Scope.file(cluster, path.rsplit("/", 1)[-1])

    # ------------------------------------------------------------ scanned files

    def digests(self) -> dict[str, str]:
        """The digest of the text of every values file scanned so far, by path."""
        return {path: values.digest for path, values in self._files.items()}

    def warnings(self) -> list[Diagnostic]:
        """Warnings of every file scanned so far, in scan order, then those of the layering."""
        return [w for values in self._files.values() for w in values.warnings] + self._notes

    def warn(self, found: Diagnostic) -> None:
        """Record a warning about the layering (once)."""
        if found not in self._notes:
            self._notes.append(found)

    def file(self, path: str, prefix: YamlPath | None = None) -> ValuesFile:
        prefix = self.prefix_of(path) if prefix is None else prefix
        if path not in self._files:
            self._files[path] = self._complete(scan(self.root, path, prefix, self.store))
        found = self._files[path]
        if found.prefix != prefix:
            raise LayoutError(f"{path}: used by both basehub and daskhub hubs")
        return found

    def hub_file(self, hub: Hub, path: str) -> ValuesFile:
        return self.file(path, hub.prefix)

    def has_chart(self) -> bool:
        return (self.root / CHART_VALUES).is_file()

    def chart(self) -> ValuesFile:
        return self.file(CHART_VALUES, ())

    def _complete(self, values: ValuesFile) -> ValuesFile:
        """A ``singleuser.image`` map with a tag only (or a name only) takes the other part
        from the layers below, as Helm's map merge does."""
        slot = values.slot("singleuser")
        if slot is None or slot.partial is None or slot.image is None:
            return values
        found = {self._below(hub, values.path) for hub in self.users_of(values.path)}
        parts = {_split(image) for image in found if image is not None}
        if len(parts) != 1 or None in found:
            present = "tag" if slot.partial == "name" else "name"
            raise LayoutError(
                f"{values.path}:{slot.line}: singleuser.image sets only a {present}, and the "
                f"hubs using this file do not all inherit one {slot.partial}; add `{slot.partial}:`"
            )
        name, tag = parts.pop()
        if slot.partial == "name":
            full = replace(slot, image=f"{name}:{slot.image}", inherited_name=name)
        else:
            full = replace(slot, image=f"{slot.image}:{tag}", inherited_tag=tag)
        values.slots[values.slots.index(slot)] = full
        return values

    def _below(self, hub: Hub, path: str) -> str | None:
        """The full ``singleuser.image`` the layers under ``path`` give ``hub``."""
        for lower in reversed(hub.files[: hub.files.index(path)]):
            slot = self.hub_file(hub, lower).slot("singleuser")
            if slot is not None and slot.image is not None:
                return slot.image
        if self.has_chart():
            slot = self.chart().slot("singleuser")
            if slot is not None and slot.image is not None:
                return slot.image
        return None

    # ------------------------------------------------------------ which file wins

    def profile_source(self, hub: Hub) -> str | None:
        """The file whose ``profileList`` the hub gets (Helm replaces lists: the last wins)."""
        for path in reversed(hub.files):
            if self.hub_file(hub, path).has_profile_list:
                return path
        return None

    def image_source(self, hub: Hub, setters: Iterable[str] | None = None) -> str:
        """The file whose ``singleuser.image`` the hub gets: the last that sets it, else the
        chart.  ``setters`` are the files that set it (default: as on disk now)."""
        chosen = None if setters is None else set(setters)
        for path in reversed(hub.files):
            if chosen is not None:
                if path in chosen:
                    return path
                continue
            slot = self.hub_file(hub, path).slot("singleuser")
            if slot is not None and slot.line > 0:
                return path
        return CHART_VALUES

    def reach(self, slot: Slot, setters: Iterable[str] | None = None) -> list[str]:
        """The hubs whose running image this slot decides (later files may override it)."""
        if slot.kind == "singleuser":
            chosen = None if setters is None else set(setters)
            hubs = self.hubs() if slot.file == CHART_VALUES else self.users_of(slot.file)
            return [h.address for h in hubs if self.image_source(h, chosen) == slot.file]
        return [h.address for h in self.users_of(slot.file) if self.profile_source(h) == slot.file]

    def later_setters(self, hub: Hub, path: str, setters: Iterable[str]) -> list[str]:
        """Files after ``path`` among ``hub``'s that are in ``setters``."""
        chosen = set(setters)
        return [p for p in hub.files[hub.files.index(path) + 1 :] if p in chosen]


def load_fleet(root: Path, store: Store | None = None) -> Fleet:
    return Fleet(root, load_clusters(root), store=store)


def _split(image: str) -> tuple[str, str]:
    try:
        ref = imageref.parse(image)
    except imageref.ReferenceError as exc:
        raise LayoutError(str(exc)) from None
    return ref.name, ref.version or ""
