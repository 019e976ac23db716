"""`[sync]`: when compile changes a tag, the prePuller entry and the labels that held the old
tag change with it, byte for byte, reported like any other change; off unless asked."""

from __future__ import annotations

import json

from fleetfixture import COMMON_A, Fleet
from hubs.images import labels

COMMON = "config/clusters/a/common.values.yaml"
PREPULLER = (
    "  prePuller:\n"
    "    extraImages:\n"
    "      r-image:\n"
    "        name: ghcr.io/org/r\n"
    "        tag: 2024.01.01\n"
    "      other:\n"
    "        name: ghcr.io/org/r\n"
    "        tag: 2023.06.01\n"
)
LABELLED = COMMON_A.replace("jupyterhub:\n", "jupyterhub:\n" + PREPULLER, 1).replace(
    "              display_name: R\n",
    "              display_name: 'R (2024.01.01)'\n"
    "              description: R 4.4.1, built 2024.01.01 # the date\n",
)
BUMP = ('r = "ghcr.io/org/r:2024.01.01"', 'r = "ghcr.io/org/r:2024.02.02"')
SYNC = "\n[sync]\nprepuller = true\nlabels = true\n"


def bumped(fleet: Fleet, sync: str) -> None:
    fleet.write(COMMON, LABELLED)
    fleet.toml(sync)
    text = fleet.read("hubs.toml").replace(*BUMP)
    fleet.write("hubs.toml", text)


def test_copies_change_with_the_tag_byte_for_byte(fleet: Fleet) -> None:
    bumped(fleet, SYNC)
    result = fleet.run("compile", "--format", "json")
    assert result.code == 0, result.err
    assert fleet.read(COMMON) == LABELLED.replace(
        "        tag: 2024.01.01\n", "        tag: 2024.02.02\n"
    ).replace(
        "              display_name: 'R (2024.01.01)'\n"
        "              description: R 4.4.1, built 2024.01.01 # the date\n",
        "              display_name: 'R (2024.02.02)'\n"
        "              description: R 4.4.1, built 2024.02.02 # the date\n",
    ).replace("image: ghcr.io/org/r:2024.01.01", "image: ghcr.io/org/r:2024.02.02")
    changes = [
        (c["address"], c["kind"], c["line"], c["old"], c["new"], c["hubs"])
        for c in json.loads(result.out)["changes"]
    ]
    hubs = ["a/staging", "a/prod"]
    assert changes == [
        (
            "a/common.values.yaml:profiles/Choose/choices/r",
            "choice",
            37,
            "ghcr.io/org/r:2024.01.01",
            "ghcr.io/org/r:2024.02.02",
            hubs,
        ),
        (
            "a/common.values.yaml:prepuller/r-image",
            "prepuller",
            6,
            "ghcr.io/org/r:2024.01.01",
            "ghcr.io/org/r:2024.02.02",
            hubs,
        ),
        (
            "a/common.values.yaml:profiles/Choose/choices/r/display_name",
            "label",
            34,
            "R (2024.01.01)",
            "R (2024.02.02)",
            hubs,
        ),
        (
            "a/common.values.yaml:profiles/Choose/choices/r/description",
            "label",
            35,
            "R 4.4.1, built 2024.01.01",
            "R 4.4.1, built 2024.02.02",
            hubs,
        ),
    ]
    assert fleet.run("check").code == 0
    assert fleet.run("compile").out.startswith("hubs compile: nothing to change")


def test_without_sync_only_the_image_changes(fleet: Fleet) -> None:
    bumped(fleet, "")
    assert fleet.run("compile").code == 0
    assert fleet.read(COMMON) == LABELLED.replace(
        "image: ghcr.io/org/r:2024.01.01", "image: ghcr.io/org/r:2024.02.02"
    )


def test_sync_only_where_its_list_says(fleet: Fleet) -> None:
    bumped(
        fleet,
        '\n[sync]\nprepuller = ["a/prod"]\nlabels = ["a/common.values.yaml:profiles/Choose"]\n',
    )
    assert fleet.run("compile").code == 0
    text = fleet.read(COMMON)
    assert "        tag: 2024.01.01\n" in text  # a/prod does not cover the shared file
    assert "display_name: 'R (2024.02.02)'\n" in text


def test_a_profile_label_follows_the_profile_image(fleet: Fleet) -> None:
    fleet.write(
        COMMON,
        COMMON_A.replace("      slug: small\n", '      slug: small\n      description: "v1.0.0"\n'),
    )
    fleet.toml(SYNC, replace=("small:1.0.0", "small:1.1.0"))
    result = fleet.run("compile")
    assert result.code == 0, result.err
    assert '      description: "v1.0.0"\n' in fleet.read(COMMON)  # v1.0.0 is not 1.0.0
    fleet.write(
        COMMON,
        COMMON_A.replace("      slug: small\n", '      slug: small\n      description: "1.0.0"\n'),
    )
    result = fleet.run("compile")
    assert '      description: "1.1.0"\n' in fleet.read(COMMON)
    assert "  a/common.values.yaml:profiles/small/description\n    1.0.0 -> 1.1.0\n" in result.out


def test_retag_replaces_whole_versions_only() -> None:
    assert labels.retag("R 2024.01.01 (2024.01.01)", "2024.01.01", "2024.02.02") == (
        "R 2024.02.02 (2024.02.02)"
    )
    assert labels.retag("build 2024.01.011", "2024.01.01", "x") is None
    assert labels.retag("Python 3.11", "3.11", "3.12") is None  # not a version kind


def test_a_label_over_two_lines_is_left_to_lint(fleet: Fleet) -> None:
    folded = LABELLED.replace(
        "              display_name: 'R (2024.01.01)'\n",
        "              display_name: R\n                (2024.01.01)\n",
    )
    fleet.write(COMMON, folded)
    fleet.toml(SYNC)
    fleet.write("hubs.toml", fleet.read("hubs.toml").replace(*BUMP))
    assert fleet.run("compile").code == 0
    assert "              display_name: R\n                (2024.01.01)\n" in fleet.read(COMMON)
    stale = [
        (f["rule"], f["line"], f["message"])
        for f in json.loads(fleet.run("lint", "--format", "json").out)["findings"]
        if f["rule"] == "stale-label"
    ]
    assert stale == [
        (
            "stale-label",
            34,
            "display_name 'R (2024.01.01)' names 2024.01.01, but the image's tag is 2024.02.02",
        )
    ]
