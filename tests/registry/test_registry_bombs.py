"""Hostile answers to `hubs update` and `hubs verify`, each run in its own process with
its peak memory measured (issue 18.8, 18.9): compression bombs, stacked or unasked
codings, endless tag pages.  Every run must end in seconds, exit 3 with one line, and
stay below 256 MiB."""

from __future__ import annotations

import json
import tarfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zstandard
from registry_fakes import FakeServer, MakeServer, Measured, Reply, Seen, run_measured, sha256

pytestmark = pytest.mark.needs_registry

CEILING_MIB = 256
FAILED = "hubs: error: 1 image policy failed:\n"
TAGS = "/v2/f/app/tags/list"
ZERO = bytes(1 << 24)


def zstd_bomb(pieces: int) -> bytes:
    """``pieces`` x 16 MiB of zeros as one zstd frame (2 GiB: 64 KiB)."""
    compressor = zstandard.ZstdCompressor(level=1).compressobj()
    return b"".join([compressor.compress(ZERO) for _ in range(pieces)] + [compressor.flush()])


def gzip_bomb(pieces: int) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    return b"".join([compressor.compress(ZERO) for _ in range(pieces)] + [compressor.flush()])


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    inner = gzip_bomb(32)  # 512 MiB in 2.3 MB
    return {"zstd": zstd_bomb(128), "gzip": inner, "gzip, gzip": zlib.compress(inner, 9, 31)}


def fleet(root: Path, image: str, follow: bool) -> Path:
    folder = root / "config/clusters/c"
    folder.mkdir(parents=True)
    (folder / "cluster.yaml").write_text(
        "name: c\nhubs:\n- name: one\n  helm_chart: basehub\n  helm_chart_values_files:\n"
        "  - one.values.yaml\n"
    )
    name, tag = image.rsplit(":", 1)
    (folder / "one.values.yaml").write_text(
        f"jupyterhub:\n  singleuser:\n    image:\n      name: {name}\n      tag: '{tag}'\n"
    )
    policy = f'{{ follow = "{name}", order = "alphabetical" }}' if follow else f'"{image}"'
    (root / "hubs.toml").write_text(f'tree = "."\n[clusters.c.hubs.one]\nimage = {policy}\n')
    return root


def update(root: Path, server: FakeServer) -> Measured:
    run = run_measured("-C", str(fleet(root, f"{server.host}/f/app:1.0", True)), "update")
    assert run.peak_mib < CEILING_MIB, run
    assert run.seconds < 20, run
    return run


@pytest.mark.parametrize("coding", ["zstd", "gzip, gzip", "br", "deflate"])
def test_update_refuses_a_tag_listing_in_a_coding_it_did_not_ask_for(
    fake_server: MakeServer, tmp_path: Path, bombs: dict[str, bytes], coding: str
) -> None:
    server = fake_server()
    body = bombs.get(coding, b"\x00" * 100)
    server.routes[f"GET {TAGS}"] = Reply(body=body, headers={"Content-Encoding": coding})
    run = update(tmp_path, server)
    assert (run.code, run.out) == (3, "")
    assert run.err == FAILED + (
        f"hubs: error: c/one:image: {server.host}/f/app: GET http://{server.host}{TAGS}: "
        f"Content-Encoding '{coding}' was not asked for (hubs asks for gzip or none)\n"
    )
    assert server.seen[0].headers["accept-encoding"] == "gzip"


