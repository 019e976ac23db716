"""Docker credential helpers and stores (config.json credHelpers/credsStore), with a real
helper program on PATH and the Basic and token registries."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from registry_fakes import (
    IDENTITY_TOKEN,
    PASSWORD,
    USER,
    MakeClient,
    MakeServer,
    Pusher,
    Registry,
    Reply,
    TokenServer,
)

import hubs.registry.helpers
from hubs.policy.imageref import parse
from hubs.registry import RegistryError

pytestmark = pytest.mark.needs_registry

HELPER = """\
import json, sys, time
answers = json.load(open({answers!r}))
server = sys.stdin.read()
open({log!r}, "a").write(sys.argv[1] + " " + server + "\\n")
answer = answers.get(server, "credentials not found in native keychain")
if answer == "hang":
    time.sleep(30)
if isinstance(answer, str):
    print(answer)
    sys.exit(1)
print(json.dumps(answer))
"""


class Helpers:
    """Writes docker-credential-NAME programs into a bin folder and a docker config."""

    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.bin.mkdir()
        self.config = root / "docker" / "config.json"
        self.config.parent.mkdir()
        self.log = root / "helper.log"

    def program(self, name: str, answers: dict[str, object]) -> None:
        data = self.bin.parent / f"{name}.json"
        data.write_text(json.dumps(answers))
        script = self.bin / f"docker-credential-{name}"
        body = HELPER.format(answers=str(data), log=str(self.log))
        script.write_text(f"#!{sys.executable}\n{body}")
        script.chmod(0o755)

    def docker_config(self, **config: object) -> None:
        self.config.write_text(json.dumps(config))

    def env(self) -> dict[str, str]:
        return {"PATH": f"{self.bin}{os.pathsep}/usr/bin:/bin"}

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def helpers(tmp_path: Path) -> Helpers:
    return Helpers(tmp_path)


def test_cred_helper_for_the_registry_on_the_token_registry(
    token_registry: Registry,
    token_server: TokenServer,
    pusher: Pusher,
    make_client: MakeClient,
    helpers: Helpers,
) -> None:
    pusher.image("private/helped", "1")
    host = token_registry.host
    helpers.program("hubstest", {host: {"ServerURL": host, "Username": USER, "Secret": PASSWORD}})
    helpers.docker_config(credHelpers={host: "hubstest"}, auths={host: {}})
    client = make_client(env=helpers.env(), docker_config=helpers.config)
    ref = parse(f"{host}/private/helped")
    assert client.list_tags(ref) == ["1"]
    assert client.list_tags(ref) == ["1"]
    assert [r.user for r in token_server.requests] == [USER]
    assert helpers.calls() == [f"get {host}"]  # asked once, the registry on stdin


def test_creds_store_on_the_basic_registry_and_its_source_when_refused(
    basic_registry: Registry, pusher: Pusher, make_client: MakeClient, helpers: Helpers
) -> None:
    pusher.image("store/app", "2")
    host = basic_registry.host
    helpers.program("store", {host: {"Username": USER, "Secret": PASSWORD}})
    helpers.docker_config(credsStore="store", auths={host: {}})
    ref = parse(f"{host}/store/app")
    assert make_client(env=helpers.env(), docker_config=helpers.config).list_tags(ref) == ["2"]
    helpers.program("store", {host: {"Username": USER, "Secret": "wr0ng-pass"}})
    with pytest.raises(RegistryError) as info:
        make_client(env=helpers.env(), docker_config=helpers.config).list_tags(ref)
    assert str(info.value) == (
        f"{host}/store/app: unauthorized: the credentials from docker-credential-store were "
        "refused, or the repository does not exist or is not accessible with them"
    )


def test_a_store_without_an_entry_falls_back_to_auths(
    basic_registry: Registry, pusher: Pusher, make_client: MakeClient, helpers: Helpers
) -> None:
    pusher.image("store/fallback", "3")
    host = basic_registry.host
    helpers.program("empty", {})
    auth = {"username": USER, "password": PASSWORD}
    helpers.docker_config(credsStore="empty", auths={host: auth})
    client = make_client(env=helpers.env(), docker_config=helpers.config)
    assert client.list_tags(parse(f"{host}/store/fallback")) == ["3"]
    assert helpers.calls() == [f"get {host}"]


def test_an_identity_token_is_exchanged_at_the_token_realm(
    token_registry: Registry,
    token_server: TokenServer,
    pusher: Pusher,
    make_client: MakeClient,
    helpers: Helpers,
) -> None:
    pusher.image("private/idtoken", "4")
    host = token_registry.host
    helpers.program("idt", {host: {"Username": "<token>", "Secret": IDENTITY_TOKEN}})
    helpers.docker_config(credHelpers={host: "idt"})
    client = make_client(env=helpers.env(), docker_config=helpers.config)
    assert client.list_tags(parse(f"{host}/private/idtoken")) == ["4"]
    [request] = token_server.requests
    assert (request.method, request.user, request.service, request.scopes) == (
        "POST",
        USER,
        "test-registry",
        ("repository:private/idtoken:pull",),
    )


def test_a_refused_identity_token_is_never_echoed(
    token_registry: Registry, make_client: MakeClient, helpers: Helpers
) -> None:
    host = token_registry.host
    stale = "idt-stale-token-value"
    helpers.program("idt", {host: {"Username": "<token>", "Secret": stale}})
    helpers.docker_config(credHelpers={host: "idt"})
    with pytest.raises(RegistryError) as info:
        make_client(env=helpers.env(), docker_config=helpers.config).list_tags(
            parse(f"{host}/private/stale")
        )
    assert str(info.value) == (
        f"{host}/private/stale: token request to 127.0.0.1: HTTP 401 UNAUTHORIZED: bad login "
        "(credentials from docker-credential-idt refused)"
    )


@pytest.mark.parametrize(
    ("answers", "program", "why"),
    [
        (None, "absent", "the docker config names credential helper 'absent', but "
         "docker-credential-absent is not on PATH"),
        ({"HOST": "hang"}, "slow", "docker-credential-slow get did not answer within 0.5 s"),
        ({"HOST": "keychain locked"}, "locked", "docker-credential-locked get failed (exit 1)"),
        ({"HOST": {"Username": "u"}}, "odd",
         "docker-credential-odd get answered with no Username and Secret (JSON expected)"),
    ],
)  # fmt: skip
def test_helper_failures_are_one_line_errors(
    fake_server: MakeServer,
    make_client: MakeClient,
    helpers: Helpers,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, object] | None,
    program: str,
    why: str,
) -> None:
    monkeypatch.setattr(hubs.registry.helpers, "HELPER_SECONDS", 0.5)
    server = fake_server()
    server.routes["GET /v2/f/app/tags/list"] = Reply(
        401, headers={"WWW-Authenticate": 'Basic realm="r"'}
    )
    host = server.host
    if answers is not None:
        helpers.program(program, {host if k == "HOST" else k: v for k, v in answers.items()})
    helpers.docker_config(credHelpers={host: program})
    client = make_client(env=helpers.env(), docker_config=helpers.config)
    start = time.monotonic()
    with pytest.raises(RegistryError) as info:
        client.list_tags(parse(f"{host}/f/app"))
    assert time.monotonic() - start < 2.0
    assert str(info.value) == f"{host}: {why}"
