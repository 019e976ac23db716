"""Pure parts of hubs.registry: no server needed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from hubs.registry import (
    CredentialStore,
    ImageConfig,
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


def test_env_prefix() -> None:
    assert env_prefix("ghcr.io") == "HUBS_REGISTRY_GHCR_IO"
    assert env_prefix("127.0.0.1:5000") == "HUBS_REGISTRY_127_0_0_1_5000"
    assert env_prefix("docker.io") == "HUBS_REGISTRY_DOCKER_IO"
    assert env_prefix("my-reg.example.com") == "HUBS_REGISTRY_MY_REG_EXAMPLE_COM"


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
    env = {"HUBS_REGISTRY_DOCKER_IO_USERNAME": "e", "HUBS_REGISTRY_DOCKER_IO_PASSWORD": "q"}
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
