"""Values files to image slots: where each user image of one file is, and what it holds.

A *slot* is one place a user image can be written: ``singleuser.image`` of a file, a
profile's ``kubespawner_override.image``, a ``profile_options.image.choices.<key>`` image, or
the user-controlled ``unlisted_choice``.  Slots are found through YAML aliases too: the
``physical`` path names the node at its anchor, where an edit has to go.  Scanning reads one
file; which file wins for which hub is :mod:`hubs.layering`'s question.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import yaml

from . import imageref, yamledit
from .address import SlotKind
from .clusters import LayoutError, _read, is_secret
from .errors import Diagnostic, shown
from .imageref import Image
from .paths import inside
from .yamledit import YamlError, YamlPath


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
    def value(self) -> Image | None:
        """The image the tree holds here, typed (a reference, or text kept as written)."""
        return None if self.image is None else imageref.read(self.image)

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
    warnings: list[Diagnostic] = field(default_factory=list)  # nothing fatal

    def slot(
        self, kind: SlotKind, profile: str | None = None, choice: str | None = None
    ) -> Slot | None:
        for slot in self.slots:
            if (slot.kind, slot.profile, slot.choice) == (kind, profile, choice):
                return slot
        return None


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
                    Diagnostic(
                        "top-level jupyterhub: is ignored in a daskhub values file (daskhub "
                        "nests every value under basehub:)",
                        self.out.path,
                        self._line(key),
                        severity="warning",
                        rule="daskhub-outside-basehub",
                    )
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
                Diagnostic(
                    f"image {shown(image)} has surrounding spaces (kept as written; pin it "
                    "again to clean it)",
                    self.out.path,
                    self._line(node),
                    severity="warning",
                    rule="spaces",
                )
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


def _profile_name(node: yaml.Node, index: int) -> str:
    for key in ("slug", "display_name"):
        value = yamledit.child(node, key)
        if isinstance(value, yaml.ScalarNode) and value.value:
            return str(value.value)
    return f"#{index}"
