"""hubs.toml scopes to values files: which table of hubs.toml governs which file.

``[clusters.C.hubs.H]`` governs hub H's own file, ``[clusters.C.files."F"]`` a file shared by
several hubs.  Asks :mod:`hubs.tree.layering` which file is whose.  An entry of hubs.toml that
names what the tree no longer has (a cluster, hub, file, profile or choice: the tree moved)
is *gone*: it binds to nothing, and :func:`gone` lists each one as a finding, so the rest of
the fleet goes on.  Reads only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hubs.errors import GONE_RULE, Diagnostic, close_match
from hubs.policy.address import Scope, dotted
from hubs.policy.model import Cluster as ClusterPolicy
from hubs.policy.model import Config
from hubs.policy.model import Scope as ScopePolicy
from hubs.tree.clusters import CLUSTERS_DIR, Hub, LayoutError
from hubs.tree.layering import Fleet
from hubs.tree.scan import ValuesFile


def key_error(keys: tuple[str, ...], message: str, shown_key: str | None = None) -> Diagnostic:
    """An error about a hubs.toml key path (located in hubs.toml when it is reported)."""
    return Diagnostic(message, key=shown_key or dotted(keys), keys=keys)


@dataclass(frozen=True, slots=True)
class Bound:
    """A hubs.toml scope bound to the values file it governs."""

    scope: Scope
    file: ValuesFile
    policy: ScopePolicy
    hub: Hub | None = None  # set when the file is this hub's own


GONE_FIX = "`hubs adopt` removes it from hubs.toml (or restore it in the tree)"


def gone_entry(keys: tuple[str, ...], message: str) -> Diagnostic:
    """A hubs.toml entry that names what the tree no longer has: a finding, not an error."""
    return Diagnostic(message, key=dotted(keys), keys=keys, rule=GONE_RULE, fix=GONE_FIX)


def bind(config: Config, fleet: Fleet) -> tuple[list[Bound], list[Diagnostic]]:
    """Every plaintext values file of every hub, with its scope (empty when unmentioned),
    and the errors of the layering; entries that are gone bind to nothing."""
    bound, errors, _ = _bind(config, fleet)
    return bound, errors


def gone(config: Config, fleet: Fleet) -> list[Diagnostic]:
    """Every entry of hubs.toml that names what the tree no longer has, in hubs.toml order
    of clusters, then by kind: one finding each (rule ``gone``)."""
    bound, _, found = _bind(config, fleet)
    for item in bound:
        found.extend(_gone_profiles(item))
    return found


def _bind(config: Config, fleet: Fleet) -> tuple[list[Bound], list[Diagnostic], list[Diagnostic]]:
    """The bound scopes, the errors and the gone entries (computed once a run for this
    config: new lists each call)."""
    bound, errors, found = fleet.answer("bind", (config,), lambda: _bound(config, fleet))
    return list(bound), list(errors), list(found)


def _bound(
    config: Config, fleet: Fleet
) -> tuple[tuple[Bound, ...], tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    errors: list[Diagnostic] = []
    found = _gone_names(config, fleet)
    bound: list[Bound] = []
    for cname, cluster in fleet.clusters.items():
        spec = config.clusters.get(cname, ClusterPolicy())
        for hub in cluster.hubs:
            if fleet.own_file(hub) is None and _sets_anything(spec.hubs.get(hub.name)):
                found.append(gone_entry(Scope.hub(cname, hub.name).keys, _NO_OWN_FILE))
        seen: dict[str, None] = {}
        for hub in cluster.hubs:
            for path in hub.files:
                if path not in seen:
                    seen[path] = None
                    _bind_file(config, fleet, hub, path, bound, errors, found)
        folder = f"{CLUSTERS_DIR}/{cname}/"
        names = sorted(p.rsplit("/", 1)[-1] for p in seen)
        for fname in spec.files:
            if folder + fname not in seen:
                found.append(
                    gone_entry(
                        Scope.file(cname, fname).keys,
                        "no hub of cluster.yaml uses this file" + close_match(fname, names),
                    )
                )
    return tuple(bound), tuple(errors), tuple(found)


_NO_OWN_FILE = (
    "this hub has no values file of its own (each of its files is shared with other hubs), so "
    "a hub-level image cannot be written; add a file for it to cluster.yaml, or set the image "
    "on the shared file"
)


def _bind_file(
    config: Config,
    fleet: Fleet,
    hub: Hub,
    path: str,
    bound: list[Bound],
    errors: list[Diagnostic],
    found: list[Diagnostic],
) -> None:
    try:
        values = fleet.hub_file(hub, path)
    except LayoutError as exc:
        errors.extend(exc.diagnostics)
        return
    spec = config.clusters.get(hub.cluster, ClusterPolicy())
    scope = fleet.scope_of(hub.cluster, path)
    fname = path.rsplit("/", 1)[-1]
    if scope.kind == "hub":
        if fname in spec.files:
            found.append(
                gone_entry(
                    Scope.file(hub.cluster, fname).keys,
                    f"this file is used only by hub {scope.name!r}; write its images under "
                    f"[{scope.key}]",
                )
            )
        owner = fleet.clusters[hub.cluster].hub(scope.name)
        bound.append(Bound(scope, values, spec.hubs.get(scope.name, ScopePolicy()), owner))
    else:
        bound.append(Bound(scope, values, spec.files.get(fname, ScopePolicy())))


def _sets_anything(scope: ScopePolicy | None) -> bool:
    return scope is not None and (scope.image is not None or bool(scope.profiles))


def _gone_names(config: Config, fleet: Fleet) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    known = sorted(fleet.clusters)
    for cname in config.clusters:
        if cname not in fleet.clusters:
            found.append(
                gone_entry(
                    ("clusters", cname), "no such cluster in the tree" + close_match(cname, known)
                )
            )
    for cname, cluster in fleet.clusters.items():
        spec = config.clusters.get(cname)
        if spec is None:
            continue
        names = [hub.name for hub in cluster.hubs]
        unmanaged = {hub.name: hub.chart for hub in cluster.unmanaged}
        for hname in spec.hubs:
            if hname in unmanaged:
                why = f"runs chart {unmanaged[hname]!r}, which hubs does not manage"
                found.append(gone_entry(Scope.hub(cname, hname).keys, why))
            elif hname not in names:
                found.append(
                    gone_entry(
                        Scope.hub(cname, hname).keys,
                        f"no such hub in {cluster.path}" + close_match(hname, names),
                    )
                )
    return found


def _gone_profiles(item: Bound) -> Iterator[Diagnostic]:
    """The profiles and choices ``item``'s policy names that its values file lacks."""
    values = item.file
    for name, profile in item.policy.profiles.items():
        keys = (*item.scope.keys, "profiles", name)
        if not values.has_profile_list:
            yield gone_entry(
                keys,
                f"{values.path} has no profileList (Helm takes a hub's whole profileList "
                "from the last file that sets it: set profile images in that file's scope)",
            )
            continue
        if name not in values.profiles:
            yield gone_entry(
                keys,
                f"no profile with this slug or display name in {values.path}"
                + close_match(name, values.profiles),
            )
            continue
        found = [s.choice or "" for s in values.slots if s.kind == "choice" and s.profile == name]
        for key in profile.choices:
            if key not in found:
                yield gone_entry(
                    (*keys, "choices", key),
                    f"no such image choice in {values.path}" + close_match(key, found),
                )


def missing(config: Config, fleet: Fleet) -> list[Diagnostic]:
    """Clusters and hubs of the tree that hubs.toml does not list yet (a finding each:
    their images are left as the tree has them until `hubs adopt` states them)."""
    out = []
    for cname, cluster in fleet.clusters.items():
        spec = config.clusters.get(cname)
        if spec is None:
            out.append(
                Diagnostic(
                    f"cluster {cname!r} of {cluster.path} is not in hubs.toml",
                    cluster.path,
                    key=f"clusters.{cname}",
                    rule="new-cluster",
                    fix="`hubs adopt` adds it",
                )
            )
            continue
        for hub in cluster.hubs:
            if hub.name not in spec.hubs:
                out.append(
                    Diagnostic(
                        f"hub {hub.address} of {cluster.path} is not in hubs.toml",
                        cluster.path,
                        hub.line,
                        key=Scope.hub(cname, hub.name).key,
                        rule="new-hub",
                        fix=f"`hubs adopt {hub.address}` adds it",
                    )
                )
    return out
