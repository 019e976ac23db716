"""A tree that moves under a committed hubs.toml: gone entries are findings, adopt removes
them, reconcile decides by the last commit which side changed.  Real git throughout."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fleetfixture import UNUSED_A, Fleet
from hubs.policy.imageref import parse

_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}

PROD_GONE = "name: a\nhubs:\n- name: staging\n  display_name: A staging\n  helm_chart: basehub\n  helm_chart_values_files:\n  - common.values.yaml\n  - staging.values.yaml\n"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=root,
        env=_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def commit(fleet: Fleet, message: str = "fleet") -> None:
    if not (fleet.root / ".git").exists():
        git(fleet.root, "init", "-q")
    git(fleet.root, "add", "-A")
    git(fleet.root, "commit", "-qm", message)


def files(fleet: Fleet) -> dict[str, bytes]:
    """Every file of the fleet but git's own, by bytes."""
    return {
        p.relative_to(fleet.root).as_posix(): p.read_bytes()
        for p in sorted(fleet.root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(fleet.root).parts
    }


# ---------------------------------------------------------------- gone entries


def test_a_decommissioned_hub_is_a_finding_not_a_refusal(fleet: Fleet) -> None:
    commit(fleet)
    fleet.write("config/clusters/a/cluster.yaml", PROD_GONE)
    check = fleet.run("check")
    assert check.code == 1
    assert check.out == (
        "hubs check: 1 entry of hubs.toml the tree no longer has, 1 lint finding (unused-image); "
        "see the fix under each\n"
        "  clusters.a.hubs.prod\n"
        "    no such hub in config/clusters/a/cluster.yaml\n"
        "    hubs.toml:22:1 · gone\n"
        "    `hubs adopt` removes it from hubs.toml (or restore it in the tree)\n"
        + UNUSED_A.replace("a/staging, a/prod", "a/staging")
    )
    before = files(fleet)
    compiled = fleet.run("compile")
    assert (compiled.code, compiled.out) == (
        0,
        "hubs compile: nothing to change; 1 entry of hubs.toml the tree no longer has\n"
        "  clusters.a.hubs.prod\n"
        "    no such hub in config/clusters/a/cluster.yaml\n"
        "    hubs.toml:22:1 · gone\n"
        "    `hubs adopt` removes it from hubs.toml (or restore it in the tree)\n",
    )
    assert files(fleet) == before
    listed = fleet.run("list", "--format", "json")
    assert listed.code == 0
    assert listed.err == (
        "hubs: warning: hubs.toml:22:1: clusters.a.hubs.prod: no such hub in "
        "config/clusters/a/cluster.yaml; `hubs adopt` removes it from hubs.toml (or restore it "
        "in the tree)\n"
    )


def test_a_typo_in_a_new_entry_is_still_bad_input(fleet: Fleet) -> None:
    commit(fleet)
    fleet.toml("\n[clusters.a.hubs.prdo]\n")
    before = files(fleet)
    result = fleet.run("compile")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "hubs: error: hubs.toml:26:1: clusters.a.hubs.prdo: no such hub in "
        "config/clusters/a/cluster.yaml (did you mean 'prod'?)\n"
    )
    assert files(fleet) == before


def test_outside_git_a_gone_entry_is_bad_input(fleet: Fleet) -> None:
    fleet.write("config/clusters/a/cluster.yaml", PROD_GONE)
    result = fleet.run("check")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "hubs: error: hubs.toml:22:1: clusters.a.hubs.prod: no such hub in "
        "config/clusters/a/cluster.yaml\n"
    )


