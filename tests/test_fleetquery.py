"""hubs list filters, hubs list --hubs, and text that fits 100 columns."""

from __future__ import annotations

import json
import shutil
import typing
from pathlib import Path

import pytest

from fleetfixture import Fleet
from hubs import tablefit, targets
from hubs.cli import main
from hubs.commands import list_
from reachfleet import reach_fleet

__all__ = ["reach_fleet"]

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "infrastructure"
HEAD = (
    "ADDRESS                                          POLICY  REGISTRY  IMAGE               HUBS\n"
)


def test_list_text_is_a_table(fleet: Fleet) -> None:
    assert fleet.run("list").out == (
        "ADDRESS                           POLICY           REGISTRY  IMAGE"
        "                              HUBS\n"
        "defaults:image                    pinned           quay.io   "
        "jupyter/scipy-notebook:2024-03-18  1\n"
        "a/common.values.yaml:image        pinned           quay.io   org/image:abc1234"
        "                  0\n"
        "a/common.values...es/small/image  pinned           quay.io   org/small:1.0.0"
        "                    2\n"
        "a/common.values...ose/choices/py  pinned           ghcr.io   org/python:7b7bb16"
        "                 2\n"
        "a/common.values...oose/choices/r  pinned           ghcr.io   org/r:2024.01.01"
        "                   2\n"
        "a/common.values...hoose/unlisted  user-controlled  -         {value}"
        "                            2\n"
        "a/common.values...big/choices/py  pinned           ghcr.io   org/python:7b7bb16"
        "                 2\n"
        "a/common.values.../big/choices/r  pinned           ghcr.io   org/r:2024.01.01"
        "                   2\n"
        "a/common.values...s/big/unlisted  user-controlled  -         {value}"
        "                            2\n"
    )


def test_image_glob_matches_as_written_and_in_full(fleet: Fleet) -> None:
    ghcr = fleet.run("list", "--image", "ghcr.io/org/*", "--hub", "a/prod").out
    assert ghcr == HEAD + (
        "a/common.values.yaml:profiles/Choose/choices/py  pinned  ghcr.io   org/python:7b7bb16  2\n"
        "a/common.values.yaml:profiles/Choose/choices/r   pinned  ghcr.io   org/r:2024.01.01    2\n"
        "a/common.values.yaml:profiles/big/choices/py     pinned  ghcr.io   org/python:7b7bb16  2\n"
        "a/common.values.yaml:profiles/big/choices/r      pinned  ghcr.io   org/r:2024.01.01    2\n"
    )
    rows = json.loads(fleet.run("list", "--image", "*/python", "--format", "json").out)
    assert [r["address"] for r in rows] == [
        "a/common.values.yaml:profiles/Choose/choices/py",
        "a/common.values.yaml:profiles/big/choices/py",
    ]
    assert fleet.run("list", "--image", "python").out == ""  # a glob on the whole name


def test_docker_hub_is_the_registry_of_names_without_a_host(reach_fleet: Fleet) -> None:
    def addresses(*args: str) -> list[str]:
        result = reach_fleet.run("list", "--format", "json", *args)
        return [r["address"] for r in json.loads(result.out)]

    assert addresses("--registry", "docker.io") == [
        "r/common.values.yaml:image",
        "r/common.values.yaml:profiles/set/image",
        "r/common.values.yaml:profiles/mixed/image",
        "r/common.values.yaml:profiles/mixed/choices/a",
        "r/common.values.yaml:profiles/shadow/image",
        "r/common.values.yaml:profiles/shadow/choices/c",
        "r/own:image",
        "r/own:profiles/fallback/choices/y",
    ]
    assert addresses("--registry", "index.docker.io", "--image", "docker.io/org/[ay]") == [
        "r/common.values.yaml:profiles/mixed/choices/a",
        "r/own:profiles/fallback/choices/y",
    ]
    assert addresses("--registry", "QUAY.IO") == [
        "defaults:image",
        "r/own:profiles/custom/choices/x",
    ]


