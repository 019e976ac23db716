"""Faults: retries with backoff and Retry-After within the budget, timeouts, bad JSON, dead
servers.  Waits go through a fake clock except in one test that really sleeps."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from registry_fakes import (
    FakeClock,
    MakeClient,
    MakeServer,
    Pusher,
    Reply,
    free_port,
    start_registry,
)

import hubs.registry.limits
from hubs.policy.imageref import parse
from hubs.registry import RegistryError

pytestmark = pytest.mark.needs_registry

TAGS = "/v2/f/app/tags/list"
OK = Reply(body={"name": "f/app", "tags": ["1.0"]})


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(hubs.registry.limits, "time", fake)
    return fake


def test_500_then_success_is_retried(
    fake_server: MakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = [Reply(500, "oops"), OK]
    client = make_client()
    assert client.list_tags(parse(f"{server.host}/f/app")) == ["1.0"]
    assert client.requests == 2
    assert len(clock.sleeps) == 1
    assert 0.25 <= clock.sleeps[0] <= 0.3


def test_backoff_grows_exponentially(
    fake_server: MakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = [Reply(502), Reply(503), Reply(500), Reply(504), OK]
    assert make_client().list_tags(parse(f"{server.host}/f/app")) == ["1.0"]
    bases = [0.25, 0.5, 1.0, 2.0]
    assert len(clock.sleeps) == 4
    for slept, base in zip(clock.sleeps, bases, strict=True):
        assert base <= slept <= base * 1.2


def test_429_retry_after_is_honoured(
    fake_server: MakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = [Reply(429, headers={"Retry-After": "7"}), OK]
    assert make_client().list_tags(parse(f"{server.host}/f/app")) == ["1.0"]
    assert clock.sleeps == [7.0]


def test_retry_after_as_http_date_in_the_past_means_now(
    fake_server: MakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    server = fake_server()
    past = "Wed, 21 Oct 2015 07:28:00 GMT"
    server.routes[f"GET {TAGS}"] = [Reply(503, headers={"Retry-After": past}), OK]
    assert make_client().list_tags(parse(f"{server.host}/f/app")) == ["1.0"]
    assert clock.sleeps == [0.0]


def test_retries_stop_when_the_budget_is_spent(
    fake_server: MakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    server = fake_server()
    busy = {"errors": [{"code": "TOOMANYREQUESTS", "message": "slow down"}]}
    server.routes[f"GET {TAGS}"] = Reply(429, busy, headers={"Retry-After": "3"})
    client = make_client(budget=10)
    with pytest.raises(RegistryError) as info:
        client.list_tags(parse(f"{server.host}/f/app"))
    assert str(info.value) == (
        f"{server.host}/f/app: GET {TAGS}: HTTP 429 TOOMANYREQUESTS: slow down after 4 "
        "attempt(s); retry budget of 10 s spent"
    )
    assert clock.sleeps == [3.0, 3.0, 3.0]
    assert client.requests == 4


def test_budget_is_shared_by_all_requests_of_a_client(
    fake_server: MakeServer, make_client: MakeClient, clock: FakeClock
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = [Reply(503, headers={"Retry-After": "4"}), OK]
    server.routes["GET /v2/g/app/tags/list"] = Reply(503, headers={"Retry-After": "4"})
    client = make_client(budget=6)
    assert client.list_tags(parse(f"{server.host}/f/app")) == ["1.0"]
    with pytest.raises(RegistryError, match="retry budget of 6 s spent"):
        client.list_tags(parse(f"{server.host}/g/app"))
    assert clock.sleeps == [4.0]


def test_retry_after_really_waits(fake_server: MakeServer, make_client: MakeClient) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = [Reply(429, headers={"Retry-After": "1"}), OK]
    start = time.monotonic()
    assert make_client().list_tags(parse(f"{server.host}/f/app")) == ["1.0"]
    assert 1.0 <= time.monotonic() - start < 3.0


def test_a_hanging_server_times_out(fake_server: MakeServer, make_client: MakeClient) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = Reply(hang=True)
    start = time.monotonic()
    with pytest.raises(RegistryError) as info:
        make_client(timeout=0.3).list_tags(parse(f"{server.host}/f/app"))
    assert time.monotonic() - start < 2.0
    assert str(info.value) == (
        f"{server.host}/f/app: GET http://{server.host}{TAGS}: timed out after 0.3 s"
    )


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"name": "f/app", "tags": [', "malformed JSON from the registry"),
        (b"<html>rate limited</html>", "malformed JSON from the registry"),
        (b'["1.0"]', "malformed response (not a JSON object)"),
        (b'{"tags": "1.0"}', "malformed response ('tags' is not a list of strings)"),
        (b'{"tags": [1, 2]}', "malformed response ('tags' is not a list of strings)"),
    ],
)
def test_malformed_tag_listing(
    fake_server: MakeServer, make_client: MakeClient, body: bytes, why: str
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = Reply(body=body)
    with pytest.raises(RegistryError) as info:
        make_client().list_tags(parse(f"{server.host}/f/app"))
    assert str(info.value) == f"{server.host}/f/app: tag listing: {why}"


def test_malformed_manifest(fake_server: MakeServer, make_client: MakeClient) -> None:
    server = fake_server()
    server.routes["GET /v2/f/app/manifests/1.0"] = Reply(body=b"{oops")
    with pytest.raises(RegistryError) as info:
        make_client().config(parse(f"{server.host}/f/app"), "1.0")
    assert str(info.value) == f"{server.host}/f/app: manifest 1.0: malformed JSON from the registry"


def test_nothing_listening_is_a_registry_error(make_client: MakeClient) -> None:
    host = f"127.0.0.1:{free_port()}"
    with pytest.raises(RegistryError) as info:
        make_client().list_tags(parse(f"{host}/f/app"))
    message = str(info.value)
    assert message.startswith(f"{host}/f/app: GET http://{host}{TAGS}: ")
    assert "Connection refused" in message


def test_registry_that_goes_away(
    tmp_path: Path, pusher: Pusher, storage: Path, make_client: MakeClient
) -> None:
    pusher.image("gone/app", "1.0")
    doomed = start_registry(tmp_path, storage)
    client = make_client()
    ref = parse(f"{doomed.host}/gone/app")
    assert client.list_tags(ref) == ["1.0"]
    doomed.stop()
    with pytest.raises(RegistryError, match="Connection refused"):
        client.list_tags(ref)


def test_redirect_loops_are_cut(fake_server: MakeServer, make_client: MakeClient) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = Reply(302, headers={"Location": TAGS})
    client = make_client()
    with pytest.raises(RegistryError, match=f"GET {TAGS}: more than 5 redirects$"):
        client.list_tags(parse(f"{server.host}/f/app"))
    assert client.requests == 6
