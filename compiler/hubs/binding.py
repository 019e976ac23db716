"""hubs.toml scopes to values files: which table of hubs.toml governs which file.

``[clusters.C.hubs.H]`` governs hub H's own file, ``[clusters.C.files."F"]`` a file shared by
several hubs.  Checks that every cluster and hub of the tree is named, and nothing else;
asks :mod:`hubs.layering` which file is whose.  Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .address import Scope, dotted
from .clusters import CLUSTERS_DIR, Hub, LayoutError
from .errors import Diagnostic, close_match
from .layering import Fleet
from .model import Cluster as ClusterPolicy
from .model import Config
from .model import Scope as ScopePolicy
from .scan import ValuesFile


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


def bind(config: Config, fleet: Fleet) -> tuple[list[Bound], list[Diagnostic]]:
    """Every plaintext values file of every hub, with its scope (empty when unmentioned)."""
    errors: list[Diagnostic] = []
    _check_names(config, fleet, errors)
    bound: list[Bound] = []
    for cname, cluster in fleet.clusters.items():
        spec = config.clusters.get(cname, ClusterPolicy())
        for hub in cluster.hubs:
            if fleet.own_file(hub) is None and _sets_anything(spec.hubs.get(hub.name)):
                errors.append(key_error(Scope.hub(cname, hub.name).keys, _NO_OWN_FILE))
        seen: dict[str, None] = {}
        for hub in cluster.hubs:
            for path in hub.files:
                if path not in seen:
                    seen[path] = None
                    _bind_file(config, fleet, hub, path, bound, errors)
        folder = f"{CLUSTERS_DIR}/{cname}/"
        names = sorted(p.rsplit("/", 1)[-1] for p in seen)
        for fname in spec.files:
            if folder + fname not in seen:
                errors.append(
                    key_error(
                        Scope.file(cname, fname).keys,
                        "no hub of cluster.yaml uses this file" + close_match(fname, names),
                    )
                )
    return bound, errors


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
            errors.append(
                key_error(
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


def _check_names(config: Config, fleet: Fleet, errors: list[Diagnostic]) -> None:
    known = sorted(fleet.clusters)
    for cname in config.clusters:
        if cname not in fleet.clusters:
            errors.append(
                key_error(
                    ("clusters", cname), "no such cluster in the tree" + close_match(cname, known)
                )
            )
    for cname, cluster in fleet.clusters.items():
        spec = config.clusters.get(cname)
        if spec is None:
            continue
        names = [hub.name for hub in cluster.hubs]
        for hname in spec.hubs:
            if hname not in names:
                errors.append(
                    key_error(
                        Scope.hub(cname, hname).keys,
                        f"no such hub in {cluster.path}" + close_match(hname, names),
                    )
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
