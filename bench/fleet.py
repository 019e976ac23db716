"""Generate a fleet shaped like 2i2c-org/infrastructure, at any number of hubs, from a seed.

    .venv/bin/python bench/fleet.py OUT [--hubs 1000] [--seed 0]

The real fleet (171 hubs, 30 clusters) is the tile: one cluster of 95 hubs sharing one
``common.values.yaml`` with ``singleuser.image`` (a tenth of its hubs override it), two
clusters of 5 hubs with three shared files (utoronto), and 27 clusters of 2-4 hubs whose image
config sits in a shared profileList (anchored image options, aliased in later profiles), in
hub files' own profileLists (anchored choices), in ``singleuser.image`` with a staging
override, in ``profileList[*].kubespawner_override.image``, or nowhere at all (the chart
default applies; a binder hub has ``profileList: []``).  Seven small clusters (17 hubs) are
daskhub (values under ``basehub:``), with a basehub hub of their own when they have three
hubs or more.  Every hub lists its ``enc-*.secret.values.yaml`` file; hubs of daskhub
clusters list a shared ``enc-common`` before their own file (utoronto's, after it).  Bigger
fleets repeat the tile; a partial tile scales the big cluster and takes small clusters in
order.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import chart
import shapes

TILE = (95, 4, 4, 5, 5) + (3,) * 8 + (2,) * 17  # hubs per cluster of the real fleet
# image layout of each cluster of the tile; "+dask" makes it a daskhub cluster
PLAN = (
    "cloudbank",
    "profiles+dask",
    "bare",
    "utoronto",
    "utoronto",
    "singleuser+dask",
    "hub-profiles+dask",
    "profiles",
    "kso",
    "singleuser",
    "profiles+dask",
    "hub-profiles",
    "bare",
    "profiles",
    "singleuser",
    "profiles+dask",
    "hub-profiles",
    "singleuser",
    "profiles",
    "kso",
    "singleuser+dask",
    "profiles",
    "hub-profiles",
    "singleuser",
    "profiles+dask",
    "hub-profiles",
    "singleuser",
    "profiles",
    "hub-profiles",
    "bare",
)
ORGS = (
    "leap",
    "openscapes",
    "nasa-cryo",
    "earthscope",
    "temple",
    "ucmerced",
    "maap",
    "victor",
    "awi-ciroh",
    "opensci",
    "disasters",
    "showcase",
)
NAMES = ("staging", "prod", "binder", "workshop", "research")


@dataclass(frozen=True)
class Manifest:
    """What a generated tree holds; the test checks these against the files on disk."""

    seed: int
    clusters: int
    hubs: int
    daskhub_hubs: int
    values_files: int  # plaintext ``*.values.yaml`` under config/clusters (support, orphans too)
    listed_files: int  # distinct plaintext values files that cluster.yaml files list
    shared_files: int  # listed by more than one hub
    secret_files: int  # enc-* files on disk
    no_image_hubs: int  # hubs whose files set no image: the chart default applies
    lines: int  # of the files the floor reads: plaintext values files and the chart's
    kib: int  # of the same files


@dataclass
class _Cluster:
    name: str
    daskhub: bool
    files: dict[str, str] = field(default_factory=dict)  # name -> text
    with_image: set[str] = field(default_factory=set)
    hubs: list[tuple[str, str, list[str]]] = field(default_factory=list)  # name, chart, files

    def add(self, name: str, text: str, has_image: bool) -> None:
        self.files[name] = text
        if has_image:
            self.with_image.add(name)


def cluster_sizes(hubs: int) -> list[int]:
    """Hubs per cluster: whole tiles of the real fleet, then a scaled partial tile."""
    tiles, rest = divmod(hubs, sum(TILE))
    sizes = list(TILE) * tiles
    if rest:
        part = [max(1, round(rest * TILE[0] / sum(TILE)))]
        for size in TILE[1:]:
            if sum(part) >= rest:
                break
            part.append(min(size, rest - sum(part)))
        sizes += part
    return sizes


def generate(root: Path, hubs: int, seed: int = 0) -> Manifest:
    """Write ``config/clusters`` and ``helm-charts/basehub`` for ``hubs`` hubs under ``root``."""
    rng = random.Random(seed)
    charts = root / "helm-charts/basehub"
    charts.mkdir(parents=True)
    (charts / "values.yaml").write_text(chart.values_yaml())
    (charts / "values.schema.yaml").write_text(chart.SCHEMA)
    clusters = []
    for index, size in enumerate(cluster_sizes(hubs)):
        cluster = _make_cluster(rng, index, size)
        _write(root / "config/clusters" / cluster.name, cluster, rng)
        clusters.append(cluster)
    return _manifest(root, seed, clusters)


def _make_cluster(rng: random.Random, index: int, size: int) -> _Cluster:
    kind, _, dask = PLAN[index % len(TILE)].partition("+")
    org = kind if kind in ("cloudbank", "utoronto") else ORGS[index % len(ORGS)]
    cluster = _Cluster(f"{org}-{index:04d}", bool(dask))
    names = list(NAMES[:size]) if size <= len(NAMES) else [f"c{i:03d}" for i in range(size)]
    _BUILDERS[kind](cluster, rng, org, names)
    return cluster


def _common(rng: random.Random, org: str, daskhub: bool, singleuser: list[str]) -> str:
    jupyterhub = [*shapes.homepage(org), "singleuser:", "  defaultUrl: /lab"]
    jupyterhub += shapes.indent(shapes.extra_env(rng, org, rng.randint(2, 6)) + singleuser, 2)
    jupyterhub += shapes.hub_config(rng, org, rng.randint(200, 400))
    top = shapes.nfs(rng)
    if daskhub:
        top += ["dask-gateway:", "  enabled: true"]
    return shapes.values(jupyterhub, top, daskhub)


def _hub_file(rng: random.Random, org: str, hub: str, daskhub: bool, singleuser: list[str]) -> str:
    jupyterhub = ["ingress:", "  hosts:", f"  - {hub}.{org}.example.org", "  tls:"]
    jupyterhub += ["  - secretName: https-auto-tls", "    hosts:", f"    - {hub}.{org}.example.org"]
    if singleuser:
        jupyterhub += ["singleuser:", *shapes.indent(singleuser, 2)]
    jupyterhub += shapes.homepage(hub) + shapes.hub_config(rng, org, rng.randint(20, 120))
    return shapes.values(jupyterhub, [], daskhub)


def _add_hubs(cluster: _Cluster, rng: random.Random, names: list[str], shared: list[str]) -> None:
    """List each hub: shared files, maybe ``enc-common`` first, its own file, its secret."""
    chart_name = "daskhub" if cluster.daskhub else "basehub"
    enc_common = cluster.daskhub and bool(shared)  # openscapes: enc-common before own file
    for name in names:
        files = list(shared) + (["enc-common.secret.values.yaml"] if enc_common else [])
        files += [f"{name}.values.yaml", f"enc-{name}.secret.values.yaml"]
        cluster.hubs.append((name, chart_name, files))


def _profiles(cluster: _Cluster, rng: random.Random, org: str, names: list[str]) -> None:
    style = rng.choice(("options", "choices"))
    plist = shapes.profile_list(rng, org, style)
    cluster.add("common.values.yaml", _common(rng, org, cluster.daskhub, plist), True)
    own = names
    if cluster.daskhub and len(names) >= 3:  # leap: a basehub hub of its own, no shared file
        own = names[:-1]
        single = shapes.singleuser_image(rng, org, True)
        cluster.add(f"{names[-1]}.values.yaml", _hub_file(rng, org, names[-1], False, single), True)
    for name in own:
        cluster.add(f"{name}.values.yaml", _hub_file(rng, org, name, cluster.daskhub, []), False)
    _add_hubs(cluster, rng, own, ["common.values.yaml"])
    if own != names:
        files = [f"{names[-1]}.values.yaml", f"enc-{names[-1]}.secret.values.yaml"]
        cluster.hubs.append((names[-1], "basehub", files))


def _singleuser(cluster: _Cluster, rng: random.Random, org: str, names: list[str]) -> None:
    single = shapes.singleuser_image(rng, org, True)
    cluster.add("common.values.yaml", _common(rng, org, cluster.daskhub, single), True)
    for name in names:  # staging tries the next build first (utoronto r-staging)
        override = shapes.singleuser_image(rng, org, False) if name == "staging" else []
        text = _hub_file(rng, org, name, cluster.daskhub, override)
        cluster.add(f"{name}.values.yaml", text, bool(override))
    _add_hubs(cluster, rng, names, ["common.values.yaml"])


def _hub_profiles(cluster: _Cluster, rng: random.Random, org: str, names: list[str]) -> None:
    cluster.add("common.values.yaml", _common(rng, org, cluster.daskhub, []), False)
    for name in names:
        plist = shapes.profile_list(rng, org, rng.choice(("options", "choices")))
        cluster.add(f"{name}.values.yaml", _hub_file(rng, org, name, cluster.daskhub, plist), True)
    _add_hubs(cluster, rng, names, ["common.values.yaml"])


def _kso(cluster: _Cluster, rng: random.Random, org: str, names: list[str]) -> None:
    for name in names:
        plist = shapes.profile_list(rng, org, "kso")
        cluster.add(f"{name}.values.yaml", _hub_file(rng, org, name, False, plist), True)
    _add_hubs(cluster, rng, names, [])


def _bare(cluster: _Cluster, rng: random.Random, org: str, names: list[str]) -> None:
    cluster.add("common.values.yaml", _common(rng, org, False, []), False)
    for name in names:  # 2i2c staging: no image; binder hubs: an empty profileList
        empty = ["profileList: []"] if name == "binder" else []
        cluster.add(f"{name}.values.yaml", _hub_file(rng, org, name, False, empty), False)
    _add_hubs(cluster, rng, names, ["common.values.yaml"])


def _cloudbank(cluster: _Cluster, rng: random.Random, org: str, names: list[str]) -> None:
    single = shapes.singleuser_image(rng, org, True)
    cluster.add("common.values.yaml", _common(rng, org, False, single), True)
    for index, name in enumerate(names):
        override = shapes.singleuser_image(rng, org, False) if index % 10 == 1 else []
        if index % 40 == 7:  # emich: a hub with its own profile choices
            override = shapes.profile_list(rng, org, "options")
        text = _hub_file(rng, org, name, False, override)
        cluster.add(f"{name}.values.yaml", text, bool(override))
    cluster.add("orphan.values.yaml", _hub_file(rng, org, "orphan", False, []), False)
    _add_hubs(cluster, rng, names, ["common.values.yaml"])


def _utoronto(cluster: _Cluster, rng: random.Random, org: str, names: list[str]) -> None:
    cluster.add("common.values.yaml", _common(rng, org, False, []), False)
    for flavour in ("python", "r"):
        body = shapes.values(
            ["singleuser:", *shapes.indent(shapes.singleuser_image(rng, org, True), 2)], [], False
        )
        cluster.add(f"{flavour}-common.values.yaml", body, True)
    for index, name in enumerate(names):
        flavour = "python" if index < 3 else "r"
        override = shapes.singleuser_image(rng, org, False) if index == 3 else []
        cluster.add(f"{name}.values.yaml", _hub_file(rng, org, name, False, override), index == 3)
        files = ["common.values.yaml", f"{flavour}-common.values.yaml", f"{name}.values.yaml"]
        files += ["enc-common.secret.values.yaml", f"enc-{name}.secret.values.yaml"]
        cluster.hubs.append((name, "basehub", files))


_BUILDERS = {
    "profiles": _profiles,
    "singleuser": _singleuser,
    "hub-profiles": _hub_profiles,
    "kso": _kso,
    "bare": _bare,
    "cloudbank": _cloudbank,
    "utoronto": _utoronto,
}


def _write(folder: Path, cluster: _Cluster, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    cluster.add("support.values.yaml", shapes.support(rng, cluster.name), False)
    for name, text in cluster.files.items():
        (folder / name).write_text(text)
    secrets = {f for _, _, files in cluster.hubs for f in files if f.startswith("enc-")}
    for name in sorted(secrets | {"enc-support.secret.values.yaml"}):
        (folder / name).write_text(shapes.secret(rng, cluster.daskhub and "support" not in name))
    (folder / "enc-deployer-credentials.secret.json").write_text('{"data": "ENC[...]"}\n')
    (folder / "cluster.yaml").write_text(_cluster_yaml(cluster))


def _cluster_yaml(cluster: _Cluster) -> str:
    lines = [
        f"name: {cluster.name}",
        "provider: gcp",
        "gcp:",
        "  key: enc-deployer-credentials.secret.json",
        f"  project: {cluster.name}",
        "support:",
        "  helm_chart_values_files:",
        "  - support.values.yaml",
        "  - enc-support.secret.values.yaml",
        "hubs:",
    ]
    for name, chart_name, files in cluster.hubs:
        lines += [f"- name: {name}", f"  display_name: {cluster.name} ({name})"]
        if name == "staging":
            lines.append("    # deployed first; visit it before prod")
        lines += [f"  domain: {name}.{cluster.name}.example.org", f"  helm_chart: {chart_name}"]
        lines += ["  helm_chart_values_files:", *[f"  - {f}" for f in files]]
    return "\n".join(lines) + "\n"


def _manifest(root: Path, seed: int, clusters: list[_Cluster]) -> Manifest:
    uses: Counter[tuple[str, str]] = Counter()
    no_image = 0
    for cluster in clusters:
        for _, _, files in cluster.hubs:
            plain = [f for f in files if not f.startswith("enc-")]
            uses.update((cluster.name, f) for f in plain)
            no_image += not any(f in cluster.with_image for f in plain)
    plain_paths = [p for p in root.rglob("*.yaml") if not p.name.startswith("enc-")]
    values_paths = [p for p in plain_paths if p.name.endswith("values.yaml")]
    return Manifest(
        seed=seed,
        clusters=len(clusters),
        hubs=sum(len(c.hubs) for c in clusters),
        daskhub_hubs=sum(chart == "daskhub" for c in clusters for _, chart, _ in c.hubs),
        values_files=sum(1 for p in values_paths if "config/clusters" in p.as_posix()),
        listed_files=len(uses),
        shared_files=sum(1 for count in uses.values() if count > 1),
        secret_files=sum(1 for _ in root.rglob("enc-*")),
        no_image_hubs=no_image,
        lines=sum(p.read_text().count("\n") for p in values_paths),
        kib=sum(p.stat().st_size for p in values_paths) // 1024,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="an empty or missing folder")
    parser.add_argument("--hubs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(generate(args.out, args.hubs, args.seed))


if __name__ == "__main__":
    main()
