"""Fixtures for the registry tests; the doubles themselves live in registry_fakes.

All registries of a session share one storage directory, so an image pushed (anonymously)
through ``registry`` is served by the Basic, token and TLS registries too.  Each test uses
its own repository names.  Modules that need docker-registry carry
``pytestmark = pytest.mark.needs_registry`` and are skipped, with the reason, without it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from registry_fakes import (
    HAVE_REGISTRY,
    PASSWORD,
    SKIP_REASON,
    USER,
    FakeServer,
    MakeClient,
    MakeProxy,
    MakeServer,
    PagingProxy,
    Pki,
    Pusher,
    Registry,
    TokenServer,
    make_pki,
    run,
    shutdown,
    start_registry,
)

from hubs.registry import RegistryClient


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_registry: needs /usr/bin/docker-registry")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAVE_REGISTRY:
        return
    for item in items:
        if item.get_closest_marker("needs_registry"):
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Keys are slow to make (RSA): one set per session."""
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("storage")


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory, storage: Path) -> Iterator[Registry]:
    """An anonymous registry; pushes go through it."""
    reg = start_registry(tmp_path_factory.mktemp("plain"), storage)
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def basic_registry(tmp_path_factory: pytest.TempPathFactory, storage: Path) -> Iterator[Registry]:
    """The same storage behind htpasswd (bcrypt) Basic auth for alice."""
    if shutil.which("htpasswd") is None:
        pytest.skip("htpasswd not found: install apache2-utils")
    work = tmp_path_factory.mktemp("basic")
    (work / "htpasswd").write_bytes(run("htpasswd", "-Bbn", USER, PASSWORD))
    auth = {"htpasswd": {"realm": "test-realm", "path": str(work / "htpasswd")}}
    reg = start_registry(work, storage, {"auth": auth})
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def tls_registry(
    tmp_path_factory: pytest.TempPathFactory, storage: Path, pki: Pki
) -> Iterator[Registry]:
    tls = {"certificate": str(pki.tls_cert), "key": str(pki.tls_key)}
    reg = start_registry(tmp_path_factory.mktemp("tls"), storage, {"tls": tls})
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def _token_server(pki: Pki) -> Iterator[TokenServer]:
    server = TokenServer(pki)
    yield server
    shutdown(server.httpd)


@pytest.fixture
def token_server(_token_server: TokenServer) -> TokenServer:
    """The session's token server with its log and settings reset for this test."""
    _token_server.reset()
    return _token_server


@pytest.fixture(scope="session")
def token_registry(
    tmp_path_factory: pytest.TempPathFactory, storage: Path, pki: Pki, _token_server: TokenServer
) -> Iterator[Registry]:
    auth = {
        "token": {
            "realm": _token_server.realm,
            "service": "test-registry",
            "issuer": "test-issuer",
            "rootcertbundle": str(pki.token_cert),
        }
    }
    reg = start_registry(tmp_path_factory.mktemp("token"), storage, {"auth": auth})
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def pusher(registry: Registry) -> Iterator[Pusher]:
    push = Pusher(registry.url)
    yield push
    push.http.close()


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[MakeClient]:
    """RegistryClient factory isolated from the host's environment and ~/.docker."""
    made: list[RegistryClient] = []

    def make(**kwargs: Any) -> RegistryClient:
        kwargs.setdefault("env", {})
        kwargs.setdefault("docker_config", tmp_path / "no-docker-config.json")
        kwargs.setdefault("timeout", 5.0)
        client = RegistryClient(**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def fake_server() -> Iterator[MakeServer]:
    """Factory of scripted HTTP servers on 127.0.0.1, closed after the test."""
    servers: list[FakeServer] = []

    def make() -> FakeServer:
        servers.append(FakeServer())
        return servers[-1]

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def paging_proxy(registry: Registry) -> Iterator[MakeProxy]:
    """Factory of paging proxies (page size given) in front of ``registry``."""
    proxies: list[PagingProxy] = []

    def make(page_size: int) -> PagingProxy:
        proxies.append(PagingProxy(registry.url, page_size))
        return proxies[-1]

    yield make
    for proxy in proxies:
        proxy.close()
