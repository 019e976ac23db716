"""Everyday operations: retag every slot of a repository at once, pin a new tag of the same
repository, and hold a follow slot on its locked tag so a rollback survives `hubs update`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fleetfixture import Fleet
from hubs.follow.update import update
from hubs.policy import schema
from hubs.policy.imageref import parse
from hubs.policy.load import load_config
from hubs.policy.model import Follow, Lock, LockEntry
from hubs.policy.schema import inside
from hubs.tree.layering import load_fleet
from test_update_lock import SMALL, resolver

HUBS = 11


def _eleven_hubs(root: Path) -> None:
    """A cluster whose 11 hubs each pin pangeo/ml-notebook in their own file."""
    files = {
        "helm-charts/basehub/values.yaml": "jupyterhub:\n  singleuser:\n    image:\n"
        "      name: quay.io/jupyter/base-notebook\n      tag: '2024'\n"
    }
    hubs, toml = [], ['tree = "."\n\n[defaults]\nimage = "quay.io/jupyter/base-notebook:2024"\n']
    for n in range(HUBS):
        hubs.append(
            f"- name: h{n}\n  helm_chart: basehub\n  helm_chart_values_files:\n  - h{n}.values.yaml\n"
        )
        files[f"config/clusters/c/h{n}.values.yaml"] = (
            "jupyterhub:\n  singleuser:\n    image:\n      name: pangeo/ml-notebook\n"
            "      tag: 2026.01.30\n"
        )
        toml.append(f'\n[clusters.c.hubs.h{n}]\nimage = "pangeo/ml-notebook:2026.01.30"\n')
    files["config/clusters/c/cluster.yaml"] = "name: c\nhubs:\n" + "".join(hubs)
    files["config/clusters/d/cluster.yaml"] = (
        "name: d\nhubs:\n- name: other\n  helm_chart: basehub\n  helm_chart_values_files:\n"
        "  - other.values.yaml\n"
    )
    files["config/clusters/d/other.values.yaml"] = (
        "jupyterhub:\n  singleuser:\n    image:\n      name: pangeo/ml-notebook\n"
        "      tag: 2026.01.30\n"
    )
    toml.append('\n[clusters.d.hubs.other]\nimage = "pangeo/ml-notebook:2026.01.30"\n')
    files["hubs.toml"] = "".join(toml)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


@pytest.mark.parametrize(
    ("narrow", "said"),
    [
        (["--cluster", "cc"], "--cluster cc: no such cluster (did you mean 'c'?)"),
        (["--hub", "c/h99"], "--hub c/h99: no such hub (did you mean 'c/h9'?)"),
        (["--hub", "c/h1", "--cluster", "d"], "--hub c/h1 is not in --cluster d"),
    ],
)
def test_a_narrowing_that_names_nothing_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], narrow: list[str], said: str
) -> None:
    from hubs.cli.main import main

    _eleven_hubs(tmp_path)
    args = ["-C", str(tmp_path), "set", "--image", "pangeo/ml-notebook", "--pin", "2026.02.01"]
    assert main([*args, *narrow]) == 2
    assert capsys.readouterr().err == f"hubs: error: {said}\n"


def test_one_command_bumps_eleven_hub_files_of_one_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hubs.cli.main import main

    _eleven_hubs(tmp_path)
    args = ["-C", str(tmp_path), "set", "--image", "pangeo/ml-notebook", "--pin", "2026.02.01"]
    assert main([*args, "--cluster", "c", "--compile"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"c/h{n}:image: pangeo/ml-notebook:2026.01.30 -> pangeo/ml-notebook:2026.02.01"
        for n in range(HUBS)
    ]
    for n in range(HUBS):
        assert (
            (tmp_path / f"config/clusters/c/h{n}.values.yaml")
            .read_text()
            .endswith("      tag: 2026.02.01\n")
        )
    # the other cluster, outside --cluster, is untouched
    assert (
        (tmp_path / "config/clusters/d/other.values.yaml")
        .read_text()
        .endswith("      tag: 2026.01.30\n")
    )
    assert main(["-C", str(tmp_path), "check"]) == 0


def test_pin_colon_tag_keeps_the_slots_repository(fleet: Fleet) -> None:
    result = fleet.run("set", "a/common.values.yaml:profiles/small/image", "--pin", ":1.0.1")
    assert result.err.splitlines()[0] == (
        "a/common.values.yaml:profiles/small/image: pinned to quay.io/org/small:1.0.1"
    )
    assert 'image = "quay.io/org/small:1.0.1"\n' in fleet.read("hubs.toml")


def _followed(fleet: Fleet) -> tuple[Follow, Lock]:
    fleet.toml(
        replace=(
            'image = "quay.io/org/small:1.0.0"',
            'image = { follow = "quay.io/org/small", match = ".*", order = "semver" }',
        )
    )
    policy = inside(
        schema.Follow.model_validate(
            {"follow": "quay.io/org/small", "match": ".*", "order": "semver"}
        )
    )
    assert isinstance(policy, Follow)
    lock = Lock(
        slots={
            SMALL: LockEntry(
                image=parse("quay.io/org/small"),
                tag="1.0.0",
                resolved="2026-01-01T00:00:00Z",
                policy=policy.fingerprint(),
            )
        }
    )
    return policy, lock


def test_a_held_follow_slot_keeps_its_tag_through_update(fleet: Fleet) -> None:
    policy, lock = _followed(fleet)
    held = fleet.run("set", SMALL, "--hold")
    assert held.err.splitlines() == [
        f'{SMALL}: follows {{follow = "quay.io/org/small", match = ".*", order = "semver", '
        "hold = true}",
        "`hubs update` keeps it at its locked tag; nothing to compile",
    ]
    source = load_config(fleet.path("hubs.toml"))
    resolve, seen = resolver({SMALL: "2.0.0"})
    result = update(source.config, load_fleet(fleet.root), lock, [], resolve)
    assert seen == []  # nothing asked of the registry
    assert result.lock == lock
    assert result.notes == (f"{SMALL}: held at 1.0.0 (not updated)",)
    released = fleet.run("set", SMALL, "--release")
    assert released.code == 0
    assert released.err.splitlines()[1] == (
        f"run `hubs update '{SMALL}'` to move it to the newest tag its policy allows"
    )
    assert 'image = {follow = "quay.io/org/small", match = ".*", order = "semver"}\n' in (
        fleet.read("hubs.toml")
    )
    source = load_config(fleet.path("hubs.toml"))
    result = update(source.config, load_fleet(fleet.root), lock, [], resolve)
    assert result.lock.slots[SMALL].tag == "2.0.0"
    assert policy.fingerprint() == result.lock.slots[SMALL].policy  # holding never stales it


def test_a_hold_until_a_day_ends_that_day(fleet: Fleet) -> None:
    _, lock = _followed(fleet)
    assert fleet.run("set", SMALL, "--hold-until", "2099-12-31").code == 0
    assert "hold_until = 2099-12-31}" in fleet.read("hubs.toml")
    source = load_config(fleet.path("hubs.toml"))
    resolve, _ = resolver({SMALL: "2.0.0"})
    on_the_day = datetime(2099, 12, 31, 23, 0, tzinfo=UTC)
    kept = update(source.config, load_fleet(fleet.root), lock, [], resolve, now=on_the_day)
    assert kept.lock.slots[SMALL].tag == "1.0.0"
    after = datetime(2100, 1, 1, 0, 0, tzinfo=UTC)
    moved = update(source.config, load_fleet(fleet.root), lock, [], resolve, now=after)
    assert moved.lock.slots[SMALL].tag == "2.0.0"
    bad = fleet.run("set", SMALL, "--hold-until", "soon")
    assert (bad.code, bad.err) == (
        2,
        "hubs: error: --hold-until 'soon': not a day (YYYY-MM-DD)\n",
    )
    past = fleet.run("set", SMALL, "--hold-until", "2020-01-31")
    assert (past.code, past.err) == (
        2,
        "hubs: error: --hold-until 2020-01-31: that day is past, so nothing would be held; "
        "give a later day, or --hold to hold it with no end\n",
    )


@pytest.mark.parametrize("pin", [":bad/tag", ".bad"])
def test_a_bad_tag_is_blamed_not_the_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pin: str
) -> None:
    from hubs.cli.main import main

    _eleven_hubs(tmp_path)
    tag = pin.removeprefix(":")
    said = (
        f"hubs: error: --pin :{tag}: invalid tag {tag!r}: up to 128 of [A-Za-z0-9_.-], "
        "not starting with '.' or '-'\n"
    )
    assert main(["-C", str(tmp_path), "set", "c/h1:image", "--pin", f":{tag}"]) == 2
    assert capsys.readouterr().err == said
    retag = ["set", "--image", "pangeo/ml-notebook", "--pin", pin]
    assert main(["-C", str(tmp_path), *retag]) == 2
    assert capsys.readouterr().err == said
