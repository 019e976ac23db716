"""The infrastructure tree: clusters, hubs, their values files in order, and the image slots.

Reads ``config/clusters/<cluster>/cluster.yaml`` and the plaintext values files they list;
``enc-*`` / ``*.secret.*`` files are never opened.  A *slot* is one place a user image can be
written: ``singleuser.image`` of a file, a profile's ``kubespawner_override.image``, or a
``profile_options.image.choices.<key>`` image.  Slots are found through YAML aliases too: the
``physical`` path names the node at its anchor, where an edit has to go.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import yaml

from . import yamledit
from .errors import InputError
from .paths import inside
from .yamledit import Key, YamlError

CLUSTERS_DIR = "config/clusters"
CHART_VALUES = "helm-charts/basehub/values.yaml"
CHART_SCHEMA = "helm-charts/basehub/values.schema.yaml"
CHARTS = ("basehub", "daskhub")

SlotKind = Literal["singleuser", "profile", "choice", "unlisted"]
YamlPath = tuple[Key, ...]


class LayoutError(InputError):
    """The tree is not laid out as expected; ``str()`` is one line naming the place."""


def is_secret(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.startswith("enc-") or ".secret." in base


def close_match(word: str, choices: list[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {found[0]!r}?)" if found else ""


@dataclass(frozen=True, slots=True)
class Hub:
    cluster: str
    name: str
    display_name: str
    chart: str
    files: tuple[str, ...]  # tree-relative plaintext values files, in helm order
    line: int  # of ``- name:`` in cluster.yaml

    @property
    def address(self) -> str:
        return f"{self.cluster}/{self.name}"

    @property
    def prefix(self) -> YamlPath:
        return ("basehub",) if self.chart == "daskhub" else ()


@dataclass(frozen=True, slots=True)
class Cluster:
    name: str
    path: str  # tree-relative cluster.yaml
    hubs: tuple[Hub, ...]

    def hub(self, name: str) -> Hub | None:
        return next((hub for hub in self.hubs if hub.name == name), None)


@dataclass(frozen=True, slots=True)
class Slot:
    """One image slot of one values file, as it is on disk now."""

    file: str
    kind: SlotKind
    profile: str | None  # profile slug, else display name
    choice: str | None
    path: YamlPath  # to the image node (for ``singleuser``: the ``image`` map)
    physical: YamlPath  # same node at its anchor; equals ``path`` unless reached by alias
    line: int  # of the image value (the tag for ``singleuser``); 0 when absent
    image: str | None  # current reference text; None when the slot is not set here
    anchor: str | None = None  # ``&name`` the node sits under, when aliased elsewhere
    inherited_name: str | None = None  # singleuser map with a tag only: the name from below
    inherited_tag: str | None = None  # singleuser map with a name only: the tag from below
    partial: Literal["name", "tag"] | None = None  # which of name/tag the map lacks

    @property
    def aliased(self) -> bool:
        return self.path != self.physical


@dataclass(slots=True)
class ValuesFile:
    """One scanned values file.  ``doc`` is None when the file cannot hold a slot."""

    path: str
    prefix: YamlPath
    doc: yamledit.Document | None
    slots: list[Slot] = field(default_factory=list)
    profiles: dict[str, int] = field(default_factory=dict)  # name -> index in profileList
    has_profile_list: bool = False
    warnings: list[str] = field(default_factory=list)  # "file:line: message", nothing fatal

    def slot(
        self, kind: SlotKind, profile: str | None = None, choice: str | None = None
    ) -> Slot | None:
        for slot in self.slots:
            if (slot.kind, slot.profile, slot.choice) == (kind, profile, choice):
                return slot
        return None


@dataclass(slots=True)
class Fleet:
    """The whole tree, files scanned on first use (each parsed once)."""

    root: Path
    clusters: dict[str, Cluster]
    _files: dict[str, ValuesFile] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        """Warnings of every file scanned so far, in scan order."""
        return [w for values in self._files.values() for w in values.warnings]

    def hubs(self) -> Iterator[Hub]:
        for cluster in self.clusters.values():
            yield from cluster.hubs

    def users_of(self, path: str) -> list[Hub]:
        return [hub for hub in self.hubs() if path in hub.files]

    def own_file(self, hub: Hub) -> str | None:
        """The last values file that only this hub uses, where a hub-level policy goes."""
        for path in reversed(hub.files):
            if len(self.users_of(path)) == 1:
                return path
        return None

    def file(self, path: str, prefix: YamlPath = ()) -> ValuesFile:
        if path not in self._files:
            self._files[path] = scan(self.root, path, prefix)
            self._complete(self._files[path])
        found = self._files[path]
        if found.prefix != prefix:
            raise LayoutError(f"{path}: used by both basehub and daskhub hubs")
        return found

    def _complete(self, values: ValuesFile) -> None:
        """A ``singleuser.image`` map with a tag only (or a name only) takes the other part
        from the layers below, as Helm's map merge does."""
        slot = values.slot("singleuser")
        if slot is None or slot.partial is None or slot.image is None:
            return
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

    def hub_file(self, hub: Hub, path: str) -> ValuesFile:
        return self.file(path, hub.prefix)

    def has_chart(self) -> bool:
        return (self.root / CHART_VALUES).is_file()

    def chart(self) -> ValuesFile:
        return self.file(CHART_VALUES)

    def profile_source(self, hub: Hub) -> str | None:
        """The file whose ``profileList`` the hub gets (Helm replaces lists: the last wins)."""
        for path in reversed(hub.files):
            if self.hub_file(hub, path).has_profile_list:
                return path
        return None


