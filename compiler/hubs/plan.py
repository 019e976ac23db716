"""Policies to a plan: which value every image slot must hold, and the edits that get it there.

``make_plan`` reads (never writes): it maps each hubs.toml scope onto the values file it
governs, turns each policy into an image reference (follow-latest through hubs.lock), groups
slots that share one YAML node through an alias, and computes byte-faithful splices for the
slots whose file text differs.  :mod:`hubs.compile` writes the result.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from . import imageref, layout, yamledit
from .layout import Fleet, Hub, Slot, ValuesFile, close_match
from .model import Config, Follow, Lock, Policy, Scope

PolicyKind = Literal["inherit", "pinned", "follow-latest", "user-controlled"]


class PlanError(ValueError):
    """Policies that cannot be carried out; one line per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True, slots=True)
class Target:
    """What one slot must hold, and why."""

    address: str
    slot: Slot
    policy: PolicyKind
    want: str | None  # None: the key must be absent (inherit)
    source: Policy | None


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


@dataclass(frozen=True, slots=True)
class FileEdit:
    path: str  # tree-relative
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Plan:
    targets: tuple[Target, ...]
    changes: tuple[Change, ...]
    edits: tuple[FileEdit, ...]

    @property
    def clean(self) -> bool:
        return not self.edits


# ---------------------------------------------------------------- addresses


def slot_name(slot: Slot) -> str:
    if slot.kind == "singleuser":
        return "image"
    if slot.kind == "profile":
        return f"profiles/{slot.profile}/image"
    if slot.kind == "choice":
        return f"profiles/{slot.profile}/choices/{slot.choice}"
    return f"profiles/{slot.profile}/unlisted"


def scope_of(fleet: Fleet, cluster: str, path: str) -> str:
    """``cluster/hub`` when ``path`` is that hub's own file, else ``cluster/<file name>``."""
    if path == layout.CHART_VALUES:
        return "defaults"
    users = fleet.users_of(path)
    if len(users) == 1 and fleet.own_file(users[0]) == path:
        return users[0].address
    return f"{cluster}/{path.rsplit('/', 1)[-1]}"


# ---------------------------------------------------------------- scopes to files


@dataclass(frozen=True, slots=True)
class _Bound:
    """A hubs.toml scope bound to the values file it governs."""

    label: str  # hubs.toml key path, for errors
    scope_address: str
    file: ValuesFile
    scope: Scope


def bind(config: Config, fleet: Fleet) -> tuple[list[_Bound], list[str]]:
    """Every plaintext values file of every hub, with its scope (empty when unmentioned)."""
    errors: list[str] = []
    _check_names(config, fleet, errors)
    bound: list[_Bound] = []
    for cname, cluster in fleet.clusters.items():
        spec = config.clusters.get(cname)
        if spec is None:
            continue
        own: dict[str, str] = {}
        for hub in cluster.hubs:
            path = fleet.own_file(hub)
            if path is not None:
                own[path] = hub.name
            elif hub.name in spec.hubs and _sets_anything(spec.hubs[hub.name]):
                errors.append(
                    f"clusters.{cname}.hubs.{hub.name}: this hub has no values file of its own "
                    "(each of its files is shared with other hubs), so a hub-level image cannot "
                    "be written; add a file for it to cluster.yaml, or set the image on the "
                    "shared file"
                )
        seen: set[str] = set()
        for hub in cluster.hubs:
            for path in hub.files:
                if path in seen:
                    continue
                seen.add(path)
                try:
                    values = fleet.hub_file(hub, path)
                except layout.LayoutError as exc:
                    errors.append(str(exc))
                    continue
                fname = path.rsplit("/", 1)[-1]
                if path in own:
                    name = own[path]
                    scope = spec.hubs.get(name, Scope())
                    label, address = f"clusters.{cname}.hubs.{name}", f"{cname}/{name}"
                    if fname in spec.files:
                        errors.append(
                            f"clusters.{cname}.files.{fname!r}: this file is used only by hub "
                            f"{name!r}; write its images under [clusters.{cname}.hubs.{name}]"
                        )
                else:
                    scope = spec.files.get(fname, Scope())
                    label, address = f"clusters.{cname}.files.{fname!r}", f"{cname}/{fname}"
                bound.append(_Bound(label, address, values, scope))
        folder = f"{layout.CLUSTERS_DIR}/{cname}/"
        for fname in spec.files:
            if folder + fname not in seen:
                errors.append(
                    f"clusters.{cname}.files.{fname!r}: no hub of cluster.yaml uses this file"
                    + close_match(fname, sorted(p.rsplit("/", 1)[-1] for p in seen))
                )
    return bound, errors


