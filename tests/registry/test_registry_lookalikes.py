"""Credentials stay with their host: ``evil.reg.test`` and ``evil-reg.test`` in one fleet
(issue 18.2).  Both names reach scripted servers on loopback through the client's own
network backend; the variables are spelled out, not computed."""

from __future__ import annotations

import base64
import typing
from collections.abc import Iterator
from pathlib import Path

import httpcore
import pytest
from registry_fakes import FakeServer, MakeServer, Reply, Seen

from hubs.cli.main import main
from hubs.registry.netstream import DeadlineBackend

pytestmark = pytest.mark.needs_registry

DOT, DASH = "evil.reg.test", "evil-reg.test"
GOOD = "Basic " + base64.b64encode(b"alice:dot-secret").decode()
ENV = {
    "HUBS_REGISTRY_EVIL_DOT_REG_DOT_TEST_USERNAME": "alice",
    "HUBS_REGISTRY_EVIL_DOT_REG_DOT_TEST_PASSWORD": "dot-secret",
}
DIGEST = "sha256:" + "a" * 64


def basic(ok: Reply) -> typing.Callable[[Seen], Reply]:
    def reply(seen: Seen) -> Reply:
        if seen.headers.get("authorization") == GOOD:
            return ok
        return Reply(401, headers={"WWW-Authenticate": 'Basic realm="r"'})

    return reply


@pytest.fixture
def hosts(
    fake_server: MakeServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, FakeServer]]:
    """A fake server behind each name, both answering Basic challenges."""
    servers = {DOT: fake_server(), DASH: fake_server()}
    for server in servers.values():
        server.routes["GET /v2/f/app/tags/list"] = basic(Reply(body={"tags": ["1.0", "2.0"]}))
        server.routes["HEAD /v2/f/app/manifests/1.0"] = basic(
            Reply(headers={"Docker-Content-Digest": DIGEST})
        )
    real = DeadlineBackend.connect_tcp

    def connect(
        self: DeadlineBackend, host: str, port: int, *args: typing.Any, **kwargs: typing.Any
    ) -> httpcore.NetworkStream:
        target = servers[host].httpd.server_address[1] if host in servers else port
        return real(self, "127.0.0.1" if host in servers else host, target, *args, **kwargs)

    monkeypatch.setattr(DeadlineBackend, "connect_tcp", connect)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    yield servers


def fleet(root: Path, policy: str) -> None:
    folder = root / "config/clusters/c"
    folder.mkdir(parents=True)
    cluster = ["name: c", "hubs:"]
    toml = ['tree = "."', "[registries]", f'insecure = ["{DOT}", "{DASH}"]']
    for hub, host in (("one", DOT), ("two", DASH)):
        cluster += [f"- name: {hub}", "  helm_chart: basehub", "  helm_chart_values_files:",
                    f"  - {hub}.values.yaml"]  # fmt: skip
        (folder / f"{hub}.values.yaml").write_text(
            f"jupyterhub:\n  singleuser:\n    image:\n      name: {host}/f/app\n      tag: '1.0'\n"
        )
        toml += [f"[clusters.c.hubs.{hub}]", "image = " + policy.format(host=host)]
    (folder / "cluster.yaml").write_text("\n".join(cluster) + "\n")
    (root / "hubs.toml").write_text("\n".join(toml) + "\n")


def authorizations(server: FakeServer) -> set[str | None]:
    return {s.headers.get("authorization") for s in server.seen}


def test_update_sends_the_dotted_hosts_credentials_to_it_alone(
    hosts: dict[str, FakeServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet(tmp_path, '{{ follow = "{host}/f/app", order = "semver" }}')
    code = main(["-C", str(tmp_path), "update"])
    out, err = capsys.readouterr()
    assert authorizations(hosts[DOT]) == {None, GOOD}
    assert authorizations(hosts[DASH]) == {None}
    assert code == 3
    assert err.splitlines()[-1] == (
        f"hubs: error: c/two:image: {DASH}/f/app: unauthorized: the repository does not exist or needs "
        "credentials (none found; set HUBS_REGISTRY_EVIL_DASH_REG_DOT_TEST_USERNAME/_PASSWORD "
        "or use docker login)"
    )
    assert "dot-secret" not in out + err


def test_verify_sends_the_dotted_hosts_credentials_to_it_alone(
    hosts: dict[str, FakeServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet(tmp_path, '"{host}/f/app:1.0"')
    code = main(["-C", str(tmp_path), "verify"])
    out, err = capsys.readouterr()
    assert authorizations(hosts[DOT]) == {None, GOOD}
    assert authorizations(hosts[DASH]) == {None}
    assert code == 3, out
    assert (
        f"{DASH}/f/app:1.0  exists     error   {DASH}/f/app: unauthorized: the repository does "
        "not exist or needs credentials (none found; set "
        "HUBS_REGISTRY_EVIL_DASH_REG_DOT_TEST_USERNAME/_PASSWORD or use docker login)"
    ) in out.splitlines(), out
    assert "dot-secret" not in out + err
