"""Synthetic images with real layers for the verify tests: tar streams built with tarfile,
compressed with gzip or zstd, pushed with the Pusher; indexes with an attestation entry."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import zstandard
from registry_fakes import OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, Pusher, sha256

Compression = Literal["gzip", "zstd", "none"]
LAYER_TYPES = {
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "none": "application/vnd.oci.image.layer.v1.tar",
}
Entry = bytes | str | None  # a file's bytes, a symlink's target, or a folder


def tar(entries: Mapping[str, Entry]) -> bytes:
    """An uncompressed tar of ``entries`` (member names as given, in order)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, value in entries.items():
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if value is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(info)
            elif isinstance(value, str):
                info.type, info.linkname = tarfile.SYMTYPE, value
                archive.addfile(info)
            else:
                info.size, info.mode = len(value), 0o755
                archive.addfile(info, io.BytesIO(value))
    return out.getvalue()


def compress(raw: bytes, how: Compression) -> bytes:
    if how == "gzip":
        return gzip.compress(raw, mtime=0)
    if how == "zstd":
        return zstandard.ZstdCompressor().compress(raw)
    return raw


@dataclass(frozen=True)
class Built:
    digest: str  # the manifest's
    layers: tuple[str, ...]  # layer digests, bottom first


def push_image(
    pusher: Pusher,
    repo: str,
    tag: str | None,
    layers: Sequence[Mapping[str, Entry]],
    *,
    compression: Compression = "gzip",
    config: Mapping[str, Any] | None = None,
    arch: str = "amd64",
    created: str | None = "2025-01-01T00:00:00Z",
    history: Sequence[str] = (),
) -> Built:
    """Push an image of ``layers`` (bottom first); ``config`` is its config's ``config``,
    ``history`` the ``created_by`` of its history entries."""
    raws = [tar(entries) for entries in layers]
    blobs = [compress(raw, compression) for raw in raws]
    body: dict[str, Any] = {
        "architecture": arch,
        "os": "linux",
        "config": dict(config or {}),
        "rootfs": {"type": "layers", "diff_ids": [sha256(raw) for raw in raws]},
    }
    if created is not None:
        body["created"] = created
    if history:
        body["history"] = [{"created_by": line} for line in history]
    config_raw = json.dumps(body).encode()
    digests = [pusher.blob(repo, blob) for blob in blobs]
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": OCI_CONFIG,
            "digest": pusher.blob(repo, config_raw),
            "size": len(config_raw),
        },
        "layers": [
            {"mediaType": LAYER_TYPES[compression], "digest": d, "size": len(b)}
            for d, b in zip(digests, blobs, strict=True)
        ],
    }
    raw = json.dumps(manifest).encode()
    return Built(pusher.manifest(repo, tag or sha256(raw), manifest), tuple(digests))


def push_index(
    pusher: Pusher, repo: str, tag: str, children: Mapping[str, str], attestation: bool = True
) -> str:
    """An OCI index of arch -> manifest digest, with an attestation entry (pointing at the
    first child, as BuildKit's point at theirs) that is not a platform."""
    entries: list[dict[str, Any]] = []
    for arch, digest in children.items():
        size = len(pusher.http.get(
            f"{pusher.base}/v2/{repo}/manifests/{digest}", headers={"Accept": OCI_MANIFEST}
        ).content)  # fmt: skip
        entries.append(
            {
                "mediaType": OCI_MANIFEST,
                "digest": digest,
                "size": size,
                "platform": {"architecture": arch, "os": "linux"},
            }
        )
    if attestation:
        first = dict(entries[0])
        first["platform"] = {"architecture": "unknown", "os": "unknown"}
        first["annotations"] = {
            "vnd.docker.reference.type": "attestation-manifest",
            "vnd.docker.reference.digest": entries[0]["digest"],
        }
        entries.append(first)
    body = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    return pusher.manifest(repo, tag, body)