def _sets_anything(scope: Scope) -> bool:
    return scope.image is not None or bool(scope.profiles)


def _check_names(config: Config, fleet: Fleet, errors: list[str]) -> None:
    known = sorted(fleet.clusters)
    for cname in config.clusters:
        if cname not in fleet.clusters:
            errors.append(
                f"clusters.{cname}: no such cluster in the tree" + close_match(cname, known)
            )
    for cname, cluster in fleet.clusters.items():
        spec = config.clusters.get(cname)
        if spec is None:
            errors.append(
                f"clusters.{cname}: cluster {cname!r} of {cluster.path} is missing "
                "from hubs.toml (run `hubs import` or add it)"
            )
            continue
        names = [hub.name for hub in cluster.hubs]
        for hname in spec.hubs:
            if hname not in names:
                errors.append(
                    f"clusters.{cname}.hubs.{hname}: no such hub in {cluster.path}"
                    + close_match(hname, names)
                )
        for hub in cluster.hubs:
            if hub.name not in spec.hubs:
                errors.append(
                    f"clusters.{cname}.hubs.{hub.name}: hub {hub.address} of "
                    f"{cluster.path} is missing from hubs.toml (add `{hub.name} = {{}}` "
                    "to inherit everything)"
                )


# ---------------------------------------------------------------- policies to targets


def targets(config: Config, fleet: Fleet, lock: Lock | None) -> list[Target]:
    """Every managed slot of the tree with the value its policy asks for.

    With ``lock`` None, follow-latest slots are not resolved (their ``want`` is None).
    """
    bound, errors = bind(config, fleet)
    out: list[Target] = []
    if config.defaults is not None:
        chart = fleet.chart()
        slot = chart.slot("singleuser")
        if slot is None:
            errors.append(
                f"{layout.CHART_VALUES}: no jupyterhub.singleuser map to hold the default"
            )
        else:
            out.append(_target("defaults:image", slot, config.defaults.image, lock, errors))
    for item in bound:
        out.extend(_scope_targets(item, lock, errors))
    if errors:
        raise PlanError(errors)
    return out


def _scope_targets(item: _Bound, lock: Lock | None, errors: list[str]) -> Iterator[Target]:
    values, scope = item.file, item.scope
    _check_profiles(item, errors)
    for slot in values.slots:
        address = f"{item.scope_address}:{slot_name(slot)}"
        if slot.kind == "unlisted":
            yield Target(address, slot, "user-controlled", slot.image, None)
            continue
        policy = _policy_for(scope, slot)
        yield _target(address, slot, policy, lock, errors)
    if scope.image is not None and values.slot("singleuser") is None:
        prefix = (*values.prefix, "jupyterhub", "singleuser", "image")
        slot = Slot(values.path, "singleuser", None, None, prefix, prefix, 0, None)
        yield _target(f"{item.scope_address}:image", slot, scope.image, lock, errors)


def _policy_for(scope: Scope, slot: Slot) -> Policy | None:
    if slot.kind == "singleuser":
        return scope.image
    profile = scope.profiles.get(slot.profile or "")
    if profile is None:
        return None
    return profile.image if slot.kind == "profile" else profile.choices.get(slot.choice or "")


