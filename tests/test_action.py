"""The GitHub Action: its files, the commands it runs, and its steps under a local runner."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from actionrunner import ACTION, BIN, EXPR, ROOT, fleet, run_action
from hubs.action import (
    ACTION_COMMANDS,
    Inputs,
    capped,
    failed,
    fit_summary,
    installed_commands,
    outcome,
    parse_report,
)
from hubs.cli import _parser
from hubs.errors import UsageError
from hubs.report import render_markdown

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
    assert load(ROOT / "docs/workflows/check.yml")[True] == {
        "pull_request": {"paths": ["hubs.toml", "hubs.lock", "**/cluster.yaml", "**/*values.yaml"]}
    }
    update = load(ROOT / "docs/workflows/update.yml")
    assert set(update[True]) == {"schedule", "workflow_dispatch"}
    (pr,) = [
        s for s in update["jobs"]["update"]["steps"] if "create-pull-request" in s.get("uses", "")
    ]
    assert pr["with"]["body-path"] == "${{ steps.hubs.outputs.report }}"


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
        "changes": [], "notes": [], "warnings": [],
        "packages": [
            {"old": "r/a:1", "new": "r/a:2", "addresses": ["c/h:image"],
             "summary": "numpy 1.0 → 2.0; 1 changed", "error": None, "added": [], "removed": [],
             "changed": [{"name": "numpy", "old": "1.0", "new": "2.0"}]},
        ],
    }  # fmt: skip
    report = parse_report(json.dumps(data))
    assert report is not None
    assert render_markdown(report).endswith(
        "#### Packages\n\n"
        "`r/a:1` → `r/a:2` (c/h:image): numpy 1.0 → 2.0; 1 changed\n\n"
        "<details><summary>1 package</summary>\n\n"
        "| package | old | new |\n|---|---|---|\n| `numpy` | `1.0` | `2.0` |\n\n</details>\n\n"
    )


def test_annotations_are_capped_and_the_rest_counted() -> None:
    lines = [f"::error file=f,line={n}::m{n}" for n in range(1, 13)] + ["hubs check: headline"]
    assert capped(lines) == [
        *lines[:10],
        "hubs check: headline",
        "... and 2 more (the step summary lists them all)",
    ]
    assert capped(lines[:10]) == lines[:10]


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


def test_fail_on() -> None:
    assert [failed(c, "findings") for c in (0, 1, 2, 3)] == [False, True, True, True]
    assert [failed(c, "errors") for c in (0, 1, 2, 3)] == [False, False, True, True]
    assert [failed(c, "never") for c in (0, 1, 2, 3)] == [False, False, False, False]


def test_output_that_is_not_a_report() -> None:
    assert parse_report("") is None
    assert parse_report('{"schema_version": 99}') is None
    assert parse_report("[1]") is None
    assert parse_report('{"schema_version": 1, "changes": []}') is None  # keys missing
    result = outcome("check", 3, "", "hubs: warning: x\n")
    assert result.log == ("::error title=hubs check::hubs check exited 3 with no report",)
    assert result.markdown == (
        "### `hubs check`: failed (exit 3)\n\n- hubs check exited 3 with no report\n"
    )


ANNOTATION = (
    "::error file={prefix}generated/config/clusters/beta/daskhub-common.values.yaml,line=19,"
    "title=hubs check::beta/daskhub-common.values.yaml:profiles/cpu/choices/ml: "
    "pangeo/ml-notebook:2025.06.03 -> pangeo/ml-notebook:2025.06.02; "
    "reaches 2 hubs: beta/staging, beta/prod\n"
)
SUMMARY = (
    "### `hubs check`: 1 slot in 1 file out of date; run `hubs compile`\n"
    "\n"
    "| slot | old | new | where | hubs |\n"
    "|---|---|---|---|---|\n"
    "| `beta/daskhub-common.values.yaml:profiles/cpu/choices/ml` | "
    "`pangeo/ml-notebook:2025.06.03` | `pangeo/ml-notebook:2025.06.02` | "
    "`{prefix}generated/config/clusters/beta/daskhub-common.values.yaml:19` | "
    "2: beta/staging, beta/prod |\n"
)


def test_check_with_drift_annotates_and_summarises(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws")
    code, log, tmp = run_action({"command": "check"}, workspace, tmp_path)
    assert code == 1
    assert log == (
        "hubs: install skipped (HUBS_ACTION_SKIP_INSTALL=true)\n"
        "hubs check --format json\n"
        + ANNOTATION.format(prefix="")
        + "hubs check: 1 slot in 1 file out of date; run `hubs compile`\n"
    )
    assert (tmp / "summary.md").read_text() == SUMMARY.format(prefix="")
    assert (tmp / "hubs-report.md").read_text() == SUMMARY.format(prefix="")
    assert (tmp / "output").read_text() == (
        f"exit-code=1\nchanged=true\nreport={tmp / 'hubs-report.md'}\n"
    )


def test_config_in_a_subfolder_and_fail_on_never(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    fleet(workspace / "fleet")
    inputs = {"config": "fleet/hubs.toml", "fail-on": "never", "summary": "false"}
    code, log, tmp = run_action(inputs, workspace, tmp_path)
    assert code == 0
    assert ANNOTATION.format(prefix="fleet/") in log
    assert (tmp / "summary.md").read_text() == ""
    assert (tmp / "hubs-report.md").read_text() == SUMMARY.format(prefix="fleet/")
    assert (tmp / "output").read_text().startswith("exit-code=1\nchanged=true\n")


def test_clean_tree_passes(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws")
    subprocess.run([BIN / "hubs", "-C", workspace, "compile"], check=True, capture_output=True)
    code, log, tmp = run_action({}, workspace, tmp_path)
    assert code == 0
    assert log.endswith("hubs check --format json\nhubs check: clean (10 slots, 5 hubs)\n")
    assert (tmp / "summary.md").read_text() == "### `hubs check`: clean (10 slots, 5 hubs)\n"
    assert "changed=false\n" in (tmp / "output").read_text()


def test_bad_input_is_an_annotation_on_its_line(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws")
    with open(workspace / "hubs.toml", "a") as toml:
        toml.write("\n[clusters.alpha.bogus]\nx = 1\n")
    code, log, tmp = run_action({}, workspace, tmp_path)
    assert code == 2
    assert log.endswith(
        "hubs check --format json\n"
        "::error file=hubs.toml,line=45,col=1,title=hubs check::clusters.alpha.bogus: unknown key\n"
    )
    assert (tmp / "summary.md").read_text() == (
        "### `hubs check`: failed (exit 2)\n\n- hubs.toml:45:1: clusters.alpha.bogus: unknown key\n"
    )


def test_unknown_command_input(tmp_path: Path) -> None:
    workspace = fleet(tmp_path / "ws")
    code, log, tmp = run_action({"command": "compile"}, workspace, tmp_path)
    assert code == 2
    assert log.endswith(
        "::error title=hubs action::input command: 'compile' is not one of "
        "check, lint, verify, update\n"
    )
    assert (tmp / "summary.md").read_text() == ""
