"""Whether a hub runs the JupyterHub configurator, which lets hub admins change the user
image at run time, where git cannot see it.

basehub reads ``jupyterhub.custom.jupyterhubConfigurator.enabled`` (under ``basehub:`` for
a daskhub hub).  Helm merges maps, so the last of the hub's values files that sets the key
wins, else the chart's ``values.yaml``; a chart that does not set it leaves it off.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from hubs.files.paths import inside
from hubs.tree import yamldoc
from hubs.tree.clusters import Hub, _read

KEY: yamldoc.YamlPath = ("jupyterhub", "custom", "jupyterhubConfigurator", "enabled")
NOTE = (
    "the configurator is enabled: hub admins can override the image at run time; "
    "git does not show it"
)


def enabled(root: Path, hub: Hub) -> bool:
    """The configurator setting the hub gets: its last file that sets it, else the chart."""
    for path, prefix in hub.layers(root):
        found = setting(root, path, prefix + KEY)
        if found is not None:
            return found
    return False


def setting(root: Path, rel: str, key: yamldoc.YamlPath) -> bool | None:
    """The boolean at ``key`` in one values file, or None when the file does not set one."""
    text = _read(inside(root, rel, rel), rel)
    if "jupyterhubConfigurator" not in text:
        return None
    node = yamldoc.find(yamldoc.parse(text, rel).root, key)
    if not isinstance(node, yaml.ScalarNode) or node.style:  # quoted: a string, not a bool
        return None
    return True if node.value in yamldoc.TRUE else False if node.value in yamldoc.FALSE else None
