"""cluster.yaml: the clusters, their hubs, and each hub's values files in Helm order.

Reads ``config/clusters/<cluster>/cluster.yaml``; ``enc-*`` / ``*.secret.*`` files are
listed by name only and never opened.  Knows nothing of images: :mod:`hubs.tree.scan` reads
values files, :mod:`hubs.tree.layering` answers which file wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from hubs.files.fileio import digest, read_regular
from hubs.files.paths import inside, is_secret
from hubs.tree import yamldoc
from hubs.tree.layout import CHART_SCHEMA as CHART_SCHEMA  # re-exported: where they were first
from hubs.tree.layout import CHART_VALUES as CHART_VALUES
from hubs.tree.layout import CLUSTERS_DIR as CLUSTERS_DIR
from hubs.tree.layout import LayoutError as LayoutError
from hubs.tree.layout import cluster_files
from hubs.tree.yamldoc import YamlPath

CHARTS = ("basehub", "daskhub")


@dataclass(frozen=True, slots=True)
class Hub:
    cluster: str
    name: str
    display_name: str
    chart: str
    files: tuple[str, ...]  # tree-relative plaintext values files, in helm order
    line: int  # of ``- name:`` in cluster.yaml
    # CLUSTER/HUB, made once: every slot's reach lists it (10,000 hubs, many slots each)
    address: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", f"{self.cluster}/{self.name}")

    @property
    def prefix(self) -> YamlPath:
        return ("basehub",) if self.chart == "daskhub" else ()

    def layers(self, root: Path) -> list[tuple[str, YamlPath]]:
        """Where a value of this hub is looked up, the winner first: its values files, the
        last first (Helm merges maps: the last that sets a key wins), each with the prefix
        its keys sit under, then the chart's defaults when the tree has the chart."""
        found = [(path, self.prefix) for path in reversed(self.files)]
        if (root / CHART_VALUES).is_file():
            found.append((CHART_VALUES, ()))
        return found


@dataclass(frozen=True, slots=True)
class Cluster:
    name: str
    path: str  # tree-relative cluster.yaml
    hubs: tuple[Hub, ...]
    digest: str = ""  # of the cluster.yaml text read
    unmanaged: tuple[Hub, ...] = ()  # hubs on a chart hubs does not manage (binderhub, ...)

    def hub(self, name: str) -> Hub | None:
        return next((hub for hub in self.hubs if hub.name == name), None)


def load_clusters(root: Path) -> dict[str, Cluster]:
    clusters = {}
    for rel in cluster_files(root):
        cluster = read_cluster(root, rel)
        clusters[cluster.name] = cluster
    if not clusters:
        raise LayoutError(f"{root}: no {CLUSTERS_DIR}/<cluster>/cluster.yaml found")
    return clusters


def read_cluster(root: Path, rel: str) -> Cluster:
    folder = rel.rsplit("/", 2)[-2]
    text = _read(inside(root, rel, rel))
    doc = yamldoc.parse(text, rel)
    if doc.root is not None and not isinstance(doc.root, yaml.MappingNode):
        raise LayoutError(f"{rel}:{_line(doc.root)}: cluster.yaml must be a mapping")
    yamldoc.check_duplicates(doc.root, rel)
    hubs_node = yamldoc.child(doc.root, "hubs")
    if hubs_node is None:
        return Cluster(folder, rel, (), digest(text))
    if not isinstance(hubs_node, yaml.SequenceNode):
        raise LayoutError(f"{rel}:{_line(hubs_node)}: hubs must be a list of hubs")
    listed = [_read_hub(rel, folder, node) for node in hubs_node.value]
    hubs = tuple(hub for hub in listed if hub.chart in CHARTS)
    here = rel.rsplit("/", 1)[0] + "/"
    for hub in hubs:  # every values file listed must be inside the tree
        for path in hub.files:
            inside(root, path, f"{rel}:{hub.line}: hub {hub.name!r}: {path.removeprefix(here)!r}")
    seen: set[str] = set()
    for hub in listed:
        if hub.name in seen:
            raise LayoutError(f"{rel}:{hub.line}: hub {hub.name!r} is listed twice")
        seen.add(hub.name)
    unmanaged = tuple(hub for hub in listed if hub.chart not in CHARTS)
    return Cluster(folder, rel, hubs, digest(text), unmanaged)


def _read_hub(rel: str, cluster: str, node: yaml.Node) -> Hub:
    line = node.start_mark.line + 1

    def text(key: str, default: str | None = None) -> str:
        value = yamldoc.child(node, key)
        if isinstance(value, yaml.ScalarNode) and value.value:
            return str(value.value)
        if default is None:
            raise LayoutError(f"{rel}:{line}: hub has no {key!r}")
        return default

    name = text("name")
    chart = text("helm_chart", "basehub")
    names = _file_names(rel, name, yamldoc.child(node, "helm_chart_values_files"))
    folder = rel.rsplit("/", 1)[0]
    files = tuple(f"{folder}/{n}" for n in names if not is_secret(n))
    return Hub(cluster, name, text("display_name", name), chart, files, line)


def _file_names(rel: str, hub: str, node: yaml.Node | None) -> list[str]:
    """The names listed in ``helm_chart_values_files``: a list of strings, or absent."""
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        where = f"{rel}:{_line(node)}: hub {hub!r}"
        raise LayoutError(f"{where}: helm_chart_values_files must be a list of file names")
    for entry in node.value:
        if not isinstance(entry, yaml.ScalarNode) or not entry.value:
            where = f"{rel}:{_line(entry)}: hub {hub!r}"
            raise LayoutError(f"{where}: a values file is given by its name")
    return [entry.value for entry in node.value]


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _read(path: Path, shown: str | None = None) -> str:
    return read_regular(path, shown or str(path))
