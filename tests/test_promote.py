"""Promote: `hubs promote FROM TO` and the promote policy `hubs update` resolves from git."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fleetfixture import Fleet
from hubs.follow.resolve import FollowRequest, Resolution
from hubs.follow.update import update
from hubs.policy.load import dump_lock, load_config, load_lock
from hubs.policy.model import Lock
from hubs.tree.layering import load_fleet

CLUSTER = """\
name: c
hubs:
- name: staging
  display_name: C staging
  helm_chart: basehub
  helm_chart_values_files:
  - common.values.yaml
  - staging.values.yaml
- name: prod
  display_name: C prod
  helm_chart: basehub
  helm_chart_values_files:
  - common.values.yaml
  - prod.values.yaml
"""
COMMON = """\
jupyterhub:
  singleuser:
    profileList:
    - display_name: GPU
      slug: gpu
      profile_options:
        image:
          display_name: Image
          choices:
            a:
              display_name: A
              kubespawner_override:
                image: quay.io/org/a:1
    - display_name: Small
      slug: small
"""
HUB = """\
jupyterhub:
  singleuser:
    image:
      name: quay.io/org/user
      tag: "{tag}"
"""
CHART = """\
jupyterhub:
  singleuser:
    image:
      name: quay.io/jupyter/scipy-notebook
      tag: "2024-03-18"
"""
TOML = """\
[defaults]
image = "quay.io/jupyter/scipy-notebook:2024-03-18"

[clusters.c.files."common.values.yaml".profiles.gpu.choices]
a = "quay.io/org/a:1"

[clusters.c.hubs.staging]
image = "quay.io/org/user:{staging}"