def _check_profiles(item: _Bound, errors: list[str]) -> None:
    values = item.file
    for name, profile in item.scope.profiles.items():
        where = f"{item.label}.profiles.{name!r}"
        if not values.has_profile_list:
            errors.append(
                f"{where}: {values.path} has no profileList (Helm takes a hub's "
                "whole profileList from the last file that sets it: set profile "
                "images in that file's scope)"
            )
            continue
        if name not in values.profiles:
            errors.append(
                f"{where}: no profile with this slug or display name in "
                f"{values.path}" + close_match(name, list(values.profiles))
            )
            continue
        keys = [s.choice or "" for s in values.slots if s.kind == "choice" and s.profile == name]
        for key in profile.choices:
            if key not in keys:
                errors.append(
                    f"{where}.choices.{key}: no such image choice in {values.path}"
                    + close_match(key, keys)
                )


def _target(
    address: str, slot: Slot, policy: Policy | None, lock: Lock | None, errors: list[str]
) -> Target:
    if policy is None:
        return Target(address, slot, "inherit", None, None)
    if isinstance(policy, str):
        if slot.kind == "singleuser" and imageref.parse(policy.strip()).tag is None:
            errors.append(f"{address}: singleuser.image needs a tag (name:tag[@digest])")
        return Target(address, slot, "pinned", policy, policy)
    want = _locked(address, policy, lock, errors) if lock is not None else None
    return Target(address, slot, "follow-latest", want, policy)


def _locked(address: str, policy: Follow, lock: Lock, errors: list[str]) -> str | None:
    entry = lock.slots.get(address)
    if entry is None:
        errors.append(
            f"{address}: follows {policy.follow} but hubs.lock has no entry for it; "
            "run `hubs update`"
        )
        return None
    if entry.policy != policy.fingerprint() or entry.image != policy.follow:
        errors.append(
            f"{address}: the policy changed since hubs.lock was written; run `hubs update`"
        )
        return None
    return entry.reference(policy.digest)


def addresses(config: Config, fleet: Fleet) -> list[str]:
    """Every address a policy can be set on (all slots, and ``image`` of every scope)."""
    bound, errors = bind(config, fleet)
    if errors:
        raise PlanError(errors)
    out = ["defaults:image"]
    for item in bound:
        out.append(f"{item.scope_address}:image")
        out.extend(
            f"{item.scope_address}:{slot_name(s)}"
            for s in item.file.slots
            if s.kind in ("profile", "choice")
        )
    return list(dict.fromkeys(out))


def aliases_of(config: Config, fleet: Fleet, address: str) -> list[str]:
    """The other addresses that name the same YAML node as ``address`` (through aliases)."""
    found = {t.address: t.slot for t in targets(config, fleet, None)}
    slot = found.get(address)
    if slot is None:
        return []
    node = (slot.file, slot.physical)
    return [a for a, s in found.items() if a != address and (s.file, s.physical) == node]


def why_not(fleet: Fleet, address: str) -> str | None:
    """Why the layering has no slot at ``address``, when there is a reason to tell."""
    scope = address.partition(":")[0]
    cluster_name, _, name = scope.partition("/")
    cluster = fleet.clusters.get(cluster_name)
    hub = cluster.hub(name) if cluster else None
    if hub is not None and fleet.own_file(hub) is None:
        return (
            f"{address}: hub {hub.address} has no values file of its own (each of its files "
            "is shared with other hubs), so a hub-level image cannot be written; add a file "
            "for it to cluster.yaml, or set the image on the shared file"
        )
    if hub is not None and ":profiles/" in address:
        source = fleet.profile_source(hub)
        where = f"from {source}" if source else "from no file"
        return (
            f"{address}: {hub.address} takes its profileList {where} (Helm replaces lists, "
            "the last file wins): set profile images on that file's scope"
        )
    return None


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
    setters = {t.slot.file for t in wanted if t.slot.kind == "singleuser" and t.want}
    for path, file_groups in by_file.items():
        values = fleet.file(path, prefix_of(fleet, path))
        result = _edit_file(fleet, values, file_groups, setters, errors)
        if result is not None:
            edit, file_changes = result
            edits.append(edit)
            changes.extend(file_changes)
    if errors:
        raise PlanError(errors)
    return Plan(tuple(wanted), tuple(changes), tuple(edits))


