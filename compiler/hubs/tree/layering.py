"""Which file wins: the fleet's layering, answered from one index built once.

Helm applies a hub's values files in order: maps merge, lists replace.  So a hub's
``singleuser.image`` comes from the last of its files that sets it (else the chart default),
and its ``profileList`` from the last file that has one.  :class:`Fleet` indexes the tree
once (file -> hubs using it, hub -> its own file) and scans each values file on first use;
every "which file" question of the package is answered here, and nothing outside this
module changes a scanned file.

*Reach* is what a hub runs, not only where a slot sits in its layers: KubeSpawner applies a
profile's ``kubespawner_override`` over ``singleuser``, then the chosen option's over that.
So a hub runs ``singleuser.image`` only with no profiles, or for a profile with no image
of its own whose image choices (if any) lack one; a profile's image only where some of its
choices lack one.  An ``unlisted_choice`` runs what the user types: it uses neither.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar, cast

from hubs.errors import Diagnostic, UsageError, close_match
from hubs.policy import imageref
from hubs.policy.address import Scope, SlotKind
from hubs.tree import spawnerconfig
from hubs.tree.clusters import CHART_VALUES, Cluster, Hub, LayoutError, load_clusters
from hubs.tree.scan import Slot, ValuesFile, scan
from hubs.tree.valuesfile import Option
from hubs.tree.yamldoc import YamlPath

if TYPE_CHECKING:
    from hubs.tree.cache import Store

SlotKey = tuple[str, SlotKind, str | None, str | None]  # file, kind, profile, choice


def key_of(slot: Slot) -> SlotKey:
    return (slot.file, slot.kind, slot.profile, slot.choice)


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Holding:
    """The slots that hold an image in a state other than the disk's (a compile's result)."""

    keys: frozenset[SlotKey]

    @classmethod
    def of(cls, slots: Iterable[Slot]) -> Holding:
        return cls(frozenset(key_of(slot) for slot in slots))

    @property
    def setters(self) -> frozenset[str]:
        """The files that set ``singleuser.image``."""
        return frozenset(key[0] for key in self.keys if key[1] == "singleuser")

    def holds(self, slot: Slot) -> bool:
        return key_of(slot) in self.keys


How = Literal["choice", "profile", "singleuser", "unlisted", "option", "hub-config", "binderhub"]


@dataclass(frozen=True, slots=True)
class Offer:
    """One image a hub can run: for a profile and choice (both None: the hub has no
    profiles), taken from the slot ``source``.  ``how`` is "unlisted" for what users type.

    An image hubs does not manage has no ``source``: "option" (a choice of a profile option
    other than ``image``, or its unlisted choice: "unlisted"), "hub-config"
    (``hub.config.KubeSpawner.image``), each with ``image`` and where it is ``written`` (the
    option's file:line, hub.config's file), and "binderhub" (BinderHub builds it).
    ``picks``: the choice of every option that can set the image (None: its unlisted
    choice), in the order KubeSpawner applies them, when an option other than ``image``
    sets one; ``choice`` is then the ``image`` option's pick."""

    profile: str | None
    choice: str | None
    source: SlotKey | None
    how: How
    picks: tuple[tuple[str, str | None], ...] = ()
    image: str | None = None
    written: str | None = None


