"""Typed results of registry operations, parsed from manifests and image configs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class ImageConfig:
    created: datetime | None
    user: str | None


def _parse_created(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_config(body: Mapping[str, Any]) -> ImageConfig:
    """``created`` (RFC 3339, optional) and ``config.User`` of an image config blob."""
    inner = body.get("config")
    user = inner.get("User") if isinstance(inner, dict) else None
    return ImageConfig(_parse_created(body.get("created")), user if isinstance(user, str) else None)


def is_attestation(entry: Mapping[str, Any]) -> bool:
    platform = entry.get("platform") or {}
    annotations = entry.get("annotations") or {}
    return bool(
        platform.get("os") == "unknown"
        or annotations.get("vnd.docker.reference.type") == "attestation-manifest"
    )


def pick_child(index: Mapping[str, Any]) -> str | None:
    """The digest of the linux/amd64 manifest of an index, else of its first image."""
    entries = [m for m in index.get("manifests") or [] if isinstance(m, dict)]
    images = [m for m in entries if not is_attestation(m) and isinstance(m.get("digest"), str)]
    for entry in images:
        platform = entry.get("platform") or {}
        if platform.get("os") == "linux" and platform.get("architecture") == "amd64":
            return str(entry["digest"])
    return str(images[0]["digest"]) if images else None