def test_adopt_removes_every_kind_of_gone_entry_and_keeps_the_rest(fleet: Fleet) -> None:
    commit(fleet)
    fleet.write("config/clusters/a/cluster.yaml", PROD_GONE)
    common = fleet.read("config/clusters/a/common.values.yaml")
    fleet.write(
        "config/clusters/a/common.values.yaml",
        common.replace("slug: small", "slug: smol").replace(
            "            r:\n", "            rr:\n"
        ),
    )
    fleet.write("config/clusters/d/cluster.yaml", "name: d\nhubs: []\n")
    result = fleet.run("adopt")
    assert result.code == 0
    assert result.out == (
        "removed clusters.a.hubs.prod: no such hub in config/clusters/a/cluster.yaml\n"
        "removed clusters.d.hubs.hub: no such hub in config/clusters/d/cluster.yaml\n"
        'removed clusters.a.files."common.values.yaml".profiles.small: no profile with this '
        "slug or display name in config/clusters/a/common.values.yaml (did you mean 'smol'?)\n"
        'removed clusters.a.files."common.values.yaml".profiles.Choose.choices.r: no such '
        "image choice in config/clusters/a/common.values.yaml (did you mean 'rr'?)\n"
        'removed clusters.a.files."common.values.yaml".profiles.big.choices.r: no such image '
        "choice in config/clusters/a/common.values.yaml (did you mean 'rr'?)\n"
        "adopted a/common.values.yaml:profiles/smol/image: quay.io/org/small:1.0.0\n"
        "adopted a/common.values.yaml:profiles/Choose/choices/rr: ghcr.io/org/r:2024.01.01\n"
        "adopted a/common.values.yaml:profiles/big/choices/rr: ghcr.io/org/r:2024.01.01\n"
    )
    assert fleet.read("hubs.toml") == (
        'tree = "."\n\n[defaults]\nimage = "quay.io/jupyter/scipy-notebook:2024-03-18"\n\n'
        '[clusters.a.files."common.values.yaml"]\nimage = "quay.io/org/image:abc1234"\n\n'
        '[clusters.a.files."common.values.yaml".profiles.Choose.choices]\n'
        'py = "ghcr.io/org/python:7b7bb16"\nrr = "ghcr.io/org/r:2024.01.01"\n\n'
        '[clusters.a.files."common.values.yaml".profiles.big.choices]\n'
        'py = "ghcr.io/org/python:7b7bb16"\nrr = "ghcr.io/org/r:2024.01.01"\n\n'
        '[clusters.a.files."common.values.yaml".profiles.smol]\n'
        'image = "quay.io/org/small:1.0.0"\n\n'
        "[clusters.a.hubs.staging]\n\n[clusters.d]\n"
    )
    assert fleet.run("check").code == 0


SOLO = (
    "jupyterhub:\n  singleuser:\n    profileList:\n"
    "    - display_name: Solo\n      slug: solo\n      kubespawner_override:\n"
    "        image: ghcr.io/org/solo:2024.01.01\n"
)
FOLLOW = '{ follow = "ghcr.io/org/solo", match = \'^\\d{4}\\.\\d{2}\\.\\d{2}$\', order = "calver" }'


def follow_solo(fleet: Fleet) -> None:
    """staging's own profile `solo` follows ghcr.io/org/solo, locked at 2024.01.01."""
    from hubs.policy import model
    from hubs.policy.load import dump_lock, parse_config

    fleet.write("config/clusters/a/staging.values.yaml", SOLO)
    fleet.toml(
        replace=(
            "[clusters.a.hubs.staging]\n",
            f"[clusters.a.hubs.staging.profiles.solo]\nimage = {FOLLOW}\n",
        )
    )
    policy = parse_config(fleet.read("hubs.toml")).clusters["a"].hubs["staging"]
    follow = policy.profiles["solo"].image
    assert isinstance(follow, model.Follow)
    entry = model.LockEntry(
        image=parse("ghcr.io/org/solo"),
        tag="2024.01.01",
        resolved="2026-12-01T00:00:00Z",
        policy=follow.fingerprint(),
    )
    fleet.write("hubs.lock", dump_lock(model.Lock(slots={"a/staging:profiles/solo/image": entry})))
    assert fleet.run("check").code == 0
    commit(fleet)


