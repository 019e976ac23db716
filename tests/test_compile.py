"""hubs compile / check / diff on a small fleet: exact bytes of every rewritten file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from fleetfixture import COMMON_A, PROD_A, UNUSED_A, UNUSED_GITHUB, UNUSED_HEAD, Fleet

if TYPE_CHECKING:
    from _typeshed import StrOrBytesPath

COMMON = "config/clusters/a/common.values.yaml"


def test_clean_fleet_checks_clean_and_compile_writes_nothing(
    fleet: Fleet, unchanged: Callable[[], None]
) -> None:
    assert (
        fleet.run("check").out == f"hubs check: clean (7 slots, 3 hubs); {UNUSED_HEAD}\n" + UNUSED_A
    )
    result = fleet.run("compile")
    assert (result.code, result.out) == (0, "hubs compile: nothing to change (7 slots, 3 hubs)\n")
    unchanged()


def test_tag_change_of_shared_singleuser_image_is_one_line(fleet: Fleet) -> None:
    fleet.toml(
        replace=('image = "quay.io/org/image:abc1234"', 'image = "quay.io/org/image:def5678"')
    )
    assert fleet.run("compile").code == 0
    assert fleet.read(COMMON) == COMMON_A.replace("tag: abc1234", "tag: def5678")


def test_profile_image_keeps_its_line_and_style(fleet: Fleet) -> None:
    fleet.toml(replace=('image = "quay.io/org/small:1.0.0"', 'image = "quay.io/org/small:1.1.0"'))
    fleet.run("compile")
    assert fleet.read(COMMON) == COMMON_A.replace("small:1.0.0", "small:1.1.0")


def test_choice_behind_anchor_changes_every_alias_once(fleet: Fleet) -> None:
    fleet.toml(
        replace=(
            'py = "ghcr.io/org/python:7b7bb16"\nr = "ghcr.io/org/r:2024.01.01"\n\n'
            '[clusters.a.files."common.values.yaml".profiles.big.choices]\n'
            'py = "ghcr.io/org/python:7b7bb16"',
            'py = "ghcr.io/org/python:4059588"\nr = "ghcr.io/org/r:2024.01.01"\n\n'
            '[clusters.a.files."common.values.yaml".profiles.big.choices]\n'
            'py = "ghcr.io/org/python:4059588"',
        )
    )
    result = fleet.run("compile")
    assert fleet.read(COMMON) == COMMON_A.replace(
        '"ghcr.io/org/python:7b7bb16"', '"ghcr.io/org/python:4059588"'
    )
    assert result.out == (
        "hubs compile: changed 1 slot in 1 file\n"
        "  a/common.values.yaml:profiles/Choose/choices/py\n"
        "    ghcr.io/org/python:7b7bb16 -> ghcr.io/org/python:4059588\n"
        "    config/clusters/a/common.values.yaml:24 · reaches 2 hubs: a/staging, a/prod\n"
        "    same YAML node (alias) as: a/common.values.yaml:profiles/big/choices/py\n"
    )


def test_aliased_choices_cannot_differ(fleet: Fleet) -> None:
    fleet.toml(
        replace=(
            '[clusters.a.files."common.values.yaml".profiles.big.choices]\n'
            'py = "ghcr.io/org/python:7b7bb16"',
            '[clusters.a.files."common.values.yaml".profiles.big.choices]\n'
            'py = "ghcr.io/org/python:4059588"',
        )
    )
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert result.code == 2
    assert result.err == (
        "hubs: error: config/clusters/a/common.values.yaml:24: "
        "a/common.values.yaml:profiles/Choose/choices/py, a/common.values.yaml:profiles/big/"
        "choices/py share one YAML node through &opts, so they cannot differ "
        "(ghcr.io/org/python:4059588 vs ghcr.io/org/python:7b7bb16); give them one policy or "
        "un-alias them\n"
    )
    assert fleet.snapshot() == before


def test_pin_a_hub_inserts_a_block_and_inherit_removes_it(fleet: Fleet) -> None:
    fleet.toml(
        replace=(
            "[clusters.a.hubs.prod]\n",
            '[clusters.a.hubs.prod]\nimage = "quay.io/org/image:2024.10"\n',
        )
    )
    result = fleet.run("compile")
    assert fleet.read("config/clusters/a/prod.values.yaml") == PROD_A + (
        "  singleuser:\n    image:\n      name: quay.io/org/image\n      tag: '2024.10'\n"
    )
    assert result.out.splitlines()[1:3] == [
        "  a/prod:image",
        "    (inherit) -> quay.io/org/image:2024.10",
    ]
    fleet.toml(
        replace=(
            '[clusters.a.hubs.prod]\nimage = "quay.io/org/image:2024.10"\n',
            '[clusters.a.hubs.prod]\nimage = "inherit"\n',
        )
    )
    fleet.run("compile")
    assert fleet.read("config/clusters/a/prod.values.yaml") == PROD_A


def test_inherit_removes_shared_image_with_its_comment(fleet: Fleet) -> None:
    fleet.toml(replace=('image = "quay.io/org/image:abc1234"\n', 'image = "inherit"\n'))
    fleet.run("compile")
    assert fleet.read(COMMON) == COMMON_A.replace(
        "    # shared image\n    image:\n      name: quay.io/org/image\n      tag: abc1234\n", ""
    )


def test_daskhub_nests_under_basehub(fleet: Fleet) -> None:
    fleet.toml('image = "pangeo/pangeo-notebook:2024.10.01"\n')  # goes into [clusters.d.hubs.hub]
    fleet.run("compile")
    assert fleet.read("config/clusters/d/hub.values.yaml") == (
        "basehub:\n"
        "  nfs:\n"
        "    enabled: true\n"
        "  jupyterhub:\n"
        "    singleuser:\n"
        "      image:\n"
        "        name: pangeo/pangeo-notebook\n"
        "        tag: 2024.10.01\n"
        "dask-gateway:\n"
        "  enabled: true\n"
    )
    fleet.toml(replace=('image = "pangeo/pangeo-notebook:2024.10.01"\n', 'image = "inherit"\n'))
    fleet.run("compile")
    assert fleet.read("config/clusters/d/hub.values.yaml") == (
        "basehub:\n  nfs:\n    enabled: true\ndask-gateway:\n  enabled: true\n"
    )


@pytest.mark.parametrize(
    ("tag", "written"),
    [
        ("2024.10", "'2024.10'"),
        ("1e10", "'1e10'"),
        ("yes", "'yes'"),
        ("on", "'on'"),
        ("0755", "'0755'"),
        ("12_30", "'12_30'"),
        ("null", "'null'"),
        ("2024-10-01", "'2024-10-01'"),
        ("0x1F", "'0x1F'"),
        ("v1.2.3", "v1.2.3"),
        ("2024.10.01", "2024.10.01"),
        ("c1a912491c87", "c1a912491c87"),
    ],
)
def test_tags_are_written_as_strings_for_yaml_1_1_and_1_2(
    fleet: Fleet, tag: str, written: str
) -> None:
    fleet.toml(
        replace=('image = "quay.io/org/image:abc1234"', f'image = "quay.io/org/image:{tag}"')
    )
    assert fleet.run("compile").code == 0
    assert fleet.read(COMMON) == COMMON_A.replace("tag: abc1234", f"tag: {written}")


def test_chart_default_keeps_double_quotes(fleet: Fleet) -> None:
    fleet.toml(
        replace=(
            'image = "quay.io/jupyter/scipy-notebook:2024-03-18"',
            'image = "quay.io/jupyter/scipy-notebook:2025-01-01"',
        )
    )
    result = fleet.run("compile")
    assert (
        fleet.read("helm-charts/basehub/values.yaml").splitlines()[5] == '      tag: "2025-01-01"'
    )
    assert "reaches 1 hub: d/hub" in result.out


def test_second_compile_writes_nothing(fleet: Fleet) -> None:
    fleet.toml(replace=('image = "quay.io/org/small:1.0.0"', 'image = "quay.io/org/small:2.0.0"'))
    assert fleet.run("compile").code == 0
    before = fleet.snapshot()
    assert fleet.run("compile").out == "hubs compile: nothing to change (7 slots, 3 hubs)\n"
    assert fleet.snapshot() == before


def test_check_reports_drift_with_exit_1_and_diff_writes_nothing(fleet: Fleet) -> None:
    fleet.toml(replace=('image = "quay.io/org/small:1.0.0"', 'image = "quay.io/org/small:2.0.0"'))
    before = fleet.snapshot()
    check = fleet.run("check")
    diff = fleet.run("diff")
    assert (check.code, diff.code) == (1, 0)
    assert check.out == (
        f"hubs check: 1 slot in 1 file out of date; run `hubs compile`; {UNUSED_HEAD}\n"
        "  a/common.values.yaml:profiles/small/image\n"
        "    quay.io/org/small:1.0.0 -> quay.io/org/small:2.0.0\n"
        "    config/clusters/a/common.values.yaml:11 · reaches 2 hubs: a/staging, a/prod\n"
        "    `hubs compile` writes hubs.toml's quay.io/org/small:2.0.0; "
        "`hubs adopt 'a/common.values.yaml:profiles/small/image'` takes the file's "
        "quay.io/org/small:1.0.0 into hubs.toml instead\n" + UNUSED_A
    )
    assert diff.out == check.out.replace(
        f"hubs check: 1 slot in 1 file out of date; run `hubs compile`; {UNUSED_HEAD}",
        "hubs diff: would change 1 slot in 1 file",
    ).removesuffix(UNUSED_A)
    assert fleet.snapshot() == before


def test_secret_files_are_never_opened_for_writing(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real_open, real_replace = os.open, os.replace

    def spy_open(path: StrOrBytesPath, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR):
            opened.append(str(path))
        return real_open(path, flags, *args, **kwargs)

    def spy_replace(src: StrOrBytesPath, dst: StrOrBytesPath, *args: Any, **kwargs: Any) -> None:
        opened.append(str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "replace", spy_replace)
    fleet.toml(
        replace=("[clusters.a.hubs.staging]\n", '[clusters.a.hubs.staging]\nimage = "a/b:1.0"\n')
    )
    assert fleet.run("compile").code == 0
    assert opened and not [p for p in opened if "enc-" in p or ".secret." in p]
    assert any(p.endswith("staging.values.yaml") for p in opened)


def test_write_atomic_refuses_secret_files(tmp_path: Path) -> None:
    from hubs.files.fileio import WriteError
    from hubs.files.transaction import write_atomic

    with pytest.raises(WriteError, match="refusing to write a secret file"):
        write_atomic(tmp_path / "enc-prod.secret.values.yaml", "x: 1\n")
    assert not list(tmp_path.iterdir())


def test_crlf_and_bom_are_kept(fleet: Fleet) -> None:
    text = "\ufeff" + COMMON_A.replace("\n", "\r\n")
    fleet.write(COMMON, text)
    fleet.toml(
        replace=('image = "quay.io/org/image:abc1234"', 'image = "quay.io/org/image:def5678"')
    )
    fleet.run("compile")
    assert fleet.read(COMMON) == text.replace("tag: abc1234", "tag: def5678")


def test_report_formats(fleet: Fleet) -> None:
    fleet.toml(replace=('image = "quay.io/org/small:1.0.0"', 'image = "quay.io/org/small:2.0.0"'))
    assert fleet.run("diff", "--format", "markdown").out == (
        "### `hubs diff`: would change 1 slot in 1 file\n"
        "\n"
        "| slot | old | new | where | hubs |\n"
        "|---|---|---|---|---|\n"
        "| `a/common.values.yaml:profiles/small/image` | `quay.io/org/small:1.0.0` | "
        "`quay.io/org/small:2.0.0` | `config/clusters/a/common.values.yaml:11` | "
        "2: a/staging, a/prod |\n"
    )
    assert fleet.run("check", "--format", "github").out == (
        "::error file=config/clusters/a/common.values.yaml,line=11,title=hubs check::"
        "a/common.values.yaml:profiles/small/image: quay.io/org/small:1.0.0 -> "
        "quay.io/org/small:2.0.0; reaches 2 hubs: a/staging, a/prod\n"
        + UNUSED_GITHUB
        + f"hubs check: 1 slot in 1 file out of date; run `hubs compile`; {UNUSED_HEAD}\n"
    )
    import json

    data = json.loads(fleet.run("check", "--format", "json").out)
    assert data == {
        "schema_version": 1,
        "command": "check",
        "clean": False,
        "applied": False,
        "slots": 7,
        "hubs": 3,
        "files": ["config/clusters/a/common.values.yaml"],
        "changes": [
            {
                "address": "a/common.values.yaml:profiles/small/image",
                "kind": "profile",
                "file": "config/clusters/a/common.values.yaml",
                "line": 11,
                "old": "quay.io/org/small:1.0.0",
                "new": "quay.io/org/small:2.0.0",
                "hubs": ["a/staging", "a/prod"],
                "aliases": [],
            }
        ],
        "findings": [
            {
                "address": "a/common.values.yaml:image",
                "rule": "unused-image",
                "severity": "warning",
                "file": "config/clusters/a/common.values.yaml",
                "line": 6,
                "message": "singleuser.image quay.io/org/image:abc1234 is never used: every "
                "profile of a/staging, a/prod sets its own image",
                "fix": "`hubs set 'a/common.values.yaml:image' --inherit` removes it; or leave "
                "one profile without an image",
            }
        ],
        "notes": [],
        "warnings": [],
    }


def test_clean_markdown_and_github(fleet: Fleet) -> None:
    assert fleet.run("check", "--format", "markdown").out == (
        f"### `hubs check`: clean (7 slots, 3 hubs); {UNUSED_HEAD}\n"
        "\n"
        "- :warning: `a/common.values.yaml:image` (`config/clusters/a/common.values.yaml:6`, "
        "unused-image): singleuser.image quay.io/org/image:abc1234 is never used: every profile "
        "of a/staging, a/prod sets its own image; `hubs set 'a/common.values.yaml:image' "
        "--inherit` removes it; or leave one profile without an image\n"
    )
    assert fleet.run("check", "--format", "github").out == (
        UNUSED_GITHUB + f"hubs check: clean (7 slots, 3 hubs); {UNUSED_HEAD}\n"
    )


def test_text_colour_only_on_a_terminal(fleet: Fleet) -> None:
    from hubs.compile.plan import Change
    from hubs.report.reporters import Report, render_text

    change = Change("a/h:image", "singleuser", "f.yaml", 3, "x:1", "x:2", ("a/h",))
    report = Report("diff", (change,), False, 1, 1)
    assert render_text(report, color=True).splitlines()[2] == (
        "    \x1b[31mx:1\x1b[0m -> \x1b[32mx:2\x1b[0m"
    )
    assert "\x1b" not in render_text(report, color=False)


def test_config_flag_and_tree_relative_to_it(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = tmp_path_factory.mktemp("elsewhere")
    text = fleet.read("hubs.toml").replace('tree = "."', f'tree = "{fleet.root}"')
    (other / "policy.toml").write_text(text)
    fleet.capsys.readouterr()
    from hubs.cli.main import main

    assert main(["-C", str(other), "--config", "policy.toml", "check"]) == 0
    out = fleet.capsys.readouterr().out
    assert out.startswith(f"hubs check: clean (7 slots, 3 hubs); {UNUSED_HEAD}\n")


def test_tag_only_override_keeps_inheriting_the_name(fleet: Fleet) -> None:
    fleet.write(
        "config/clusters/a/prod.values.yaml",
        PROD_A + "  singleuser:\n    image:\n      tag: old1234\n",
    )
    assert fleet.run("list", "--format", "json").code == 0
    (fleet.root / "hubs.toml").unlink()
    assert fleet.run("import").code == 0
    assert 'prod.image = "quay.io/org/image:old1234"  # A prod\n' in fleet.read("hubs.toml")
    assert fleet.run("check").code == 0
    fleet.toml(replace=("quay.io/org/image:old1234", "quay.io/org/image:new5678"))
    fleet.run("compile")
    assert fleet.read("config/clusters/a/prod.values.yaml") == (
        PROD_A + "  singleuser:\n    image:\n      tag: new5678\n"
    )
    fleet.toml(replace=("quay.io/org/image:new5678", "quay.io/other/image:new5678"))
    fleet.run("compile")
    assert fleet.read("config/clusters/a/prod.values.yaml") == (
        PROD_A + "  singleuser:\n    image:\n      tag: new5678\n      name: quay.io/other/image\n"
    )


def test_profiles_without_slug_sharing_a_display_name_get_numbered(fleet: Fleet) -> None:
    fleet.write(
        "config/clusters/a/prod.values.yaml",
        PROD_A
        + (
            "  singleuser:\n    profileList:\n"
            "    - display_name: GPU\n      kubespawner_override:\n        image: a/gpu:1\n"
            "    - display_name: GPU\n      kubespawner_override:\n        image: a/gpu:2\n"
        ),
    )
    (fleet.root / "hubs.toml").unlink()
    fleet.run("import")
    assert (
        '[clusters.a.hubs.prod.profiles.GPU]  # A prod\nimage = "a/gpu:1"\n\n'
        '[clusters.a.hubs.prod.profiles."GPU (2)"]\nimage = "a/gpu:2"\n'
    ) in fleet.read("hubs.toml")
    assert fleet.run("check").code == 0


def test_name_only_override_keeps_inheriting_the_tag(fleet: Fleet) -> None:
    fleet.write(
        "config/clusters/a/prod.values.yaml",
        PROD_A + "  singleuser:\n    image:\n      name: quay.io/org/other\n",
    )
    (fleet.root / "hubs.toml").unlink()
    fleet.run("import")
    assert 'prod.image = "quay.io/org/other:abc1234"  # A prod\n' in fleet.read("hubs.toml")
    assert fleet.run("check").code == 0
    fleet.toml(replace=("quay.io/org/other:abc1234", "quay.io/org/other:def5678"))
    fleet.run("compile")
    assert fleet.read("config/clusters/a/prod.values.yaml") == (
        PROD_A + "  singleuser:\n    image:\n      name: quay.io/org/other\n      tag: def5678\n"
    )


def test_untagged_choice_images_are_kept_as_written(fleet: Fleet) -> None:
    fleet.write(COMMON, COMMON_A.replace("ghcr.io/org/r:2024.01.01", "ghcr.io/org/r"))
    (fleet.root / "hubs.toml").unlink()
    fleet.run("import")
    assert 'r = "ghcr.io/org/r"\n' in fleet.read("hubs.toml")
    assert fleet.run("check").code == 0


def test_nested_aliases_compile_in_linear_time(fleet: Fleet) -> None:
    laughs = ["jupyterhub:", "  custom:", '    l0: &l0 ["lol", "lol", "lol", "lol", "lol"]']
    laughs += [f"    l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    fleet.write("config/clusters/a/prod.values.yaml", "\n".join(laughs) + "\n")
    fleet.toml(replace=("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nimage = "a/b:1"\n'))
    import time

    start = time.perf_counter()
    assert fleet.run("compile").code == 0
    assert time.perf_counter() - start < 5  # 5 * 10**8 leaves if walked naively
    assert fleet.read("config/clusters/a/prod.values.yaml").endswith(
        "  singleuser:\n    image:\n      name: a/b\n      tag: '1'\n"
    )


def test_inherit_keeps_pull_policy(fleet: Fleet) -> None:
    fleet.write(
        COMMON,
        COMMON_A.replace("      tag: abc1234\n", "      tag: abc1234\n      pullPolicy: Always\n"),
    )
    fleet.toml(replace=('image = "quay.io/org/image:abc1234"\n', 'image = "inherit"\n'))
    assert fleet.run("compile").code == 0
    assert fleet.read(COMMON) == COMMON_A.replace(
        "    image:\n      name: quay.io/org/image\n      tag: abc1234\n",
        "    image:\n      pullPolicy: Always\n",
    )
    assert fleet.run("check").code == 0


def test_a_removal_suggests_how_to_keep_the_image(fleet: Fleet) -> None:
    fleet.toml(
        replace=(
            'r = "ghcr.io/org/r:2024.01.01"\n',
            'r = "inherit"\n',
        )
    )
    result = fleet.run("check")
    assert result.code == 1
    assert result.out.removesuffix(UNUSED_A).splitlines()[-2:] == [
        "    same YAML node (alias) as: a/common.values.yaml:profiles/big/choices/r",
        "    to keep it instead: `hubs set 'a/common.values.yaml:profiles/Choose/choices/r' --pin "
        "ghcr.io/org/r:2024.01.01`",
    ]


def test_markdown_report_shows_warnings_from_their_fields(fleet: Fleet) -> None:
    fleet.write("config/clusters/d/hub.values.yaml", "jupyterhub:\n  singleuser:\n    image: {}\n")
    result = fleet.run("check", "--format", "markdown")
    assert result.code == 0
    assert (
        "- :warning: `config/clusters/d/hub.values.yaml:1`: top-level jupyterhub: is ignored "
        "in a daskhub values file (daskhub nests every value under basehub:)\n"
    ) in result.out


def test_a_pipe_in_a_profile_slug_stays_in_its_markdown_cell(fleet: Fleet) -> None:
    fleet.write(COMMON, fleet.read(COMMON).replace("slug: small", "slug: med|ium"))
    fleet.toml(
        replace=(
            '[clusters.a.files."common.values.yaml".profiles.small]\n'
            'image = "quay.io/org/small:1.0.0"',
            '[clusters.a.files."common.values.yaml".profiles."med|ium"]\n'
            'image = "quay.io/org/small:2.0.0"',
        )
    )
    out = fleet.run("diff", "--format", "markdown").out
    row = out.splitlines()[4]
    assert row == (
        "| `a/common.values.yaml:profiles/med\\|ium/image` | `quay.io/org/small:1.0.0` | "
        "`quay.io/org/small:2.0.0` | `config/clusters/a/common.values.yaml:11` | "
        "2: a/staging, a/prod |"
    )
    assert len(row.replace("\\|", "").split("|")) - 2 == 5  # five cells, as the header has


def test_set_compile_works_out_the_targets_once_for_each_hubs_toml(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once for hubs.toml as read (to find the slot), once as set (to check and compile it)."""
    import hubs.compile.scopes
    import hubs.compile.targets

    counted = {"targets": 0, "bind": 0}
    real_targets, real_bound = hubs.compile.targets._targets, hubs.compile.scopes._bound

    def targets(*args: Any) -> Any:
        counted["targets"] += 1
        return real_targets(*args)

    def bound(*args: Any) -> Any:
        counted["bind"] += 1
        return real_bound(*args)

    monkeypatch.setattr(hubs.compile.targets, "_targets", targets)
    monkeypatch.setattr(hubs.compile.scopes, "_bound", bound)
    result = fleet.run("set", "a/common.values.yaml:image", "--pin", "a/b:2", "--compile")
    assert result.code == 0
    assert counted == {"targets": 2, "bind": 2}
