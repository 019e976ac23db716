"""resolve_all against a real registry (behind a counting proxy): dedup, pushed order,
digests, all-or-nothing failures and progress."""

from __future__ import annotations

from typing import Any

import pytest
from registry_fakes import MakeClient, MakeProxy, Pusher

from hubs.follow.resolve import FollowRequest, Resolution, ResolveError, resolve_all
from hubs.policy.imageref import BadReference, parse
from hubs.policy.tagorder import Order

pytestmark = pytest.mark.needs_registry

SEMVER = r"\d+\.\d+\.\d+"
SHA = r"[0-9a-f]{7}"


def follow(key: str, image: str, *, match: str = SEMVER, order: Order = "semver",
           **kwargs: Any) -> FollowRequest:  # fmt: skip
    return FollowRequest(key=key, image=image, match=match, order=order, **kwargs)


def test_fifty_slots_on_five_repositories_list_five_times(
    pusher: Pusher, paging_proxy: MakeProxy, make_client: MakeClient
) -> None:
    repos = [f"dedup/repo{i}" for i in range(5)]
    for repo in repos:
        for tag in ("1.0.0", "1.2.0", "2.0.0"):
            pusher.image(repo, tag)
    proxy = paging_proxy(100)
    requests = []
    for n in range(50):
        repo = repos[n % 5]
        image = f"{proxy.host}/{repo}"
        requests.append(follow(f"hub{n}/slot", image, range="<2" if n % 3 == 0 else None))
    client = make_client()
    result = resolve_all(requests, client, workers=4)
    assert client.requests == 5
    assert sorted(proxy.hits.items()) == [(f"GET /v2/{repo}/tags/list", 1) for repo in repos]
    assert list(result) == [r.key for r in requests]
    for n, request in enumerate(requests):
        expected = "1.2.0" if n % 3 == 0 else "2.0.0"
        assert result[request.key].tag == expected
        assert result[request.key].digest is None
    first = result["hub0/slot"]
    assert first == Resolution(
        key="hub0/slot",
        image=f"{proxy.host}/dedup/repo0",
        tag="1.2.0",
        digest=None,
        candidates=2,
        skipped=(("2.0.0", "outside range <2"),),
        reason=rf"newest of 2 semver tags matching {SEMVER} in range <2",
    )


def test_pushed_order_fetches_configs_once_per_digest_and_digests_on_request(
    pusher: Pusher, paging_proxy: MakeProxy, make_client: MakeClient
) -> None:
    repo = "resolve/commits"
    old = pusher.image(repo, "aaaaaaa", created="2025-01-01T00:00:00Z")
    newest = pusher.index(repo, "bbbbbbb", {"amd64": ("2025-03-01T00:00:00Z", None),
                                             "arm64": ("2020-01-01T00:00:00Z", None)})  # fmt: skip
    middle = pusher.image(repo, "ccccccc", created="2025-02-01T00:00:00Z")
    assert pusher.retag(repo, "aaaaaaa", "ddddddd") == old  # same image under two tags
    no_time = pusher.image(repo, "eeeeeee", created=None)  # no created: skipped, not fatal
    pusher.image(repo, "latest", created="2030-01-01T00:00:00Z")  # does not match
    proxy = paging_proxy(100)
    image = f"{proxy.host}/{repo}"
    requests = [
        follow("a", image, match=SHA, order="pushed", digest=True),
        follow("b", image, match=SHA, order="pushed"),
        follow("c", image, match="latest", order="alphabetical"),
    ]
    result = resolve_all(requests, make_client(), workers=3)
    assert result["a"] == Resolution(
        key="a",
        image=image,
        tag="bbbbbbb",
        digest=newest.digest,
        candidates=4,
        skipped=(("eeeeeee", "no pushed time (image config has no created)"),),
        reason=f"newest pushed of 4 tags matching {SHA} (image config created)",
    )
    assert result["b"].tag == "bbbbbbb"
    assert result["b"].digest is None
    assert result["c"].tag == "latest"
    assert proxy.hits[f"GET /v2/{repo}/tags/list"] == 1
    # one HEAD per candidate tag, shared by both pushed requests; none for "latest"
    heads = {k: v for k, v in proxy.hits.items() if k.startswith("HEAD")}
    tags = ("aaaaaaa", "bbbbbbb", "ccccccc", "ddddddd", "eeeeeee")
    assert heads == {f"HEAD /v2/{repo}/manifests/{t}": 1 for t in tags}
    # manifests GET by digest once each (aaaaaaa and ddddddd share one), then config blobs
    gets = {k: v for k, v in proxy.hits.items() if k.startswith("GET") and "/manifests/" in k}
    digests = {old, newest.digest, newest.children["amd64"], middle, no_time}
    assert gets == {f"GET /v2/{repo}/manifests/{d}": 1 for d in digests}
    blobs = [v for k, v in proxy.hits.items() if "/blobs/" in k]
    assert blobs == [1, 1, 1, 1]


