"""Hostile or broken registries: slow drips, endless and huge bodies, JSON bombs, odd tags,
catastrophic regexes, retry-after beyond the budget, short secrets echoed back."""

from __future__ import annotations

import base64
import time

import pytest
from registry_fakes import (
    FakeClock,
    HeaderDrip,
    MakeClient,
    MakeServer,
    Reply,
    drip,
    endless,
)

import hubs.registry.limits
from hubs.follow.resolve import FollowRequest, ResolveError, resolve_all
from hubs.policy.imageref import parse
from hubs.registry import RegistryError

pytestmark = pytest.mark.needs_registry

TAGS = "/v2/f/app/tags/list"


def test_a_slow_drip_ends_at_the_request_deadline(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = Reply(stream=drip(b'{"tags": ["1.0", "2.0"]}', every=0.1))
    start = time.monotonic()
    with pytest.raises(RegistryError) as info:
        make_client(timeout=5, request_deadline=0.5).list_tags(parse(f"{server.host}/f/app"))
    assert time.monotonic() - start < 1.5
    assert str(info.value) == (
        f"{server.host}/f/app: GET http://{server.host}{TAGS}: "
        "no complete answer within the request deadline of 0.5 s"
    )


def test_headers_dripping_end_at_the_request_deadline(make_client: MakeClient) -> None:
    server = HeaderDrip(seconds=3.0)
    host = server.host
    try:
        start = time.monotonic()
        with pytest.raises(RegistryError) as info:
            make_client(timeout=5, request_deadline=0.5).list_tags(parse(f"{host}/f/app"))
        assert time.monotonic() - start < 1.5
    finally:
        server.close()
    assert str(info.value) == (
        f"{host}/f/app: GET http://{host}{TAGS}: "
        "no complete answer within the request deadline of 0.5 s"
    )


def test_the_client_deadline_bounds_all_requests(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = Reply(stream=drip(b'{"tags": ["1.0"]}', every=0.04))
    client = make_client(timeout=5, request_deadline=5, deadline=1.0)
    start = time.monotonic()
    assert client.list_tags(parse(f"{server.host}/f/app")) == ["1.0"]  # about 0.7 s
    with pytest.raises(RegistryError) as info:
        client.list_tags(parse(f"{server.host}/f/app"))
    assert time.monotonic() - start < 2.0
    assert str(info.value) == (
        f"{server.host}/f/app: GET http://{server.host}{TAGS}: "
        "the deadline of 1 s for all registry requests passed"
    )


def test_a_retry_wait_that_would_pass_the_client_deadline_fails_now(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = Reply(503, headers={"Retry-After": "30"})
    start = time.monotonic()
    with pytest.raises(RegistryError) as info:
        make_client(deadline=2.0).list_tags(parse(f"{server.host}/f/app"))
    assert time.monotonic() - start < 1.0
    assert str(info.value) == (
        f"{server.host}/f/app: GET {TAGS}: HTTP 503 after 1 attempt(s); the registry asked to "
        "retry after 30 s, beyond the deadline of 2 s for all registry requests"
    )


@pytest.mark.parametrize(
    ("path", "call", "what", "limit"),
    [
        (TAGS, "list_tags", "tag listing", "4 MiB"),
        ("/v2/f/app/manifests/1.0", "config", "manifest 1.0", "4 MiB"),
    ],
)
def test_a_body_over_its_cap_is_refused(
    fake_server: MakeServer, make_client: MakeClient, path: str, call: str, what: str, limit: str
) -> None:
    server = fake_server()
    mib = int(limit.split()[0])
    server.routes[f"GET {path}"] = Reply(body=b" " * (mib << 20) + b"{}")  # valid JSON, too big
    client = make_client()
    ref = parse(f"{server.host}/f/app")
    with pytest.raises(RegistryError) as info:
        getattr(client, call)(ref, "1.0") if call == "config" else client.list_tags(ref)
    assert str(info.value) == f"{server.host}/f/app: {what}: the answer is larger than {limit}"


def test_an_endless_body_is_cut_at_the_cap(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    digest = "sha256:" + "c" * 64
    server.routes["GET /v2/f/app/manifests/1.0"] = Reply(
        body={"schemaVersion": 2, "config": {"digest": digest, "size": 1}, "layers": []}
    )
    server.routes[f"GET /v2/f/app/blobs/{digest}"] = Reply(stream=endless())
    with pytest.raises(RegistryError) as info:
        make_client().config(parse(f"{server.host}/f/app"), "1.0")
    assert str(info.value) == (
        f"{server.host}/f/app: config blob {digest}: the answer is larger than 4 MiB"
    )
    assert info.value.exit_code == 3


def test_a_json_nesting_bomb_is_malformed_json(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = Reply(body=b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(RegistryError) as info:
        make_client().list_tags(parse(f"{server.host}/f/app"))
    assert str(info.value) == (
        f"{server.host}/f/app: tag listing: malformed JSON from the registry (nested too deeply)"
    )


def test_retry_after_beyond_the_budget_says_so(
    fake_server: MakeServer,
    make_client: MakeClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock()
    monkeypatch.setattr(hubs.registry.limits, "time", clock)
    server = fake_server()
    server.routes[f"GET {TAGS}"] = Reply(429, headers={"Retry-After": "86400"})
    with pytest.raises(RegistryError) as info:
        make_client().list_tags(parse(f"{server.host}/f/app"))
    assert str(info.value) == (
        f"{server.host}/f/app: GET {TAGS}: HTTP 429 after 1 attempt(s); the registry asked to "
        "retry after 86400 s, beyond the retry budget of 120 s"
    )
    assert clock.sleeps == []


@pytest.mark.parametrize("password", ["p", "pw", "p.w"])
def test_a_short_password_echoed_by_the_registry_is_scrubbed(
    fake_server: MakeServer, make_client: MakeClient, password: str
) -> None:
    server = fake_server()
    basic = "Basic " + base64.b64encode(f"alice:{password}".encode()).decode()

    def reply(seen: object) -> Reply:
        if getattr(seen, "headers", {}).get("authorization") != basic:
            return Reply(401, headers={"WWW-Authenticate": 'Basic realm="r"'})
        echo = f"user alice with password {password} may not read f/app: '{password}'"
        return Reply(403, {"errors": [{"code": "DENIED", "message": echo}]})

    server.routes[f"GET {TAGS}"] = reply
    prefix = "HUBS_REGISTRY_127_DOT_0_DOT_0_DOT_1_COLON_" + server.host.split(":")[1]
    env = {f"{prefix}_USERNAME": "alice", f"{prefix}_PASSWORD": password}
    with pytest.raises(RegistryError) as info:
        make_client(env=env).list_tags(parse(f"{server.host}/f/app"))
    assert str(info.value) == (
        f"{server.host}/f/app: tag listing: HTTP 403 DENIED: user alice with password *** "
        "may not read f/app: '***'"
    )


# --- tags and regexes (resolve, against a scripted registry) ------------------------------


def follow(host: str, match: str, order: str = "alphabetical") -> FollowRequest:
    return FollowRequest("c/hub:image", f"{host}/f/app", match, order)  # type: ignore[arg-type]


def test_tags_that_are_not_oci_tags_are_skipped_with_a_note(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    huge = "x" * 3_000_000
    tags = ["1.0", "2.0", "zz: y", "a" * 200, huge]
    server.routes[f"GET {TAGS}"] = Reply(body={"tags": tags})
    result = resolve_all([follow(server.host, ".*")], make_client())["c/hub:image"]
    assert (result.tag, result.candidates) == ("2.0", 2)
    assert [why for _, why in result.skipped] == ["not a valid OCI tag"] * 3
    server.routes[f"GET {TAGS}"] = Reply(body={"tags": ["zz: y", huge]})
    with pytest.raises(ResolveError) as info:
        resolve_all([follow(server.host, ".*")], make_client())
    assert info.value.messages == [
        "1 image policy failed:",
        f"c/hub:image: {server.host}/f/app: no tag: the repository has no tags; 2 listed "
        "tags skipped as not valid OCI tags (such as 'zz: y')",
    ]


def test_the_example_catastrophic_regex_ends(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    server.routes[f"GET {TAGS}"] = Reply(body={"tags": ["a" * 33 + "b", "aaa"]})
    start = time.monotonic()
    result = resolve_all([follow(server.host, "(a+)+$")], make_client())
    assert result["c/hub:image"].tag == "aaa"
    assert time.monotonic() - start < 2.0


def test_a_regex_that_runs_away_is_stopped_and_named(
    fake_server: MakeServer, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hubs.policy.tagorder

    monkeypatch.setattr(hubs.policy.tagorder, "MATCH_SECONDS", 0.2)
    server = fake_server()
    runaway = "a" * 40 + "b"
    server.routes[f"GET {TAGS}"] = Reply(body={"tags": ["aa", runaway]})
    start = time.monotonic()
    with pytest.raises(ResolveError) as info:
        resolve_all([follow(server.host, "(a|aa)+$")], make_client())
    assert time.monotonic() - start < 2.0
    assert info.value.messages == [
        "1 image policy failed:",
        f"c/hub:image: {server.host}/f/app: invalid policy: match timed out on tag "
        f"'{runaway}' (over 0.2 s; simplify the regex)",
    ]


def test_match_is_validated_at_load_by_the_engine_that_runs_it() -> None:
    from pydantic import ValidationError

    from hubs.policy.schema import Follow
    from hubs.policy.tagorder import select

    policy = Follow(follow="quay.io/org/app", match=r"\p{Ll}+", order="alphabetical")
    assert select(["abc", "ABC", "zz"], match=policy.match, order=policy.order).tag == "zz"
    with pytest.raises(ValidationError, match=r"invalid regular expression '\(\?P<v>': "):
        Follow(follow="quay.io/org/app", match="(?P<v>", order="alphabetical")


def test_a_registry_message_with_control_characters_stays_on_one_line(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    message = "denied\nhubs: error: fake\x1b[2J"
    server.routes[f"GET {TAGS}"] = Reply(403, {"errors": [{"code": "DENIED", "message": message}]})
    with pytest.raises(RegistryError) as info:
        make_client().list_tags(parse(f"{server.host}/f/app"))
    assert str(info.value) == (
        f"{server.host}/f/app: tag listing: HTTP 403 DENIED: denied\\nhubs: error: fake\\x1b[2J"
    )


def test_a_token_that_is_not_ascii_is_a_registry_error(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    challenge = f'Bearer realm="{server.url}/token",service="s"'
    server.routes[f"GET {TAGS}"] = Reply(401, headers={"WWW-Authenticate": challenge})
    server.routes["GET /token"] = Reply(body={"token": "t\u00f6ken-\u2603"})
    with pytest.raises(RegistryError) as info:
        make_client().list_tags(parse(f"{server.host}/f/app"))
    assert str(info.value) == (
        f"{server.host}/f/app: token request to 127.0.0.1: "
        "the token is not printable ASCII, so it cannot be sent"
    )
    assert info.value.exit_code == 3