@dataclass(slots=True)
class _Indexed:
    """The tree's clusters, the index built once (file -> its hubs, hub -> its own file),
    and values files scanned on first use.  :class:`Fleet` answers the layering questions."""

    root: Path
    clusters: dict[str, Cluster]
    _users: dict[str, tuple[Hub, ...]] = field(default_factory=dict)
    _own: dict[str, str | None] = field(default_factory=dict)
    _files: dict[str, ValuesFile] = field(default_factory=dict)
    _notes: list[Diagnostic] = field(default_factory=list)
    store: Store | None = None  # the scan cache, when one is used

    def __post_init__(self) -> None:
        users: dict[str, list[Hub]] = {}
        for hub in self.hubs():
            for path in dict.fromkeys(hub.files):
                users.setdefault(path, []).append(hub)
        self._users = {path: tuple(hubs) for path, hubs in users.items()}
        self._own = {hub.address: self._find_own(hub) for hub in self.hubs()}
        for cluster in self.clusters.values():
            self._notes.extend(_unmanaged(cluster))

    def _find_own(self, hub: Hub) -> str | None:
        for path in reversed(hub.files):
            if len(self._users[path]) == 1:
                return path
        return None

    # ------------------------------------------------------------ the index

    def hubs(self) -> Iterator[Hub]:
        for cluster in self.clusters.values():
            yield from cluster.hubs

    def check_names(self, cluster: str | None, hub: str | None) -> None:
        """A ``--cluster`` or ``--hub`` the fleet does not have is a usage error, with a
        did-you-mean."""
        if cluster is not None and cluster not in self.clusters:
            near = close_match(cluster, self.clusters)
            raise UsageError(f"--cluster {cluster}: no such cluster{near}")
        hubs = [found.address for found in self.hubs()]
        if hub is not None and hub not in hubs:
            raise UsageError(f"--hub {hub}: no such hub{close_match(hub, hubs)}")

    def users_of(self, path: str) -> tuple[Hub, ...]:
        """The hubs whose values files include ``path``, in cluster.yaml order."""
        return self._users.get(path, ())

    def own_file(self, hub: Hub) -> str | None:
        """The last values file that only this hub uses, where a hub-level policy goes."""
        return self._own[hub.address]

    def prefix_of(self, path: str) -> YamlPath:
        """``("basehub",)`` for a file of daskhub hubs, else ``()``."""
        users = self.users_of(path)
        return users[0].prefix if users else ()

    def scope_of(self, cluster: str, path: str) -> Scope:
        """The hubs.toml scope that governs ``path``: the chart, a hub's own file, or a
        shared file."""
        if path == CHART_VALUES:
            return Scope.defaults()
        users = self.users_of(path)
        if len(users) == 1 and self.own_file(users[0]) == path:
            return Scope.hub(cluster, users[0].name)
        return Scope.file(cluster, path.rsplit("/", 1)[-1])

    # ------------------------------------------------------------ scanned files

    def digests(self) -> dict[str, str]:
        """The digest of the text of every values file scanned so far, by path."""
        return {path: values.digest for path, values in self._files.items()}

    def warnings(self) -> list[Diagnostic]:
        """Warnings of every file scanned so far, in scan order, then those of the layering."""
        return [w for values in self._files.values() for w in values.warnings] + self._notes

    def warn(self, found: Diagnostic) -> None:
        """Record a warning about the layering (once)."""
        if found not in self._notes:
            self._notes.append(found)

    def file(self, path: str, prefix: YamlPath | None = None) -> ValuesFile:
        prefix = self.prefix_of(path) if prefix is None else prefix
        if path not in self._files:
            self._files[path] = self._complete(scan(self.root, path, prefix, self.store))
        found = self._files[path]
        if found.prefix != prefix:
            raise LayoutError(f"{path}: used by both basehub and daskhub hubs")
        return found

    def read_all(self) -> None:
        """Scan every values file a hub uses, in cluster.yaml order, and the chart's: Helm
        refuses a file that is not valid YAML, whether or not it holds an image."""
        for hub in self.hubs():
            for path in hub.files:
                self.hub_file(hub, path)
        if self.has_chart():
            self.chart()

    def hub_file(self, hub: Hub, path: str) -> ValuesFile:
        return self.file(path, hub.prefix)

    def has_chart(self) -> bool:
        return (self.root / CHART_VALUES).is_file()

    def chart(self) -> ValuesFile:
        return self.file(CHART_VALUES, ())

    def _complete(self, values: ValuesFile) -> ValuesFile:
        """A ``singleuser.image`` map with a tag only (or a name only) takes the other part
        from the layers below, as Helm's map merge does."""
        slot = values.slot("singleuser")
        if slot is None or slot.partial is None or slot.image is None:
            return values
        found = {self._below(hub, values.path) for hub in self.users_of(values.path)}
        parts = {_split(image) for image in found if image is not None}
        if len(parts) != 1 or None in found:
            present = "tag" if slot.partial == "name" else "name"
            raise LayoutError(
                f"{values.path}:{slot.line}: singleuser.image sets only a {present}, and the "
                f"hubs using this file do not all inherit one {slot.partial}; add `{slot.partial}:`"
            )
        name, tag = parts.pop()
        if slot.partial == "name":
            full = replace(slot, image=f"{name}:{slot.image}", inherited_name=name)
        else:
            full = replace(slot, image=f"{slot.image}:{tag}", inherited_tag=tag)
        values.slots[values.slots.index(slot)] = full
        return values

    def _below(self, hub: Hub, path: str) -> str | None:
        """The full ``singleuser.image`` the layers under ``path`` give ``hub``."""
        for lower in reversed(hub.files[: hub.files.index(path)]):
            slot = self.hub_file(hub, lower).slot("singleuser")
            if slot is not None and slot.nulled:  # Helm dropped what the files below set
                break
            if slot is not None and slot.image is not None:
                return slot.image
        if self.has_chart():
            slot = self.chart().slot("singleuser")
            if slot is not None and slot.image is not None:
                return slot.image
        return None


