"""Slot addresses and hubs.toml key paths: one parser, one formatter.

An address is ``SCOPE:SLOT``.  The scope is ``defaults``, ``CLUSTER/HUB`` or
``CLUSTER/FILE.yaml``; the slot is ``image``, ``profiles/NAME/image``,
``profiles/NAME/choices/KEY`` or ``profiles/NAME/unlisted``.  Each address names a key path
in hubs.toml (``clusters.C.files."F".profiles.N.choices.K``), spelled here and nowhere else.
Imports nothing of the package but :mod:`hubs.errors`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from hubs.errors import InputError, shorten, shown

ScopeKind = Literal["defaults", "hub", "file"]
SlotKind = Literal["singleuser", "profile", "choice", "unlisted"]
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(part: str) -> str:
    """One TOML key as a user would write it: bare when it can be, else a basic string."""
    if _BARE.fullmatch(part):
        return part
    return '"' + _ESCAPES.sub(_escape, part) + '"'


_ESCAPES = re.compile(r'[\\"\x00-\x1f\x7f]')
_SHORT = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    return _SHORT.get(char) or f"\\u{ord(char):04x}"


def dotted(keys: Sequence[str]) -> str:
    """A hubs.toml key path: ``clusters.a.files."common.values.yaml".image``."""
    return ".".join(toml_key(str(part)) for part in keys)


def is_file_name(name: str) -> bool:
    return name.endswith((".yaml", ".yml"))


@dataclass(frozen=True, slots=True, order=True)
class Scope:
    """What one hubs.toml table governs: the chart default, a hub, or a shared file."""

    kind: ScopeKind
    cluster: str = ""
    name: str = ""  # hub name, or file name in the cluster folder

    @classmethod
    def defaults(cls) -> Scope:
        return cls("defaults")

    @classmethod
    def hub(cls, cluster: str, name: str) -> Scope:
        return cls("hub", cluster, name)

    @classmethod
    def file(cls, cluster: str, name: str) -> Scope:
        return cls("file", cluster, name)

    @property
    def keys(self) -> tuple[str, ...]:
        if self.kind == "defaults":
            return ("defaults",)
        return ("clusters", self.cluster, "hubs" if self.kind == "hub" else "files", self.name)

    @property
    def key(self) -> str:
        return dotted(self.keys)

    def __str__(self) -> str:
        return "defaults" if self.kind == "defaults" else f"{self.cluster}/{self.name}"


@dataclass(frozen=True, slots=True, order=True)
class Address:
    """One slot of one scope."""

    scope: Scope
    kind: SlotKind = "singleuser"
    profile: str | None = None  # slug, else display name
    choice: str | None = None

    @property
    def slot(self) -> str:
        if self.kind == "singleuser":
            return "image"
        if self.kind == "profile":
            return f"profiles/{self.profile}/image"
        if self.kind == "choice":
            return f"profiles/{self.profile}/choices/{self.choice}"
        return f"profiles/{self.profile}/unlisted"

    @property
    def keys(self) -> tuple[str, ...]:
        """The hubs.toml key path of this slot's policy."""
        if self.kind == "singleuser":
            return (*self.scope.keys, "image")
        if self.kind == "profile":
            return (*self.scope.keys, "profiles", self.profile or "", "image")
        return (*self.scope.keys, "profiles", self.profile or "", "choices", self.choice or "")

    @property
    def key(self) -> str:
        return dotted(self.keys)

    def __str__(self) -> str:
        return f"{self.scope}:{self.slot}"


def address_at(keys: Sequence[str]) -> Address:
    """The address of the policy at the hubs.toml key path ``keys`` (the inverse of
    :attr:`Address.keys`, for a cluster's hub or file)."""
    _, cluster, kind, name, *slot = keys
    scope = Scope.hub(cluster, name) if kind == "hubs" else Scope.file(cluster, name)
    if slot == ["image"]:
        return Address(scope)
    if len(slot) == 3:
        return Address(scope, "profile", slot[1])
    return Address(scope, "choice", slot[1], slot[3])


def covers(where: str, address: str) -> bool:
    """Whether ``where`` (a cluster, a scope, an address, or the start of one) covers
    ``address``: ``a`` covers ``a/h:image``, ``a/f.yaml`` covers
    ``a/f.yaml:profiles/x/image``, and ``a/f.yaml:profiles/x`` covers
    ``a/f.yaml:profiles/x/choices/y``."""
    if address == where:
        return True
    if ":" not in where and "/" not in where and where != "defaults":  # a cluster
        return address.startswith(where + "/")
    return address.startswith(where + "/") if ":" in where else address.startswith(where + ":")


_SHAPE = "a slot address looks like CLUSTER/HUB:image or CLUSTER/FILE:profiles/NAME/choices/KEY"


def parse_scope(text: str) -> Scope:
    if text == "defaults":
        return Scope.defaults()
    cluster, sep, name = text.partition("/")
    if not sep or not cluster or not name or "/" in name:
        raise InputError(f"{shorten(text)}: scope must be defaults, CLUSTER/HUB or CLUSTER/FILE")
    return Scope.file(cluster, name) if is_file_name(name) else Scope.hub(cluster, name)


def parse(text: str) -> Address:
    """The address ``text`` names, or :class:`InputError` saying what an address looks like."""
    head, sep, slot = text.partition(":")
    if not sep or not slot:
        raise InputError(f"{shorten(text)}: {_SHAPE}")
    scope = parse_scope(head)
    if slot == "image":
        return Address(scope)
    rest = slot.removeprefix("profiles/")
    if rest != slot:
        if rest.endswith("/image") and rest[: -len("/image")]:
            return Address(scope, "profile", rest[: -len("/image")])
        name, sep, key = rest.rpartition("/choices/")
        if sep and name and key:
            return Address(scope, "choice", name, key)
    raise InputError(
        f"{shorten(text)}: unknown slot {shown(slot)} "
        "(image, profiles/NAME/image or profiles/NAME/choices/KEY)"
    )
