"""hubs list filters, hubs list --hubs, and text that wraps to a terminal and never cuts."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from fleetfixture import Fleet
from hubs.cli.commands import list_
from hubs.cli.main import main
from hubs.report import fleetquery, tablefit
from reachfleet import reach_fleet

__all__ = ["reach_fleet"]

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "infrastructure"
HEAD = (
    "ADDRESS                                          POLICY  REGISTRY  IMAGE               HUBS\n"
)


def test_list_text_piped_is_one_whole_line_per_slot(fleet: Fleet) -> None:
    assert fleet.run("list").out == (
        "ADDRESS                                          POLICY           REGISTRY  IMAGE"
        "                              HUBS\n"
        "defaults:image                                   pinned           quay.io   "
        "jupyter/scipy-notebook:2024-03-18  1\n"
        "a/common.values.yaml:image                       pinned           quay.io   "
        "org/image:abc1234                  0\n"
        "a/common.values.yaml:profiles/small/image        pinned           quay.io   "
        "org/small:1.0.0                    2\n"
        "a/common.values.yaml:profiles/Choose/choices/py  pinned           ghcr.io   "
        "org/python:7b7bb16                 2\n"
        "a/common.values.yaml:profiles/Choose/choices/r   pinned           ghcr.io   "
        "org/r:2024.01.01                   2\n"
        "a/common.values.yaml:profiles/Choose/unlisted    user-controlled  -         "
        "{value}                            2\n"
        "a/common.values.yaml:profiles/big/choices/py     pinned           ghcr.io   "
        "org/python:7b7bb16                 2\n"
        "a/common.values.yaml:profiles/big/choices/r      pinned           ghcr.io   "
        "org/r:2024.01.01                   2\n"
        "a/common.values.yaml:profiles/big/unlisted       user-controlled  -         "
        "{value}                            2\n"
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _on_terminal(fleet: Fleet, monkeypatch: pytest.MonkeyPatch, columns: int, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["-C", str(fleet.root), "list", *args]) == 0
    monkeypatch.undo()
    return terminal.getvalue()


def test_on_a_terminal_long_values_wrap_under_their_column(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _on_terminal(fleet, monkeypatch, 80) == (
        "ADDRESS                 POLICY           REGISTRY  IMAGE                    HUBS\n"
        "defaults:image          pinned           quay.io   jupyter/scipy-notebook:  1\n"
        "                                                   2024-03-18\n"
        "a/common.values.yaml:   pinned           quay.io   org/image:abc1234        0\n"
        "image\n"
        "a/common.values.yaml:   pinned           quay.io   org/small:1.0.0          2\n"
        "profiles/small/image\n"
        "a/common.values.yaml:   pinned           ghcr.io   org/python:7b7bb16       2\n"
        "profiles/Choose/\n"
        "choices/py\n"
        "a/common.values.yaml:   pinned           ghcr.io   org/r:2024.01.01         2\n"
        "profiles/Choose/\n"
        "choices/r\n"
        "a/common.values.yaml:   user-controlled  -         {value}                  2\n"
        "profiles/Choose/\n"
        "unlisted\n"
        "a/common.values.yaml:   pinned           ghcr.io   org/python:7b7bb16       2\n"
        "profiles/big/choices/\n"
        "py\n"
        "a/common.values.yaml:   pinned           ghcr.io   org/r:2024.01.01         2\n"
        "profiles/big/choices/r\n"
        "a/common.values.yaml:   user-controlled  -         {value}                  2\n"
        "profiles/big/unlisted\n"
    )
    assert _on_terminal(fleet, monkeypatch, 50, "--hubs") == (
        "HUB        IMAGES  RUNS\n"
        "a/staging  4       quay.io/org/small:1.0.0,\n"
        "                   ghcr.io/org/python:7b7bb16,\n"
        "                   ghcr.io/org/r:2024.01.01,\n"
        "                   (any image users type)\n"
        "a/prod     4       quay.io/org/small:1.0.0,\n"
        "                   ghcr.io/org/python:7b7bb16,\n"
        "                   ghcr.io/org/r:2024.01.01,\n"
        "                   (any image users type)\n"
        "d/hub      1       quay.io/jupyter/scipy-notebook:\n"
        "                   2024-03-18\n"
    )


def test_a_wide_terminal_wraps_nothing(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _on_terminal(fleet, monkeypatch, 200) == fleet.run("list").out


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


def _addresses(fleet: Fleet, *args: str) -> list[str]:
    result = fleet.run("list", "--format", "json", *args)
    return [r["address"] for r in json.loads(result.out)]


def test_image_glob_without_a_slash_matches_the_last_component(fleet: Fleet) -> None:
    assert _addresses(fleet, "--image", "python") == [
        "a/common.values.yaml:profiles/Choose/choices/py",
        "a/common.values.yaml:profiles/big/choices/py",
    ]
    assert _addresses(fleet, "--image", "scipy-*") == ["defaults:image"]
    assert _addresses(fleet, "--image", "quay.io*") == [  # a glob on the whole name still
        "defaults:image",
        "a/common.values.yaml:image",
        "a/common.values.yaml:profiles/small/image",
    ]


def test_image_glob_with_a_tag_matches_the_tag_too(fleet: Fleet) -> None:
    assert _addresses(fleet, "--image", "quay.io/org/small:1.0.0") == [
        "a/common.values.yaml:profiles/small/image"
    ]
    assert _addresses(fleet, "--image", "*:2024*") == [
        "defaults:image",
        "a/common.values.yaml:profiles/Choose/choices/r",
        "a/common.values.yaml:profiles/big/choices/r",
    ]
    assert _addresses(fleet, "--image", "small:1.0.0") == [
        "a/common.values.yaml:profiles/small/image"
    ]
    assert _addresses(fleet, "--image", "small:1.0") == []
    assert _addresses(fleet, "--image", "small@sha256:*") == []  # no digest to match
    assert fleet.run("list", "--hubs", "--image", "scipy-notebook:2024-03-18").out == (
        "HUB    IMAGES  RUNS\nd/hub  1       quay.io/jupyter/scipy-notebook:2024-03-18\n"
    )


def test_an_image_without_a_tag_is_latest_unless_it_has_a_digest() -> None:
    digest = "sha256:" + "a" * 64
    latest = fleetquery.ImageGlob.parse("ubuntu:latest")
    assert [latest.matches(i) for i in ("ubuntu", f"ubuntu@{digest}", "ubuntu:22.04")] == [
        True,
        False,
        False,
    ]
    assert fleetquery.ImageGlob.parse("ubuntu@sha256:a*").matches(f"docker.io/ubuntu@{digest}")
    assert fleetquery.ImageGlob.parse("localhost:5000/x:1").matches("localhost:5000/x:1")


@pytest.mark.parametrize("pattern", ["", "x:", ":1", "x@", "quay.io/x y"])
def test_an_image_glob_of_no_form_says_the_form(fleet: Fleet, pattern: str) -> None:
    result = fleet.run("list", "--image", pattern)
    assert (result.code, result.out, result.err) == (
        2,
        "",
        f"hubs: error: --image {pattern!r}: expected REPOSITORY[:TAG][@DIGEST], each part a "
        "glob (quay.io/jupyter/*, scipy-notebook:2024-*)\n",
    )


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


def test_filters_that_match_nothing_say_so_and_exit_1(fleet: Fleet) -> None:
    result = fleet.run("list", "--image", "foo*")
    assert (result.code, result.out, result.err) == (
        1,
        "",
        "hubs list: no slot matches --image 'foo*'\n",
    )
    result = fleet.run("list", "--format", "json", "--cluster", "d", "--policy", "broken")
    assert (result.code, result.out, result.err) == (
        1,
        "[]\n",
        "hubs list: no slot matches --cluster 'd' --policy 'broken'\n",
    )
    result = fleet.run("list", "--hubs", "--image", "quay.io/org/small:2", "--hub", "a/prod")
    assert (result.code, result.out, result.err) == (
        1,
        "",
        "hubs list: no hub matches --image 'quay.io/org/small:2' --hub 'a/prod'\n",
    )
    assert fleet.run("list", "--image", "small").code == 0


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
    from hubs.policy.kinds import Kind

    # every kind a slot can be under; `unmanaged` is never a slot's (list --hubs shows it)
    assert sorted(list_.POLICIES) == sorted(k for k in Kind if k is not Kind.UNMANAGED)


def test_wrap_keeps_every_character_and_breaks_after_a_separator() -> None:
    assert tablefit.wrap("abcdefghij", 10) == ["abcdefghij"]
    assert tablefit.wrap("abcdefghijk", 10) == ["abcdefghij", "k"]
    assert tablefit.wrap("a/common.values.yaml:image", 12) == ["a/common.val", "ues.yaml:", "image"]
    assert tablefit.wrap("org/python:7b7bb16", 12) == ["org/python:", "7b7bb16"]
    assert tablefit.wrap("x/y, zzzz, w", 8) == ["x/y, ", "zzzz, w"]  # the space ends a line
    assert tablefit.wrap("abcdef ghij", 7) == ["abcdef", " ghij"]  # never cut after a space
    assert tablefit.wrap("", 5) == [""]


def test_a_table_too_wide_to_narrow_wraps_at_its_floor() -> None:
    wide = ("x" * 30, "y" * 60)
    assert tablefit.render(("A", "B"), [wide], (0,), limit=20).splitlines() == [
        "A" + " " * 13 + "B",
        "x" * 12 + "  " + "y" * 60,
        "x" * 12,
        "x" * 6,
    ]
    assert tablefit.render(("A", "B"), [wide], (0,)).splitlines()[1] == "x" * 30 + "  " + "y" * 60


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/realworld is absent")
def test_real_fleet_text_keeps_every_address_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "infra"
    shutil.copytree(SAMPLE, tree)
    assert main(["-C", str(tree), "import"]) == 0
    capsys.readouterr()
    assert main(["-C", str(tree), "list", "--format", "json"]) == 0
    addresses = [r["address"] for r in json.loads(capsys.readouterr().out)]
    assert max(len(address) for address in addresses) > 40
    assert main(["-C", str(tree), "list"]) == 0  # piped: one whole line per slot
    piped = capsys.readouterr().out.splitlines()[1:]
    assert [line.split("  ")[0] for line in piped] == addresses
    for extra in ([], ["--hubs"]):  # on a terminal: fits, and the column joins back whole
        monkeypatch.setenv("COLUMNS", "100")
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stdout", terminal)
        assert main(["-C", str(tree), "list", *extra]) == 0
        monkeypatch.undo()
        lines = terminal.getvalue().splitlines()
        assert max(len(line) for line in lines) <= 100, extra
        if not extra:
            assert _first_column(lines) == addresses


def _first_column(lines: list[str]) -> list[str]:
    """The first column's values (it ends where the second begins, at ``start``), a
    wrapped value's lines joined: a continuation line has an empty second column."""
    start = len(lines[0]) - len(lines[0][len("ADDRESS") :].lstrip())
    values: list[str] = []
    for line in lines[1:]:
        cell = line[:start].rstrip()
        if line[start : start + 1].strip():
            values.append(cell)
        else:
            values[-1] += cell
    return values


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{}],
        [[]],
        [1, "a\nb", None],
        [{"address": "a/x:image", "hubs": ["a/b", "c/d"], "path": [1, ["x"]], "u": "é\u202e"}],
        [{"nested": {"deeper": [{"k": [1, 2]}, []]}}, {"second": True}],
    ],
)
def test_a_json_array_written_in_pieces_is_byte_for_byte_json_dumps(items: list[object]) -> None:
    from hubs.report.fleetquery import json_array

    assert "".join(json_array(iter(items))) == json.dumps(items, indent=2) + "\n"
