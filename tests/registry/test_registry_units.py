"""Pure parts of hubs.registry: no server needed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubs.registry import (
    Credentials,
    CredentialStore,
    ImageConfig,
    RegistryError,
    env_prefix,
    is_loopback,
    mirrored,
    page_query,
    parse_challenges,
    parse_config,
    registry_url,
)


def test_registry_url_scheme_rules() -> None:
    assert registry_url("docker.io") == "https://registry-1.docker.io"
    assert registry_url("index.docker.io") == "https://registry-1.docker.io"
    assert registry_url("ghcr.io") == "https://ghcr.io"
    assert registry_url("localhost:5000") == "http://localhost:5000"
    assert registry_url("localhost") == "http://localhost"
    assert registry_url("127.0.0.1:5000") == "http://127.0.0.1:5000"
    assert registry_url("127.3.2.1") == "http://127.3.2.1"
    assert registry_url("[::1]:5000") == "http://[::1]:5000"
    assert registry_url("128.0.0.1") == "https://128.0.0.1"
    assert registry_url("localhost.example.com") == "https://localhost.example.com"
    assert registry_url("reg.lan:5000", frozenset({"reg.lan:5000"})) == "http://reg.lan:5000"
    assert registry_url("reg.lan:5000", frozenset({"reg.lan"})) == "http://reg.lan:5000"
    assert registry_url("reg.lan:5001", frozenset({"reg.lan:5000"})) == "https://reg.lan:5001"
    assert is_loopback("[::1]") and not is_loopback("::1.example")


def test_env_prefix_is_one_to_one() -> None:
    assert env_prefix("ghcr.io") == "HUBS_REGISTRY_GHCR_DOT_IO"
    assert env_prefix("127.0.0.1:5000") == "HUBS_REGISTRY_127_DOT_0_DOT_0_DOT_1_COLON_5000"
    assert env_prefix("docker.io") == "HUBS_REGISTRY_DOCKER_DOT_IO"
    assert env_prefix("my-reg.example.com") == "HUBS_REGISTRY_MY_DASH_REG_DOT_EXAMPLE_DOT_COM"
    assert env_prefix("[::1]:5000") == "HUBS_REGISTRY__X5B__COLON__COLON_1_X5D__COLON_5000"
    hosts = [
        "evil.reg.test", "evil-reg.test", "evil.reg-test", "evil.dash.reg.test", "evil_dash_reg",
        "us-central1-docker.pkg.dev", "us-central1-docker-pkg.dev", "us.central1.docker.pkg.dev",
        "a.b:5000", "a-b:5000", "a.b.5000", "localhost", "localhost:5000",
    ]  # fmt: skip
    assert len({env_prefix(h) for h in hosts}) == len(hosts)
    assert env_prefix("GHCR.io") == env_prefix("ghcr.io")  # one host, as DNS


def test_the_old_shared_variable_is_refused_by_name() -> None:
    env = {"HUBS_REGISTRY_EVIL_REG_TEST_USERNAME": "u", "HUBS_REGISTRY_EVIL_REG_TEST_PASSWORD": "p"}
    store = CredentialStore(None, env)
    for host, new in (
        ("evil.reg.test", "EVIL_DOT_REG_DOT_TEST"),
        ("evil-reg.test", "EVIL_DASH_REG_DOT_TEST"),
    ):
        with pytest.raises(RegistryError) as info:
            store.lookup(host)
        assert str(info.value) == (
            f"{host}: HUBS_REGISTRY_EVIL_REG_TEST_USERNAME is no longer read (it can name "
            f"more than one host); set HUBS_REGISTRY_{new}_USERNAME and "
            f"HUBS_REGISTRY_{new}_PASSWORD"
        )
    assert CredentialStore(None, {"HUBS_REGISTRY_LOCALHOST_USERNAME": "u",
                                  "HUBS_REGISTRY_LOCALHOST_PASSWORD": "p"}).lookup(
        "localhost"
    ) == Credentials("u", "p", "HUBS_REGISTRY_LOCALHOST_USERNAME/_PASSWORD")  # fmt: skip


def test_parse_challenges_quoted_commas_and_several_schemes() -> None:
    header = (
        'Bearer realm="https://auth.example/token?a=1,b=2",service="reg, the \\"best\\"",'
        'scope="repository:lib/app:pull,push", Basic realm="fallback"'
    )
    first, second = parse_challenges(header)
    assert first.scheme == "bearer"
    assert dict(first.params) == {
        "realm": "https://auth.example/token?a=1,b=2",
        "service": 'reg, the "best"',
        "scope": "repository:lib/app:pull,push",
    }
    assert (second.scheme, dict(second.params)) == ("basic", {"realm": "fallback"})
    assert [c.scheme for c in parse_challenges("Basic realm=test")] == ["basic"]
    assert parse_challenges("") == []


def test_parse_config_tolerates_missing_and_odd_fields() -> None:
    assert parse_config({}) == ImageConfig(None, None)
    assert parse_config({"created": "not a date", "config": {"User": 7}}) == ImageConfig(None, None)
    assert parse_config({"created": "2024-01-01T00:00:00", "config": {"User": ""}}) == ImageConfig(
        datetime(2024, 1, 1, tzinfo=UTC), ""
    )


def test_page_query_asks_for_big_pages_only_where_allowed() -> None:
    assert page_query("docker.io") == "?n=10000"
    assert page_query("123456789012.dkr.ecr.eu-west-1.amazonaws.com") == "?n=1000"
    assert page_query("public.ecr.aws") == "?n=1000"
    assert page_query("quay.io") == ""
    assert page_query("ghcr.io") == ""
    assert page_query("127.0.0.1:5000") == ""


def test_docker_hub_credentials_under_any_of_its_config_keys(tmp_path: Path) -> None:
    for key in ("https://index.docker.io/v1/", "docker.io", "registry-1.docker.io"):
        config = tmp_path / f"{len(key)}.json"
        config.write_text(json.dumps({"auths": {key: {"username": "u", "password": "pw-secret"}}}))
        creds = CredentialStore(config, {}).lookup("docker.io")
        assert creds is not None and (creds.username, creds.password) == ("u", "pw-secret")
    env = {"HUBS_REGISTRY_DOCKER_DOT_IO_USERNAME": "e", "HUBS_REGISTRY_DOCKER_DOT_IO_PASSWORD": "q"}
    from_env = CredentialStore(tmp_path / "absent.json", env).lookup("docker.io")
    assert from_env is not None and (from_env.username, from_env.password) == ("e", "q")
    assert CredentialStore(tmp_path / "absent.json", {}).lookup("docker.io") is None
    assert "pw-secret" not in repr(creds)  # the password is kept out of reprs


def test_mirrored_moves_only_the_mirrored_registry() -> None:
    mirrors = {"docker.io": "127.0.0.1:5000", "quay.io": "mirror.lan/quay"}
    assert mirrored("python", mirrors) == "127.0.0.1:5000/library/python"
    assert mirrored("index.docker.io/jupyter/base", mirrors) == "127.0.0.1:5000/jupyter/base"
    assert (
        mirrored("quay.io/jupyter/scipy-notebook", mirrors)
        == "mirror.lan/quay/jupyter/scipy-notebook"
    )
    assert mirrored("ghcr.io/org/app", mirrors) == "ghcr.io/org/app"
