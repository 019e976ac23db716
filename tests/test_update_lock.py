"""The lock logic of `hubs update`, with resolutions given directly (the registry side is
tested against a real registry in tests/registry/)."""

from __future__ import annotations

from collections.abc import Sequence

from fleetfixture import Fleet
from hubs.follow.resolve import FollowRequest, Resolution
from hubs.follow.update import Resolver, update
from hubs.policy.imageref import parse
from hubs.policy.load import dump_lock, load_config
from hubs.policy.model import Follow, Lock, LockEntry, Promote
from hubs.tree.layering import load_fleet

SMALL = "a/common.values.yaml:profiles/small/image"
BASE = "a/common.values.yaml:image"


def follow(fleet: Fleet) -> None:
    fleet.toml(
        replace=(
            'image = "quay.io/org/small:1.0.0"',
            'image = { follow = "quay.io/org/small", order = "semver" }',
        )
    )
    fleet.toml(
        replace=(
            'image = "quay.io/org/image:abc1234"',
            'image = { follow = "quay.io/org/image", order = "pushed", match = "[0-9a-f]{7}" }',
        )
    )


def resolver(tags: dict[str, str]) -> tuple[Resolver, list[FollowRequest]]:
    seen: list[FollowRequest] = []

    def resolve(requests: Sequence[FollowRequest]) -> dict[str, Resolution]:
        seen.extend(requests)
        return {
            r.key: Resolution(r.key, r.image, tags[r.key], None, 3, (), "newest") for r in requests
        }

    return resolve, seen


def test_unchanged_entries_keep_their_time_and_stale_ones_go(fleet: Fleet) -> None:
    follow(fleet)
    source = load_config(fleet.path("hubs.toml"))
    policy = source.config.clusters["a"].files["common.values.yaml"].profiles["small"].image
    assert isinstance(policy, Follow)
    old = Lock(
        slots={
            SMALL: LockEntry(
                image=parse("quay.io/org/small"),
                tag="1.2.0",
                resolved="2026-01-01T00:00:00Z",
                policy=policy.fingerprint(),
            ),
            "gone/x.yaml:image": LockEntry(
                image=parse("a/b"), tag="1", resolved="2026-01-01T00:00:00Z", policy="sha256:0"
            ),
        }
    )
    resolve, seen = resolver({SMALL: "1.2.0", BASE: "def5678"})
    result = update(source.config, load_fleet(fleet.root), old, [], resolve)
    assert sorted(result.lock.slots) == [BASE, SMALL]
    assert result.lock.slots[SMALL] == old.slots[SMALL]  # same tag: byte for byte
    assert result.lock.slots[BASE].tag == "def5678"
    assert [(r.key, r.current) for r in seen] == [(BASE, None), (SMALL, "1.2.0")]
    assert result.notes == (
        f"{BASE}: (none) -> def5678; 3 candidates; newest",
        f"{SMALL}: 1.2.0 (unchanged); 3 candidates; newest",
    )


def test_named_addresses_leave_the_others_alone(fleet: Fleet) -> None:
    follow(fleet)
    source = load_config(fleet.path("hubs.toml"))
    other = LockEntry(
        image=parse("quay.io/org/image"),
        tag="0000000",
        resolved="2026-01-01T00:00:00Z",
        policy="sha256:old",
    )
    resolve, seen = resolver({SMALL: "2.0.0"})
    result = update(
        source.config, load_fleet(fleet.root), Lock(slots={BASE: other}), [SMALL], resolve
    )
    assert [r.key for r in seen] == [SMALL]
    assert result.lock.slots[BASE] == other
    assert result.lock.slots[SMALL].tag == "2.0.0"
    assert dump_lock(result.lock).startswith(
        "# Written by `hubs update`: what each follow-latest slot resolved to. Do not edit.\n"
        "version = 1\n\n"
        '[slots."a/common.values.yaml:image"]\n'
        'image = "quay.io/org/image"\n'
        'tag = "0000000"\n'
    )


def test_a_changed_policy_does_not_count_as_the_locked_tag(fleet: Fleet) -> None:
    follow(fleet)
    source = load_config(fleet.path("hubs.toml"))
    stale = LockEntry(
        image=parse("quay.io/org/small"),
        tag="9.9.9",
        resolved="2026-01-01T00:00:00Z",
        policy="sha256:other-policy",
    )
    resolve, seen = resolver({SMALL: "1.2.0", BASE: "abc1234"})
    update(source.config, load_fleet(fleet.root), Lock(slots={SMALL: stale}), [], resolve)
    assert {r.key: r.current for r in seen}[SMALL] is None  # no downgrade guard from 9.9.9


def test_update_without_follow_slots_writes_no_lock(fleet: Fleet) -> None:
    before = fleet.snapshot()
    result = fleet.run("update")
    assert (result.code, result.out) == (0, "hubs update: nothing to change (7 slots, 3 hubs)\n")
    assert fleet.snapshot() == before


def test_a_policy_s_fingerprint_is_the_one_locks_already_hold() -> None:
    """hubs.lock records each policy's fingerprint: the values below are what the
    Pydantic models computed before the tool moved to dataclasses inside, so every
    lock written then stays fresh."""
    from hubs.policy import schema

    follow = schema.inside(
        schema.Follow.model_validate(
            {"follow": "quay.io/org/small", "order": "semver", "match": "v(?P<version>.*)"}
            | {"digest": True, "hold": True}
        )
    )
    promote = schema.inside(
        schema.Promote.model_validate(
            {"promote": "a/staging", "after": "7d", "hold_until": "2026-12-31"}
        )
    )
    assert isinstance(follow, Follow) and isinstance(promote, Promote)
    assert follow.fingerprint() == "sha256:bb2beba281124386"
    assert promote.fingerprint() == "sha256:5ad5228cf7823136"
