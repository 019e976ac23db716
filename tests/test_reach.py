"""True reach: a slot reaches the hubs that run its image for some profile and choice."""

from __future__ import annotations

import json

from fleetfixture import Fleet
from reachfleet import reach_fleet

__all__ = ["reach_fleet"]


def test_every_slot_has_its_exact_hubs_and_overridden_in(reach_fleet: Fleet) -> None:
    rows = json.loads(reach_fleet.run("list", "--format", "json").out)
    found = {r["address"]: (r["hubs"], r["overridden_in"]) for r in rows}
    assert found == {
        "defaults:image": (["r/bare"], []),
        "r/common.values.yaml:image": ([], ["r/plain"]),
        "r/common.values.yaml:profiles/set/image": (["r/plain"], []),
        "r/common.values.yaml:profiles/mixed/image": (["r/plain"], []),
        "r/common.values.yaml:profiles/mixed/choices/a": (["r/plain"], []),
        "r/common.values.yaml:profiles/shadow/image": ([], ["r/plain"]),
        "r/common.values.yaml:profiles/shadow/choices/c": (["r/plain"], []),
        "r/own:image": (["r/own"], []),
        "r/own:profiles/custom/choices/x": (["r/own"], []),
        "r/own:profiles/custom/unlisted": (["r/own"], []),
        "r/own:profiles/fallback/choices/y": (["r/own"], []),
        "r/own:profiles/typed/unlisted": (["r/own"], []),
    }


def test_explain_names_the_default_profile_and_choice(reach_fleet: Fleet) -> None:
    lines = reach_fleet.run("explain", "r/plain").out.splitlines()
    assert lines[-2:] == [
        "  default: profile mixed (default: true), choice b (default: true)",
        "  note: every profile and choice sets its own image, so singleuser.image is not used",
    ]
    lines = reach_fleet.run("explain", "r/own").out.splitlines()
    assert lines[-2:] == [
        "  default: profile custom (first), choice x (first)",
        "  note: profiles without an image run singleuser.image",
    ]
    data = json.loads(reach_fleet.run("explain", "r/bare", "--format", "json").out)
    assert "default" not in data and data["profile_list_from"] is None


def test_explain_slot_reach(reach_fleet: Fleet) -> None:
    out = reach_fleet.run("explain", "r/common.values.yaml:image").out
    assert out.splitlines()[-1] == (
        "  reaches no hub: overridden in r/plain (no profile or choice there falls back to it)"
    )
    out = reach_fleet.run("explain", "r/own:profiles/fallback/choices/y").out
    assert out.splitlines()[-1] == "  reaches 1 hub: r/own"


def test_reports_count_the_hubs_that_run_the_image(reach_fleet: Fleet) -> None:
    reach_fleet.toml(replace=('image = "org/common:1"', 'image = "org/common:2"'))
    reach_fleet.toml(replace=('image = "org/own:2"', 'image = "org/own:3"'))
    result = reach_fleet.run("check")
    assert result.code == 1
    drift = "\n".join(result.out.splitlines()[:9])  # the lint findings follow
    assert drift == (
        "hubs check: 2 slots in 2 files out of date; run `hubs compile`; 9 lint findings "
        "(docker-hub, unused-image)\n"
        "  r/common.values.yaml:image\n"
        "    org/common:1 -> org/common:2\n"
        "    config/clusters/r/common.values.yaml:5 · reaches no hub (overridden everywhere)\n"
        "    `hubs compile` writes hubs.toml's org/common:2; `hubs adopt 'r/common.values.yaml:image'` "
        "takes the file's org/common:1 into hubs.toml instead\n"
        "  r/own:image\n"
        "    org/own:2 -> org/own:3\n"
        "    config/clusters/r/own.values.yaml:5 · reaches 1 hub: r/own\n"
        "    `hubs compile` writes hubs.toml's org/own:3; `hubs adopt 'r/own:image'` takes the "
        "file's org/own:2 into hubs.toml instead"
    )


def test_reach_is_of_the_state_compiled(reach_fleet: Fleet) -> None:
    """Choice b gets an image in the same compile: the profile image then runs nowhere."""
    text = reach_fleet.read("hubs.toml")
    reach_fleet.toml(replace=('image = "org/mixed:1"', 'image = "org/mixed:2"'))
    reach_fleet.toml(replace=('a = "org/a:1"', 'a = "org/a:1"\nb = "org/b:1"'))
    result = reach_fleet.run("compile", "--format", "json")
    assert result.code == 0, result.err
    changes = {c["address"]: c["hubs"] for c in json.loads(result.out)["changes"]}
    assert changes == {
        "r/common.values.yaml:profiles/mixed/image": [],
        "r/common.values.yaml:profiles/mixed/choices/b": ["r/plain"],
    }
    assert text != reach_fleet.read("hubs.toml")
