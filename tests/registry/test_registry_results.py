"""Typed results against a real docker-registry: manifests, indexes, configs, HEAD, blobs."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest
from registry_fakes import (
    OCI_CONFIG,
    OCI_INDEX,
    OCI_LAYER,
    OCI_MANIFEST,
    MakeClient,
    MakeServer,
    Pusher,
    Registry,
    Reply,
    sha256,
)

from hubs.policy.imageref import parse
from hubs.registry import (
    Descriptor,
    ImageConfig,
    Index,
    IndexEntry,
    Manifest,
    ManifestHead,
    Platform,
    RegistryError,
)

pytestmark = pytest.mark.needs_registry


def push_rich_image(pusher: Pusher, repo: str, tag: str, layer: bytes) -> tuple[str, str, str]:
    """An image whose config has every field ImageConfig reads: (manifest, config, layer)."""
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-05-06T07:08:09Z",
        "config": {
            "User": "1000",
            "Entrypoint": ["tini", "-g", "--"],
            "Cmd": ["start-notebook.py"],
            "Env": ["PATH=/opt/conda/bin:/usr/bin", "NB_USER=jovyan"],
            "Labels": {"maintainer": "Jupyter Project", "odd": 7},
        },
        "history": [
            {"created": "2024-05-06T07:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:x in /"},
            {"created": "2024-05-06T07:05:00Z", "empty_layer": True},
            {"created_by": "RUN pip install jupyterhub==4.1.5", "empty_layer": True},
        ],
        "rootfs": {"type": "layers", "diff_ids": [sha256(gzip.decompress(layer))]},
    }
    raw = json.dumps(config).encode()
    config_digest, layer_digest = pusher.blob(repo, raw), pusher.blob(repo, layer)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": len(raw)},
        "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": len(layer)}],
    }
    return pusher.manifest(repo, tag, manifest), config_digest, layer_digest


def test_manifest_is_typed(registry: Registry, pusher: Pusher, make_client: MakeClient) -> None:
    layer = gzip.compress(b"layer bytes", mtime=0)
    digest, config, layer_digest = push_rich_image(pusher, "typed/app", "1.0", layer)
    ref = parse(f"{registry.host}/typed/app")
    manifest = make_client().manifest(ref, "1.0")
    assert isinstance(manifest, Manifest)
    config_size = manifest.config.size
    assert manifest == Manifest(
        digest,
        OCI_MANIFEST,
        Descriptor(config, config_size, OCI_CONFIG),
        (Descriptor(layer_digest, len(layer), OCI_LAYER),),
    )
    assert manifest.config_digest == config
    assert make_client().manifest(parse(f"{registry.host}/typed/app:1.0")) == manifest


def test_image_config_has_every_field(
    registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    push_rich_image(pusher, "typed/config", "2", gzip.compress(b"x", mtime=0))
    client = make_client()
    ref = parse(f"{registry.host}/typed/config")
    config = client.image_config(ref, client.image_manifest(ref, "2"))
    assert config == ImageConfig(
        created=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        user="1000",
        entrypoint=("tini", "-g", "--"),
        cmd=("start-notebook.py",),
        env=("PATH=/opt/conda/bin:/usr/bin", "NB_USER=jovyan"),
        labels={"maintainer": "Jupyter Project"},
        history=("/bin/sh -c #(nop) ADD file:x in /", "RUN pip install jupyterhub==4.1.5"),
        platform=Platform("linux", "amd64"),
    )
    assert client.config(ref, "2") == config


def test_index_lists_platforms_and_skips_attestations(
    registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    repo = "typed/multi"
    amd = pusher.image(repo, None, arch="amd64")
    arm = pusher.image(repo, None, arch="arm64")
    attest = pusher.image(repo, None, arch="unknown")
    entry = {"mediaType": OCI_MANIFEST, "size": 1}
    body = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {**entry, "digest": amd, "platform": {"os": "linux", "architecture": "amd64"}},
            {**entry, "digest": arm,
             "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
            {**entry, "digest": attest, "platform": {"os": "unknown", "architecture": "unknown"}},
            {**entry, "digest": attest, "platform": {"os": "linux", "architecture": "amd64"},
             "annotations": {"vnd.docker.reference.type": "attestation-manifest"}},
        ],
    }  # fmt: skip
    digest = pusher.manifest(repo, "multi", body)
    client = make_client()
    ref = parse(f"{registry.host}/{repo}")
    index = client.manifest(ref, "multi")
    assert index == Index(
        digest,
        OCI_INDEX,
        (
            IndexEntry(Platform("linux", "amd64"), amd, OCI_MANIFEST),
            IndexEntry(Platform("linux", "arm64", "v8"), arm, OCI_MANIFEST),
        ),
    )
    assert [str(p) for p in index.platforms] == ["linux/amd64", "linux/arm64/v8"]
    assert client.image_manifest(ref, "multi").digest == amd
    assert client.image_manifest(ref, "multi", Platform("linux", "arm64")).digest == arm
    # a platform the index lacks: its first image
    assert client.image_manifest(ref, "multi", Platform("linux", "s390x")).digest == amd


def test_head_manifest(registry: Registry, pusher: Pusher, make_client: MakeClient) -> None:
    digest = pusher.image("typed/head", "1")
    client = make_client()
    ref = parse(f"{registry.host}/typed/head")
    assert client.head_manifest(ref, "1") == ManifestHead(True, digest, OCI_MANIFEST, None)
    assert client.head_manifest(parse(f"{registry.host}/typed/head:1")).digest == digest
    assert client.head_manifest(ref, "2") == ManifestHead(False, None, None, None)
    assert client.requests == 3


def test_head_manifest_uses_head_and_reads_the_rate_limit(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    digest = "sha256:" + "a" * 64
    headers = {
        "Docker-Content-Digest": digest,
        "Content-Type": OCI_INDEX,
        "RateLimit-Limit": "100;w=21600",
        "RateLimit-Remaining": "76;w=21600",
    }
    server.routes["HEAD /v2/library/python/manifests/3.12"] = Reply(headers=headers)
    head = make_client().head_manifest(parse(f"{server.host}/library/python:3.12"))
    assert head == ManifestHead(True, digest, OCI_INDEX, 76)
    assert [s.method for s in server.seen] == ["HEAD"]


def test_stream_blob_streams_in_chunks_and_verifies(
    registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    data = bytes(range(256)) * 40  # 10240 bytes
    digest = pusher.blob("typed/blob", data)
    client = make_client()
    pieces = list(client.stream_blob(parse(f"{registry.host}/typed/blob"), digest, chunk=4096))
    assert [len(p) for p in pieces] == [4096, 4096, 2048]
    assert b"".join(pieces) == data


def test_stream_blob_rejects_content_that_does_not_match(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    digest = sha256(b"the real thing")
    server.routes[f"GET /v2/b/app/blobs/{digest}"] = Reply(body=b"something else")
    stream = make_client().stream_blob(parse(f"{server.host}/b/app"), digest)
    assert next(stream) == b"something else"  # data flows before the digest is known
    with pytest.raises(RegistryError) as info:
        next(stream)
    assert str(info.value) == (
        f"{server.host}/b/app: blob {digest}: content does not match digest {digest}"
    )


def test_stream_blob_of_a_missing_blob(fake_server: MakeServer, make_client: MakeClient) -> None:
    server = fake_server()
    digest = sha256(b"absent")
    with pytest.raises(RegistryError) as info:
        list(make_client().stream_blob(parse(f"{server.host}/b/app"), digest))
    assert str(info.value) == (
        f"{server.host}/b/app: blob {digest}: not found (HTTP 404 NOT_FOUND: no route)"
    )
    with pytest.raises(RegistryError, match="blob nope:abc: not a digest this client can verify"):
        list(make_client().stream_blob(parse(f"{server.host}/b/app"), "nope:abc"))