@dataclass(slots=True)
class Fleet(_Indexed):
    """The whole tree, and every "which file wins" question about it."""

    _offers: dict[tuple[str, Holding | None], tuple[Offer, ...]] = field(default_factory=dict)
    _spawners: dict[str, spawnerconfig.Spawner] = field(default_factory=dict)
    _answers: dict[tuple[object, ...], tuple[tuple[object, ...], object]] = field(
        default_factory=dict
    )

    def answer(self, question: str, about: tuple[object, ...], compute: Callable[[], _T]) -> _T:
        """``compute()``, once a run for ``question`` about these very objects (by identity;
        they are kept, so an identity is never reused): a command that asks what hubs.toml
        binds to, or what every slot must hold, twice gets the first answer again."""
        key = (question, *map(id, about))
        if key not in self._answers:
            self._answers[key] = (about, compute())
        return cast(_T, self._answers[key][1])

    # ------------------------------------------------------------ which file wins

    def profile_source(self, hub: Hub) -> str | None:
        """The file whose ``profileList`` the hub gets (Helm replaces lists: the last wins)."""
        for path in reversed(hub.files):
            if self.hub_file(hub, path).has_profile_list:
                return path
        return None

    def image_source(self, hub: Hub, setters: Iterable[str] | None = None) -> str:
        """The file whose ``singleuser.image`` the hub gets: the last that sets it, else the
        chart.  ``setters`` are the files that set it (default: as on disk now)."""
        chosen = None if setters is None else set(setters)
        for path in reversed(hub.files):
            if chosen is not None:
                if path in chosen:
                    return path
                continue
            slot = self.hub_file(hub, path).slot("singleuser")
            if slot is not None and slot.line > 0:
                return path
        return CHART_VALUES

    def carriers(self, slot: Slot, setters: Iterable[str] | None = None) -> list[str]:
        """The hubs whose layers give them this slot: its file wins for ``singleuser.image``
        (``setters``: the files that set it, default as on disk), or for ``profileList``.
        Whether they run it is :meth:`reach`."""
        return [hub.address for hub in self._carrying(slot, setters)]

    def reach(self, slot: Slot, after: Holding | None = None) -> list[str]:
        """The hubs that run this slot's image for at least one profile and choice.
        ``after``: the slots holding an image in the state asked about (default: on disk)."""
        key = key_of(slot)
        setters = None if after is None else after.setters
        return [
            hub.address
            for hub in self._carrying(slot, setters)
            if any(offer.source == key for offer in self.offers(hub, after))
        ]

    def overridden_in(self, slot: Slot, after: Holding | None = None) -> list[str]:
        """The hubs whose layers carry this slot but never run it: every profile and
        choice they offer sets an image of its own."""
        used = set(self.reach(slot, after))
        setters = None if after is None else after.setters
        return [
            hub.address
            for hub in self._carrying(slot, setters)
            if hub.address not in used and not self.spawner(hub).binderhub
        ]

    def binderhub_in(self, slot: Slot) -> list[str]:
        """The hubs whose layers carry this slot where BinderHub supplies every image."""
        return [hub.address for hub in self._carrying(slot, None) if self.spawner(hub).binderhub]

    def _carrying(self, slot: Slot, setters: Iterable[str] | None) -> list[Hub]:
        if slot.kind == "singleuser":
            chosen = None if setters is None else set(setters)
            hubs = self.hubs() if slot.file == CHART_VALUES else self.users_of(slot.file)
            return [h for h in hubs if self.image_source(h, chosen) == slot.file]
        return [h for h in self.users_of(slot.file) if self.profile_source(h) == slot.file]

    def offers(self, hub: Hub, after: Holding | None = None) -> tuple[Offer, ...]:
        """Every image ``hub`` can run, one per profile and choice (unlisted choices too),
        each with the slot it comes from."""
        cache = (hub.address, after)
        if cache not in self._offers:
            self._offers[cache] = tuple(self._offer(hub, after))
        return self._offers[cache]

    def _offer(self, hub: Hub, after: Holding | None) -> Iterator[Offer]:
        spawner = self.spawner(hub)
        if spawner.binderhub:  # BinderSpawnerMixin without auth: BinderHub's image only
            return iter([Offer(None, None, None, "binderhub")])
        setters = None if after is None else after.setters
        single: SlotKey = (self.image_source(hub, setters), "singleuser", None, None)
        base = Offer(None, None, single, "singleuser")
        if spawner.image.file is not None and spawner.image.value is not None:
            found = spawner.image  # hub.config.KubeSpawner.image, over singleuser.image
            base = Offer(None, None, None, "hub-config", image=found.value, written=found.file)
        source = self.profile_source(hub)
        values = None if source is None else self.hub_file(hub, source)
        if values is None or not values.profiles:
            return iter([base])
        held = after.holds if after is not None else _on_disk
        return _profile_offers(values, base, held)

    def spawner(self, hub: Hub) -> spawnerconfig.Spawner:
        """What the hub's values make of its spawner (BinderHub's, hub.config's image)."""
        if hub.address not in self._spawners:
            self._spawners[hub.address] = spawnerconfig.of(self.root, hub, self.file)
        return self._spawners[hub.address]

    def uses_singleuser(self, hub: Hub) -> bool:
        """Whether some profile or choice of ``hub`` runs its ``singleuser.image``."""
        return any(offer.how == "singleuser" for offer in self.offers(hub))

    def slot_at(self, key: SlotKey) -> Slot | None:
        """The scanned slot at ``key`` (None: not in the file, or no chart)."""
        path, kind, profile, choice = key
        if path == CHART_VALUES and not self.has_chart():
            return None
        return self.file(path).slot(kind, profile, choice)

    def later_setters(self, hub: Hub, path: str, setters: Iterable[str]) -> list[str]:
        """Files after ``path`` among ``hub``'s that are in ``setters``."""
        chosen = set(setters)
        return [p for p in hub.files[hub.files.index(path) + 1 :] if p in chosen]


