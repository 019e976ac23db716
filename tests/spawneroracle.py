"""KubeSpawner 7's own code as the oracle of what a hub runs, beside what hubs says.

For each hub: Helm-merge its values files (maps merge, lists replace, the files in order,
then the chart's values under them, where a null deletes the key), configure a real
``KubeSpawner(_mock=True)`` as z2jh's ``jupyterhub_config.py`` does (``singleuser.image``,
``singleuser.profileList``, then ``hub.config``), and, for every profile and every
combination of its options' choices, set ``user_options`` as the spawn form would and run
``load_user_options``.  basehub's spawner takes ``BinderSpawnerMixin`` (the chart's own
``extraConfig`` code) when ``custom.binderhubUI.enabled``; its ``start`` then runs too (the
pod creation it schedules is cancelled before it begins).

hubs' side is ``Fleet.offers``.  Each spawner run is matched to the one offer for its
profile and picks; both must name the same image.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from kubespawner import KubeSpawner
from tornado import web
from traitlets.config import Config

from hubs.files.paths import is_secret
from hubs.tree.clusters import CHART_VALUES, Hub
from hubs.tree.layering import Fleet, Offer

TYPED = "typed.example/typed:1"  # what a user types into an unlisted choice
BUILT = "registry.example/binder-built:abc"  # what BinderHub built from a repository


# ---------------------------------------------------------------- Helm


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Helm's merge of two values files (``-f a -f b``): maps merge, anything else
    (lists, scalars, null) replaces."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _coalesce(user: dict[str, Any], chart: dict[str, Any]) -> dict[str, Any]:
    """The merged user values over the chart's: a null deletes the chart's key."""
    out = dict(user)
    for key, value in chart.items():
        if key in user and user[key] is None:
            del out[key]
        elif key not in user:
            out[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(user[key], dict):
            out[key] = _coalesce(user[key], value)
    return out


def helm_values(root: Path, hub: Hub) -> dict[str, Any]:
    """What basehub sees for ``hub`` (a daskhub hub's ``basehub:`` values)."""
    user: dict[str, Any] = {}
    for rel in hub.files:
        if is_secret(rel):  # encrypted: never read, and they set no image in the sample
            continue
        data = yaml.safe_load((root / rel).read_text()) or {}
        for step in hub.prefix:
            data = data.get(step) or {}
        user = _merge(user, data)
    chart_path = root / CHART_VALUES
    chart = yaml.safe_load(chart_path.read_text()) if chart_path.is_file() else {}
    return _coalesce(user, chart or {})


def _at(data: Any, *path: str) -> Any:
    for step in path:
        data = data.get(step) if isinstance(data, dict) else None
    return data


# ---------------------------------------------------------------- the spawner


def spawner_class(values: dict[str, Any]) -> type[KubeSpawner]:
    """basehub's spawner: KubeSpawner, with the chart's BinderSpawnerMixin first when
    ``custom.binderhubUI.enabled`` (basehub's ``02-basehub-spawner``)."""
    plain: type[KubeSpawner] = KubeSpawner
    if not _at(values, "jupyterhub", "custom", "binderhubUI", "enabled"):
        return plain
    code = _at(values, "jupyterhub", "hub", "extraConfig", "0-binderspawnermixin")
    scope: dict[str, Any] = {}
    exec(compile(code, "0-binderspawnermixin", "exec"), scope)
    made: type[KubeSpawner] = type("BaseHubSpawner", (scope["BinderSpawnerMixin"], KubeSpawner), {})
    return made


def config_of(values: dict[str, Any]) -> Config:
    """The traitlets config z2jh's jupyterhub_config.py gives the spawner."""
    c = Config()
    singleuser = _at(values, "jupyterhub", "singleuser") or {}
    name = _at(singleuser, "image", "name")
    if name:
        tag = _at(singleuser, "image", "tag")
        c.KubeSpawner.image = f"{name}:{tag}" if tag else name
    c.KubeSpawner.profile_list = singleuser.get("profileList") or []
    for section, settings in (_at(values, "jupyterhub", "hub", "config") or {}).items():
        c[section].update(settings)
    return c


@dataclass(frozen=True)
class Run:
    """One spawn: the profile (index in the list, None: no profiles), the options picked
    (None: the unlisted choice, with TYPED), and the image the spawner ended with
    (None: the spawn is refused)."""

    profile: int | None
    picks: tuple[tuple[str, str | None], ...]
    image: str | None


def runs(values: dict[str, Any], launch: dict[str, str] | None = None) -> list[Run]:
    """Every spawn a user can ask for, run through the spawner.  ``launch``: user_options a
    BinderHub launch adds (token, image)."""
    return asyncio.run(_runs(values, launch or {}))


async def _runs(values: dict[str, Any], launch: dict[str, str]) -> list[Run]:
    cls, config = spawner_class(values), config_of(values)  # made in a loop, as in the hub
    listed = cls(_mock=True, config=config)._get_initialized_profile_list(
        config.KubeSpawner.profile_list
    )
    if not listed:
        return [Run(None, (), await _spawn(cls, config, dict(launch)))]
    first: dict[str, int] = {}
    for index, profile in enumerate(listed):
        first.setdefault(profile["slug"], index)
    out = []
    for profile in listed:
        options = profile.get("profile_options", {})
        for picks in itertools.product(*(_alternatives(o) for o in options.values())):
            named = tuple(zip(options, picks, strict=True))
            asked: dict[str, str] = {"profile": profile["slug"], **launch}
            for option, pick in named:
                if pick is None:
                    asked[f"{option}--unlisted-choice"] = TYPED
                else:
                    asked[option] = pick
            # the form names a profile by its slug: KubeSpawner loads the first with it
            out.append(Run(first[profile["slug"]], named, await _spawn(cls, config, asked)))
    return out


def _alternatives(option: dict[str, Any]) -> list[str | None]:
    found: list[str | None] = list(option.get("choices") or {})
    if (option.get("unlisted_choice") or {}).get("enabled"):
        found.append(None)
    return found


async def _spawn(cls: type[KubeSpawner], config: Config, asked: dict[str, str]) -> str | None:
    spawner = cls(_mock=True, config=config)
    spawner.user_options = asked
    await spawner.load_user_options()
    if cls is KubeSpawner:
        return str(spawner.image)
    try:
        started = spawner.start()  # the mixin's, then KubeSpawner's (schedules the pod)
    except web.HTTPError:
        return None
    started.cancel()  # before the pod is made: nothing of it has run
    with contextlib.suppress(asyncio.CancelledError):
        await started
    return str(spawner.image)


# ---------------------------------------------------------------- hubs' side


@dataclass(frozen=True)
class Said:
    profile: int | None
    offer: Offer
    image: str | None


def said(fleet: Fleet, hub: Hub) -> list[Said]:
    """What hubs says ``hub`` runs: each offer, its profile's index and its image."""
    source = fleet.profile_source(hub)
    values = None if source is None else fleet.hub_file(hub, source)
    out = []
    for offer in fleet.offers(hub):
        index = None if offer.profile is None or values is None else values.profiles[offer.profile]
        out.append(Said(index, offer, _image(fleet, offer)))
    return out


def _image(fleet: Fleet, offer: Offer) -> str | None:
    if offer.how == "unlisted":
        return TYPED
    if offer.how == "binderhub":
        return BUILT
    if offer.source is None:
        return offer.image
    slot = fleet.slot_at(offer.source)
    return None if slot is None else slot.image


def matches(run: Run, found: Said) -> bool:
    """Whether ``found`` is hubs' offer for the spawn ``run``."""
    offer = found.offer
    if offer.how == "binderhub":
        return True
    if found.profile != run.profile:
        return False
    picked = dict(run.picks)
    if offer.picks:
        return all(picked.get(option, "") == pick for option, pick in offer.picks)
    if "image" not in picked:
        return offer.choice is None and offer.how != "unlisted"
    if picked["image"] is None:
        return offer.how == "unlisted"
    return offer.choice == picked["image"] and offer.how != "unlisted"


@dataclass(frozen=True)
class Compared:
    agree: int
    disagree: list[str]


def compare(fleet: Fleet) -> Compared:
    """Every spawn of every hub against hubs' offers: the count that agree, and a line for
    each that does not (or for an offer no spawn ran)."""
    agree, disagree = 0, []
    for hub in fleet.hubs():
        values = helm_values(fleet.root, hub)
        found = said(fleet, hub)
        binder = any(f.offer.how == "binderhub" for f in found)
        launch = {"token": "t", "image": BUILT} if binder else None
        used: set[int] = set()
        for run in runs(values, launch):
            hits = [i for i, f in enumerate(found) if matches(run, f)]
            used.update(hits)
            images = [found[i].image for i in hits]
            if images == [run.image]:
                agree += 1
            else:
                disagree.append(f"{hub.address} {run.profile} {run.picks}: {run.image} != {images}")
        if binder:  # a spawn that BinderHub did not launch is refused
            refused = [r for r in runs(values) if r.image is not None]
            disagree += [f"{hub.address} {r.profile} {r.picks}: ran {r.image}" for r in refused]
        disagree += [
            f"{hub.address}: no spawn runs {found[i]}" for i in range(len(found)) if i not in used
        ]
    return Compared(agree, disagree)
