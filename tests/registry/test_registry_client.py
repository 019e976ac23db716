"""RegistryClient against a real docker-registry: listing, paging, digests, configs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from registry_fakes import (
    DOCKER_LIST,
    OCI_INDEX,
    MakeClient,
    MakeProxy,
    MakeServer,
    Pusher,
    Registry,
    Reply,
    sha256,
)

from hubs.policy.imageref import parse
from hubs.registry import (
    ImageConfig,
    Platform,
    RegistryError,
)

pytestmark = pytest.mark.needs_registry


def test_lists_all_tags_anonymously(
    registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    for tag in ("1.0.0", "1.1.0", "2024.01.02", "latest"):
        pusher.image("list/app", tag)
    client = make_client()
    tags = client.list_tags(parse(f"{registry.host}/list/app"))
    assert sorted(tags) == ["1.0.0", "1.1.0", "2024.01.02", "latest"]
    assert client.requests == 1


def test_tags_null_is_an_empty_list(
    registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    digest = pusher.image("empty/app", "gone")
    pusher.delete("empty/app", digest)
    raw = httpx.get(f"{registry.url}/v2/empty/app/tags/list").json()
    assert raw == {"name": "empty/app", "tags": None}  # what 2.8 really sends
    assert make_client().list_tags(parse(f"{registry.host}/empty/app")) == []


def test_unknown_repository_is_a_clear_error(registry: Registry, make_client: MakeClient) -> None:
    with pytest.raises(RegistryError) as info:
        make_client().list_tags(parse(f"{registry.host}/no/such"))
    assert str(info.value) == (
        f"{registry.host}/no/such: tag listing: not found "
        "(HTTP 404 NAME_UNKNOWN: repository name not known to registry)"
    )


def test_follows_relative_link_pages(
    registry: Registry,
    pusher: Pusher,
    paging_proxy: MakeProxy,
    make_client: MakeClient,
) -> None:
    tags = [f"0.{i}.0" for i in range(7)]
    for tag in tags:
        pusher.image("paged/app", tag)
    proxy = paging_proxy(2)
    client = make_client()
    assert client.list_tags(parse(f"{proxy.host}/paged/app")) == tags  # proxy sorts
    assert proxy.hits == {"GET /v2/paged/app/tags/list": 4}
    assert client.requests == 4


def test_more_pages_than_the_bound_is_an_error_not_a_truncated_list(
    registry: Registry,
    pusher: Pusher,
    paging_proxy: MakeProxy,
    make_client: MakeClient,
) -> None:
    for i in range(5):
        pusher.image("manypages/app", f"{i}.0.0")
    proxy = paging_proxy(1)
    ref = parse(f"{proxy.host}/manypages/app")
    with pytest.raises(RegistryError) as info:
        make_client(max_pages=4).list_tags(ref)
    assert str(info.value) == (
        f"{proxy.host}/manypages/app: tag listing has more than 4 pages; refusing a truncated list"
    )
    assert proxy.hits["GET /v2/manypages/app/tags/list"] == 4
    assert len(make_client(max_pages=5).list_tags(ref)) == 5


def test_link_with_opaque_query_is_passed_as_given(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    base = "/v2/quay/app/tags/list"
    server.routes[f"GET {base}"] = Reply(
        body={"name": "quay/app", "tags": ["a"]},
        headers={"Link": f'<{base}?next_page=gAAA%3D%3D&n=50>; rel="next"'},
    )
    server.routes[f"GET {base}?next_page=gAAA%3D%3D&n=50"] = Reply(
        body={"name": "quay/app", "tags": ["b"]}
    )
    assert make_client().list_tags(parse(f"{server.host}/quay/app")) == ["a", "b"]
    assert [s.path for s in server.seen] == [base, f"{base}?next_page=gAAA%3D%3D&n=50"]


def test_digest_of_single_manifest_and_of_index(
    registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    single = pusher.image("digest/app", "single")
    multi = pusher.index("digest/app", "multi", {"amd64": (None, None), "arm64": (None, None)})
    client = make_client()
    ref = parse(f"{registry.host}/digest/app")
    assert client.digest(ref, "single") == single
    assert client.digest(ref, "multi") == multi.digest  # the index, not the amd64 child
    assert multi.digest not in multi.children.values()
    assert client.digest(ref, multi.digest) == multi.digest
    assert client.requests == 3  # one HEAD each


def test_digest_of_docker_manifest_list_is_the_list(
    registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    pushed = pusher.index(
        "digest/docker", "v1", {"amd64": (None, None), "arm64": (None, None)}, docker=True
    )
    # with only the docker manifest type in Accept, 2.8 answers with the amd64 child
    narrow = httpx.head(
        f"{registry.url}/v2/digest/docker/manifests/v1",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
    )
    assert narrow.headers["docker-content-digest"] == pushed.children["amd64"]
    assert make_client().digest(parse(f"{registry.host}/digest/docker"), "v1") == pushed.digest


def test_unknown_tag_digest_is_not_found(
    registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    pusher.image("digest/missing", "there")
    with pytest.raises(
        RegistryError, match=r"/digest/missing: manifest nope: not found \(HTTP 404\)$"
    ):
        make_client().digest(parse(f"{registry.host}/digest/missing"), "nope")


def test_digest_falls_back_to_get_without_header(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}).encode()
    server.routes["HEAD /v2/old/app/manifests/1.0"] = Reply(headers={"Content-Type": OCI_INDEX})
    server.routes["GET /v2/old/app/manifests/1.0"] = Reply(
        body=manifest, headers={"Content-Type": OCI_INDEX}
    )
    client = make_client()
    assert client.digest(parse(f"{server.host}/old/app"), "1.0") == sha256(manifest)
    assert [(s.method, s.path) for s in server.seen] == [
        ("HEAD", "/v2/old/app/manifests/1.0"),
        ("GET", "/v2/old/app/manifests/1.0"),
    ]
    accept = server.seen[0].headers["accept"]
    assert sorted(accept.split(", ")) == sorted(
        [
            "application/vnd.oci.image.manifest.v1+json",
            OCI_INDEX,
            "application/vnd.docker.distribution.manifest.v2+json",
            DOCKER_LIST,
        ]
    )


def test_config_of_single_manifest(
    registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    pusher.image("config/app", "v1", created="2024-03-04T05:06:07.123456789Z", user="1000:100")
    pusher.image("config/app", "docker", created="2023-01-01T00:00:00Z", user="jovyan", docker=True)
    pusher.image("config/app", "bare", created=None, user=None)
    client = make_client()
    ref = parse(f"{registry.host}/config/app")
    amd64 = Platform("linux", "amd64")
    assert client.config(ref, "v1") == ImageConfig(
        datetime(2024, 3, 4, 5, 6, 7, 123456, tzinfo=UTC), "1000:100", platform=amd64
    )
    assert client.config(ref, "docker") == ImageConfig(
        datetime(2023, 1, 1, tzinfo=UTC), "jovyan", platform=amd64
    )
    assert client.config(ref, "bare") == ImageConfig(None, None, platform=amd64)


def test_config_of_index_picks_linux_amd64(
    registry: Registry, pusher: Pusher, make_client: MakeClient
) -> None:
    platforms = {"arm64": ("2025-05-05T00:00:00Z", "arm"), "amd64": ("2025-06-06T00:00:00Z", "amd")}
    pushed = pusher.index("config/multi", "v2", platforms)
    client = make_client()
    ref = parse(f"{registry.host}/config/multi")
    assert client.config(ref, "v2") == ImageConfig(
        datetime(2025, 6, 6, tzinfo=UTC), "amd", platform=Platform("linux", "amd64")
    )
    assert client.config(ref, pushed.digest).user == "amd"
    only_arm = pusher.index("config/multi", "armonly", {"arm64": (None, "arm")})
    assert client.config(ref, only_arm.digest).user == "arm"


def test_config_rejects_content_that_does_not_match_its_digest(
    fake_server: MakeServer, make_client: MakeClient
) -> None:
    server = fake_server()
    blob = b'{"created": "2020-01-01T00:00:00Z"}'
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": sha256(b"other"),
        },
        "layers": [],
    }
    server.routes["GET /v2/bad/app/manifests/v1"] = Reply(body=manifest)
    server.routes[f"GET /v2/bad/app/blobs/{sha256(b'other')}"] = Reply(body=blob)
    with pytest.raises(
        RegistryError, match=f"config blob {sha256(b'other')}: content does not match"
    ):
        make_client().config(parse(f"{server.host}/bad/app"), "v1")


def test_config_rejects_helm_charts(fake_server: MakeServer, make_client: MakeClient) -> None:
    server = fake_server()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.cncf.helm.config.v1+json",
            "digest": sha256(b"{}"),
        },
        "layers": [],
    }
    server.routes["GET /v2/charts/app/manifests/1.0.0"] = Reply(body=manifest)
    with pytest.raises(RegistryError, match=r"1\.0\.0 is a Helm chart, not a container image$"):
        make_client().config(parse(f"{server.host}/charts/app"), "1.0.0")
