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

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hubs.tree import yamldoc
from hubs.tree.clusters import Hub
from hubs.tree.locations import BINDER_AUTH, BINDERHUB_UI, HUB_IMAGE
from hubs.tree.valuesfile import ValuesFile

# A values file as scanned with a prefix (the fleet's: each file is scanned once a run,
# and the scan keeps what it sets at each spawner key).
Scanned = Callable[[str, yamldoc.YamlPath], ValuesFile]


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


def of(root: Path, hub: Hub, scanned: Scanned) -> Spawner:
    layers = [scanned(path, prefix) for path, prefix in hub.layers(root)]
    ui = merged(layers, BINDERHUB_UI)
    auth = merged(layers, BINDER_AUTH)
    binderhub = _true(ui) and not _true(auth)
    return Spawner(binderhub, merged(layers, HUB_IMAGE))


def _true(found: Found) -> bool:
    return found.plain and found.value in yamldoc.TRUE


def merged(layers: list[ValuesFile], key: yamldoc.YamlPath) -> Found:
    """The scalar at ``key`` a hub whose files are ``layers`` (the winner first) gets:
    the first that sets it (``key`` as in the chart; a daskhub hub's files hold it under
    ``basehub:``, which their scan has taken into account)."""
    for values in layers:
        setting = values.settings.get(key)
        if setting is not None:
            return Found(setting.value, values.path, setting.line, setting.plain)
    return Found(None)
