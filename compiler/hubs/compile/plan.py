"""Targets to a plan: the byte-faithful edits that give every slot its wanted value.

``make_plan`` reads (never writes): it groups slots that share one YAML node through an
alias, computes splices for the slots whose file text differs, and checks that each edited
text loads as the old data with exactly the intended change.  :mod:`hubs.compile.run` writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from hubs.compile import editcheck, yamledit
from hubs.compile import sync as copies
from hubs.compile.targets import PlanError, Target, targets
from hubs.errors import FailureError
from hubs.files.fileio import read_regular
from hubs.policy.imageref import Image, ImageRef, Written
from hubs.policy.kinds import Kind
from hubs.policy.model import Config, Lock, Sync
from hubs.tree import yamldoc
from hubs.tree.layering import Fleet, Holding
from hubs.tree.locations import prune_of
from hubs.tree.scan import ValuesFile, digest_of
from hubs.tree.yamldoc import YamlPath

__all__ = ["Change", "FileEdit", "Plan", "PlanError", "make_plan"]


@dataclass(frozen=True, slots=True)
class Change:
    """One slot whose value changes: for the report."""

    address: str
    kind: str
    file: str
    line: int
    old: str | None
    new: str | None
    hubs: tuple[str, ...]
    also: tuple[str, ...] = ()  # other addresses sharing the node through an alias
    policy: str = "pinned"  # the kind of policy that asks for the change


@dataclass(frozen=True, slots=True)
class FileEdit:
    path: str  # tree-relative
    old: str
    new: str
    # the old and the new text as data (yamldoc.load_data), as the edit check compared
    # them: validate reads them too
    data: tuple[object, object] = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Plan:
    targets: tuple[Target, ...]
    changes: tuple[Change, ...]
    edits: tuple[FileEdit, ...]

    @property
    def clean(self) -> bool:
        return not self.edits


# ---------------------------------------------------------------- targets to edits


def make_plan(config: Config, fleet: Fleet, lock: Lock) -> Plan:
    wanted = targets(config, fleet, lock)
    groups = _group_physical(wanted)
    by_file: dict[str, list[list[Target]]] = {}
    for group in groups.values():
        by_file.setdefault(group[0].slot.file, []).append(group)
    changes: list[Change] = []
    edits: list[FileEdit] = []
    errors: list[str] = []
    after = Holding.of(t.slot for t in wanted if t.want is not None)  # the state compiled
    for path, file_groups in by_file.items():
        values = fleet.file(path)
        result = _edit_file(fleet, values, file_groups, (after, config.sync), errors)
        if result is not None:
            edit, file_changes = result
            edits.append(edit)
            changes.extend(file_changes)
    if errors:
        raise PlanError(errors)
    return Plan(tuple(wanted), tuple(changes), tuple(edits))


def _group_physical(wanted: list[Target]) -> dict[tuple[str, YamlPath], list[Target]]:
    groups: dict[tuple[str, YamlPath], list[Target]] = {}
    for target in wanted:
        if target.policy == Kind.USER:
            continue
        groups.setdefault((target.slot.file, target.slot.physical), []).append(target)
    for group in groups.values():  # a stated policy decides for the aliases not stated
        group.sort(key=lambda target: target.policy == Kind.UNSTATED)
    return groups


def _edit_file(
    fleet: Fleet,
    values: ValuesFile,
    groups: list[list[Target]],
    settings: tuple[Holding, Sync],
    errors: list[str],
) -> tuple[FileEdit, list[Change]] | None:
    after, sync = settings
    for group in groups:
        first = group[0]
        stated = [t for t in group if t.policy != Kind.UNSTATED]
        clash = sorted({str(t.want) if t.want else "(inherit)" for t in stated})
        if len(clash) > 1:
            names = ", ".join(str(t.address) for t in group)
            errors.append(
                f"{values.path}:{first.slot.line}: {names} share one YAML node "
                f"through {_anchor(group)}, so they cannot differ "
                f"({' vs '.join(clash)}); give them one policy or un-alias them"
            )
    pending = [(group, group[0]) for group in groups if group[0].differs]
    if not pending or errors:
        return None
    doc = _reparse(fleet, values)
    splices: list[yamledit.Splice] = []
    for _group, first in pending:
        try:
            splices.extend(_splices(doc, first))
        except yamldoc.YamlError as exc:
            errors.append(f"{first.address}: {exc}")
    if errors:
        return None
    done = [first for _, first in pending]
    extra = copies.find(doc, values, done, sync)
    new_text = yamledit.apply(doc.text, [*splices, *(c.splice for c in extra)])
    expected = [*map(_expected, done), *(c.expected for c in extra)]
    data = _verify(values.path, doc.text, new_text, expected, errors)
    new_doc = yamldoc.parse(new_text, values.path)
    changes = [_change(fleet, new_doc, group, after) for group, _ in pending]
    changes += [_copy_change(values.path, new_doc, c, changes) for c in extra]
    return FileEdit(values.path, doc.raw, doc.bom + new_text, data), changes


def _reparse(fleet: Fleet, values: ValuesFile) -> yamldoc.Document:
    """The file as scanned: read again (the scan let its node tree go), same bytes."""
    text = read_regular(fleet.root / values.path, values.path)
    if digest_of(text) != values.digest:
        raise FailureError(f"{values.path}: changed on disk while hubs ran; nothing written")
    return yamldoc.parse(text, values.path)


def _anchor(group: list[Target]) -> str:
    return next((t.slot.anchor for t in group if t.slot.anchor), "an anchor")


def _splices(doc: yamldoc.Document, target: Target) -> list[yamledit.Splice]:
    slot, want = target.slot, target.want
    path = slot.physical
    if want is None:
        image = yamldoc.find(doc.root, path) if slot.kind == "singleuser" else None
        if _other_keys(image):  # e.g. pullPolicy stays; only name and tag go back to inherit
            present = [k for k in ("name", "tag") if yamldoc.child(image, k) is not None]
            return [yamledit.remove(doc, (*path, key)) for key in present]
        return [yamledit.remove(doc, path, prune=prune_of(slot.kind, len(path)))]
    if slot.kind != "singleuser":
        node = yamldoc.find(doc.root, path)
        if isinstance(node, yaml.ScalarNode):
            return [yamledit.set_scalar(doc, node, str(want))]
        return [yamledit.insert(doc, path[:-1], {"image": str(want)})]
    ref = _reference(want)
    leaf = {"name": ref.name, "tag": ref.version or ""}
    image = yamldoc.find(doc.root, path)
    if image is None:
        return [yamledit.insert(doc, path, leaf)]
    if slot.inherited_name == ref.name:
        del leaf["name"]  # the file sets a tag only; the name still comes from below
    if slot.inherited_tag is not None and slot.inherited_tag == ref.version:
        del leaf["tag"]  # the file sets a name only; the tag still comes from below
    out, missing = [], {}
    for key, value in leaf.items():
        node = yamldoc.child(image, key)
        if isinstance(node, yaml.ScalarNode):
            if node.value != value:
                out.append(yamledit.set_scalar(doc, node, value))
        else:
            missing[key] = value
    if missing:
        out.append(yamledit.insert(doc, path, missing))
    return out


def _other_keys(image: yaml.Node | None) -> list[str]:
    """Keys of a ``singleuser.image`` map besides name and tag (pullPolicy, pullSecrets)."""
    if image is None:
        return []
    return [text for text, _, _ in yamldoc.items(image) if text not in ("name", "tag")]


def _verify(
    path: str, old: str, new: str, expected: list[editcheck.Expected], errors: list[str]
) -> tuple[object, object]:
    """The edited text must give each slot its wanted value and change nothing else; the
    two texts as data, for :mod:`hubs.compile.validate` to read without loading them again."""
    data = yamldoc.load_data(old, path), yamldoc.load_data(new, path)
    found = editcheck.compare(*data, expected)
    if found:
        errors.append(
            f"{path}: internal check failed: the edit {found[0]}; nothing written "
            "(please report this)"
        )
    return data


def _expected(target: Target) -> editcheck.Expected:
    slot, want = target.slot, target.want
    singleuser = slot.kind == "singleuser"
    if want is None or not singleuser:
        return editcheck.Expected(slot.path, singleuser, None if want is None else str(want))
    ref = _reference(want)
    below = (slot.inherited_name, slot.inherited_tag)
    return editcheck.Expected(slot.path, True, str(ref), ref.name, ref.version or "", below)


def _reference(want: Image) -> ImageRef:
    if isinstance(want, Written):  # targets never asks to write a broken image
        raise yamldoc.YamlError(f"{want.text!r} is not an image reference")
    return want


def _change(fleet: Fleet, new_doc: yamldoc.Document, group: list[Target], after: Holding) -> Change:
    """A removed image reports the hubs that ran it; another, those that will run it."""
    first = group[0]
    slot = first.slot
    line = slot.line
    node = yamldoc.find(new_doc.root, slot.physical)
    if node is not None:
        shown = yamldoc.child(node, "tag") if slot.kind == "singleuser" else node
        line = (shown or node).start_mark.line + 1
    hubs: list[str] = []
    for target in group:
        hubs.extend(fleet.reach(target.slot, after if target.want else None))
    return Change(
        str(first.address),
        slot.kind,
        slot.file,
        line,
        slot.image,
        None if first.want is None else str(first.want),
        tuple(dict.fromkeys(hubs)),
        tuple(str(t.address) for t in group[1:]),
        first.policy,
    )


def _copy_change(
    path: str, new_doc: yamldoc.Document, copy: copies.Copy, changes: list[Change]
) -> Change:
    """A copy kept in step, reported like its slot: same hubs, same policy."""
    trigger = next(c for c in changes if c.address == copy.trigger)
    node = yamldoc.find(new_doc.root, copy.physical)
    line = node.start_mark.line + 1 if node is not None else trigger.line
    return Change(
        copy.address,
        copy.kind,
        path,
        line,
        copy.old,
        copy.new,
        trigger.hubs,
        policy=trigger.policy,
    )
