"""A local substitute for a GitHub runner: runs the `run:` steps of action.yml."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DRIFTED = "generated/config/clusters/beta/daskhub-common.values.yaml"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())


def run_action(inputs: dict[str, str], workspace: Path, tmp: Path) -> tuple[int, str, Path]:
    """Run the `run:` steps of action.yml as a runner would: bash -eo pipefail, `env:`
    expressions from the inputs (and their defaults), the GITHUB_* files set. The install
    step is skipped through HUBS_ACTION_SKIP_INSTALL (this venv has hubs); `uses:` steps
    (setup-python) are left out. Returns the first failing exit code (or 0) and the log."""
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update(inputs)
    files = {"GITHUB_STEP_SUMMARY": tmp / "summary.md", "GITHUB_OUTPUT": tmp / "output"}
    for path in files.values():
        path.write_text("")
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(tmp),
        "HUBS_ACTION_SKIP_INSTALL": "true",
        **{k: str(v) for k, v in files.items()},
    }
    log = []
    for step in ACTION["runs"]["steps"]:
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@")
            continue
        step_env = {
            key: EXPR.sub(lambda m: values[m.group(1).removeprefix("inputs.")], str(value))
            for key, value in step.get("env", {}).items()
        }
        script = tmp / "step.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env={**env, **step_env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.stderr == "", done.stderr
        log.append(done.stdout)
        if done.returncode:
            return done.returncode, "".join(log), tmp
    return 0, "".join(log), tmp


def fleet(workspace: Path, drift: bool = True) -> Path:
    workspace.mkdir(parents=True)
    for name in ("hubs.toml", "hubs.lock"):
        shutil.copy(ROOT / name, workspace / name)
    shutil.copytree(ROOT / "generated", workspace / "generated")
    values = workspace / DRIFTED
    if drift:
        values.write_text(
            values.read_text().replace("ml-notebook:2025.06.02", "ml-notebook:2025.06.03")
        )
    return workspace