def prefix_of(fleet: Fleet, path: str) -> layout.YamlPath:
    users = fleet.users_of(path)
    return users[0].prefix if users else ()


def _group_physical(wanted: list[Target]) -> dict[tuple[str, layout.YamlPath], list[Target]]:
    groups: dict[tuple[str, layout.YamlPath], list[Target]] = {}
    for target in wanted:
        if target.policy == "user-controlled":
            continue
        groups.setdefault((target.slot.file, target.slot.physical), []).append(target)
    return groups


def _edit_file(
    fleet: Fleet,
    values: ValuesFile,
    groups: list[list[Target]],
    setters: set[str],
    errors: list[str],
) -> tuple[FileEdit, list[Change]] | None:
    for group in groups:
        first = group[0]
        clash = sorted({t.want or "(inherit)" for t in group})
        if len(clash) > 1:
            names = ", ".join(t.address for t in group)
            errors.append(
                f"{values.path}:{first.slot.line}: {names} share one YAML node "
                f"through {_anchor(group)}, so they cannot differ "
                f"({' vs '.join(clash)}); give them one policy or un-alias them"
            )
    pending = [(group, group[0]) for group in groups if _differs(group[0])]
    if not pending or errors:
        return None
    doc = values.doc or yamledit.parse(fleet_text(fleet, values.path), values.path)
    splices: list[yamledit.Splice] = []
    for _group, first in pending:
        try:
            splices.extend(_splices(doc, first))
        except yamledit.YamlError as exc:
            errors.append(f"{first.address}: {exc}")
    if errors:
        return None
    new_text = yamledit.apply(doc.text, splices)
    _verify(values.path, doc.text, new_text, [first for _, first in pending], errors)
    new_doc = yamledit.parse(new_text, values.path)
    changes = [_change(fleet, new_doc, group, setters) for group, _ in pending]
    return FileEdit(values.path, doc.raw, doc.bom + new_text), changes


def fleet_text(fleet: Fleet, path: str) -> str:
    from .fileio import read_raw

    return read_raw(fleet.root / path)


def _anchor(group: list[Target]) -> str:
    return next((t.slot.anchor for t in group if t.slot.anchor), "an anchor")


def _differs(target: Target) -> bool:
    return target.slot.image != target.want


def _splices(doc: yamledit.Document, target: Target) -> list[yamledit.Splice]:
    slot, want = target.slot, target.want
    path = slot.physical
    if want is None:
        image = yamledit.find(doc.root, path) if slot.kind == "singleuser" else None
        if _other_keys(image):  # e.g. pullPolicy stays; only name and tag go back to inherit
            present = [k for k in ("name", "tag") if yamledit.child(image, k) is not None]
            return [yamledit.remove(doc, (*path, key)) for key in present]
        prune = len(path) - 1 if slot.kind == "singleuser" else 1
        return [yamledit.remove(doc, path, prune=prune)]
    if slot.kind != "singleuser":
        node = yamledit.find(doc.root, path)
        if isinstance(node, yaml.ScalarNode):
            return [yamledit.set_scalar(doc, node, want)]
        return [yamledit.insert(doc, path[:-1], {"image": want})]
    ref = imageref.parse(want.strip())
    leaf = {"name": ref.name, "tag": ref.version or ""}
    image = yamledit.find(doc.root, path)
    if image is None:
        return [yamledit.insert(doc, path, leaf)]
    if slot.inherited_name == ref.name:
        del leaf["name"]  # the file sets a tag only; the name still comes from below
    if slot.inherited_tag is not None and slot.inherited_tag == ref.version:
        del leaf["tag"]  # the file sets a name only; the tag still comes from below
    out, missing = [], {}
    for key, value in leaf.items():
        node = yamledit.child(image, key)
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
    return [text for text, _, _ in yamledit.items(image) if text not in ("name", "tag")]


