"""This repository's .pre-commit-config.yaml: the published hooks, dogfooded on the bundled
example by real pre-commit in a real git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DRIFTED = "generated/config/clusters/beta/daskhub-common.values.yaml"

pytestmark = pytest.mark.skipif(
    not (BIN / "pre-commit").exists() or not shutil.which("git"), reason="needs pre-commit and git"
)


def config_hooks() -> list[dict[str, Any]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    hooks: list[dict[str, Any]] = repo["hooks"]
    return hooks


def test_config_is_valid() -> None:
    result = subprocess.run(
        [str(BIN / "pre-commit"), "validate-config", str(ROOT / ".pre-commit-config.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_config_runs_the_published_hooks_as_published() -> None:
    published = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    same = ("id", "name", "entry", "pass_filenames", "files")
    assert [{k: h[k] for k in same} for h in config_hooks()] == [
        {k: published[h["id"]][k] for k in same} for h in config_hooks()
    ]
    assert sorted(published) == ["hubs-adopt", "hubs-check", "hubs-compile", "hubs-reconcile"]
    # the set-up the README recommends, offline: reconcile and check never touch the network
    assert [h["entry"] for h in config_hooks()] == ["hubs reconcile", "hubs check"]
    assert all("stages" not in h for h in config_hooks())


def run(*cmd: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_dogfood_on_a_copy(tmp_path: Path) -> None:
    repo = tmp_path / "hubs"
    repo.mkdir()
    for name in ("hubs.toml", "hubs.lock", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, repo / name)
    shutil.copytree(ROOT / "generated", repo / "generated")
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",  # the venv, as if activated
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    assert (
        run("git", "-c", "init.defaultBranch=main", "init", "-q", cwd=repo, env=env).returncode == 0
    )
    assert run(str(BIN / "pre-commit"), "install", cwd=repo, env=env).returncode == 0
    run("git", "add", "-A", cwd=repo, env=env)
    first = run("git", "commit", "-qm", "example", cwd=repo, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "hubs check...............................................................Passed" in (
        first.stdout + first.stderr
    )

    values = repo / DRIFTED
    clean = values.read_text()
    values.write_text(clean.replace("ml-notebook:2025.06.02", "ml-notebook:2025.06.03"))
    bumped = values.read_text()
    run("git", "add", "-A", cwd=repo, env=env)
    second = run("git", "commit", "-qm", "hand bump", cwd=repo, env=env)
    shown = second.stdout + second.stderr
    assert second.returncode == 1
    assert (
        "hubs reconcile...........................................................Failed" in shown
    )
    assert "- files were modified by this hook" in shown
    assert (
        "hubs check...............................................................Passed" in shown
    )
    assert values.read_text() == bumped  # the hand edit stays; hubs.toml took it
    assert 'ml = "pangeo/ml-notebook:2025.06.03"' in (repo / "hubs.toml").read_text()
    assert run("git", "log", "--oneline", cwd=repo, env=env).stdout.count("\n") == 1

    run("git", "add", "-A", cwd=repo, env=env)
    third = run("git", "commit", "-qm", "hand bump", cwd=repo, env=env)
    assert third.returncode == 0, third.stdout + third.stderr
    assert run("git", "status", "--porcelain", cwd=repo, env=env).stdout == ""
    manual = run(str(BIN / "pre-commit"), "run", "--all-files", cwd=repo, env=env)
    assert manual.returncode == 0, manual.stdout + manual.stderr
