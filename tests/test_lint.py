"""`hubs lint`: each rule fires on a tree shaped like the real one, and stays quiet where it
should; rules turned off in hubs.toml; lint findings in `hubs check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleetfixture import COMMON_A, PROD_A, STAGING_A, UNUSED_A, UNUSED_HEAD, Fleet
from hubs.cli.main import main

COMMON = "config/clusters/a/common.values.yaml"
SMALL = "        image: quay.io/org/small:1.0.0\n"
R_CHOICE = (
    "            r:\n"
    "              display_name: R\n"
    "              kubespawner_override:\n"
    "                image: ghcr.io/org/r:2024.01.01\n"
)
# A profile without an image of its own: the shared singleuser.image is used again.
PLAIN = "    - display_name: Plain\n      slug: plain\n"


def found(fleet: Fleet, rule: str | None = None) -> list[tuple[str, str, str]]:
    """(rule, file:line, address) of every lint finding (of ``rule``), from the json report."""
    result = fleet.run("lint", "--format", "json")
    data = json.loads(result.out)
    assert result.code == (1 if data["findings"] else 0)
    return [
        (f["rule"], f"{f['file']}:{f['line']}", f["address"])
        for f in data["findings"]
        if rule is None or f["rule"] == rule
    ]


def common(*edits: tuple[str, str]) -> str:
    text = COMMON_A
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_the_small_fleet_has_one_finding_only_unused_image(fleet: Fleet) -> None:
    assert found(fleet) == [
        ("unused-image", f"{COMMON}:6", "a/common.values.yaml:image"),
    ]
    result = fleet.run("lint")
    assert (result.code, result.out) == (
        1,
        f"hubs lint: {UNUSED_HEAD}; see the fix under each\n" + UNUSED_A,
    )


def test_no_finding_is_clean_and_exit_0(fleet: Fleet) -> None:
    fleet.write(COMMON, common(("    profileList:\n", "    profileList:\n" + PLAIN)))
    result = fleet.run("lint")
    assert (result.code, result.out) == (0, "hubs lint: clean (7 slots, 3 hubs)\n")


# ---------------------------------------------------------------- docker-hub


def test_docker_hub_with_or_without_its_name(fleet: Fleet) -> None:
    fleet.write(
        COMMON,
        common(
            (SMALL, "        image: org/small:1.0.0\n"),
            ("ghcr.io/org/r:2024.01.01", "docker.io/org/r:2024.01.01"),
            ('"ghcr.io/org/python:7b7bb16"', "index.docker.io/library/python:3"),
        ),
    )
    assert found(fleet, "docker-hub") == [
        ("docker-hub", f"{COMMON}:11", "a/common.values.yaml:profiles/small/image"),
        ("docker-hub", f"{COMMON}:24", "a/common.values.yaml:profiles/Choose/choices/py"),
        ("docker-hub", f"{COMMON}:28", "a/common.values.yaml:profiles/Choose/choices/r"),
    ]
    text = fleet.run("lint").out
    assert (
        "  a/common.values.yaml:profiles/small/image\n"
        "    org/small:1.0.0 is pulled from Docker Hub, whose pull limits can keep a hub from "
        "starting servers\n"
        f"    {COMMON}:11 · docker-hub · warning\n"
        "    push it to quay.io, GitHub's registry (ghcr.io) or the cloud's own registry "
        "(Artifact Registry, ECR) and pin it from there\n"
    ) in text


def test_quay_ghcr_and_other_registries_are_not_docker_hub(fleet: Fleet) -> None:
    fleet.write(COMMON, common((SMALL, "        image: us-docker.pkg.dev/p/r/small:1.0.0\n")))
    assert found(fleet, "docker-hub") == []


# ---------------------------------------------------------------- mutable-tag


def test_latest_untagged_and_branch_tags_are_mutable(fleet: Fleet) -> None:
    fleet.write(
        COMMON,
        common(
            (SMALL, "        image: quay.io/org/small\n"),
            ("ghcr.io/org/r:2024.01.01", "ghcr.io/org/r:main"),
            ('"ghcr.io/org/python:7b7bb16"', "ghcr.io/org/python:latest"),
        ),
    )
    assert found(fleet, "mutable-tag") == [
        ("mutable-tag", f"{COMMON}:11", "a/common.values.yaml:profiles/small/image"),
        ("mutable-tag", f"{COMMON}:24", "a/common.values.yaml:profiles/Choose/choices/py"),
        ("mutable-tag", f"{COMMON}:28", "a/common.values.yaml:profiles/Choose/choices/r"),
    ]
    text = fleet.run("lint").out
    assert (
        "    ghcr.io/org/r:main has the moving tag `main`, no digest and no imagePullPolicy "
        "Always, so each node keeps the build it pulled first (kubespawner does not imply "
        "Always)\n"
        f"    {COMMON}:28 · mutable-tag · warning\n"
        "    pin a dated or commit tag (or add @sha256:...), or set "
        "kubespawner_override.image_pull_policy: Always\n"
    ) in text


def test_a_digest_or_pull_policy_always_makes_a_moving_tag_fine(fleet: Fleet) -> None:
    digest = "sha256:" + "a" * 64
    fleet.write(
        COMMON,
        common(
            (SMALL, f"        image: quay.io/org/small:latest@{digest}\n"),
            (
                "                image: ghcr.io/org/r:2024.01.01\n",
                "                image: ghcr.io/org/r:latest\n"
                "                image_pull_policy: Always\n",
            ),
        ),
    )
    assert found(fleet, "mutable-tag") == []


def test_a_profile_override_covers_its_choices_and_ifnotpresent_does_not(fleet: Fleet) -> None:
    choose = "    - display_name: Choose\n"
    always = "      kubespawner_override:\n        image_pull_policy: Always\n"
    latest = ("ghcr.io/org/r:2024.01.01", "ghcr.io/org/r:latest")
    fleet.write(COMMON, common(latest, (choose, choose + always)))
    assert found(fleet, "mutable-tag") == []
    fleet.write(COMMON, common(latest, (choose, choose + always.replace("Always", "IfNotPresent"))))
    assert [f[2] for f in found(fleet, "mutable-tag")] == [
        "a/common.values.yaml:profiles/Choose/choices/r"
    ]


def test_singleuser_pull_policy_as_each_hub_merges_it(fleet: Fleet) -> None:
    fleet.write(COMMON, common(("tag: abc1234", "tag: latest")))
    assert [f[2] for f in found(fleet, "mutable-tag")] == ["a/common.values.yaml:image"]
    policy = "  singleuser:\n    image:\n      pullPolicy: Always\n"
    fleet.write("config/clusters/a/staging.values.yaml", STAGING_A + policy)
    assert [f[2] for f in found(fleet, "mutable-tag")] == ["a/common.values.yaml:image"]
    fleet.write("config/clusters/a/prod.values.yaml", PROD_A + policy)
    assert found(fleet, "mutable-tag") == []


def test_dated_and_commit_tags_are_not_mutable(fleet: Fleet) -> None:
    assert found(fleet, "mutable-tag") == []


# ---------------------------------------------------------------- stale-label


def test_a_label_naming_another_version_than_the_tag(fleet: Fleet) -> None:
    fleet.write(
        COMMON,
        common(
            ("              display_name: R\n", "              display_name: R (2023.12.01)\n"),
            ("      slug: small\n", "      slug: small\n      description: build v0.9.0\n"),
        ),
    )
    assert found(fleet, "stale-label") == [
        ("stale-label", f"{COMMON}:10", "a/common.values.yaml:profiles/small/image"),
        ("stale-label", f"{COMMON}:27", "a/common.values.yaml:profiles/Choose/choices/r"),
    ]
    text = fleet.run("lint").out
    assert (
        "    display_name 'R (2023.12.01)' names 2023.12.01, but the image's tag is 2024.01.01\n"
        f"    {COMMON}:27 · stale-label · warning\n"
        "    write 2024.01.01 in the display_name; `[sync] labels = true` keeps it in step "
        "when compile changes the tag\n"
    ) in text


def test_a_label_naming_its_tag_or_another_kind_of_version_is_fine(fleet: Fleet) -> None:
    fleet.write(
        COMMON,
        common(
            (
                "              display_name: R\n",
                "              display_name: R 4.4.1 (2024-01-01)\n",
            ),
            ("      slug: small\n", "      slug: small\n      description: v1.0.0, 3.4 GB\n"),
            ("              display_name: Python\n", "              display_name: Py 7b7bb16\n"),
        ),
    )
    assert found(fleet, "stale-label") == []


# ---------------------------------------------------------------- prepuller-copy

PREPULLER = (
    "  prePuller:\n"
    "    extraImages:\n"
    "      r-image:\n"
    "        name: ghcr.io/org/r\n"
    "        tag: {tag}\n"
)


def test_a_prepuller_entry_with_another_tag(fleet: Fleet) -> None:
    fleet.write(
        COMMON, common(("jupyterhub:\n", "jupyterhub:\n" + PREPULLER.format(tag="2023.12.01")))
    )
    assert found(fleet, "prepuller-copy") == [
        ("prepuller-copy", f"{COMMON}:6", "a/common.values.yaml:prepuller/r-image"),
    ]
    text = fleet.run("lint").out
    assert (
        "    prePuller.extraImages.r-image pulls ghcr.io/org/r:2023.12.01, but the hubs run "
        "ghcr.io/org/r at 2024.01.01\n"
        f"    {COMMON}:6 · prepuller-copy · warning\n"
        "    set its tag to 2024.01.01; `[sync] prepuller = true` keeps it in step when compile "
        "changes the tag\n"
    ) in text


def test_a_prepuller_entry_in_a_hub_file_is_checked_against_the_shared_file(
    fleet: Fleet,
) -> None:
    fleet.write("config/clusters/a/prod.values.yaml", PROD_A + PREPULLER.format(tag="2023.12.01"))
    assert found(fleet, "prepuller-copy") == [
        ("prepuller-copy", "config/clusters/a/prod.values.yaml:8", "a/prod:prepuller/r-image"),
    ]


def test_a_prepuller_entry_in_step_or_of_another_repository_is_fine(fleet: Fleet) -> None:
    other = PREPULLER.format(tag="1").replace("ghcr.io/org/r", "ghcr.io/org/elsewhere")
    prepuller = PREPULLER.format(tag="2024.01.01") + other.split("extraImages:\n")[1].replace(
        "r-image", "other"
    )
    fleet.write(COMMON, common(("jupyterhub:\n", "jupyterhub:\n" + prepuller)))
    assert found(fleet, "prepuller-copy") == []


# ---------------------------------------------------------------- unused-image


def test_an_image_every_profile_overrides_is_unused(fleet: Fleet) -> None:
    assert found(fleet, "unused-image") == [
        ("unused-image", f"{COMMON}:6", "a/common.values.yaml:image"),
    ]


def test_a_profile_without_an_image_uses_it(fleet: Fleet) -> None:
    fleet.write(COMMON, common(("    profileList:\n", "    profileList:\n" + PLAIN)))
    assert found(fleet, "unused-image") == []


def test_a_choice_without_an_image_uses_it(fleet: Fleet) -> None:
    fleet.write(
        COMMON,
        common((R_CHOICE, "            r:\n              display_name: R\n")),
    )
    assert found(fleet, "unused-image") == []


def test_a_hub_whose_profile_list_is_empty_uses_it(fleet: Fleet) -> None:
    empty = "  singleuser:\n    profileList: []\n"
    fleet.write("config/clusters/a/prod.values.yaml", PROD_A + empty)
    assert found(fleet, "unused-image") == []


# ---------------------------------------------------------------- two-spellings


def test_one_repository_written_two_ways(fleet: Fleet) -> None:
    fleet.write(
        COMMON,
        common(
            (SMALL, "        image: docker.io/org/small:1.0.0\n"),
            ("ghcr.io/org/r:2024.01.01", "org/small:2.0.0"),
        ),
    )
    assert found(fleet, "two-spellings") == [
        ("two-spellings", f"{COMMON}:28", "a/common.values.yaml:profiles/Choose/choices/r"),
    ]
    text = fleet.run("lint").out
    assert (
        f"    org/small is written docker.io/org/small at {COMMON}:11: one repository, two "
        "spellings\n"
        f"    {COMMON}:28 · two-spellings · warning\n"
        "    write docker.io/org/small here too, so that searches and tools see one image\n"
    ) in text


def test_one_spelling_is_fine(fleet: Fleet) -> None:
    fleet.write(COMMON, common(("ghcr.io/org/r:2024.01.01", "quay.io/org/small:2.0.0")))
    assert found(fleet, "two-spellings") == []


# ---------------------------------------------------------------- settings


def test_rules_turned_off_for_the_fleet_or_under_a_scope(fleet: Fleet) -> None:
    fleet.toml('\n[lint]\noff = ["unused-image"]\n')
    assert found(fleet) == []
    fleet.toml(replace=('off = ["unused-image"]\n', ""))
    fleet.toml('\n[lint.ignore]\n"a/common.values.yaml" = ["unused-image"]\n')
    assert found(fleet) == []


def test_ignore_under_a_profile_covers_its_choices_only(fleet: Fleet) -> None:
    fleet.write(COMMON, common(("ghcr.io/org/", "org/")))
    fleet.toml('\n[lint.ignore]\n"a/common.values.yaml:profiles/Choose" = ["docker-hub"]\n')
    assert [f[2] for f in found(fleet, "docker-hub")] == []
    fleet.write(COMMON, common(("quay.io/org/small", "org/small"), ("ghcr.io/org/r", "org/r")))
    assert [f[2] for f in found(fleet, "docker-hub")] == [
        "a/common.values.yaml:profiles/small/image"
    ]


def test_a_cluster_is_a_scope_to_ignore_under(fleet: Fleet) -> None:
    fleet.toml('\n[lint.ignore]\na = ["unused-image"]\n')
    assert found(fleet) == []


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ('"aa"', "'aa' (did you mean 'a'?)"),
        ('"a/common.valeus.yaml"', "'a/common.valeus.yaml' (did you mean 'a/common.values.yaml'?)"),
        ('"a/stagin"', "'a/stagin' (did you mean 'a/staging'?)"),
    ],
)
def test_an_ignore_key_that_covers_nothing_is_bad_input(fleet: Fleet, key: str, said: str) -> None:
    fleet.toml(f'\n[lint.ignore]\n{key} = ["unused-image"]\n')
    result = fleet.run("lint")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"hubs: error: hubs.toml:27:1: lint.ignore: no cluster, scope or slot of the fleet "
        f"is under {said}\n"
    )


def test_an_unknown_rule_is_bad_input_at_its_line(fleet: Fleet) -> None:
    fleet.toml('\n[lint]\noff = ["dockerhub"]\n')
    result = fleet.run("lint")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "hubs: error: hubs.toml:27:1: lint.off: no lint rule 'dockerhub' (did you mean "
        "'docker-hub'?); the rules are docker-hub, mutable-tag, stale-label, prepuller-copy, "
        "unused-image, two-spellings\n"
    )


def test_check_shows_lint_findings_as_warnings_and_strict_fails(fleet: Fleet) -> None:
    check = fleet.run("check")
    assert (check.code, check.out) == (
        0,
        f"hubs check: clean (7 slots, 3 hubs); {UNUSED_HEAD}\n" + UNUSED_A,
    )
    strict = fleet.run("check", "--strict")
    assert (strict.code, strict.out) == (
        1,
        f"hubs check: {UNUSED_HEAD}; see the fix under each\n"
        + UNUSED_A.replace(" · unused-image · warning", " · unused-image"),
    )
    fleet.toml("\n[lint]\nstrict = true\n")
    assert fleet.run("check").code == 1
    assert fleet.run("check", "--format", "github").out.startswith(
        f"::error file={COMMON},line=6,title=hubs check%3A unused-image::"
    )


def test_lint_on_the_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[1]
    assert main(["-C", str(root), "lint"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == (
        "hubs lint: 5 lint findings (docker-hub, unused-image); see the fix under each"
    )
    where = "generated/config/clusters/"
    assert [line.strip() for line in lines if " · " in line] == [
        f"{where}alpha/common.values.yaml:38 · docker-hub · warning",
        f"{where}beta/daskhub-common.values.yaml:15 · docker-hub · warning",
        f"{where}beta/daskhub-common.values.yaml:19 · docker-hub · warning",
        f"{where}beta/prod.values.yaml:8 · docker-hub · warning",
        f"{where}beta/prod.values.yaml:8 · unused-image · warning",
    ]


def test_check_can_count_lint_findings_by_rule(fleet: Fleet) -> None:
    fleet.write(COMMON, common(("ghcr.io/org/", "org/")))
    assert fleet.run("adopt", "--all").code == 0
    full = fleet.run("check")
    counted = fleet.run("check", "--lint-counts")
    assert counted.code == full.code == 0
    head = full.out.splitlines()[0]
    assert head.endswith("lint findings (docker-hub, unused-image)")
    assert counted.out == (
        f"{head}\n  lint: 2 docker-hub, 1 unused-image (`hubs lint` lists them)\n"
    )
    assert fleet.run("check", "--lint-counts", "--format", "json").out == full_json(fleet)


def full_json(fleet: Fleet) -> str:
    return fleet.run("check", "--format", "json").out
