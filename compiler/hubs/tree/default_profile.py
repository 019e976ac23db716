"""The option a hub's users get unless they pick another: the profile (and image choice)
marked ``default: true``, else the first, as KubeSpawner preselects it.  For ``explain``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hubs.files.fileio import read_regular
from hubs.tree.clusters import Hub
from hubs.tree.layering import Fleet
from hubs.tree.locations import PROFILE_LIST, SINGLEUSER
from hubs.tree.yamldoc import load_data


@dataclass(frozen=True, slots=True)
class Default:
    """The option KubeSpawner preselects: ``default: true``, else the first."""

    profile: str
    profile_marked: bool  # True: ``default: true``; False: the first
    choice: str | None = None
    choice_marked: bool = False


def default_of(fleet: Fleet, hub: Hub) -> Default | None:
    """The profile (and image choice) a user of ``hub`` gets unless they pick another;
    None when the hub has no profiles."""
    source = fleet.profile_source(hub)
    values = None if source is None else fleet.hub_file(hub, source)
    if source is None or values is None or not values.profiles:
        return None
    data = load_data(read_regular(fleet.root / source, source), source)
    listed = _dig(data, (*values.prefix, *SINGLEUSER, PROFILE_LIST))
    profiles = listed if isinstance(listed, list) else []
    marked = [i for i, p in enumerate(profiles) if isinstance(p, dict) and p.get("default")]
    index = marked[0] if marked else 0
    name = next(n for n, i in values.profiles.items() if i == index)
    choices = [s.choice or "" for s in values.slots if s.kind == "choice" and s.profile == name]
    if not choices:
        return Default(name, bool(marked))
    found = _dig(profiles[index] if profiles else None, ("profile_options", "image", "choices"))
    table = found if isinstance(found, dict) else {}
    chosen = [k for k in choices if isinstance(table.get(k), dict) and table[k].get("default")]
    return Default(name, bool(marked), (chosen or choices)[0], bool(chosen))


def _dig(data: object, path: Iterable[str | int]) -> object:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
