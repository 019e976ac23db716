"""The GitHub Action: its files, the commands it runs, and its steps under a local runner."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from actionrunner import ACTION, BIN, EXPR, ROOT, fleet, run_action
from hubs.cli.action import (
    ACTION_COMMANDS,
    Inputs,
    failed,
    fit_body,
    fit_summary,
    installed_commands,
    outcome,
    parse_checks,
    parse_report,
    rendered,
)
from hubs.cli.action import (
    run as run_step,
)
from hubs.cli.main import _parser
from hubs.errors import UsageError
from hubs.report.github import annotation, capped
from hubs.report.reporters import render_markdown

WORKFLOWS = sorted((ROOT / "docs/workflows").glob("*.yml"))


def load(path: Path) -> dict[str | bool, Any]:
    """A YAML mapping; YAML 1.1 reads a workflow's `on:` key as True."""
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def hubs_steps(workflow: dict[str | bool, Any]) -> list[dict[str, Any]]:
    """The steps of a workflow that use this action (`OWNER/hubs@REF`)."""
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    return [s for s in steps if re.fullmatch(r"[\w.-]+/hubs@[\w.-]+", s.get("uses", ""))]


def test_files_are_valid_yaml() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert [p.name for p in WORKFLOWS] == ["check.yml", "update.yml"]
    for path in WORKFLOWS:
        workflow = load(path)
        assert workflow["jobs"], path
        assert len(hubs_steps(workflow)) == 1, path


def test_inputs_reach_scripts_only_through_env() -> None:
    declared = set(ACTION["inputs"])
    assert declared == {"command", "config", "python-version", "fail-on", "summary", "packages"}
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step  # never spliced into a script
        for value in [*step.get("env", {}).values(), *step.get("with", {}).values()]:
            for expr in EXPR.findall(str(value)):
                assert expr.removeprefix("inputs.") in declared, expr


def test_workflows_run_existing_commands_and_inputs() -> None:
    known = installed_commands()
    commands = {}
    for path in WORKFLOWS:
        (step,) = hubs_steps(load(path))
        assert set(step["with"]) <= set(ACTION["inputs"]), path
        commands[path.name] = step["with"]["command"]
        assert commands[path.name] in known
    assert commands == {"check.yml": "check", "update.yml": "update"}


@pytest.mark.parametrize("config", ["", "fleet/hubs.toml"])
def test_every_command_line_the_action_runs_parses(config: str) -> None:
    parser = _parser()
    runnable = [c for c in ACTION_COMMANDS if c in installed_commands()]
    assert {"check", "update"} <= set(runnable)
    for command in runnable:
        argv = Inputs(command, config, "findings", True).argv()
        args = parser.parse_args(argv)  # exits on an unknown command or flag
        assert (args.command, args.format, getattr(args, "config", "")) == (command, "json", config)
    # and any `hubs ...` a script of the action or the workflows runs
    for path in [ROOT / "action.yml", *WORKFLOWS]:
        for match in re.finditer(r"(?m)\bhubs ([a-z].*)$", path.read_text()):
            if "python -m hubs" not in match.group(0):
                words = match.group(1).split()
                if words[0] in installed_commands():
                    parser.parse_args(words)


