"""Policies to targets: which value every image slot must hold, and why.

Binds each hubs.toml scope to the values file it governs (a hub's own file, or a file shared
by several hubs), checks that the layering can express every policy, and turns each policy
into the image reference its slot must hold (follow-latest through hubs.lock).  Reads only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from . import imageref, layout
from .errors import Diagnostic, InputError, shown
from .imageref import Image, ImageRef
from .layout import Fleet, Hub, Slot, ValuesFile, close_match
from .model import Broken, Config, Follow, Lock, Policy, Scope

PolicyKind = Literal["inherit", "pinned", "follow-latest", "broken", "user-controlled"]


class PlanError(InputError):
    """Policies that cannot be carried out; one diagnostic per problem."""


@dataclass(frozen=True, slots=True)
class Target:
    """What one slot must hold, and why."""

    address: str
    slot: Slot
    policy: PolicyKind
    want: Image | None  # None: the key must be absent (inherit)
    source: Policy | None

    @property
    def differs(self) -> bool:
        """The tree holds something else than the policy asks for."""
        return self.slot.value != self.want


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
    hub: Hub | None = None  # set when the file is this hub's own


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
                owner = None
                if path in own:
                    name = own[path]
                    owner = cluster.hub(name)
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
                bound.append(_Bound(label, address, values, scope, owner))
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
    _check_hub_scopes_take_effect(fleet, bound)
    if errors:
        raise PlanError(errors)
    return out


def _check_hub_scopes_take_effect(fleet: Fleet, bound: list[_Bound]) -> None:
    """Warn about a hub-level image or profile that a later file overrides for that very
    hub: it is written, but does nothing (a warning, so that import still states it)."""
    setters = {item.file.path for item in bound if item.scope.image is not None}
    for item in bound:
        hub, values = item.hub, item.file
        if hub is None:
            continue
        later = [p for p in hub.files[hub.files.index(values.path) + 1 :] if p in setters]
        if item.scope.image is not None and later:
            _warn_once(
                values,
                f"{item.label}.image has no effect: {later[-1]} comes later in "
                f"the values files of {hub.address} and sets singleuser.image too",
            )
        source = fleet.profile_source(hub)
        if item.scope.profiles and values.has_profile_list and source != values.path:
            _warn_once(
                values,
                f"{item.label}.profiles have no effect: {hub.address} takes "
                f"its profileList from {source}, a later file (Helm replaces lists)",
            )


def _warn_once(values: ValuesFile, message: str) -> None:
    found = Diagnostic(message, values.path, 1, severity="warning", rule="no-effect")
    if found not in values.warnings:
        values.warnings.append(found)


def _scope_targets(item: _Bound, lock: Lock | None, errors: list[str]) -> Iterator[Target]:
    values, scope = item.file, item.scope
    _check_profiles(item, errors)
    for slot in values.slots:
        address = f"{item.scope_address}:{slot_name(slot)}"
        if slot.kind == "unlisted":
            yield Target(address, slot, "user-controlled", slot.value, None)
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
    if isinstance(policy, ImageRef):
        if slot.kind == "singleuser" and policy.tag is None:
            errors.append(f"{address}: singleuser.image needs a tag (name:tag[@digest])")
        return Target(address, slot, "pinned", policy, policy)
    if isinstance(policy, Broken):
        kept = imageref.read(policy.broken)
        if slot.value != kept:
            errors.append(
                f"{address}: {{ broken = ... }} keeps the text the tree holds, and the tree "
                f"holds {shown(slot.image or '(nothing)')}; pin an image instead"
            )
        return Target(address, slot, "broken", kept, policy)
    locked = _locked(address, policy, lock, errors) if lock is not None else None
    return Target(address, slot, "follow-latest", locked, policy)


def _locked(address: str, policy: Follow, lock: Lock, errors: list[str]) -> ImageRef | None:
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


# ---------------------------------------------------------------- reach


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
