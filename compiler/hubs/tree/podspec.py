"""What a hub's user pod is told to run as: ``uid`` and ``cmd``, as Helm and KubeSpawner
merge them.

A choice's ``kubespawner_override`` wins, then its profile's, then the hub's values files
(``jupyterhub.singleuser.KEY``, under ``basehub:`` for daskhub hubs; the last file that
sets it wins), then the chart's ``values.yaml``, then zero-to-jupyterhub's default (uid
1000, cmd ``jupyterhub-singleuser``).  A null value means "the image decides".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from hubs.files.paths import inside
from hubs.tree import yamldoc
from hubs.tree.clusters import Hub, _read
from hubs.tree.scan import Slot

Key = Literal["uid", "cmd"]
Z2JH_DEFAULTS: dict[str, object] = {"uid": 1000, "cmd": "jupyterhub-singleuser"}


@dataclass(frozen=True)
class Setting:
    """One pod setting: its value (None: null, the image decides) and where it comes from."""

    value: object
    source: str  # ``file:line``, or "the zero-to-jupyterhub default"


@dataclass
class PodSpec:
    """Reads settings from the tree at ``root``; each file is parsed once."""

    root: Path
    _docs: dict[str, yaml.Node | None] = field(default_factory=dict)

    def setting(self, hub: Hub, slot: Slot | None, key: Key) -> Setting:
        """``key`` for ``hub`` running the image of ``slot`` (None: its default image)."""
        for rel, path in self._places(hub, slot, key):
            found = self._find(rel, path)
            if found is not None:
                return found
        return Setting(Z2JH_DEFAULTS[key], "the zero-to-jupyterhub default")

    def _places(self, hub: Hub, slot: Slot | None, key: Key) -> list[tuple[str, yamldoc.YamlPath]]:
        places: list[tuple[str, yamldoc.YamlPath]] = []
        if slot is not None and slot.kind in ("profile", "choice"):
            if slot.kind == "choice":  # .../choices/KEY/kubespawner_override/image
                places.append((slot.file, (*slot.path[:-1], key)))
            cut = slot.path.index("profileList") + 2
            places.append((slot.file, (*slot.path[:cut], "kubespawner_override", key)))
        singleuser = ("jupyterhub", "singleuser", key)
        places.extend((rel, (*prefix, *singleuser)) for rel, prefix in hub.layers(self.root))
        return places

    def _find(self, rel: str, path: yamldoc.YamlPath) -> Setting | None:
        if rel not in self._docs:
            text = _read(inside(self.root, rel, rel), rel)
            wanted = any(name in text for name in Z2JH_DEFAULTS)
            self._docs[rel] = yamldoc.parse(text, rel).root if wanted else None
        node = yamldoc.find(self._docs[rel], path)
        if node is None:
            return None
        return Setting(_plain(node), f"{rel}:{node.start_mark.line + 1}")


def _plain(node: yaml.Node) -> object:
    """The value of a node as YAML reads it: the position parser leaves every plain scalar
    a string, so a plain scalar's type (``uid: 0``) is resolved here."""
    if isinstance(node, yaml.ScalarNode) and not node.style:
        return yaml.safe_load(node.value) if node.value else None
    return yaml.SafeLoader("").construct_object(node, deep=True)