def _verify(path: str, old: str, new: str, done: list[Target], errors: list[str]) -> None:
    """The edited text must load as the old data with exactly the intended changes."""
    expected = copy.deepcopy(yamledit.load_data(old))
    for target in done:
        _apply_data(expected, target)
    got = yamledit.load_data(new)
    if not _equal(got, expected, set()):
        errors.append(
            f"{path}: internal check failed: the edit would also change "
            f"{_difference(expected, got)}; nothing written (please report this)"
        )


def _equal(a: Any, b: Any, seen: set[tuple[int, int]]) -> bool:
    """``a == b`` for loaded YAML, visiting each pair of shared (aliased) objects once, so
    that a document of nested aliases ("billion laughs") compares in linear time."""
    if isinstance(a, dict | list) and isinstance(b, dict | list):
        pair = (id(a), id(b))
        if pair in seen:
            return True
        seen.add(pair)
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(_equal(a[k], b[k], seen) for k in a)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(_equal(x, y, seen) for x, y in zip(a, b, strict=True))
        return False
    return type(a) is type(b) and bool(a == b)


def _difference(expected: object, got: object) -> str:
    """The first semantic difference, as DeepDiff words it."""
    from deepdiff import DeepDiff

    lines = DeepDiff(expected, got, verbose_level=1).pretty().splitlines()
    return lines[0].rstrip(".") if lines else "the data"


def _apply_data(data: Any, target: Target) -> None:
    path, want = target.slot.physical, target.want
    parents: list[tuple[Any, Any]] = []
    node = data
    for step in path[:-1]:
        if want is not None and isinstance(node, dict) and node.get(step) is None:
            node[step] = {}
        parents.append((node, step))
        node = node[step]
    last = path[-1]
    if want is None:
        image = node.get(last)
        if (
            target.slot.kind == "singleuser"
            and isinstance(image, dict)
            and set(image)
            - {
                "name",
                "tag",
            }
        ):
            image.pop("name", None)
            image.pop("tag", None)
            return
        del node[last]
        prune = len(path) - 1 if target.slot.kind == "singleuser" else 1
        while prune > 0 and parents and node == {}:
            parent, step = parents.pop()
            del parent[step]
            node, prune = parent, prune - 1
        return
    if target.slot.kind == "singleuser":
        ref = imageref.parse(want.strip())
        image = node.setdefault(last, {})
        if not (target.slot.inherited_name == ref.name and "name" not in image):
            image["name"] = ref.name
        if not (target.slot.inherited_tag == ref.version and "tag" not in image):
            image["tag"] = ref.version
    else:
        node[last] = want


def _change(
    fleet: Fleet, new_doc: yamledit.Document, group: list[Target], setters: set[str]
) -> Change:
    first = group[0]
    slot = first.slot
    line = slot.line
    node = yamledit.find(new_doc.root, slot.physical)
    if node is not None:
        shown = yamledit.child(node, "tag") if slot.kind == "singleuser" else node
        line = (shown or node).start_mark.line + 1
    hubs: list[str] = []
    for target in group:
        hubs.extend(reach(fleet, target.slot, setters if target.want else None))
    return Change(
        first.address,
        slot.kind,
        slot.file,
        line,
        slot.image,
        first.want,
        tuple(dict.fromkeys(hubs)),
        tuple(t.address for t in group[1:]),
    )


def reach(fleet: Fleet, slot: Slot, setters: set[str] | None = None) -> list[str]:
    """The hubs whose running image this slot decides (later files may override it).

    ``setters`` are the files that set ``singleuser.image`` (default: as on disk now).
    """
    if slot.kind == "singleuser":
        return [h.address for h in fleet.hubs() if image_source(fleet, h, setters) == slot.file]
    return [h.address for h in fleet.users_of(slot.file) if fleet.profile_source(h) == slot.file]


def image_source(fleet: Fleet, hub: Hub, setters: set[str] | None = None) -> str:
    """The file whose ``singleuser.image`` the hub gets: the last that sets it, else the chart."""
    for path in reversed(hub.files):
        if setters is not None:
            if path in setters:
                return path
            continue
        slot = fleet.hub_file(hub, path).slot("singleuser")
        if slot is not None and slot.line > 0:
            return path
    return layout.CHART_VALUES
