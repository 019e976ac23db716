"""Authentication, credentials, TLS and redirects against real registries and fakes."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from registry_fakes import (
    PASSWORD,
    USER,
    FakeClock,
    MakeClient,
    MakeServer,
    Pki,
    Pusher,
    Registry,
    Reply,
    Seen,
    TokenServer,
    sha256,
)

import hubs.registry.auth
import hubs.registry.routing
from hubs.policy.imageref import parse
from hubs.registry import RegistryError, env_prefix

pytestmark = pytest.mark.needs_registry

B64 = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def creds_env(host: str, user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    prefix = env_prefix(host)
    return {f"{prefix}_USERNAME": user, f"{prefix}_PASSWORD": password}


def assert_no_secret(message: str, *secrets: str) -> None:
    for secret in (PASSWORD, B64, *secrets):
        assert secret not in message


# --- Basic ------------------------------------------------------------------------------------


def test_basic_auth_from_environment(
    basic_registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    pusher.image("basic/one", "1.0")
    pusher.image("basic/two", "2.0")
    client = make_client(env=creds_env(basic_registry.host))
    assert client.list_tags(parse(f"{basic_registry.host}/basic/one")) == ["1.0"]
    assert client.requests == 2  # 401 challenge, then with credentials
    assert client.list_tags(parse(f"{basic_registry.host}/basic/two")) == ["2.0"]
    assert client.requests == 3  # the host is known to want Basic: sent up front


@pytest.mark.parametrize(
    "entry",
    [{"auth": B64}, {"username": USER, "password": PASSWORD}],
    ids=["auth-base64", "username-password"],
)
@pytest.mark.parametrize("key_style", ["{host}", "http://{host}/v2/"])
def test_basic_auth_from_docker_config(
    basic_registry: Registry,
    pusher: Pusher,
    make_client: MakeClient,
    tmp_path: Path,
    entry: dict[str, str],
    key_style: str,
) -> None:
    pusher.image("basic/config", "1.0")
    config = tmp_path / "config.json"
    key = key_style.format(host=basic_registry.host)
    config.write_text(json.dumps({"auths": {"other.example": {"auth": "eDp5"}, key: entry}}))
    client = make_client(docker_config=config)
    assert client.list_tags(parse(f"{basic_registry.host}/basic/config")) == ["1.0"]


def test_docker_config_found_through_DOCKER_CONFIG(
    basic_registry: Registry, pusher: Pusher, make_client: MakeClient, tmp_path: Path
) -> None:
    pusher.image("basic/dockerconfig", "1.0")
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {basic_registry.host: {"auth": B64}}})
    )
    client = make_client(docker_config=None, env={"DOCKER_CONFIG": str(tmp_path)})
    assert client.list_tags(parse(f"{basic_registry.host}/basic/dockerconfig")) == ["1.0"]


def test_environment_wins_over_docker_config(
    basic_registry: Registry, pusher: Pusher, make_client: MakeClient, tmp_path: Path
) -> None:
    pusher.image("basic/precedence", "1.0")
    wrong = base64.b64encode(f"{USER}:wrong".encode()).decode()
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {basic_registry.host: {"auth": wrong}}})
    )
    client = make_client(docker_config=tmp_path / "config.json", env=creds_env(basic_registry.host))
    assert client.list_tags(parse(f"{basic_registry.host}/basic/precedence")) == ["1.0"]


def test_basic_without_credentials_says_how_to_provide_them(
    basic_registry: Registry, make_client: MakeClient
) -> None:
    with pytest.raises(RegistryError) as info:
        make_client().list_tags(parse(f"{basic_registry.host}/basic/none"))
    prefix = env_prefix(basic_registry.host)
    assert str(info.value) == (
        f"{basic_registry.host}/basic/none: unauthorized: the repository does not exist or "
        f"needs credentials (none found; set {prefix}_USERNAME/_PASSWORD or use docker login)"
    )


def test_wrong_basic_password_is_reported_without_the_secret(
    basic_registry: Registry, make_client: MakeClient
) -> None:
    secret = "Wr0ng-but-secret"
    client = make_client(env=creds_env(basic_registry.host, password=secret))
    with pytest.raises(RegistryError) as info:
        client.list_tags(parse(f"{basic_registry.host}/basic/wrong"))
    message = str(info.value)
    prefix = env_prefix(basic_registry.host)
    assert message == (
        f"{basic_registry.host}/basic/wrong: unauthorized: the credentials from "
        f"{prefix}_USERNAME/_PASSWORD were refused, or the repository does not exist "
        "or is not accessible with them"
    )
    assert_no_secret(message, secret, base64.b64encode(f"{USER}:{secret}".encode()).decode())


def test_half_configured_environment_is_an_error(
    basic_registry: Registry, make_client: MakeClient
) -> None:
    prefix = env_prefix(basic_registry.host)
    client = make_client(env={f"{prefix}_USERNAME": USER})
    with pytest.raises(RegistryError, match=f"set both {prefix}_USERNAME and {prefix}_PASSWORD"):
        client.list_tags(parse(f"{basic_registry.host}/basic/half"))


def test_broken_docker_config_auth_is_reported_without_its_value(
    basic_registry: Registry, make_client: MakeClient, tmp_path: Path
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"auths": {basic_registry.host: {"auth": "%%not-base64%%"}}}))
    with pytest.raises(RegistryError) as info:
        make_client(docker_config=config).list_tags(parse(f"{basic_registry.host}/basic/broken"))
    assert str(info.value) == (
        f"{config} auths['{basic_registry.host}']: 'auth' is not base64 of user:password"
    )


# --- Bearer tokens ------------------------------------------------------------------------------


def test_bearer_anonymous_token_is_fetched_once_and_cached(
    token_registry: Registry, token_server: TokenServer, pusher: Pusher, make_client: MakeClient
) -> None:
    pusher.image("bearer/app", "1.0")
    client = make_client()
    ref = parse(f"{token_registry.host}/bearer/app")
    assert client.list_tags(ref) == ["1.0"]
    assert client.requests == 3  # 401, token, retry
    assert [(r.service, r.scopes, r.user) for r in token_server.requests] == [
        ("test-registry", ("repository:bearer/app:pull",), None)
    ]
    assert client.list_tags(ref) == ["1.0"]
    assert client.digest(ref, "1.0").startswith("sha256:")
    assert client.requests == 5  # the cached token is sent up front
    assert len(token_server.requests) == 1


def test_bearer_token_per_scope_and_access_token_field(
    token_registry: Registry, token_server: TokenServer, pusher: Pusher, make_client: MakeClient
) -> None:
    token_server.style = "access_token"
    pusher.image("bearer/one", "1")
    pusher.image("bearer/two", "2")
    client = make_client()
    assert client.list_tags(parse(f"{token_registry.host}/bearer/one")) == ["1"]
    # the host is known to use tokens: the second repository's token is fetched up front
    assert client.list_tags(parse(f"{token_registry.host}/bearer/two")) == ["2"]
    assert [r.scopes for r in token_server.requests] == [
        ("repository:bearer/one:pull",),
        ("repository:bearer/two:pull",),
    ]
    assert client.requests == 5


def test_bearer_token_is_refreshed_after_expires_in(
    token_registry: Registry,
    token_server: TokenServer,
    pusher: Pusher,
    make_client: MakeClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock(now=1000.0)
    monkeypatch.setattr(hubs.registry.auth, "time", clock)
    token_server.expires_in = 120
    pusher.image("bearer/expiry", "1")
    client = make_client()
    ref = parse(f"{token_registry.host}/bearer/expiry")
    client.list_tags(ref)
    clock.now += 100  # still valid
    client.list_tags(ref)
    assert len(token_server.requests) == 1
    clock.now += 20  # past expires_in
    client.list_tags(ref)
    assert len(token_server.requests) == 2
    assert clock.sleeps == []


def test_bearer_with_credentials_for_a_private_repository(
    token_registry: Registry, token_server: TokenServer, pusher: Pusher, make_client: MakeClient
) -> None:
    pusher.image("private/app", "7")
    ref = parse(f"{token_registry.host}/private/app")
    client = make_client(env=creds_env(token_registry.host))
    assert client.list_tags(ref) == ["7"]
    assert [r.user for r in token_server.requests] == [USER]
    with pytest.raises(RegistryError) as info:
        make_client().list_tags(ref)  # anonymous: a token without access, then 401
    assert "unauthorized: the repository does not exist or needs credentials" in str(info.value)


def test_token_server_refusing_credentials(
    token_registry: Registry, token_server: TokenServer, make_client: MakeClient
) -> None:
    secret = "n0t-the-password"
    client = make_client(env=creds_env(token_registry.host, password=secret))
    with pytest.raises(RegistryError) as info:
        client.list_tags(parse(f"{token_registry.host}/private/refused"))
    message = str(info.value)
    prefix = env_prefix(token_registry.host)
    assert message == (
        f"{token_registry.host}/private/refused: token request to 127.0.0.1: "
        f"HTTP 401 UNAUTHORIZED: bad login (credentials from {prefix}_USERNAME/_PASSWORD refused)"
    )
    assert_no_secret(message, secret)


# --- TLS ----------------------------------------------------------------------------------------


def test_tls_with_ca_file(
    tls_registry: Registry,
    pki: Pki,
    pusher: Pusher,
    make_client: MakeClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 127.0.0.1 means plain HTTP (as docker does); lift that rule to reach the TLS port.
    monkeypatch.setattr(hubs.registry.routing, "is_loopback", lambda host: False)
    pusher.image("tls/app", "1.0")
    ref = parse(f"{tls_registry.host}/tls/app")
    assert make_client(ca_file=str(pki.tls_cert)).list_tags(ref) == ["1.0"]
    with pytest.raises(RegistryError, match="CERTIFICATE_VERIFY_FAILED"):
        make_client().list_tags(ref)
    # plain HTTP to the TLS port is a 400 from the server, reported as such
    with pytest.raises(RegistryError, match="HTTP 400"):
        make_client(insecure=frozenset({tls_registry.host})).list_tags(ref)


# --- redirects and secrets in messages ----------------------------------------------------------


def test_redirect_to_another_origin_drops_authorization(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    registry, cdn = fake_server(), fake_server()
    blob = json.dumps({"created": "2021-02-03T04:05:06Z", "config": {"User": "jovyan"}}).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(blob)},
        "layers": [],
    }
    wanted = "Basic " + B64

    def guarded(reply: Reply) -> Callable[[Seen], Reply]:
        def answer(seen: Seen) -> Reply:
            if seen.headers.get("authorization") != wanted:
                return Reply(401, headers={"WWW-Authenticate": 'Basic realm="fake"'})
            return reply

        return answer

    registry.routes["GET /v2/r/app/manifests/v1"] = guarded(
        Reply(307, headers={"Location": "/v2/r/app/manifests/real"})  # same origin
    )
    registry.routes["GET /v2/r/app/manifests/real"] = guarded(Reply(body=manifest))
    registry.routes[f"GET /v2/r/app/blobs/{sha256(blob)}"] = guarded(
        Reply(307, headers={"Location": f"{cdn.url}/cdn/blob?sig=abc"})
    )
    cdn.routes["GET /cdn/blob"] = Reply(body=blob)
    client = make_client(env=creds_env(registry.host))
    config = client.config(parse(f"{registry.host}/r/app"), "v1")
    assert (config.user, config.created and config.created.year) == ("jovyan", 2021)
    assert [s.path for s in cdn.seen] == ["/cdn/blob?sig=abc"]
    assert "authorization" not in cdn.seen[0].headers
    authorized = [(s.path, s.headers.get("authorization")) for s in registry.seen]
    assert authorized == [
        ("/v2/r/app/manifests/v1", None),
        ("/v2/r/app/manifests/v1", wanted),
        ("/v2/r/app/manifests/real", wanted),  # same-origin redirect keeps it
        (f"/v2/r/app/blobs/{sha256(blob)}", wanted),
    ]


def test_secrets_echoed_by_a_server_are_masked(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()

    def echo(seen: Seen) -> Reply:
        auth = seen.headers.get("authorization")
        if auth is None:
            return Reply(401, headers={"WWW-Authenticate": 'Basic realm="echo"'})
        message = f"denied for {auth} (password {PASSWORD})"
        return Reply(403, {"errors": [{"code": "DENIED", "message": message}]})

    server.routes["GET /v2/echo/app/tags/list"] = echo
    with pytest.raises(RegistryError) as info:
        make_client(env=creds_env(server.host)).list_tags(parse(f"{server.host}/echo/app"))
    message = str(info.value)
    assert message == (
        f"{server.host}/echo/app: tag listing: HTTP 403 DENIED: denied for Basic *** (password ***)"
    )
    assert_no_secret(message)


def test_bearer_token_echoed_by_a_server_is_masked(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    token = "eyJ-very-secret-token"
    challenge = f'Bearer realm="{server.url}/token",service="fake"'

    def guarded(seen: Seen) -> Reply:
        auth = seen.headers.get("authorization")
        if auth is None:
            return Reply(401, headers={"WWW-Authenticate": challenge})
        return Reply(500, {"errors": [{"code": "BOOM", "message": f"saw {auth}"}]})

    server.routes["GET /token"] = Reply(body={"token": token})
    server.routes["GET /v2/tok/app/tags/list"] = guarded
    client = make_client(budget=0)
    start = time.monotonic()
    with pytest.raises(RegistryError) as info:
        client.list_tags(parse(f"{server.host}/tok/app"))
    assert time.monotonic() - start < 2
    assert token not in str(info.value)
    assert "HTTP 500 BOOM: saw Bearer ***" in str(info.value)


def test_unreadable_ca_file_is_a_registry_error(make_client: MakeClient, tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(RegistryError, match=f"^cannot load CA file {bad}: "):
        make_client(ca_file=str(bad))
    with pytest.raises(RegistryError, match=r"^cannot load CA file /nonexistent/ca\.pem: "):
        make_client(ca_file="/nonexistent/ca.pem")
