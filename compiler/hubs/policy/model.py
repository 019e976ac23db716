"""hubs.toml and hubs.lock inside the tool: frozen dataclasses.  No Pydantic, no I/O here.

They are made only from what :mod:`hubs.policy.schema` validated (its models, field by
field) or from the model cache (:mod:`hubs.policy.stored`, which holds what validated
before); the rules of what is valid, the defaults and the descriptions live there.

Every image slot has one of these policies:

* inherit: the key is absent from hubs.toml, or the word ``"inherit"``; the layer below
  decides (and the compiler removes the slot's key from the values file),
* pinned: an :class:`~hubs.policy.imageref.ImageRef` (``"name:tag"``, ``"name:tag@sha256:..."``
  or ``"name@sha256:..."`` in hubs.toml),
* follow-latest: :class:`Follow`, resolved by ``hubs update`` into ``hubs.lock``,
* promote: :class:`Promote`, resolved by ``hubs update`` from another hub's history,
* broken: :class:`Broken`, a tree value that is no image reference, kept as written.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Union

from hubs.policy.address import dotted
from hubs.policy.imageref import ImageRef

if TYPE_CHECKING:
    from hubs.policy.tagorder import Order

INHERIT = "inherit"


@dataclass(frozen=True, slots=True)
class Follow:
    """Follow the newest tag of a repository that matches ``match``, ordered by ``order``."""

    follow: ImageRef
    match: str
    order: Order
    range: str | None
    digest: bool
    allow_downgrade: bool
    hold: bool
    hold_until: date | None

    def held(self, today: date) -> bool:
        """Whether `hubs update` must leave this slot on its locked tag."""
        return self.hold or (self.hold_until is not None and today <= self.hold_until)

    def fingerprint(self) -> str:
        """Changes whenever what is followed does (holding it does not); the lock records
        it to detect stale entries."""
        return _fingerprint(self)


@dataclass(frozen=True, slots=True)
class Promote:
    """Take the image another hub has run for at least ``after``."""

    promote: str
    after: str
    hold: bool
    hold_until: date | None

    def held(self, today: date) -> bool:
        """Whether `hubs update` must leave this slot on its locked image."""
        return self.hold or (self.hold_until is not None and today <= self.hold_until)

    def fingerprint(self) -> str:
        """Changes whenever the source or the wait does (holding it does not)."""
        return _fingerprint(self)

    @property
    def seconds(self) -> int:
        return duration_seconds(self.after)


_NOT_FOLLOWED = frozenset({"hold", "hold_until"})


def _fingerprint(policy: Follow | Promote) -> str:
    data = json.dumps(dumped(policy, exclude=_NOT_FOLLOWED), sort_keys=True).encode()
    return "sha256:" + hashlib.sha256(data).hexdigest()[:16]


DURATION = re.compile(r"^(?P<count>[1-9][0-9]{0,5})(?P<unit>[mhdw])$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def duration_seconds(text: str) -> int:
    """Seconds in a duration written as ``7d``, ``12h``, ``30m`` or ``2w``."""
    found = DURATION.match(text)
    assert found is not None, text
    return int(found["count"]) * _UNIT_SECONDS[found["unit"]]


@dataclass(frozen=True, slots=True)
class Broken:
    """An image string the tree holds that is not a valid reference, stated exactly as
    written: compile never rewrites it, and ``hubs check`` reports it until it is pinned."""

    broken: str


# "inherit" (the only string), a pinned image, or a table's policy
Policy = Union[str, ImageRef, Follow, Broken, Promote]  # noqa: UP007 (a runtime alias)


@dataclass(frozen=True, slots=True)
class Profile:
    """Images of one profile of a profileList, addressed by slug (else display name)."""

    image: Policy | None = None
    choices: dict[str, Policy] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scope:
    """The images one values file sets: a hub's own file, or a file shared by hubs."""

    image: Policy | None = None  # (an empty scope states nothing)
    profiles: dict[str, Profile] = field(default_factory=dict)

    def policies(self, head: tuple[str, ...]) -> list[tuple[tuple[str, ...], object]]:
        """(key path, policy) of every policy stated here."""
        out: list[tuple[tuple[str, ...], object]] = []
        if self.image is not None:
            out.append(((*head, "image"), self.image))
        for name, profile in self.profiles.items():
            if profile.image is not None:
                out.append(((*head, "profiles", name, "image"), profile.image))
            out += [
                ((*head, "profiles", name, "choices", key), policy)
                for key, policy in profile.choices.items()
            ]
        return out