def test_failures_are_all_listed_and_nothing_is_returned(
    pusher: Pusher, paging_proxy: MakeProxy, make_client: MakeClient
) -> None:
    pusher.image("resolve/good", "1.0.0")
    proxy = paging_proxy(100)
    host = proxy.host
    requests = [
        follow("ok", f"{host}/resolve/good"),
        follow("missing", f"{host}/resolve/absent"),
        follow("nomatch", f"{host}/resolve/good", match=r"v\d+"),
        follow("badref", "Not A Ref"),
        follow("tagged", f"{host}/resolve/good:1.0.0"),
        follow("badregex", f"{host}/resolve/good", match="("),
    ]
    progress: list[tuple[int, int]] = []
    with pytest.raises(ResolveError) as info:
        resolve_all(requests, make_client(), progress=lambda d, t: progress.append((d, t)))
    with pytest.raises(BadReference) as bad:
        parse("Not A Ref")
    failures = info.value.failures
    assert failures == {
        "badref": str(bad.value),
        "badregex": f"{host}/resolve/good: invalid policy: invalid match regex '(': "
        "missing ) at position 1",
        "missing": f"{host}/resolve/absent: tag listing: not found "
        "(HTTP 404 NAME_UNKNOWN: repository name not known to registry)",
        "nomatch": rf"{host}/resolve/good: no tag: none of 1 tags matches v\d+",
        "tagged": f"image '{host}/resolve/good:1.0.0' must name a repository without tag",
    }
    assert str(info.value).splitlines()[0] == "5 image policies failed:"
    assert str(info.value).splitlines()[1:] == [f"{k}: {v}" for k, v in sorted(failures.items())]
    assert progress == [(n, 6) for n in range(1, 7)]


def test_locked_tag_is_kept_with_its_digest(
    pusher: Pusher, paging_proxy: MakeProxy, make_client: MakeClient
) -> None:
    pusher.image("resolve/locked", "1.0.0")
    current = pusher.image("resolve/locked", "1.5.0")
    proxy = paging_proxy(100)
    image = f"{proxy.host}/resolve/locked"
    requests = [follow("keep", image, range="<1.5", current="1.5.0", digest=True)]
    result = resolve_all(requests, make_client())
    assert (result["keep"].tag, result["keep"].digest) == ("1.5.0", current)
    assert result["keep"].reason == "locked tag is newest"
    requests = [follow("down", image, range="<1.5", current="1.5.0", allow_downgrade=True)]
    assert resolve_all(requests, make_client())["down"].tag == "1.0.0"


def test_locked_tag_deleted_upstream_with_digest_fails_loudly(
    pusher: Pusher, paging_proxy: MakeProxy, make_client: MakeClient
) -> None:
    pusher.image("resolve/deleted", "1.0.0")
    pusher.delete("resolve/deleted", pusher.image("resolve/deleted", "1.5.0"))
    proxy = paging_proxy(100)
    image = f"{proxy.host}/resolve/deleted"
    with pytest.raises(ResolveError) as info:
        resolve_all([follow("k", image, current="1.5.0", digest=True)], make_client())
    assert info.value.failures == {
        "k": f"{image}: manifest 1.5.0: not found (HTTP 404)",
    }
    # without a digest the locked tag is simply kept
    kept = resolve_all([follow("k", image, current="1.5.0")], make_client())["k"]
    assert (kept.tag, kept.reason) == ("1.5.0", "locked tag is newest")


def test_progress_reports_every_request(
    pusher: Pusher, paging_proxy: MakeProxy, make_client: MakeClient
) -> None:
    pusher.image("resolve/progress", "3.0.0")
    proxy = paging_proxy(100)
    requests = [
        follow(f"k{i}", f"{proxy.host}/resolve/progress", digest=i % 2 == 0) for i in range(7)
    ]
    seen: list[tuple[int, int]] = []
    result = resolve_all(requests, make_client(), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(n, 7) for n in range(1, 8)]
    assert {r.tag for r in result.values()} == {"3.0.0"}
    assert [r.digest is not None for r in result.values()] == [i % 2 == 0 for i in range(7)]
    assert proxy.hits["HEAD /v2/resolve/progress/manifests/3.0.0"] == 1