[clusters.c.hubs.prod]
image = {prod}
"""
PROMOTE = '{ promote = "c/staging", after = "7d" }'
DAY = 86400


def git(root: Path, *args: str, when: str = "2026-01-01T00:00:00Z") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def make(fleet: Fleet, prod: str = PROMOTE, staging: str = "2") -> None:
    files = {
        "helm-charts/basehub/values.yaml": CHART,
        "config/clusters/c/cluster.yaml": CLUSTER,
        "config/clusters/c/common.values.yaml": COMMON,
        "config/clusters/c/staging.values.yaml": HUB.format(tag=staging),
        "config/clusters/c/prod.values.yaml": HUB.format(tag="1"),
        "hubs.toml": TOML.format(staging=staging, prod=prod),
    }
    shutil.rmtree(fleet.path("config"), ignore_errors=True)  # the fixture's fleet goes
    for rel, text in files.items():
        fleet.write(rel, text)


def commit(fleet: Fleet, when: str, message: str = "c") -> None:
    if not (fleet.root / ".git").exists():
        git(fleet.root, "init", "-q", "-b", "main")
    git(fleet.root, "add", "-A")
    git(fleet.root, "commit", "-q", "-m", message, when=when)


def no_registry(requests: Sequence[FollowRequest]) -> dict[str, Resolution]:
    raise AssertionError(f"no follow slot here, yet asked {requests}")


def resolved(fleet: Fleet, now: datetime) -> tuple[str, tuple[str, ...]]:
    source = load_config(fleet.path("hubs.toml"))
    lock = load_lock(fleet.path("hubs.lock")) if fleet.path("hubs.lock").exists() else Lock()
    tree = load_fleet(source.tree)
    done = update(source.config, tree, lock, (), no_registry, now=now)
    return dump_lock(done.lock), done.notes


NOW_RIPE = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)
NOW_EARLY = datetime(2026, 1, 3, 6, 30, tzinfo=UTC)
HEADER = "# Written by `hubs update`: what each follow-latest slot resolved to. Do not edit.\n"


def staged(fleet: Fleet, prod: str = PROMOTE) -> str:
    """The fleet, committed on Jan 1 with staging on user:1, then staging bumped to user:2
    on Jan 2 (the evidence); returns the commit of the bump."""
    make(fleet, prod=prod, staging="1")
    commit(fleet, "2026-01-01T00:00:00Z", "the fleet")
    make(fleet, prod=prod, staging="2")
    commit(fleet, "2026-01-02T00:00:00Z", "staging: user 2")
    return git(fleet.root, "rev-parse", "HEAD").strip()[:12]


def test_a_source_that_has_run_long_enough_is_promoted(fleet: Fleet) -> None:
    bump = staged(fleet)
    text, notes = resolved(fleet, NOW_RIPE)
    assert text == HEADER + (
        "version = 1\n\n"
        '[slots."c/prod:image"]\n'
        'image = "quay.io/org/user"\n'
        'tag = "2"\n'
        'resolved = "2026-01-09T12:00:00Z"\n'
        'policy = "sha256:2a8763360a4cb90b"\n'
        'source = "c/staging"\n'
        'since = "2026-01-02T00:00:00Z"\n'
    )
    assert notes == (
        f"c/prod:image: (none) -> quay.io/org/user:2; c/staging has run it for 7d 12h "
        f"(since 2026-01-02T00:00:00Z, {bump})",
    )


def test_a_source_that_has_not_run_long_enough_waits(fleet: Fleet) -> None:
    bump = staged(fleet)
    text, notes = resolved(fleet, NOW_EARLY)
    assert 'tag = "1"\n' in text
    assert "since" not in text
    assert notes == (
        "c/prod:image: waits, c/staging has run quay.io/org/user:2 for 1d 6h of 7d "
        f"(since 2026-01-02T00:00:00Z, {bump}); stays at quay.io/org/user:1",
    )


def test_the_cli_update_writes_the_promoted_image(fleet: Fleet) -> None:
    staged(fleet)  # Jan 2, 2026: long before the clock of any run of this test
    done = fleet.run("update")
    assert done.code == 0, done.err
    assert fleet.read("config/clusters/c/prod.values.yaml") == HUB.format(tag="2")
    assert 'since = "2026-01-02T00:00:00Z"\n' in fleet.read("hubs.lock")
    assert fleet.run("check").code == 0
    listed = fleet.run("list", "--policy", "promote")
    assert listed.out == (
        "ADDRESS       POLICY   REGISTRY  IMAGE       HUBS\n"
        "c/prod:image  promote  quay.io   org/user:2  1\n"
    )
    explained = fleet.run("explain", "c/prod:image")
    assert explained.out == (
        "c/prod:image: quay.io/org/user:2\n"
        "  config/clusters/c/prod.values.yaml:5\n"
        "  policy: promote\n"
        "  promotes c/staging's image after 7d\n"
        "  lock: quay.io/org/user:2 from c/staging, which has run it since "
        "2026-01-02T00:00:00Z\n"
        "  <- c/staging: c/staging:image: quay.io/org/user:2 "
        "(config/clusters/c/staging.values.yaml:5, pinned)\n"
        "  reaches 1 hub: c/prod\n"
    )


def test_a_hold_stops_a_promotion(fleet: Fleet) -> None:
    staged(fleet)
    held = '{ promote = "c/staging", after = "7d", hold = true }'
    make(fleet, prod=held, staging="2")
    text, _ = resolved(fleet, NOW_EARLY)  # the first run records prod's own image
    fleet.write("hubs.lock", text)
    again, notes = resolved(fleet, NOW_RIPE)
    assert again == text
    assert notes == ("c/prod:image: held at quay.io/org/user:1 (not promoted)",)


def test_a_promote_cycle_is_an_error_at_load(fleet: Fleet) -> None:
    make(fleet, prod=PROMOTE)
    fleet.toml(
        replace=('image = "quay.io/org/user:2"', 'image = { promote = "c/prod", after = "1d" }')
    )
    done = fleet.run("check")
    assert (done.code, done.out) == (2, "")
    assert done.err == (
        "hubs: error: hubs.toml:8:1: c/staging:image: a promote cycle: "
        "c/staging:image <- c/prod:image <- c/staging:image\n"
        "hubs: error: hubs.toml:11:1: c/prod:image: a promote cycle: "
        "c/prod:image <- c/staging:image <- c/prod:image\n"
    )


def test_a_missing_source_is_an_error_at_load(fleet: Fleet) -> None:
    make(fleet, prod='{ promote = "c/stagin", after = "7d" }')
    done = fleet.run("compile")
    assert done.code == 2
    assert done.err == (
        "hubs: error: hubs.toml:11:1: c/prod:image: promote = 'c/stagin': no such hub in "
        "cluster.yaml (did you mean 'c/staging'?)\n"
    )


def test_a_shared_slot_cannot_promote_from_itself(fleet: Fleet) -> None:
    make(fleet)
    fleet.toml(replace=('a = "quay.io/org/a:1"', 'a = { promote = "c/staging", after = "1d" }'))
    done = fleet.run("check")
    assert done.code == 2
    assert done.err == (
        "hubs: error: hubs.toml:5:1: c/common.values.yaml:profiles/gpu/choices/a: "
        "promote = 'c/staging': c/staging runs this very slot "
        "(config/clusters/c/common.values.yaml), shared with it; promote to a slot of the "
        "hub's own file\n"
    )


def test_history_missing_in_a_shallow_clone(fleet: Fleet, tmp_path: Path) -> None:
    staged(fleet)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{fleet.root}", str(clone))
    shallow = Fleet(clone, fleet.capsys)
    done = shallow.run("update")
    assert (done.code, done.out) == (2, "")
    assert done.err == (
        "hubs: error: staging.values.yaml: the repository is a shallow clone, so its history "
        "cannot say how long an image has run; fetch the whole history (actions/checkout: "
        "`fetch-depth: 0`; else `git fetch --unshallow`)\n"
    )
    assert not (clone / "hubs.lock").exists()


def test_history_missing_outside_git(fleet: Fleet) -> None:
    make(fleet)
    done = fleet.run("update")
    assert done.code == 2
    assert done.err == (
        "hubs: error: staging.values.yaml: not in a git repository with a commit; a promote "
        "policy needs the history of the file\n"
    )


def test_promote_pins_what_from_runs_and_says_what_it_skipped(fleet: Fleet) -> None:
    make(fleet, prod='"quay.io/org/user:1"')
    done = fleet.run("promote", "c/staging", "c/prod", "--compile")
    assert done.code == 0, done.err
    assert done.out.splitlines()[:5] == [
        "c/prod:image <- c/staging:image: quay.io/org/user:1 -> quay.io/org/user:2",
        "c/common.values.yaml:profiles/gpu/image: skipped, shared with c/staging: already the same",
        "c/common.values.yaml:profiles/gpu/choices/a: skipped, shared with c/staging: "
        "already the same",
        "c/common.values.yaml:profiles/small/image: skipped, shared with c/staging: already "
        "the same",
        "hubs compile: changed 1 slot in 1 file",
    ]
    assert fleet.read("hubs.toml") == TOML.format(staging="2", prod='"quay.io/org/user:2"')
    assert fleet.read("config/clusters/c/prod.values.yaml") == HUB.format(tag="2")


def test_promote_skips_a_follow_policy_and_writes_nothing(fleet: Fleet) -> None:
    follow = '{ follow = "quay.io/org/user", match = \'^[0-9]+$\', order = "numeric" }'
    make(fleet, prod=follow)
    before = fleet.snapshot()
    done = fleet.run("promote", "c/staging", "c/prod")
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == (
        "c/prod:image: skipped, a follow policy (`hubs update` moves it)"
    )
    assert fleet.snapshot() == before


def test_promote_names_an_unknown_hub(fleet: Fleet) -> None:
    make(fleet)
    done = fleet.run("promote", "c/stagin", "c/prod")
    assert done.code == 2
    assert (
        done.err == "hubs: error: c/stagin: no such hub (CLUSTER/HUB) (did you mean 'c/staging'?)\n"
    )


@pytest.mark.parametrize("after", ["7x", "0d", "d"])
def test_a_bad_wait_is_bad_input(fleet: Fleet, after: str) -> None:
    make(fleet, prod=f'{{ promote = "c/staging", after = "{after}" }}')
    done = fleet.run("check")
    assert done.code == 2
    assert done.err == (
        f"hubs: error: hubs.toml:11:34: clusters.c.hubs.prod.image.after: not a duration "
        f"'{after}': a count and a unit, m, h, d or w (e.g. 7d, 12h)\n"
    )


def test_the_readme_example_is_what_promote_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(__file__).resolve().parent.parent
    for name in ("hubs.toml", "hubs.lock"):
        shutil.copy(root / name, tmp_path / name)
    shutil.copytree(root / "generated", tmp_path / "generated")
    readme = (root / "README.md").read_text()
    block = readme.split("$ hubs promote alpha/staging alpha/prod\n", 1)[1].split("...\n")[0]
    done = Fleet(tmp_path, capsys).run("promote", "alpha/staging", "alpha/prod")
    assert done.code == 0, done.err
    assert done.out.startswith(block)


def test_adopt_keeps_a_promote_policy_over_a_hand_edit(fleet: Fleet) -> None:
    staged(fleet)
    assert fleet.run("update").code == 0
    prod = "config/clusters/c/prod.values.yaml"
    fleet.write(prod, HUB.format(tag="3"))
    done = fleet.run("adopt", "c/prod:image")
    assert (done.code, done.err) == (0, "hubs adopt: nothing to adopt\n")
    assert done.out == (
        "not adopted: c/prod:image: promotes c/staging's image (hubs.lock: quay.io/org/user:2); "
        "a hand edit to quay.io/org/user:3 is not adopted: to keep it, `hubs set "
        "'c/prod:image' --pin quay.io/org/user:3`\n"
    )
    assert 'image = { promote = "c/staging", after = "7d" }' in fleet.read("hubs.toml")
