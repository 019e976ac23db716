"""Where user images live in a values file: one declared table, read by every step.

The scanner finds slots by it, the planner takes the edit shape from it (which parents go
when an image is removed), and the output check collects the image keys by it.  A new
place for an image (a prePuller entry, a choice's label) is one more row here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hubs.policy.address import SlotKind

SINGLEUSER: tuple[str, ...] = ("jupyterhub", "singleuser")  # under the chart prefix
PROFILE_LIST = "profileList"  # under SINGLEUSER
CHOICE = "*"  # in a location: every key of that mapping (the choice keys)


@dataclass(frozen=True, slots=True)
class Location:
    """One kind of slot: its path (from ``singleuser`` or from a profile) and edit shape."""

    kind: SlotKind
    path: tuple[str, ...]
    prune: int | None  # empty parents removed with the image (None: every one)
    always: bool = True  # a slot exists even where the image is not written
    managed: bool = True  # False: user-controlled, never edited


SINGLEUSER_IMAGE = Location("singleuser", ("image",), prune=None)
PROFILE_LOCATIONS: tuple[Location, ...] = (
    Location("profile", ("kubespawner_override", "image"), prune=1),
    Location(
        "choice",
        ("profile_options", "image", "choices", CHOICE, "kubespawner_override", "image"),
        prune=1,
    ),
    Location(
        "unlisted",
        ("profile_options", "image", "unlisted_choice", "kubespawner_override", "image"),
        prune=1,
        always=False,
        managed=False,
    ),
)
BY_KIND = {loc.kind: loc for loc in (SINGLEUSER_IMAGE, *PROFILE_LOCATIONS)}

# Facts kept beside the slots, read by ``lint`` and by ``[sync]`` (never image slots):
SINGLEUSER_PULL_POLICY: tuple[str, ...] = ("image", "pullPolicy")  # under SINGLEUSER
PULL_POLICY: tuple[str, ...] = ("kubespawner_override", "image_pull_policy")  # profile, choice
LABELS: tuple[str, ...] = ("display_name", "description")  # of a profile, of a choice
CHOICES: tuple[str, ...] = ("profile_options", "image", "choices")  # under a profile
PREPULLER: tuple[str, ...] = ("jupyterhub", "prePuller", "extraImages")  # under the prefix
# What a hub's values make of its spawner (under the prefix), read by ``spawnerconfig``:
BINDERHUB_UI: tuple[str, ...] = ("jupyterhub", "custom", "binderhubUI", "enabled")
BINDER_AUTH: tuple[str, ...] = (
    *("jupyterhub", "hub", "config", "BinderSpawnerMixin", "auth_enabled"),
)
HUB_IMAGE: tuple[str, ...] = ("jupyterhub", "hub", "config", "KubeSpawner", "image")
SPAWNER_KEYS = (BINDERHUB_UI, BINDER_AUTH, HUB_IMAGE)


def prune_of(kind: SlotKind, path_length: int) -> int:
    """How many parents of a removed image key go with it when left empty."""
    prune = BY_KIND[kind].prune
    return path_length - 1 if prune is None else prune


def values_at(data: Any, path: tuple[str, ...]) -> Iterator[Any]:
    """Every value at ``path`` in loaded YAML data, ``CHOICE`` matching every key."""
    if not path:
        yield data
        return
    if not isinstance(data, dict):
        return
    head, rest = path[0], path[1:]
    if head == CHOICE:
        for value in data.values():
            yield from values_at(value, rest)
    elif head in data:
        yield from values_at(data[head], rest)