def _unmanaged(cluster: Cluster) -> Iterator[Diagnostic]:
    """A warning for each hub on a chart hubs does not manage: listed, never edited."""
    for hub in cluster.unmanaged:
        yield Diagnostic(
            f"hub {hub.name!r} runs chart {hub.chart!r}, which hubs does not manage "
            "(basehub and daskhub only): its values files are left alone",
            cluster.path,
            hub.line,
            severity="warning",
            rule="unmanaged-chart",
        )


def load_fleet(root: Path, store: Store | None = None) -> Fleet:
    """The fleet of ``root``, every values file a hub uses already read (:meth:`read_all`)."""
    fleet = Fleet(root, load_clusters(root), store=store)
    fleet.read_all()
    return fleet


def _profile_offers(
    values: ValuesFile, base: Offer, held: Callable[[Slot], bool]
) -> Iterator[Offer]:
    """The offers of a profileList: a choice's image, else its profile's, else the
    spawner's (``base``); an unlisted choice runs what the user types."""
    for name in values.profiles:
        if name in values.shadowed:  # an earlier profile has its slug: never loaded
            continue
        own = values.slot("profile", name)
        fallback = replace(base, profile=name)
        if own is not None and held(own):
            fallback = Offer(name, None, key_of(own), "profile")
        options = values.options_of(name)
        if options:
            yield from _combined(values, options, fallback, held)
        else:
            yield from _image_choices(values, name, fallback, held)