# ---------------------------------------------------------------- cluster.yaml


def load_fleet(root: Path) -> Fleet:
    base = root / CLUSTERS_DIR
    if not base.is_dir():
        raise LayoutError(f"{root}: no {CLUSTERS_DIR}/ folder (is this the tree root?)")
    clusters = {}
    for cluster_yaml in sorted(base.glob("*/cluster.yaml")):
        if cluster_yaml.parent.name == "templates":  # Jinja templates for new clusters
            continue
        cluster = read_cluster(root, cluster_yaml.relative_to(root).as_posix())
        clusters[cluster.name] = cluster
    if not clusters:
        raise LayoutError(f"{root}: no {CLUSTERS_DIR}/<cluster>/cluster.yaml found")
    return Fleet(root, clusters)


def read_cluster(root: Path, rel: str) -> Cluster:
    folder = rel.rsplit("/", 2)[-2]
    doc = yamledit.parse(_read(inside(root, rel, rel)), rel)
    hubs_node = yamledit.child(doc.root, "hubs")
    if not isinstance(hubs_node, yaml.SequenceNode):
        return Cluster(folder, rel, ())
    hubs = tuple(_read_hub(rel, folder, node) for node in hubs_node.value)
    here = rel.rsplit("/", 1)[0] + "/"
    for hub in hubs:  # every values file listed must be inside the tree
        for path in hub.files:
            inside(root, path, f"{rel}:{hub.line}: hub {hub.name!r}: {path.removeprefix(here)!r}")
    seen: set[str] = set()
    for hub in hubs:
        if hub.name in seen:
            raise LayoutError(f"{rel}:{hub.line}: hub {hub.name!r} is listed twice")
        seen.add(hub.name)
    return Cluster(folder, rel, hubs)


def _read_hub(rel: str, cluster: str, node: yaml.Node) -> Hub:
    line = node.start_mark.line + 1

    def text(key: str, default: str | None = None) -> str:
        value = yamledit.child(node, key)
        if isinstance(value, yaml.ScalarNode) and value.value:
            return str(value.value)
        if default is None:
            raise LayoutError(f"{rel}:{line}: hub has no {key!r}")
        return default

    name = text("name")
    chart = text("helm_chart", "basehub")
    if chart not in CHARTS:
        raise LayoutError(f"{rel}:{line}: hub {name!r}: unknown helm_chart {chart!r}")
    files_node = yamledit.child(node, "helm_chart_values_files")
    names = [n.value for n in getattr(files_node, "value", []) if isinstance(n, yaml.ScalarNode)]
    folder = rel.rsplit("/", 1)[0]
    files = tuple(f"{folder}/{n}" for n in names if not is_secret(n))
    return Hub(cluster, name, text("display_name", name), chart, files, line)


