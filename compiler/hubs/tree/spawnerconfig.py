"""What a hub's values make of its spawner beyond the image slots, read as Helm merges
them: the last of the hub's files that sets a key wins, else the chart's ``values.yaml``,
and a null ends the search (Helm drops the key).  Under ``basehub:`` for a daskhub hub.

* basehub's spawner takes BinderHub's ``BinderSpawnerMixin`` when
  ``jupyterhub.custom.binderhubUI.enabled`` is true (its ``02-basehub-spawner``
  extraConfig).  With the mixin's ``auth_enabled`` false (its default; set through
  ``jupyterhub.hub.config.BinderSpawnerMixin.auth_enabled``) every server runs the image
  BinderHub built from a repository: ``start`` refuses a spawn without one.
* ``jupyterhub.hub.config.KubeSpawner.image``: z2jh applies ``hub.config`` after
  ``singleuser.image``, so it is the spawner's image under the profiles' overrides.

Which offers these make is :mod:`hubs.tree.layering`'s question.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from hubs.files.fileio import digest
from hubs.files.paths import inside
from hubs.tree import yamldoc
from hubs.tree.clusters import Hub, _read

BINDERHUB_UI: yamldoc.YamlPath = ("jupyterhub", "custom", "binderhubUI", "enabled")
BINDER_AUTH: yamldoc.YamlPath = (
    *("jupyterhub", "hub", "config", "BinderSpawnerMixin", "auth_enabled"),
)
HUB_IMAGE: yamldoc.YamlPath = ("jupyterhub", "hub", "config", "KubeSpawner", "image")


@dataclass(frozen=True, slots=True)
class Found:
    """A scalar as Helm merges it: its text (None: null or not set), where it is written."""

    value: str | None
    file: str | None = None
    line: int = 0
    plain: bool = True  # not quoted: a YAML boolean can only be plain


@dataclass(frozen=True, slots=True)
class Spawner:
    binderhub: bool  # BinderSpawnerMixin without auth: BinderHub supplies every image
    image: Found  # hub.config.KubeSpawner.image


def of(root: Path, hub: Hub) -> Spawner:
    ui = merged(root, hub, BINDERHUB_UI)
    auth = merged(root, hub, BINDER_AUTH)
    binderhub = _true(ui) and not _true(auth)
    return Spawner(binderhub, merged(root, hub, HUB_IMAGE))


def _true(found: Found) -> bool:
    return found.plain and found.value in yamldoc.TRUE


def merged(root: Path, hub: Hub, key: yamldoc.YamlPath) -> Found:
    """The scalar at ``key`` the hub gets (``key`` as in the chart; a daskhub hub's files
    hold it under ``basehub:``)."""
    for path, prefix in hub.layers(root):
        found = _at(root, path, prefix + key)
        if found is not None:
            return found
    return Found(None)


KEYS = tuple(p + k for p in ((), ("basehub",)) for k in (BINDERHUB_UI, BINDER_AUTH, HUB_IMAGE))
# (file, digest of its text) -> what it sets at each of KEYS: a file many hubs share
# (a cluster's common file, the chart) is parsed once per run, not once per hub
_SEEN: dict[tuple[str, str], dict[yamldoc.YamlPath, Found | None]] = {}


def _at(root: Path, rel: str, key: yamldoc.YamlPath) -> Found | None:
    """The scalar at ``key`` in one file; None when the file does not set the key."""
    text = _read(inside(root, rel, rel), rel)
    if str(key[-2]) not in text:  # the section's name: no parse for most files
        return None
    if key not in KEYS:
        return _find(yamldoc.parse(text, rel).root, rel, key)
    seen = (rel, digest(text))
    if seen not in _SEEN:
        root_node = yamldoc.parse(text, rel).root
        _SEEN[seen] = {known: _find(root_node, rel, known) for known in KEYS}
    return _SEEN[seen][key]


def _find(root: yaml.Node | None, rel: str, key: yamldoc.YamlPath) -> Found | None:
    node = yamldoc.find(root, key)
    if node is None:
        return None
    line = int(node.start_mark.line) + 1
    if not yamldoc.is_scalar(node) or not isinstance(node, yaml.ScalarNode):
        return Found(None, rel, line)  # null (Helm drops the key), or not a scalar
    return Found(str(node.value), rel, line, plain=not node.style)
