"""Values files to image slots: where each user image of one file is, and what it holds.

A *slot* is one place a user image can be written, as :mod:`hubs.tree.locations` declares them:
``singleuser.image``, a profile's ``kubespawner_override.image``, a
``profile_options.image.choices.<key>`` image, or the user-controlled ``unlisted_choice``.
Slots are found through YAML aliases too: the ``physical`` path names the node at its
anchor, where an edit has to go.  The scan keeps positions and values and lets the node
tree go; which file wins for which hub is :mod:`hubs.tree.layering`'s question.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import yaml
from slugify import slugify

from hubs.errors import Diagnostic
from hubs.files import fileio
from hubs.files.paths import inside, is_secret
from hubs.policy.address import SlotKind
from hubs.tree import valuesfile, yamldoc
from hubs.tree.clusters import LayoutError, _read
from hubs.tree.locations import (
    CHOICE,
    CHOICES,
    LABELS,
    PREPULLER,
    PROFILE_LIST,
    PROFILE_LOCATIONS,
    PULL_POLICY,
    SINGLEUSER,
    SINGLEUSER_PULL_POLICY,
    SPAWNER_KEYS,
    Location,
)
from hubs.tree.valuesfile import Note as Note
from hubs.tree.valuesfile import NoteKind, Option, OptionImage, Setting
from hubs.tree.valuesfile import Slot as Slot
from hubs.tree.valuesfile import ValuesFile as ValuesFile
from hubs.tree.yamldoc import Anchors, Document, YamlError, YamlPath

if TYPE_CHECKING:
    from hubs.tree.cache import Store


def digest_of(text: str) -> str:
    return fileio.digest(text)


def scan(root: Path, rel: str, prefix: YamlPath = (), store: Store | None = None) -> ValuesFile:
    """Parse one values file and list its slots.  Every file is parsed whole, since Helm
    refuses one that is not valid YAML or repeats a key; only a file whose text can hold
    a slot is walked for slots.

    With a ``store``, a result cached for these very bytes (and this path and prefix) is
    used instead of parsing, and a new result is put there."""
    if is_secret(rel):
        raise LayoutError(f"{rel}: secret files are never read or written")
    text = _read(inside(root, rel, rel), f"{rel} (listed in cluster.yaml)")
    return scan_text(text, rel, prefix, store)


def scan_text(text: str, rel: str, prefix: YamlPath = (), store: Store | None = None) -> ValuesFile:
    """List the slots of the values file ``rel`` whose text is ``text`` (read already)."""
    digest = digest_of(text)
    name = "scan:" + "/".join(map(str, prefix)) + ":" + rel
    if store is not None:
        hit = store.get(name, digest, lambda data: valuesfile.decode(data, rel, prefix, digest))
        if hit is not None:
            return hit
    try:
        doc = yamldoc.parse(text, rel)
        yamldoc.check_duplicates(doc.root, rel)
    except YamlError as exc:
        raise LayoutError(str(exc)) from None
    found = ValuesFile(rel, prefix, digest)
    if any(key[-2] in text for key in SPAWNER_KEYS):  # the section's name: most files lack it
        found.settings.update(_settings(doc.root, prefix))
    if "image" in text or PROFILE_LIST in text or "extraImages" in text:
        _Scanner(found, doc).run()
    if store is not None:
        store.put(name, digest, valuesfile.encode(found))
    return found


def _settings(root: yaml.Node | None, prefix: YamlPath) -> Iterator[tuple[YamlPath, Setting]]:
    """What the file sets at each of ``SPAWNER_KEYS`` (under ``prefix``)."""
    for key in SPAWNER_KEYS:
        node = yamldoc.find(root, prefix + key)
        if node is None:
            continue
        line = int(node.start_mark.line) + 1
        if not yamldoc.is_scalar(node) or not isinstance(node, yaml.ScalarNode):
            yield key, Setting(None, line)  # null (Helm drops the key), or not a scalar
        else:
            yield key, Setting(str(node.value), line, plain=not node.style)


class _Scanner:
    """Walks one document by the slot table; holds the node tree only while it runs."""

    def __init__(self, out: ValuesFile, doc: Document) -> None:
        self.out, self.doc = out, doc
        self.anchors: Anchors | None = None
        self.slugs: set[str] = set()  # KubeSpawner's slugs of the profiles seen
        self.notes = _Notes(self)

    def run(self) -> None:
        base = self.out.prefix + SINGLEUSER
        if self.out.prefix:
            self._warn_outside_prefix()
        node = self.doc.root
        for depth in range(len(base) + 1):  # no merge key on the way may supply an image
            self._no_merge(node)
            node = yamldoc.child(node, base[depth]) if depth < len(base) else node
        self.notes.prepuller()
        singleuser = yamldoc.find(self.doc.root, base)
        if singleuser is None:
            return
        self.anchors = Anchors(self.doc, singleuser, base)
        self._singleuser((*base, "image"))
        self.notes.one("pull_policy", (None, None), (*base, *SINGLEUSER_PULL_POLICY))
        plist = yamldoc.child(singleuser, PROFILE_LIST)
        if plist is None:
            return
        self.out.has_profile_list = True
        if isinstance(plist, yaml.SequenceNode):
            for index, profile in enumerate(plist.value):
                self._profile((*base, PROFILE_LIST, index), index, profile)

    def line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1

    def _no_merge(self, node: yaml.Node | None) -> None:
        """Refuse ``<<:`` where it could supply an image: hubs would read and edit the
        wrong node.  (Helm's reader merges it; writing the keys out is the fix.)"""
        key = yamldoc.merge_key(node)
        if key is not None:
            raise LayoutError(
                f"{self.out.path}:{self.line(key)}: a merge key (<<) here may supply image "
                "keys, which hubs cannot edit in place; write the keys out instead"
            )

    def _warn_outside_prefix(self) -> None:
        root = self.doc.root
        for text, key, _ in yamldoc.items(root) if root is not None else ():
            if text == "jupyterhub":
                self.out.warnings.append(
                    Diagnostic(
                        "top-level jupyterhub: is ignored in a daskhub values file (daskhub "
                        "nests every value under basehub:)",
                        self.out.path,
                        self.line(key),
                        severity="warning",
                        rule="daskhub-outside-basehub",
                    )
                )

    def _add(
        self,
        kind: SlotKind,
        where: tuple[str | None, str | None],
        path: YamlPath,
        node: yaml.Node | None,
        image: str | None,
    ) -> Slot:
        name, choice = where
        if node is None:
            slot = Slot(self.out.path, kind, name, choice, path, path, 0, None)
            self.out.slots.append(slot)
            return slot
        assert self.anchors is not None
        physical = self.anchors.physical(path)
        anchor = self.anchors.name(path, physical)
        slot = Slot(
            self.out.path, kind, name, choice, path, physical, self.line(node), image, anchor
        )
        self.out.slots.append(slot)
        return slot

    def _singleuser(self, path: YamlPath) -> None:
        node = yamldoc.find(self.doc.root, path)
        if node is None or _is_null(node):  # null: Helm drops the image of lower files
            slot = self._add("singleuser", (None, None), path, None, None)
            self.out.slots[-1] = replace(slot, nulled=node is not None)
            return
        if not isinstance(node, yaml.MappingNode):
            raise LayoutError(f"{self.out.path}:{self.line(node)}: image must be a name/tag map")
        self._no_merge(node)
        name, tag = (self._part(node, key) for key in ("name", "tag"))
        image: str | None = None
        partial: Literal["name", "tag"] | None = None
        if name is not None and tag is not None:
            image = f"{name.value}:{tag.value}"
        elif name is not None or tag is not None:  # the rest comes from a lower layer
            image = str((name or tag).value)  # type: ignore[union-attr]
            partial = "tag" if name is not None else "name"
        shown_at = tag or name or node
        slot = self._add("singleuser", (None, None), path, shown_at, image)
        if partial is not None:
            self.out.slots[-1] = replace(slot, partial=partial)

    def _part(self, image: yaml.MappingNode, key: str) -> yaml.ScalarNode | None:
        """``name`` or ``tag`` of a ``singleuser.image`` map: a string, or absent."""
        node = yamldoc.child(image, key)
        if node is None:
            return None
        if isinstance(node, yaml.ScalarNode) and yamldoc.is_scalar(node):
            return node
        what = "empty (null)" if isinstance(node, yaml.ScalarNode) else "not a string"
        raise LayoutError(
            f"{self.out.path}:{self.line(node)}: singleuser.image.{key} is {what}; write "
            f"a {key} as a string, or remove the key"
        )

    def _profile(self, path: YamlPath, index: int, node: yaml.Node) -> None:
        base = name = _profile_name(node, index)
        count = 1
        while name in self.out.profiles:  # two profiles without slugs, same display name
            count += 1
            name = f"{base} ({count})"
        self.out.profiles[name] = index
        slug = _spawner_slug(node)
        if slug in self.slugs:  # the spawn form names it by this slug: the first is loaded
            self.out.shadowed.append(name)
        self.slugs.add(slug)
        for location in PROFILE_LOCATIONS:
            self._location(location, name, path, node)
        self._options(name, node)
        self.notes.of((name, None), path, node)
        choices = yamldoc.find(node, CHOICES)
        for key, _, choice in yamldoc.items(choices) if choices is not None else ():
            self.notes.of((name, key), (*path, *CHOICES, key), choice)

    def _location(self, location: Location, name: str, base: YamlPath, profile: yaml.Node) -> None:
        """Every slot of one table row in one profile (``CHOICE`` expands to each key)."""
        if CHOICE not in location.path:
            self._image(location, (name, None), base, location.path, profile)
            return
        cut = location.path.index(CHOICE)
        head, tail = location.path[:cut], location.path[cut + 1 :]
        parent = self._walk(profile, head)
        for key, _, _ in yamldoc.items(parent) if parent is not None else ():
            self._image(location, (name, key), base, (*head, key, *tail), profile)

    def _options(self, name: str, profile: yaml.Node) -> None:
        """A profile's options that set the image, when one other than ``image`` does: in
        ``profile_options`` order, the order KubeSpawner applies their choices in."""
        options = self._walk(profile, ("profile_options",))
        found = [self._option(name, key, node) for key, _, node in _items(options)]
        if any(option.images for option in found):
            self.out.options.extend(o for o in found if o.images or o.name == "image")

    def _option(self, name: str, key: str, node: yaml.Node) -> Option:
        choices = self._walk(node, ("choices",))
        keys = tuple(choice for choice, _, _ in _items(choices))
        if key == "image":  # its images are slots
            return Option(name, key, keys)
        images = [self._option_image(k, self._walk(c, _OVERRIDE)) for k, _, c in _items(choices)]
        unlisted = self._walk(node, ("unlisted_choice",))
        if _enabled(yamldoc.child(unlisted, "enabled")):
            images.append(self._option_image(None, self._walk(unlisted, _OVERRIDE)))
        return Option(name, key, keys, tuple(found for found in images if found is not None))

    def _option_image(self, choice: str | None, node: yaml.Node | None) -> OptionImage | None:
        if node is None or _is_null(node):
            return None
        if not yamldoc.is_scalar(node):
            raise LayoutError(f"{self.out.path}:{self.line(node)}: image must be a string")
        return OptionImage(choice, self.line(node), str(node.value))

    def _walk(self, node: yaml.Node | None, path: tuple[str, ...]) -> yaml.Node | None:
        """The node at ``path`` under ``node``, refusing merge keys on the way."""
        self._no_merge(node)
        for step in path:
            node = yamldoc.child(node, step)
            self._no_merge(node)
        return node

    def _image(
        self,
        location: Location,
        where: tuple[str, str | None],
        base: YamlPath,
        rel: YamlPath,
        profile: yaml.Node,
    ) -> None:
        node = self._walk(profile, tuple(str(step) for step in rel))
        if node is None and not location.always:
            return
        if node is not None and not yamldoc.is_scalar(node):
            raise LayoutError(f"{self.out.path}:{self.line(node)}: image must be a string")
        image = str(node.value) if node is not None else None
        self._add(location.kind, where, base + rel, node, image)


_OVERRIDE = ("kubespawner_override", "image")


def _items(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    return yamldoc.items(node) if node is not None else iter(())


def _enabled(node: yaml.Node | None) -> bool:
    """A plain YAML true (KubeSpawner offers an unlisted choice only when it is enabled)."""
    return isinstance(node, yaml.ScalarNode) and not node.style and node.value in yamldoc.TRUE


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == yamldoc.NULL_TAG


def _spawner_slug(node: yaml.Node) -> str:
    """The slug KubeSpawner 7 gives a profile: its ``slug``, else its display name
    slugified (``_get_initialized_profile_list``, with python-slugify as it does)."""
    slug = yamldoc.child(node, "slug")
    if slug is not None:
        return str(slug.value) if isinstance(slug, yaml.ScalarNode) else ""
    shown = yamldoc.child(node, "display_name")
    return slugify(str(shown.value)) if isinstance(shown, yaml.ScalarNode) else ""


def _profile_name(node: yaml.Node, index: int) -> str:
    for key in ("slug", "display_name"):
        value = yamldoc.child(node, key)
        if isinstance(value, yaml.ScalarNode) and value.value:
            return str(value.value)
    return f"#{index}"


class _Notes:
    """The scalars kept beside the slots (labels, pull policies, prePuller entries), read
    from the scanner's document: for ``lint`` and ``[sync]``."""

    def __init__(self, scanner: _Scanner) -> None:
        # a weak reference: a cycle would keep the node tree while the collector is off
        self.scanner = weakref.proxy(scanner)

    def of(self, where: tuple[str | None, str | None], path: YamlPath, node: yaml.Node) -> None:
        """The labels and the pull policy of one profile or choice (``node`` at ``path``)."""
        found: list[tuple[NoteKind, tuple[str, ...]]] = [
            *((cast(NoteKind, key), (key,)) for key in LABELS),
            ("pull_policy", PULL_POLICY),
        ]
        physical: YamlPath | None = None
        for kind, rel in found:
            value = yamldoc.find(node, rel)
            if value is None or not yamldoc.is_scalar(value):
                continue
            if physical is None:  # where the profile or choice sits, found once
                physical = (
                    self.scanner.anchors.physical(path)
                    if self.scanner.anchors is not None
                    else path
                )
            line, text = self.scanner.line(value), str(value.value)
            note = Note(kind, *where, (*path, *rel), (*physical, *rel), line, text)
            self.scanner.out.notes.append(note)

    def one(self, kind: NoteKind, where: tuple[str | None, str | None], path: YamlPath) -> None:
        node = yamldoc.find(self.scanner.doc.root, path)
        if node is None or not yamldoc.is_scalar(node):
            return
        physical = self._physical(path)
        line = self.scanner.line(node)
        self.scanner.out.notes.append(Note(kind, *where, path, physical, line, str(node.value)))

    def prepuller(self) -> None:
        """Each ``prePuller.extraImages`` entry with a string name and tag."""
        base = (*self.scanner.out.prefix, *PREPULLER)
        entries = yamldoc.find(self.scanner.doc.root, base)
        for key, _, entry in yamldoc.items(entries) if entries is not None else ():
            name, tag = (yamldoc.child(entry, part) for part in ("name", "tag"))
            if yamldoc.is_scalar(name) and yamldoc.is_scalar(tag):
                assert name is not None and tag is not None
                path = (*base, key, "tag")
                value = f"{name.value}:{tag.value}"
                note = Note("prepuller", None, key, path, path, self.scanner.line(tag), value)
                self.scanner.out.notes.append(note)

    def _physical(self, path: YamlPath) -> YamlPath:
        anchors = self.scanner.anchors
        return anchors.physical(path) if anchors is not None else path