def _read(path: Path, shown: str | None = None) -> str:
    from .fileio import read_regular

    return read_regular(path, shown or str(path))


# ---------------------------------------------------------------- values files

_SINGLEUSER: YamlPath = ("jupyterhub", "singleuser")


def scan(root: Path, rel: str, prefix: YamlPath = ()) -> ValuesFile:
    """Parse one values file (only if it can hold a slot) and list its slots."""
    if is_secret(rel):
        raise LayoutError(f"{rel}: secret files are never read or written")
    text = _read(inside(root, rel, rel), f"{rel} (listed in cluster.yaml)")
    if "image" not in text and "profileList" not in text:
        return ValuesFile(rel, prefix, None)
    try:
        doc = yamledit.parse(text, rel)
    except YamlError as exc:
        raise LayoutError(str(exc)) from None
    found = ValuesFile(rel, prefix, doc)
    _Scanner(found, doc).run()
    return found


class _Scanner:
    def __init__(self, out: ValuesFile, doc: yamledit.Document) -> None:
        self.out, self.doc = out, doc
        self.defined: dict[int, YamlPath] = {}  # node id -> path of its anchor site

    def run(self) -> None:
        base = self.out.prefix + _SINGLEUSER
        if self.out.prefix:
            self._warn_outside_prefix()
        node = self.doc.root
        for depth in range(len(base) + 1):  # the keys on the way must be unique
            yamledit.check_duplicates(node, self.out.path, deep=False)
            node = yamledit.child(node, base[depth]) if depth < len(base) else node
        singleuser = yamledit.find(self.doc.root, base)
        if singleuser is None:
            return
        yamledit.check_duplicates(singleuser, self.out.path)
        if "&" in self.doc.text:  # without anchors no node is reached twice
            self._define(singleuser, base)
        self._singleuser((*base, "image"))
        plist = yamledit.child(singleuser, "profileList")
        if plist is None:
            return
        self.out.has_profile_list = True
        if isinstance(plist, yaml.SequenceNode):
            for index, profile in enumerate(plist.value):
                self._profile((*base, "profileList", index), index, profile)

    def _warn_outside_prefix(self) -> None:
        root = self.doc.root
        for text, key, _ in yamledit.items(root) if root is not None else ():
            if text == "jupyterhub":
                self.out.warnings.append(
                    f"{self.out.path}:{self._line(key)}: top-level jupyterhub: is ignored in a "
                    "daskhub values file (daskhub nests every value under basehub:)"
                )

    def _define(self, node: yaml.Node, path: YamlPath) -> None:
        """Record where each node is defined, walking only edges that are not alias uses."""
        if id(node) in self.defined:
            return
        self.defined[id(node)] = path
        if isinstance(node, yaml.MappingNode):
            for text, key, value in yamledit.items(node):
                if not yamledit.is_alias_use(key, value):
                    self._define(value, (*path, text))
        elif isinstance(node, yaml.SequenceNode):
            floor = node.start_mark.index
            for index, item in enumerate(node.value):
                if item.start_mark.index >= floor:
                    self._define(item, (*path, index))
                floor = max(floor, item.end_mark.index)

    def _physical(self, path: YamlPath) -> YamlPath:
        """``path`` rewritten through anchor sites: where an edit of that node must go."""
        node = self.doc.root
        physical: YamlPath = ()
        for step in path:
            node = yamledit.child(node, step)
            if node is None:
                return path
            physical = self.defined.get(id(node), (*physical, step))
        return physical

    def _line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1

    def _anchor(self, path: YamlPath, physical: YamlPath) -> str | None:
        """The ``&name`` under which an aliased slot sits (None when not aliased)."""
        if path == physical:
            return None
        text = self.doc.text
        for depth in range(len(physical), 0, -1):
            node = yamledit.find(self.doc.root, physical[:depth])
            if node is None:
                continue
            head = text[text.rfind("\n", 0, node.start_mark.index) + 1 : node.start_mark.index + 1]
            amp = text.find("&", node.start_mark.index, node.start_mark.index + 1)
            if amp >= 0 or "&" in head:
                start = amp if amp >= 0 else text.rfind("&", 0, node.start_mark.index + 1)
                return text[start:].split(None, 1)[0]
        return "&anchor"

    def _slot(
        self,
        kind: SlotKind,
        name: str | None,
        choice: str | None,
        path: YamlPath,
        node: yaml.Node | None,
        image: str | None,
    ) -> None:
        if node is None:
            self.out.slots.append(Slot(self.out.path, kind, name, choice, path, path, 0, None))
            return
        physical = self._physical(path)
        anchor = self._anchor(path, physical)
        if image is not None and image != image.strip() and physical == path:
            self.out.warnings.append(
                f"{self.out.path}:{self._line(node)}: image {image!r} has surrounding spaces "
                "(kept as written; pin it again to clean it)"
            )
        self.out.slots.append(
            Slot(self.out.path, kind, name, choice, path, physical, self._line(node), image, anchor)
        )

    def _singleuser(self, path: YamlPath) -> None:
        node = yamledit.find(self.doc.root, path)
        if node is None:
            self._slot("singleuser", None, None, path, None, None)
            return
        if not isinstance(node, yaml.MappingNode):
            raise LayoutError(f"{self.out.path}:{self._line(node)}: image must be a name/tag map")
        name, tag = yamledit.child(node, "name"), yamledit.child(node, "tag")
        has_name = name is not None and yamledit.is_scalar(name)
        has_tag = tag is not None and yamledit.is_scalar(tag)
        image: str | None = None
        partial: Literal["name", "tag"] | None = None
        if has_name and has_tag:
            image = f"{name.value}:{tag.value}"  # type: ignore[union-attr]
        elif has_name or has_tag:  # the rest comes from a lower layer: see Fleet.file
            image = str((name if has_name else tag).value)  # type: ignore[union-attr]
            partial = "tag" if has_name else "name"
        shown = tag if tag is not None else (name if name is not None else node)
        self._slot("singleuser", None, None, path, shown, image)
        if partial is not None:
            self.out.slots[-1] = replace(self.out.slots[-1], partial=partial)

    def _profile(self, path: YamlPath, index: int, node: yaml.Node) -> None:
        base = name = _profile_name(node, index)
        count = 1
        while name in self.out.profiles:  # two profiles without slugs, same display name
            count += 1
            name = f"{base} ({count})"
        self.out.profiles[name] = index
        self._image("profile", name, None, path, ("kubespawner_override", "image"), node)
        option = yamledit.find(node, ("profile_options", "image"))
        choices = yamledit.child(option, "choices")
        for key, _, _value in yamledit.items(choices) if choices is not None else ():
            rel: YamlPath = (
                "profile_options",
                "image",
                "choices",
                key,
                "kubespawner_override",
                "image",
            )
            self._image("choice", name, key, path, rel, node)
        if yamledit.child(option, "unlisted_choice") is not None:
            rel = ("profile_options", "image", "unlisted_choice", "kubespawner_override", "image")
            if yamledit.find(node, rel) is not None:
                self._image("unlisted", name, None, path, rel, node)

    def _image(
        self,
        kind: SlotKind,
        name: str,
        choice: str | None,
        base: YamlPath,
        rel: YamlPath,
        profile: yaml.Node,
    ) -> None:
        node = yamledit.find(profile, rel)
        if node is not None and not yamledit.is_scalar(node):
            raise LayoutError(f"{self.out.path}:{self._line(node)}: image must be a string")
        image = str(node.value) if node is not None else None
        self._slot(kind, name, choice, base + rel, node, image)


def _split(image: str) -> tuple[str, str]:
    from . import imageref

    try:
        ref = imageref.parse(image)
    except imageref.ReferenceError as exc:
        raise LayoutError(str(exc)) from None
    return ref.name, ref.version or ""


def _profile_name(node: yaml.Node, index: int) -> str:
    for key in ("slug", "display_name"):
        value = yamledit.child(node, key)
        if isinstance(value, yaml.ScalarNode) and value.value:
            return str(value.value)
    return f"#{index}"
