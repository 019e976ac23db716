"""The copies of a tag that compile keeps in step, when hubs.toml asks (``[sync]``).

When a slot's tag changes (same repository, old tag to new), ``prepuller`` also changes a
``prePuller.extraImages`` entry of that repository in the same file that held the old tag,
and ``labels`` changes the old tag where the slot's own profile or choice names it in its
``display_name`` or ``description``.  Each copy is a one-line splice (the version inside a
label is replaced in the source text, quotes and all else kept), with what the edit check
must then see at its path.  Reads only; :mod:`hubs.compile.plan` puts the splices in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from hubs.compile import yamledit
from hubs.compile.editcheck import Expected
from hubs.images import labels
from hubs.policy import imageref
from hubs.policy.address import covers
from hubs.policy.imageref import ImageRef
from hubs.policy.model import Sync, Where
from hubs.tree import yamldoc
from hubs.tree.scan import Note, ValuesFile
from hubs.tree.yamldoc import YamlPath

if TYPE_CHECKING:
    from hubs.compile.targets import Target


@dataclass(frozen=True, slots=True)
class Copy:
    """One copy of a changed tag, changed with it."""

    address: str  # SCOPE:prepuller/NAME, or the slot's profile or choice and the label key
    kind: str  # "prepuller" | "label"
    physical: YamlPath
    old: str
    new: str
    splice: yamledit.Splice
    expected: Expected
    trigger: str  # the address of the slot whose change it follows


def applies(where: Where, address: str) -> bool:
    """Whether a ``[sync]`` setting (true, false, or scopes and addresses) covers ``address``."""
    if isinstance(where, bool):
        return where
    return any(covers(each, address) for each in where)


def find(
    doc: yamldoc.Document, values: ValuesFile, changed: Sequence[Target], sync: Sync
) -> list[Copy]:
    """The copies to change along with the ``changed`` targets of one file."""
    out: list[Copy] = []
    taken: set[YamlPath] = set()
    for target in changed:
        old, new = target.slot.value, target.want
        if not isinstance(old, ImageRef) or not isinstance(new, ImageRef):
            continue
        if old.canonical_name != new.canonical_name or not old.tag or not new.tag:
            continue
        if old.tag == new.tag:
            continue
        address = str(target.address)
        found: list[Copy] = []
        if applies(sync.prepuller, address):
            found += _prepuller(doc, values, target, old, new)
        if applies(sync.labels, address) and target.slot.kind != "singleuser":
            found += _labels(doc, values, target, old.tag, new.tag)
        for each in found:
            if each.physical not in taken:
                taken.add(each.physical)
                out.append(each)
    return out


def _prepuller(
    doc: yamldoc.Document, values: ValuesFile, target: Target, old: ImageRef, new: ImageRef
) -> Iterator[Copy]:
    for note in values.notes:
        entry = imageref.read(note.value) if note.kind == "prepuller" else None
        if not isinstance(entry, ImageRef) or entry.canonical_name != old.canonical_name:
            continue
        node = yamldoc.find(doc.root, note.physical)
        if entry.tag != old.tag or not isinstance(node, yaml.ScalarNode):
            continue
        assert new.tag is not None
        yield Copy(
            f"{target.address.scope}:prepuller/{note.choice}",
            "prepuller",
            note.physical,
            note.value,
            f"{entry.name}:{new.tag}",
            yamledit.set_scalar(doc, node, new.tag),
            Expected(note.path, False, new.tag),
            str(target.address),
        )


def _labels(
    doc: yamldoc.Document, values: ValuesFile, target: Target, old: str, new: str
) -> Iterator[Copy]:
    slot = target.slot
    for note in values.notes:
        if note.kind not in ("display_name", "description"):
            continue
        if (note.profile, note.choice) != (slot.profile, slot.choice):
            continue
        splice = _label_splice(doc, note, old, new)
        text = labels.retag(note.value, old, new)
        if splice is None or text is None:
            continue
        head = str(target.address).removesuffix("/image")
        yield Copy(
            f"{head}/{note.kind}",
            "label",
            note.physical,
            note.value,
            text,
            splice,
            Expected(note.path, False, text),
            str(target.address),
        )


def _label_splice(doc: yamldoc.Document, note: Note, old: str, new: str) -> yamledit.Splice | None:
    """The version replaced inside the scalar's source text, on one line; None when the
    label is not one plain or quoted line (a block or folded label is left to lint)."""
    node = yamldoc.find(doc.root, note.physical)
    if not isinstance(node, yaml.ScalarNode) or node.style in ("|", ">"):
        return None
    if node.start_mark.line != node.end_mark.line:
        return None
    start, end = node.start_mark.index, node.end_mark.index
    source = doc.text[start:end]
    if source.startswith(("&", "!")):
        return None
    text = labels.retag(source, old, new)
    return None if text is None else yamledit.Splice(start, end, text)