def test_a_follow_policy_moves_with_its_rename_and_its_lock_entry(fleet: Fleet) -> None:
    follow_solo(fleet)
    fleet.write("config/clusters/a/staging.values.yaml", SOLO.replace("slug: solo", "slug: single"))
    result = fleet.run("adopt")
    assert (result.code, result.out) == (
        0,
        "removed a/staging:profiles/solo/image: moved to a/staging:profiles/single/image "
        "(follows ghcr.io/org/solo)\n"
        "removed clusters.a.hubs.staging.profiles.solo: no profile with this slug or display "
        "name in config/clusters/a/staging.values.yaml\n",
    )
    assert f"[clusters.a.hubs.staging.profiles.single]\nimage = {FOLLOW}\n" in fleet.read(
        "hubs.toml"
    )
    assert "solo]" not in fleet.read("hubs.toml")
    lock = fleet.read("hubs.lock")
    assert '"a/staging:profiles/single/image"' in lock and "profiles/solo/" not in lock
    assert fleet.run("check").code == 0


def test_a_follow_policy_with_two_candidates_stops_adopt(fleet: Fleet) -> None:
    follow_solo(fleet)
    two = SOLO.replace("slug: solo", "slug: one") + (
        "    - display_name: Two\n      slug: two\n      kubespawner_override:\n"
        "        image: ghcr.io/org/solo:2024.02.02\n"
    )
    fleet.write("config/clusters/a/staging.values.yaml", two)
    before = files(fleet)
    result = fleet.run("adopt")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "hubs: error: a/staging:profiles/solo/image: follows ghcr.io/org/solo, and the tree no "
        "longer has this slot; the slots it may have moved to: 'a/staging:profiles/one/image', "
        "'a/staging:profiles/two/image'. Say which with `hubs set ADDRESS --follow "
        "ghcr.io/org/solo ...`, or remove it with `hubs set 'a/staging:profiles/solo/image' "
        "--inherit`, then run `hubs adopt` again\n"
    )
    assert files(fleet) == before


def test_a_cluster_before_its_first_hub(fleet: Fleet) -> None:
    fleet.write("config/clusters/e/cluster.yaml", "name: e\nprovider: gcp\nhubs: []\n")
    result = fleet.run("adopt")
    assert (result.code, result.out) == (0, "adopted e: cluster added (0 hubs)\n")
    assert fleet.read("hubs.toml").endswith(
        "[clusters.d.hubs.hub]\n\n# ---- e (config/clusters/e/cluster.yaml)\n[clusters.e]\n"
    )
    assert fleet.run("check").code == 0


def test_a_hub_on_another_chart_is_listed_and_left_alone(fleet: Fleet) -> None:
    fleet.write(
        "config/clusters/d/cluster.yaml",
        fleet.read("config/clusters/d/cluster.yaml")
        + "- name: binder\n  helm_chart: binderhub\n  helm_chart_values_files:\n  - binder.values.yaml\n",
    )
    result = fleet.run("check")
    assert result.code == 0
    assert result.err == (
        "hubs: warning: config/clusters/d/cluster.yaml:8: hub 'binder' runs chart 'binderhub', "
        "which hubs does not manage (basehub and daskhub only): its values files are left alone\n"
    )
    (fleet.root / "hubs.toml").unlink()
    imported = fleet.run("import")
    assert (imported.code, imported.out) == (0, "")
    assert "binder" not in fleet.read("hubs.toml")
    assert fleet.run("check").code == 0


# ---------------------------------------------------------------- reconcile


TAG = "quay.io/org/small:1.0.0"
STATED = f'[clusters.a.files."common.values.yaml".profiles.small]\nimage = "{TAG}"'


def bump_tree(fleet: Fleet, new: str) -> None:
    path = "config/clusters/a/common.values.yaml"
    fleet.write(path, fleet.read(path).replace(TAG, new))


def bump_toml(fleet: Fleet, new: str) -> None:
    fleet.toml(replace=(STATED, STATED.replace(TAG, new)))


def test_reconcile_adopts_a_hand_edit_of_a_values_file(fleet: Fleet) -> None:
    commit(fleet)
    bump_tree(fleet, "quay.io/org/small:1.0.1")
    tree = fleet.read("config/clusters/a/common.values.yaml")
    result = fleet.run("reconcile")
    assert (result.code, result.out) == (
        0,
        "adopted a/common.values.yaml:profiles/small/image: quay.io/org/small:1.0.1\n"
        "hubs compile: nothing to change (7 slots, 3 hubs)\n",
    )
    assert STATED.replace(TAG, "quay.io/org/small:1.0.1") in fleet.read("hubs.toml")
    assert fleet.read("config/clusters/a/common.values.yaml") == tree  # the hand edit stays
    assert fleet.run("check").code == 0