DEFAULT_PLATFORMS = ("linux/amd64",)


@dataclass(frozen=True, slots=True)
class Cluster:
    files: dict[str, Scope] = field(default_factory=dict)  # (a cluster hubs.toml leaves out)
    hubs: dict[str, Scope] = field(default_factory=dict)
    platforms: list[str] = field(default_factory=lambda: list(DEFAULT_PLATFORMS))


@dataclass(frozen=True, slots=True)
class Defaults:
    image: Policy


@dataclass(frozen=True, slots=True)
class Registries:
    insecure: list[str]
    mirrors: dict[str, str]


@dataclass(frozen=True, slots=True)
class Packages:
    notable: list[str]


@dataclass(frozen=True, slots=True)
class Lint:
    off: list[str]
    strict: bool
    ignore: dict[str, list[str]]


# true: everywhere; a list: only under these scopes or addresses (as in [lint.ignore])
Where = bool | list[str]


@dataclass(frozen=True, slots=True)
class Sync:
    prepuller: Where
    labels: Where


@dataclass(frozen=True, slots=True)
class Config:
    """The whole of hubs.toml."""

    tree: str
    defaults: Defaults | None
    registries: Registries
    clusters: dict[str, Cluster]
    lint: Lint
    sync: Sync
    packages: Packages

    def policies(self) -> list[tuple[tuple[str, ...], object]]:
        """(key path, policy) of every policy stated on a cluster's files and hubs."""
        found = []
        for cname, cluster in self.clusters.items():
            for kind, scopes in (("files", cluster.files), ("hubs", cluster.hubs)):
                for sname, scope in scopes.items():
                    found += scope.policies(("clusters", cname, kind, sname))
        return found

    def follows(self) -> list[str]:
        """The hubs.toml key paths of every follow-latest or promote policy."""
        return [
            dotted(keys) for keys, policy in self.policies() if isinstance(policy, Follow | Promote)
        ]


@dataclass(frozen=True, slots=True, kw_only=True)
class LockEntry:
    """What one follow-latest or promote slot resolved to (fields in hubs.lock's order)."""

    image: ImageRef  # the repository, without tag or digest
    tag: str
    digest: str | None = None
    resolved: str  # when (UTC, ISO 8601)
    policy: str  # the fingerprint of the policy that resolved it
    source: str | None = None  # a promote slot: the hub (CLUSTER/HUB) it was promoted from
    since: str | None = None  # a promote slot: when the source's image landed (UTC)

    def reference(self, with_digest: bool) -> ImageRef:
        digest = self.digest if with_digest else None
        return ImageRef(self.image.host, self.image.path, self.tag, digest)


@dataclass(frozen=True, slots=True)
class Lock:
    """The whole of hubs.lock (empty when there is none)."""

    version: int = 1
    slots: dict[str, LockEntry] = field(default_factory=dict)


def dumped(
    value: Follow | Promote | LockEntry,
    exclude: frozenset[str] = frozenset(),
    drop_none: bool = False,
) -> dict[str, object]:
    """A policy's or lock entry's fields as plain data, in their order, as hubs.toml and
    hubs.lock write them (an image reference as its text, a day as ``YYYY-MM-DD``); without
    the fields in ``exclude``, and without those that are None if ``drop_none``."""
    out: dict[str, object] = {}
    for each in fields(value):
        item = getattr(value, each.name)
        if each.name not in exclude and not (drop_none and item is None):
            out[each.name] = str(item) if isinstance(item, ImageRef | date) else item
    return out