def test_update_inflates_gzip_a_piece_at_a_time_and_stops_at_the_cap(
    fake_server: MakeServer, tmp_path: Path, bombs: dict[str, bytes]
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = Reply(body=bombs["gzip"], headers={"Content-Encoding": "gzip"})
    run = update(tmp_path, server)
    assert (run.code, run.out) == (3, "")
    assert run.err == FAILED + (
        f"hubs: error: c/one:image: {server.host}/f/app: tag listing: "
        "the answer is larger than 4 MiB\n"
    )


def test_a_gzip_tag_listing_is_read() -> None:
    from hubs.registry.decoding import Decoder

    text = b'{"tags": ["1.0", "2.0"]}'
    decoder = Decoder("gzip", most=4)
    packed = zlib.compress(text, 9, 31)
    assert b"".join(p for i in range(len(packed)) for p in decoder.feed(packed[i : i + 1])) == text
    decoder.end()


def endless_pages(server: FakeServer, body: bytes) -> None:
    def reply(seen: Seen) -> Reply:
        return Reply(body=body, headers={"Link": f'<{TAGS}?last={len(server.seen)}>; rel="next"'})

    server.routes[f"GET {TAGS}"] = reply


def test_the_tag_listing_is_capped_in_all_not_per_page(
    fake_server: MakeServer, tmp_path: Path
) -> None:
    server = fake_server()
    tag = "v" + "1" * 500
    count = ((4 << 20) - 100) // (len(tag) + 4)  # just under a page's cap
    endless_pages(server, b'{"tags": [' + b",".join([f'"{tag}"'.encode()] * count) + b"]}")
    run = update(tmp_path, server)
    assert (run.code, run.out) == (3, "")
    assert run.err == FAILED + (
        f"hubs: error: c/one:image: {server.host}/f/app: tag listing is larger than 16 MiB "
        "in all; refusing a truncated list\n"
    )
    assert len(server.seen) == 5


def test_the_tag_listing_is_capped_in_tags(fake_server: MakeServer, tmp_path: Path) -> None:
    server = fake_server()
    count = ((4 << 20) - 100) // 5  # two-letter tags: the most strings a page can hold
    endless_pages(server, b'{"tags": [' + b",".join([b'"ab"'] * count) + b"]}")
    run = update(tmp_path, server)
    assert (run.code, run.out) == (3, "")
    assert run.err == FAILED + (
        f"hubs: error: c/one:image: {server.host}/f/app: tag listing has more than 100000 "
        "tags; refusing a truncated list\n"
    )


def test_verify_refuses_a_zstd_manifest(
    fake_server: MakeServer, tmp_path: Path, bombs: dict[str, bytes]
) -> None:
    server = fake_server()
    digest = "sha256:" + "a" * 64
    server.routes["HEAD /v2/f/app/manifests/1.0"] = Reply(headers={"Docker-Content-Digest": digest})
    server.routes["GET /v2/f/app/manifests/1.0"] = Reply(
        body=bombs["zstd"], headers={"Content-Encoding": "zstd"}
    )
    root = fleet(tmp_path, f"{server.host}/f/app:1.0", False)
    run = run_measured("-C", str(root), "verify")
    assert run.peak_mib < CEILING_MIB, run
    assert run.code == 3, run
    assert run.out.splitlines()[-1] == " " * (len(server.host) + 12) + (
        f"platforms  error   {server.host}/f/app: GET "
        f"http://{server.host}/v2/f/app/manifests/1.0: Content-Encoding 'zstd' was not asked "
        "for (hubs asks for gzip or none)"
    )


def tar_bomb(gib: int) -> bytes:
    """A tar whose one file holds ``gib`` GiB of zeros, zstd-compressed (32 KiB a GiB)."""
    info = tarfile.TarInfo("big")
    info.size = gib << 30
    compressor = zstandard.ZstdCompressor(level=1).compressobj()
    parts = [compressor.compress(info.tobuf(tarfile.PAX_FORMAT))]
    parts += [compressor.compress(ZERO) for _ in range(64 * gib)]
    return b"".join([*parts, compressor.flush()])


def test_verify_deep_counts_decompressed_bytes(fake_server: MakeServer, tmp_path: Path) -> None:
    server = fake_server()
    layer = tar_bomb(2)
    config = json.dumps(
        {"architecture": "amd64", "os": "linux",
         "config": {"User": "1000", "Cmd": ["jupyterhub-singleuser"], "Env": ["PATH=/usr/bin"]}}
    ).encode()  # fmt: skip
    described = {"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
                 "digest": sha256(layer), "size": len(layer)}  # fmt: skip
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": sha256(config), "size": len(config)},
        "layers": [described] * 20,
    }  # fmt: skip
    server.routes["HEAD /v2/f/app/manifests/1.0"] = Reply()
    server.routes["GET /v2/f/app/manifests/1.0"] = Reply(
        body=manifest, headers={"Content-Type": str(manifest["mediaType"])}
    )
    server.routes[f"GET /v2/f/app/blobs/{sha256(config)}"] = Reply(body=config)
    server.routes[f"GET /v2/f/app/blobs/{sha256(layer)}"] = Reply(body=layer)
    root = fleet(tmp_path, f"{server.host}/f/app:1.0", False)
    run = run_measured("-C", str(root), "verify", "--deep", "--deep-budget", "64MiB")
    assert run.peak_mib < CEILING_MIB, run
    assert run.seconds < 10, run
    assert run.code == 0, run
    assert run.out.splitlines()[-2] == " " * (len(server.host) + 12) + (
        "singleuser  unverified  no evidence in the image config (read 0 of 20 layers, "
        f"{len(layer)} bytes; stopped: the budget of 67108864 bytes (decompressed) is spent)"
    ), run.out


def test_the_deep_search_of_an_image_ends_at_its_time_limit() -> None:
    from hubs.images import layers

    def dripping() -> Iterator[bytes]:
        yield tarfile.TarInfo("x").tobuf()
        for _ in range(100):
            time.sleep(0.05)
            yield bytes(512)

    found = layers.search(
        [layers.Layer("sha256:" + "0" * 64, None, dripping)],
        [layers.Question(("/usr/bin/jupyterhub-singleuser",))],
        budget=1 << 30,
        seconds=0.5,
    )
    assert (found.answers, found.layers_read) == ((None,), 0)
    assert found.stopped == "the time limit of 0.5 s is spent"
