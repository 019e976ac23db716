"""Typed results of registry operations, parsed from manifests and image configs.

Parsers take decoded JSON and raise ``ValueError`` (one line, no secret) for a document
that is not what it claims; the client turns that into a :class:`RegistryError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_RATELIMIT_RE = re.compile(r"\s*(\d+)")


@dataclass(frozen=True)
class Descriptor:
    """A content descriptor: what a manifest says about its config or one layer."""

    digest: str
    size: int | None  # None when the registry left it out
    media_type: str


@dataclass(frozen=True)
class Manifest:
    """A single-platform image manifest."""

    digest: str
    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]

    @property
    def config_digest(self) -> str:
        return self.config.digest


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str | None = None

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


@dataclass(frozen=True)
class IndexEntry:
    platform: Platform
    digest: str
    media_type: str


@dataclass(frozen=True)
class Index:
    """A multi-platform index; attestations and entries without a platform are left out."""

    digest: str
    media_type: str
    manifests: tuple[IndexEntry, ...]

    @property
    def platforms(self) -> tuple[Platform, ...]:
        return tuple(entry.platform for entry in self.manifests)

    def find(self, platform: Platform) -> IndexEntry | None:
        """The entry for ``platform``; a platform without variant matches any variant."""
        for entry in self.manifests:
            got = entry.platform
            if (got.os, got.architecture) == (platform.os, platform.architecture) and (
                platform.variant is None or got.variant == platform.variant
            ):
                return entry
        return None


@dataclass(frozen=True)
class ManifestHead:
    """What a HEAD of a manifest tells (Docker Hub does not count HEADs against pulls)."""

    exists: bool
    digest: str | None
    media_type: str | None
    ratelimit_remaining: int | None


@dataclass(frozen=True)
class ImageConfig:
    """The parts of an image config that policies and checks look at."""

    created: datetime | None
    user: str | None
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    env: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    history: tuple[str, ...] = ()  # the created_by of each history entry that has one
    platform: Platform | None = None  # os/architecture[/variant], when the config says


def _parse_created(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _strings(value: object) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(v for v in value if isinstance(v, str))


def parse_config(body: Mapping[str, Any]) -> ImageConfig:
    """An image config blob; odd or missing fields are None or empty, never an error."""
    inner = body.get("config")
    inner = inner if isinstance(inner, dict) else {}
    user = inner.get("User")
    labels = inner.get("Labels")
    history = body.get("history")
    return ImageConfig(
        created=_parse_created(body.get("created")),
        user=user if isinstance(user, str) else None,
        entrypoint=_strings(inner.get("Entrypoint")),
        cmd=_strings(inner.get("Cmd")),
        env=_strings(inner.get("Env")) or (),
        labels={
            k: v
            for k, v in (labels if isinstance(labels, dict) else {}).items()
            if isinstance(v, str)
        },
        history=tuple(
            h["created_by"]
            for h in (history if isinstance(history, list) else [])
            if isinstance(h, dict) and isinstance(h.get("created_by"), str)
        ),
        platform=_platform(body),
    )


def _platform(body: Mapping[str, Any]) -> Platform | None:
    os_, arch, variant = body.get("os"), body.get("architecture"), body.get("variant")
    if not isinstance(os_, str) or not isinstance(arch, str) or not os_ or not arch:
        return None
    return Platform(os_, arch, variant if isinstance(variant, str) and variant else None)


def _descriptor(value: object, what: str) -> Descriptor:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a descriptor")
    digest, size, media = value.get("digest"), value.get("size"), value.get("mediaType")
    if not isinstance(digest, str):
        raise ValueError(f"{what} has no digest")
    known = isinstance(size, int) and not isinstance(size, bool)
    return Descriptor(digest, size if known else None, media if isinstance(media, str) else "")


def parse_manifest(body: Mapping[str, Any], digest: str, media_type: str) -> Manifest:
    if not isinstance(body.get("config"), dict):
        raise ValueError("has no config (not an image?)")
    layers = body.get("layers", [])
    if not isinstance(layers, list):
        raise ValueError("has a malformed layer list")
    return Manifest(
        digest,
        media_type,
        _descriptor(body["config"], "config"),
        tuple(_descriptor(layer, f"layer {n}") for n, layer in enumerate(layers)),
    )


def is_attestation(entry: Mapping[str, Any]) -> bool:
    platform = entry.get("platform") or {}
    annotations = entry.get("annotations") or {}
    return bool(
        platform.get("os") == "unknown"
        or annotations.get("vnd.docker.reference.type") == "attestation-manifest"
    )


def _entry(value: object) -> IndexEntry | None:
    if not isinstance(value, dict) or not isinstance(value.get("digest"), str):
        return None
    platform = value.get("platform")
    if not isinstance(platform, dict) or is_attestation(value):
        return None
    os_, arch, variant = platform.get("os"), platform.get("architecture"), platform.get("variant")
    if not isinstance(os_, str) or not isinstance(arch, str):
        return None
    media = value.get("mediaType")
    return IndexEntry(
        Platform(os_, arch, variant if isinstance(variant, str) and variant else None),
        value["digest"],
        media if isinstance(media, str) else "",
    )


def parse_index(body: Mapping[str, Any], digest: str, media_type: str) -> Index:
    entries = body.get("manifests")
    if not isinstance(entries, list):
        raise ValueError("has no manifest list")
    found = (_entry(value) for value in entries)
    return Index(digest, media_type, tuple(e for e in found if e is not None))


def parse_ratelimit(value: str | None) -> int | None:
    """``100;w=21600`` (a ``ratelimit-remaining`` header) gives 100."""
    found = _RATELIMIT_RE.match(value or "")
    return int(found[1]) if found else None
