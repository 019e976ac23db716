"""resolve_all with a stub client (no registry): dedup by canonical name, the worker bound."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from hubs.follow.resolve import FollowRequest, RegistryOps, ResolveError, resolve_all
from hubs.policy.imageref import ImageRef
from hubs.registry import ImageConfig, RegistryClient, RegistryError


class StubClient(RegistryClient):
    """Answers from memory and records calls; tracks the peak of concurrent calls."""

    def __init__(self, tags: dict[str, list[str]], tmp: Path) -> None:
        super().__init__(env={}, docker_config=tmp / "none.json")
        self.tags = tags
        self.listed: list[str] = []
        self.active = 0
        self.peak = 0
        self._stub_lock = threading.Lock()

    def list_tags(self, ref: ImageRef) -> list[str]:
        with self._stub_lock:
            self.listed.append(ref.canonical_name)
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(0.02)
        with self._stub_lock:
            self.active -= 1
        if ref.canonical_name not in self.tags:
            raise RegistryError(f"{ref.canonical_name}: tag listing: not found")
        return self.tags[ref.canonical_name]

    def digest(self, ref: ImageRef, reference: str) -> str:
        return "sha256:" + reference.replace(".", "").ljust(64, "0")

    def config(self, ref: ImageRef, reference: str) -> ImageConfig:
        raise AssertionError("config is only fetched for pushed policies")


def follow(key: str, image: str, digest: bool = False) -> FollowRequest:
    return FollowRequest(key, image, r"\d+\.\d+", "numeric", None, None, False, digest)


def test_spellings_of_one_docker_hub_repository_are_listed_once(tmp_path: Path) -> None:
    client = StubClient({"docker.io/library/python": ["3.11", "3.12"]}, tmp_path)
    spellings = ["python", "docker.io/python", "docker.io/library/python", "index.docker.io/python"]
    requests = [follow(f"k{i}", image) for i, image in enumerate(spellings)]
    result = resolve_all(requests, client)
    assert client.listed == ["docker.io/library/python"]
    assert {r.tag for r in result.values()} == {"3.12"}
    assert [r.image for r in result.values()] == spellings


def test_worker_pool_bounds_concurrency(tmp_path: Path) -> None:
    tags = {f"reg.example/r{i}": ["1.0"] for i in range(8)}
    client = StubClient(tags, tmp_path)
    requests = [follow(f"k{i}", f"reg.example/r{i}", digest=True) for i in range(8)]
    result = resolve_all(requests, client, workers=2)
    assert client.peak == 2
    assert sorted(client.listed) == sorted(tags)
    assert result["k3"].digest == "sha256:10" + "0" * 62


def test_a_failed_listing_fails_every_request_on_that_repository(tmp_path: Path) -> None:
    client = StubClient({"reg.example/ok": ["1.0"]}, tmp_path)
    requests = [follow("a", "reg.example/gone"), follow("b", "reg.example/gone"),
                follow("c", "reg.example/ok")]  # fmt: skip
    with pytest.raises(ResolveError) as info:
        resolve_all(requests, client)
    assert info.value.failures == {
        "a": "reg.example/gone: tag listing: not found",
        "b": "reg.example/gone: tag listing: not found",
    }
    assert str(info.value) == (
        "2 image policies failed:\n"
        "a: reg.example/gone: tag listing: not found\n"
        "b: reg.example/gone: tag listing: not found"
    )
    assert client.listed.count("reg.example/gone") == 1


class PlainOps:
    """Not a RegistryClient: resolve_all needs only the RegistryOps protocol."""

    def list_tags(self, ref: ImageRef) -> list[str]:
        return ["1.0", "2.0", "1.2"]

    def digest(self, ref: ImageRef, reference: str) -> str:
        return "sha256:" + "1" * 64

    def config(self, ref: ImageRef, reference: str) -> ImageConfig:
        raise AssertionError("not a pushed policy")


def test_resolve_takes_any_registry_ops() -> None:
    ops: RegistryOps = PlainOps()
    result = resolve_all([follow("k", "ghcr.io/org/app", digest=True)], ops)
    assert (result["k"].tag, result["k"].digest) == ("2.0", "sha256:" + "1" * 64)