def _image_choices(
    values: ValuesFile, name: str, fallback: Offer, held: Callable[[Slot], bool]
) -> Iterator[Offer]:
    """A profile whose only option that can set the image is ``image``: one offer a choice."""
    choices = [s for s in values.slots if s.kind == "choice" and s.profile == name]
    for choice in choices:
        if held(choice):
            yield Offer(name, choice.choice, key_of(choice), "choice")
        else:
            yield replace(fallback, choice=choice.choice)
    unlisted = values.slot("unlisted", name)
    if unlisted is not None:
        yield Offer(name, None, key_of(unlisted), "unlisted")
    elif not choices:
        yield fallback


COMBINATIONS = 256  # at most this many combinations of a profile's options' choices


def _combined(
    values: ValuesFile, options: list[Option], fallback: Offer, held: Callable[[Slot], bool]
) -> Iterator[Offer]:
    """One offer per combination of the choices of the options that set the image.
    KubeSpawner applies the chosen choices in ``profile_options`` order: the last that sets
    an image wins, else the profile's (``fallback``)."""
    alternatives = [_picks(values, option) for option in options]
    count = math.prod(len(found) for found in alternatives)
    if count > COMBINATIONS:
        raise LayoutError(
            f"{values.path}: profile {options[0].profile}: its options that set the image make "
            f"{count} combinations of choices, more than the {COMBINATIONS} hubs works through"
        )
    for picks in itertools.product(*alternatives):
        offer = fallback
        for option, pick in zip(options, picks, strict=True):
            offer = _applied(values, option, pick, held) or offer
        named = tuple(zip((option.name for option in options), picks, strict=True))
        yield replace(offer, choice=dict(named).get("image"), picks=named)


def _picks(values: ValuesFile, option: Option) -> tuple[str | None, ...]:
    """Every choice of ``option`` a user can pick (None: its unlisted choice)."""
    if option.name != "image":
        return option.picks
    unlisted = values.slot("unlisted", option.profile) is not None
    return (*option.choices, *((None,) if unlisted else ()))


def _applied(
    values: ValuesFile, option: Option, pick: str | None, held: Callable[[Slot], bool]
) -> Offer | None:
    """The offer ``pick`` of ``option`` makes, if its choice sets the image."""
    name = option.profile
    if option.name == "image":
        slot = values.slot("unlisted" if pick is None else "choice", name, pick)
        if slot is None or not (pick is None or held(slot)):
            return None
        return Offer(name, pick, key_of(slot), "unlisted" if pick is None else "choice")
    found = option.image_of(pick)
    if found is None:
        return None
    how: How = "unlisted" if pick is None else "option"
    return Offer(name, None, None, how, image=found.image, written=f"{values.path}:{found.line}")


def _on_disk(slot: Slot) -> bool:
    return slot.image is not None


def _split(image: str) -> tuple[str, str]:
    try:
        ref = imageref.parse(image)
    except imageref.BadReference as exc:
        raise LayoutError(str(exc)) from None
    return ref.name, ref.version or ""