def test_reconcile_compiles_an_edit_of_hubs_toml(fleet: Fleet) -> None:
    commit(fleet)
    bump_toml(fleet, "quay.io/org/small:1.1.0")
    toml = fleet.read("hubs.toml")
    result = fleet.run("reconcile")
    assert result.code == 0
    assert result.out.splitlines()[:3] == [
        "hubs compile: changed 1 slot in 1 file",
        "  a/common.values.yaml:profiles/small/image",
        "    quay.io/org/small:1.0.0 -> quay.io/org/small:1.1.0",
    ]
    assert fleet.read("hubs.toml") == toml
    assert "image: quay.io/org/small:1.1.0\n" in fleet.read("config/clusters/a/common.values.yaml")
    assert fleet.run("check").code == 0


def test_reconcile_stops_on_a_conflict_and_writes_nothing(fleet: Fleet) -> None:
    commit(fleet)
    bump_toml(fleet, "quay.io/org/small:1.1.0")
    bump_tree(fleet, "quay.io/org/small:1.0.1")
    before = files(fleet)
    result = fleet.run("reconcile")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "hubs: error: config/clusters/a/common.values.yaml:11: "
        "a/common.values.yaml:profiles/small/image: both changed since the last commit: "
        "hubs.toml asks for quay.io/org/small:1.1.0 (at the last commit: quay.io/org/small:1.0.0); "
        "the file holds quay.io/org/small:1.0.1 (at the last commit: quay.io/org/small:1.0.0); "
        "keep the file's with `hubs adopt 'a/common.values.yaml:profiles/small/image' --all`, "
        "or hubs.toml's with `hubs compile`\n"
    )
    assert files(fleet) == before


def test_reconcile_keeps_a_hand_edit_of_a_follow_slot_as_a_conflict(fleet: Fleet) -> None:
    follow_solo(fleet)
    path = "config/clusters/a/staging.values.yaml"
    fleet.write(path, SOLO.replace("2024.01.01", "2024.05.05"))
    before = files(fleet)
    result = fleet.run("reconcile")
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith(
        "hubs: error: config/clusters/a/staging.values.yaml:7: a/staging:profiles/solo/image: "
        "a hand edit of a follow-latest slot: hubs.toml asks for ghcr.io/org/solo:2024.01.01"
    )
    assert files(fleet) == before


def test_reconcile_without_git_compiles_nothing_and_says_so(fleet: Fleet) -> None:
    bump_tree(fleet, "quay.io/org/small:1.0.1")
    before = files(fleet)
    result = fleet.run("reconcile")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "hubs reconcile: no commit to compare with (no git repository, or hubs.toml not "
        "committed yet): hubs.toml took what it lacked, and nothing was compiled\n"
        "hubs: config/clusters/a/common.values.yaml:11: a/common.values.yaml:profiles/small/image: "
        "hubs.toml asks for quay.io/org/small:1.0.0, the file holds quay.io/org/small:1.0.1, and "
        "with no commit to compare with nothing tells which is newer (left alone); keep the "
        "file's with `hubs adopt 'a/common.values.yaml:profiles/small/image' --all`, or "
        "hubs.toml's with `hubs compile`\n"
    )
    assert files(fleet) == before


@pytest.mark.parametrize("stride", [24])
def test_the_real_history_stays_in_step(stride: int, tmp_path: Path) -> None:
    """A stride of the walk along the shared sample's real history (the whole walk is
    ``python tests/historywalk.py``)."""
    import sys

    from historywalk import BUNDLE, walk

    if not BUNDLE.is_file():
        pytest.skip("../shared/realworld/sample-history.bundle is not here")
    hubs = [sys.executable, "-m", "hubs"]
    result = walk(BUNDLE, "2024-09-01", stride, hubs, tmp_path)
    assert result.failures == []
    assert result.summary() == "15 steps: reconcile 15, check clean 15, import 15"