def test_cluster_hub_and_policy(reach_fleet: Fleet) -> None:
    def addresses(*args: str) -> list[str]:
        result = reach_fleet.run("list", "--format", "json", *args)
        return [r["address"] for r in json.loads(result.out)]

    assert addresses("--hub", "r/bare") == ["defaults:image"]
    assert addresses("--hub", "r/own", "--policy", "user-controlled") == [
        "r/own:profiles/custom/unlisted",
        "r/own:profiles/typed/unlisted",
    ]
    # the common file's image reaches no hub, but it is of the cluster
    assert addresses("--cluster", "r", "--image", "org/common") == ["r/common.values.yaml:image"]
    assert addresses("--hub", "r/plain", "--image", "org/common") == []
    assert "defaults:image" in addresses("--cluster", "r")  # r/bare runs the chart default


def test_unknown_cluster_and_hub(reach_fleet: Fleet) -> None:
    assert reach_fleet.run("list", "--hub", "r/owm").err == (
        "hubs: error: --hub r/owm: no such hub (did you mean 'r/own'?)\n"
    )
    result = reach_fleet.run("list", "--hubs", "--cluster", "q")
    assert (result.code, result.err) == (2, "hubs: error: --cluster q: no such cluster\n")


def test_one_row_per_hub_with_every_image_it_can_run(reach_fleet: Fleet) -> None:
    assert reach_fleet.run("list", "--hubs").out == (
        "HUB      IMAGES  RUNS\n"
        "r/plain  4       org/set:1, org/a:1, org/mixed:1, org/c:1\n"
        "r/own    4       quay.io/org/x:1, (any image users type), docker.io/org/y:1, org/own:2\n"
        "r/bare   1       quay.io/jupyter/scipy-notebook:2024-03-18\n"
    )
    data = json.loads(reach_fleet.run("list", "--hubs", "--hub", "r/own", "--format", "json").out)
    assert data == [
        {
            "hub": "r/own",
            "display_name": "R own",
            "images": [
                _run("custom", "x", "choice", "r/own:profiles/custom/choices/x", "quay.io/org/x:1"),
                {
                    **_run("custom", None, "unlisted", "r/own:profiles/custom/unlisted", "{value}"),
                    "policy": "user-controlled",
                },
                _run(
                    "fallback",
                    "y",
                    "choice",
                    "r/own:profiles/fallback/choices/y",
                    "docker.io/org/y:1",
                ),
                _run("fallback", "z", "singleuser", "r/own:image", "org/own:2"),
                {
                    **_run("typed", None, "unlisted", "r/own:profiles/typed/unlisted", "{value}"),
                    "policy": "user-controlled",
                },
            ],
        }
    ]


def _run(profile: str, choice: str | None, how: str, address: str, image: str) -> dict[str, object]:
    return {
        "profile": profile,
        "choice": choice,
        "picks": {},
        "from": how,
        "address": address,
        "image": image,
        "policy": "pinned",
    }


def test_hub_rows_filtered_by_image_keep_only_the_hubs_that_run_it(reach_fleet: Fleet) -> None:
    assert reach_fleet.run("list", "--hubs", "--image", "docker.io/org/own").out == (
        "HUB    IMAGES  RUNS\nr/own  1       org/own:2\n"
    )
    assert reach_fleet.run("list", "--hubs", "--policy", "user-controlled").out == (
        "HUB    IMAGES  RUNS\nr/own  1       (any image users type)\n"
    )


def test_policy_choices_are_the_policy_kinds() -> None:
    assert sorted(list_.POLICIES) == sorted(typing.get_args(targets.PolicyKind))


def test_elide_cuts_the_middle() -> None:
    assert tablefit.elide("abcdefghij", 10) == "abcdefghij"
    assert tablefit.elide("abcdefghijk", 10) == "abcd...ijk"
    assert tablefit.elide("abcdefghijk", 8) == "abc...jk"
    assert tablefit.elide("abcdefghijk", 3) == "abc"


def test_a_table_too_wide_to_cut_stays_whole_at_its_floor() -> None:
    wide = ("x" * 60, "y" * 60)
    lines = tablefit.render(("A", "B"), [wide], (0,), limit=20).splitlines()
    assert lines[1] == "xxxxx...xxxx  " + "y" * 60


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/realworld is absent")
def test_real_fleet_text_fits_100_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = tmp_path / "infra"
    shutil.copytree(SAMPLE, tree)
    assert main(["-C", str(tree), "import"]) == 0
    for extra in ([], ["--hubs"]):
        capsys.readouterr()
        assert main(["-C", str(tree), "list", *extra]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) > 5
        assert max(len(line) for line in lines) <= 100, extra
    assert main(["-C", str(tree), "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert max(len(r["address"]) for r in rows) > 40  # JSON keeps what text cuts
