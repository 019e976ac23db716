"""Where a fleet tree keeps what hubs reads: the cluster.yaml files and the chart's values.

Names and a listing only, no parsing: the replay of a clean check lists the same files
without importing a YAML parser.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError

CLUSTERS_DIR = "config/clusters"
CHART_VALUES = "helm-charts/basehub/values.yaml"
CHART_SCHEMA = "helm-charts/basehub/values.schema.yaml"


class LayoutError(InputError):
    """The tree is not laid out as expected; ``str()`` is one line naming the place."""


def cluster_files(root: Path) -> list[str]:
    """Every tree-relative ``cluster.yaml``, in the order they are read."""
    base = root / CLUSTERS_DIR
    if not base.is_dir():
        raise LayoutError(f"{root}: no {CLUSTERS_DIR}/ folder (is this the tree root?)")
    found = sorted(base.glob("*/cluster.yaml"))
    # templates/ holds Jinja templates for new clusters
    return [p.relative_to(root).as_posix() for p in found if p.parent.name != "templates"]
