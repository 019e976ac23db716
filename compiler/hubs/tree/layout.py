"""Where a fleet tree keeps what hubs reads: the cluster.yaml files and the chart's values.

Names and a listing only, no parsing: the replay of a clean check lists the same files
without importing a YAML parser.
"""

from __future__ import annotations

import os
from pathlib import Path

from hubs.errors import FailureError, InputError

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
    try:
        names = sorted(entry.name for entry in os.scandir(base))
    except OSError as exc:
        raise FailureError(
            f"{CLUSTERS_DIR}: cannot read the folder: {exc.strerror or exc}"
        ) from None
    # templates/ holds Jinja templates for new clusters
    folders = [name for name in names if not name.startswith(".") and name != "templates"]
    return [f"{CLUSTERS_DIR}/{name}/cluster.yaml" for name in folders if _has_cluster(root, name)]


def _has_cluster(root: Path, name: str) -> bool:
    """Whether ``config/clusters/NAME/cluster.yaml`` exists; a folder that cannot be
    looked into is an I/O failure naming it (exit 3), never a cluster passed over."""
    try:
        os.stat(root / CLUSTERS_DIR / name / "cluster.yaml")
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise FailureError(
            f"{CLUSTERS_DIR}/{name}: cannot read the folder: {exc.strerror or exc}"
        ) from None
    return True