def test_command_input_is_validated() -> None:
    with pytest.raises(UsageError) as caught:
        Inputs.from_env({"HUBS_COMMAND": "compile"})
    assert caught.value.messages == [
        "input command: 'compile' is not one of check, lint, verify, update"
    ]
    missing = [c for c in ACTION_COMMANDS if c not in installed_commands()]
    for command in missing:  # lint and verify, until this hubs has them
        with pytest.raises(UsageError) as caught:
            Inputs.from_env({"HUBS_COMMAND": command})
        assert caught.value.messages == [
            f"input command: this hubs has no {command!r} command; use "
            + ", ".join(c for c in ACTION_COMMANDS if c not in missing)
        ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HUBS_FAIL_ON": "drift"}, "input fail-on: 'drift' is not one of findings, errors, never"),
        ({"HUBS_SUMMARY": "yes"}, "input summary: 'yes' is not true or false"),
        ({"HUBS_PACKAGES": "yes"}, "input packages: 'yes' is not true or false"),
        ({"HUBS_PACKAGES": "true"}, "input packages: only for update, not check"),
    ],
)
def test_other_inputs_are_validated(env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        Inputs.from_env(env)
    assert caught.value.messages == [message]


def test_defaults() -> None:
    assert Inputs.from_env({}) == Inputs("check", "", "findings", True)
    assert Inputs.from_env({"HUBS_SUMMARY": "false", "HUBS_CONFIG": " a/hubs.toml "}) == Inputs(
        "check", "a/hubs.toml", "findings", False
    )
    update = Inputs.from_env({"HUBS_COMMAND": "update", "HUBS_PACKAGES": "true"})
    assert update.argv() == ["update", "--packages", "--format", "json"]
    _parser().parse_args(update.argv())


def test_the_package_diffs_of_a_json_report_reach_the_markdown_summary() -> None:
    data = {
        "schema_version": 1, "command": "update", "applied": True, "slots": 1, "hubs": 1,
        "changes": [], "notes": [], "warnings": [], "findings": [],
        "packages": [
            {"old": "r/a:1", "new": "r/a:2", "addresses": ["c/h:image"],
             "summary": "numpy 1.0 → 2.0; 1 changed", "error": None, "added": [], "removed": [],
             "changed": [{"name": "numpy", "old": "1.0", "new": "2.0"}]},
        ],
    }  # fmt: skip
    report = parse_report(data)
    assert report is not None
    assert render_markdown(report).endswith(
        "#### Packages\n\n"
        "`r/a:1` → `r/a:2` (c/h:image): numpy 1.0 → 2.0; 1 changed\n\n"
        "<details><summary>1 package</summary>\n\n"
        "| package | old | new |\n|---|---|---|\n| `numpy` | `1.0` | `2.0` |\n\n</details>\n\n"
    )


def test_annotations_are_capped_errors_first_and_the_rest_counted() -> None:
    lines = [f"::warning file=f,line={n}::w{n}" for n in range(1, 4)]
    lines += [f"::error file=f,line={n}::m{n}" for n in range(1, 10)] + ["hubs check: headline"]
    assert capped(lines) == [
        "::warning file=f,line=1::w1",
        *lines[3:12],
        "2 more not annotated: GitHub shows 10 per step",
        "hubs check: headline",
    ]
    assert capped(lines[:10]) == lines[:10]


def test_one_annotation_form() -> None:
    assert annotation("error", "a%b\nc: d, e") == "::error::a%25b%0Ac: d, e"
    assert annotation("warning", "m", file="a:b,c.yaml", line=3, col=4, title="t: u") == (
        "::warning file=a%3Ab%2Cc.yaml,line=3,col=4,title=t%3A u::m"
    )
    assert annotation("notice", "m", line=3, title="t") == "::notice title=t::m"


def test_summary_is_cut_to_fit() -> None:
    markdown = "### head\n" + "".join(f"| row {n} |\n" for n in range(100))
    assert fit_summary(markdown) == markdown
    cut = fit_summary(markdown, limit=300)
    assert len(cut.encode()) <= 300
    assert cut == (
        "### head\n| row 0 |\n| row 1 |\n| row 2 |\n| row 3 |\n| row 4 |\n| row 5 |\n"
        "| row 6 |\n| row 7 |\n| row 8 |\n\n"  # 99 bytes: the budget is 300 less 200 for the note
        "*(report cut to fit the step summary: 10 of 101 lines shown)*\n"
    )
    big = "x" * 100 + "\n"
    assert len(fit_summary(big * 20000).encode()) <= 1024 * 1024


def test_the_pull_request_body_is_cut_to_githubs_limit() -> None:
    markdown = "### head\n" + "".join(f"| row {n} é |\n" for n in range(10000))
    body = fit_body(markdown)
    assert len(body) <= 65536 < len(markdown)
    assert body.startswith("### head\n| row 0 é |\n")
    assert body.endswith(
        "| row 4428 é |\n\n"  # 65,334 characters: 9 + 10 * 12 + 90 * 13 + 900 * 14 + 3429 * 15
        "*(report cut to fit a pull request body: 4430 of 10001 lines shown; "
        "the job summary has the rest)*\n"
    )
    assert fit_body("short\n") == "short\n"


def test_the_report_output_fits_a_pull_request_body(tmp_path: Path) -> None:
    workspace = all_latest(fleet(tmp_path / "ws", drift=False))
    env = {"HUBS_COMMAND": "lint", "RUNNER_TEMP": str(tmp_path)}
    run_step(env, workspace, body_limit=2000)
    body = (tmp_path / "hubs-report.md").read_text()
    assert len(body) <= 2000
    assert body.endswith("lines shown; the job summary has the rest)*\n")


def test_fail_on() -> None:
    assert [failed(c, "findings") for c in (0, 1, 2, 3)] == [False, True, True, True]
    assert [failed(c, "errors") for c in (0, 1, 2, 3)] == [False, False, True, True]
    assert [failed(c, "never") for c in (0, 1, 2, 3)] == [False, False, False, False]


def test_output_that_is_not_a_report() -> None:
    assert rendered("") is None
    assert parse_report({"schema_version": 99}) is None
    assert rendered("[1]") is None
    assert parse_report({"schema_version": 1, "changes": []}) is None  # keys missing
    assert parse_checks([{"image": "x"}]) is None
    result = outcome("check", 3, "", "hubs: warning: x\n")
    assert result.log == ("::error title=hubs check::hubs check exited 3 with no report",)
    assert result.markdown == (
        "### `hubs check`: failed (exit 3)\n\n- hubs check exited 3 with no report\n"
    )


# ---------------------------------------------------------------- every kind of result

DASK = "generated/config/clusters/beta/daskhub-common.values.yaml"
STAGING = "generated/config/clusters/alpha/staging.values.yaml"
ML = "beta/daskhub-common.values.yaml:profiles/cpu/choices/ml"
DOCKER_HUB = (
    "is pulled from Docker Hub, whose pull limits can keep a hub from starting servers; "
    "push it to quay.io, GitHub's registry (ghcr.io) or the cloud's own registry "
    "(Artifact Registry, ECR) and pin it from there"
)
UNUSED = (
    "singleuser.image pangeo/base-notebook:2025.06.02 is never used: every profile of "
    "beta/prod sets its own image; `hubs set 'beta/prod:image' --inherit` removes it; "
    "or leave one profile without an image"
)
# the lint findings of the bundled example: (file, line, rule, address, message)
LINT = [
    ("generated/config/clusters/alpha/common.values.yaml", 38, "docker-hub",
     "alpha/common.values.yaml:profiles/medium/choices/pangeo",
     f"pangeo/pangeo-notebook:2025.06.02 {DOCKER_HUB}"),
    (DASK, 15, "docker-hub", "beta/daskhub-common.values.yaml:profiles/cpu/choices/pangeo",
     f"pangeo/pangeo-notebook:2025.06.02 {DOCKER_HUB}"),
    (DASK, 19, "docker-hub", ML, f"pangeo/ml-notebook:2025.06.02 {DOCKER_HUB}"),
    ("generated/config/clusters/beta/prod.values.yaml", 8, "docker-hub", "beta/prod:image",
     f"pangeo/base-notebook:2025.06.02 {DOCKER_HUB}"),
    ("generated/config/clusters/beta/prod.values.yaml", 8, "unused-image", "beta/prod:image",
     UNUSED),
]  # fmt: skip
LINT_HEADLINE = "5 lint findings (docker-hub, unused-image)"


def lint_annotations(command: str = "check", level: str = "warning", ml: str = "") -> str:
    """The annotations of the example's lint findings (ml: the ml tag as the tree has it)."""
    return "".join(
        f"::{level} file={file},line={line},title=hubs {command}%3A {rule}::{address}: "
        + (message.replace("2025.06.02", ml) if ml and address == ML else message)
        + "\n"
        for file, line, rule, address, message in LINT
    )


def lint_summary(ml: str = "") -> str:
    return "".join(
        f"- :warning: `{address}` (`{file}:{line}`, {rule}): "
        + (message.replace("2025.06.02", ml) if ml and address == ML else message)
        + "\n"
        for file, line, rule, address, message in LINT
    )


ANNOTATION = (
    "::error file={prefix}" + DASK + ",line=19,title=hubs check::" + ML + ": "
    "pangeo/ml-notebook:2025.06.03 -> pangeo/ml-notebook:2025.06.02; "
    "reaches 2 hubs: beta/staging, beta/prod\n"
)
DRIFT_HEADLINE = f"1 slot in 1 file out of date; run `hubs compile`; {LINT_HEADLINE}"
SUMMARY = (
    f"### `hubs check`: {DRIFT_HEADLINE}\n"
    "\n"
    "| slot | old | new | where | hubs |\n"
    "|---|---|---|---|---|\n"
    f"| `{ML}` | "
    "`pangeo/ml-notebook:2025.06.03` | `pangeo/ml-notebook:2025.06.02` | "
    f"`{{prefix}}{DASK}:19` | "
    "2: beta/staging, beta/prod |\n"
    "\n"
)


def outputs(tmp: Path, code: int, changed: bool) -> str:
    return f"exit-code={code}\nchanged={str(changed).lower()}\nreport={tmp / 'hubs-report.md'}\n"


HEAD = "hubs: install skipped (HUBS_ACTION_SKIP_INSTALL=true)\nhubs {command} --format json\n"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_check_with_drift_annotates_and_summarises(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws")
    code, log, tmp = run_action({"command": "check"}, workspace, tmp_path)
    assert code == 1
    assert log == (
        HEAD.format(command="check")
        + ANNOTATION.format(prefix="")
        + lint_annotations(ml="2025.06.03")
        + f"hubs check: {DRIFT_HEADLINE}\n"
    )
    summary = SUMMARY.format(prefix="") + lint_summary(ml="2025.06.03")
    assert (tmp / "summary.md").read_text() == summary
    assert (tmp / "hubs-report.md").read_text() == summary
    assert (tmp / "output").read_text() == outputs(tmp, 1, True)


def test_config_in_a_subfolder_and_fail_on_never(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    fleet(workspace / "fleet")
    inputs = {"config": "fleet/hubs.toml", "fail-on": "never", "summary": "false"}
    code, log, tmp = run_action(inputs, workspace, tmp_path)
    assert code == 0
    assert ANNOTATION.format(prefix="fleet/") in log
    assert (tmp / "summary.md").read_text() == ""
    assert (tmp / "hubs-report.md").read_text().startswith(SUMMARY.format(prefix="fleet/"))
    assert (tmp / "output").read_text() == outputs(tmp, 1, True)


def test_clean_tree_passes_and_shows_the_lint_warnings(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws", drift=False)
    code, log, tmp = run_action({}, workspace, tmp_path)
    assert code == 0
    headline = f"clean (10 slots, 5 hubs); {LINT_HEADLINE}"
    assert log == HEAD.format(command="check") + lint_annotations() + f"hubs check: {headline}\n"
    assert (tmp / "summary.md").read_text() == (
        f"### `hubs check`: {headline}\n\n" + lint_summary()
    )
    assert (tmp / "output").read_text() == outputs(tmp, 0, False)


UNSTATED = (
    "alpha/staging:image: quay.io/example/alpha-image:9f8e7d6c5b4a is in the tree but not in "
    "hubs.toml (compile leaves it alone); `hubs adopt 'alpha/staging:image'` states it; "
    "`hubs set 'alpha/staging:image' --inherit` asks for its removal"
)


def test_an_image_added_by_hand_fails_the_check(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws", drift=False)
    edit(workspace / "hubs.toml", 'image = "quay.io/example/alpha-image:9f8e7d6c5b4a"\n', "")
    code, log, tmp = run_action({}, workspace, tmp_path)
    assert code == 1
    headline = f"1 not stated in hubs.toml, {LINT_HEADLINE}; see the fix under each"
    assert log == (
        HEAD.format(command="check")
        + f"::error file={STAGING},line=11,title=hubs check%3A unstated::{UNSTATED}\n"
        + lint_annotations()
        + f"hubs check: {headline}\n"
    )
    assert (tmp / "summary.md").read_text() == (
        f"### `hubs check`: {headline}\n\n"
        + f"- :x: `alpha/staging:image` (`{STAGING}:11`, unstated): "
        + UNSTATED.removeprefix("alpha/staging:image: ")
        + "\n"
        + lint_summary()
    )
    assert (tmp / "output").read_text() == outputs(tmp, 1, False)


def test_a_broken_image_fails_the_check(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws", drift=False)
    edit(workspace / STAGING, "tag: 9f8e7d6c5b4a", 'tag: "bad tag"')
    code, log, tmp = run_action({}, workspace, tmp_path)
    assert code == 1
    headline = (
        f"1 slot in 1 file out of date, 1 broken image, {LINT_HEADLINE}; see the fix under each"
    )
    broken = (
        "alpha/staging:image: not an image reference: bad tag 'bad tag'; "
        "`hubs set 'alpha/staging:image' --pin IMAGE:TAG` replaces it"
    )
    assert log == (
        HEAD.format(command="check")
        + f"::error file={STAGING},line=11,title=hubs check::alpha/staging:image: "
        "quay.io/example/alpha-image:bad tag -> quay.io/example/alpha-image:9f8e7d6c5b4a; "
        "reaches 1 hub: alpha/staging\n"
        + f"::error file={STAGING},line=11,title=hubs check%3A not-a-reference::{broken}\n"
        + lint_annotations()
        + f"hubs check: {headline}\n"
    )
    assert (tmp / "summary.md").read_text() == (
        f"### `hubs check`: {headline}\n\n"
        "| slot | old | new | where | hubs |\n"
        "|---|---|---|---|---|\n"
        "| `alpha/staging:image` | `quay.io/example/alpha-image:bad tag` | "
        f"`quay.io/example/alpha-image:9f8e7d6c5b4a` | `{STAGING}:11` | 1: alpha/staging |\n"
        "\n"
        f"- :x: `alpha/staging:image` (`{STAGING}:11`, not-a-reference): "
        + broken.removeprefix("alpha/staging:image: ")
        + "\n"
        + lint_summary()
    )
    assert (tmp / "output").read_text() == outputs(tmp, 1, True)


def test_a_follow_slot_waiting_for_update_fails_the_check(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws", drift=False)
    follow = '{ follow = "pangeo/ml-notebook", match = "^2025", order = "alphabetical" }'
    edit(workspace / "hubs.toml", 'ml = "pangeo/ml-notebook:2025.06.02"', f"ml = {follow}")
    code, log, tmp = run_action({}, workspace, tmp_path)
    assert code == 1
    headline = f"1 waiting for `hubs update`, {LINT_HEADLINE}; see the fix under each"
    pending = (
        f"{ML}: follows pangeo/ml-notebook but hubs.lock has no entry for it (compile leaves "
        f"the slot as it is); `hubs update '{ML}'` resolves it"
    )
    assert log == (
        HEAD.format(command="check")
        + f"::error file={DASK},line=19,title=hubs check%3A pending::{pending}\n"
        + lint_annotations()
        + f"hubs check: {headline}\n"
    )
    assert (tmp / "summary.md").read_text() == (
        f"### `hubs check`: {headline}\n\n"
        f"- :x: `{ML}` (`{DASK}:19`, pending): " + pending.removeprefix(f"{ML}: ") + "\n"
        + lint_summary()
    )  # fmt: skip
    assert (tmp / "output").read_text() == outputs(tmp, 1, False)


def test_strict_lint_fails_the_check(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws", drift=False)
    with open(workspace / "hubs.toml", "a") as toml:
        toml.write("\n[lint]\nstrict = true\n")
    code, log, tmp = run_action({}, workspace, tmp_path)
    assert code == 1
    headline = f"{LINT_HEADLINE}; see the fix under each"
    assert log == (
        HEAD.format(command="check") + lint_annotations(level="error") + f"hubs check: {headline}\n"
    )
    assert (tmp / "summary.md").read_text() == (
        f"### `hubs check`: {headline}\n\n" + lint_summary().replace(":warning:", ":x:")
    )
    assert (tmp / "output").read_text() == outputs(tmp, 1, False)


def test_lint_command_annotates_every_finding(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws", drift=False)
    code, log, tmp = run_action({"command": "lint"}, workspace, tmp_path)
    assert code == 1
    headline = f"{LINT_HEADLINE}; see the fix under each"
    assert log == (
        HEAD.format(command="lint")
        + lint_annotations("lint", level="error")
        + f"hubs lint: {headline}\n"
    )
    assert (tmp / "summary.md").read_text() == f"### `hubs lint`: {headline}\n\n" + lint_summary()
    assert (tmp / "output").read_text() == outputs(tmp, 1, False)


def test_a_layering_warning_is_annotated_on_its_file(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws", drift=False)
    edit(
        workspace / "generated/config/clusters/alpha/cluster.yaml",
        "  - common.values.yaml\n  - staging.values.yaml\n",
        "  - staging.values.yaml\n  - common.values.yaml\n",
    )
    code, log, tmp = run_action({}, workspace, tmp_path)
    assert code == 0
    warning = (
        "clusters.alpha.hubs.staging.image has no effect: config/clusters/alpha/common.values.yaml "
        "comes later in the values files of alpha/staging and sets singleuser.image too"
    )
    headline = f"clean (10 slots, 5 hubs); {LINT_HEADLINE}"
    assert log == (
        HEAD.format(command="check")
        + lint_annotations()
        + f"::warning file={STAGING},line=1::{warning}\n"
        + f"hubs check: {headline}\n"
    )
    assert (tmp / "summary.md").read_text() == (
        f"### `hubs check`: {headline}\n- :warning: `{STAGING}:1`: {warning}\n\n" + lint_summary()
    )
    assert (tmp / "output").read_text() == outputs(tmp, 0, False)


def test_an_entry_the_tree_no_longer_has_fails_the_check(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws", drift=False)
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "the fleet"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=workspace, check=True, capture_output=True,
        )  # fmt: skip
    cluster = workspace / "generated/config/clusters/alpha/cluster.yaml"
    text = cluster.read_text()
    cluster.write_text(text[: text.index("- name: workshop")])
    code, log, tmp = run_action({}, workspace, tmp_path)
    assert code == 1
    gone = (
        "clusters.alpha.hubs.workshop: no such hub in config/clusters/alpha/cluster.yaml; "
        "`hubs adopt` removes it from hubs.toml (or restore it in the tree)"
    )
    chart = (
        "singleuser.image quay.io/jupyter/scipy-notebook:2024-03-18 is never used: every "
        "profile of beta/staging sets its own image; `hubs set 'defaults:image' --inherit` "
        "removes it; or leave one profile without an image"
    )
    headline = (
        "1 entry of hubs.toml the tree no longer has, 6 lint findings (docker-hub, "
        "unused-image); see the fix under each"
    )
    chart_file = "generated/helm-charts/basehub/values.yaml"
    lint = lint_annotations().splitlines(keepends=True)
    assert log == (
        HEAD.format(command="check")
        + f"::error file=hubs.toml,line=32,title=hubs check%3A gone::{gone}\n"
        + "".join(lint[:4])
        + f"::warning file={chart_file},line=8,title=hubs check%3A unused-image::"
        + f"defaults:image: {chart}\n"
        + lint[4]
        + f"hubs check: {headline}\n"
    )
    summary = (tmp / "summary.md").read_text()
    lint_lines = lint_summary().splitlines(keepends=True)
    assert summary == (
        f"### `hubs check`: {headline}\n\n"
        "- :x: `clusters.alpha.hubs.workshop` (`hubs.toml:32`, gone): "
        + gone.removeprefix("clusters.alpha.hubs.workshop: ") + "\n"
        + "".join(lint_lines[:4])
        + f"- :warning: `defaults:image` (`{chart_file}:8`, unused-image): {chart}\n"
        + lint_lines[4]
    )  # fmt: skip
    assert (tmp / "output").read_text() == outputs(tmp, 1, False)


def all_latest(workspace: Path) -> Path:
    """The example with every pin at `:latest` (12 lint findings), compiled."""
    toml = workspace / "hubs.toml"
    toml.write_text(re.sub(r':[\w.-]+"$', ':latest"', toml.read_text(), flags=re.M))
    subprocess.run([BIN / "hubs", "-C", workspace, "compile"], check=True, capture_output=True)
    return workspace


def test_more_annotations_than_a_step_shows_are_counted(tmp_path: Path) -> None:
    workspace = all_latest(fleet(tmp_path / "ws", drift=False))
    code, log, tmp = run_action({"command": "lint"}, workspace, tmp_path)
    assert code == 1
    lines = log.splitlines()
    assert [line.split(" ", 1)[0] for line in lines[2:]] == ["::error"] * 10 + ["2", "hubs"]
    assert lines[12:] == [
        "2 more not annotated: GitHub shows 10 per step",
        "hubs lint: 12 lint findings (docker-hub, mutable-tag, unused-image); "
        "see the fix under each",
    ]
    assert (tmp / "summary.md").read_text().count("\n- :warning: ") == 12


@pytest.mark.parametrize("command", ["check", "lint"])
def test_the_cli_caps_its_github_format_too(tmp_path: Path, command: str) -> None:
    workspace = all_latest(fleet(tmp_path / "ws", drift=False))
    done = subprocess.run(
        [BIN / "hubs", "-C", workspace, command, "--format", "github"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert sum(line.startswith("::") for line in lines) == 10
    assert lines[10] == "2 more not annotated: GitHub shows 10 per step"
    assert lines[11].startswith(f"hubs {command}: ")
    assert len(lines) == 12
