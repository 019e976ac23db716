"""The pre-commit hook, run by real pre-commit in a real git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    not (BIN / "pre-commit").exists() or not shutil.which("git"), reason="needs pre-commit and git"
)


def run(*cmd: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_manifest_is_valid() -> None:
    result = subprocess.run(
        [str(BIN / "pre-commit"), "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hook_blocks_a_commit_with_drift(tmp_path: Path) -> None:
    repo = tmp_path / "fleet"
    repo.mkdir()
    for name in ("hubs.toml", "hubs.lock"):
        shutil.copy(ROOT / name, repo / name)
    shutil.copytree(ROOT / "generated", repo / "generated")
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: hubs-check\n    name: hubs check\n"
        f"    entry: {BIN / 'hubs'} check\n    language: system\n    pass_filenames: false\n"
        "    files: (^|/)(hubs\\.toml|hubs\\.lock|cluster\\.yaml|[^/]*values\\.yaml)$\n"
    )
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    git = ("git", "-c", "init.defaultBranch=main")
    assert run(*git, "init", "-q", cwd=repo, env=env).returncode == 0
    assert run(str(BIN / "pre-commit"), "install", cwd=repo, env=env).returncode == 0
    run("git", "add", "-A", cwd=repo, env=env)
    first = run("git", "commit", "-qm", "fleet", cwd=repo, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    # a hand edit of a managed tag is drift: the hook refuses the commit and says where
    values = repo / "generated/config/clusters/beta/daskhub-common.values.yaml"
    values.write_text(
        values.read_text().replace("ml-notebook:2025.06.02", "ml-notebook:2025.06.03")
    )
    run("git", "add", "-A", cwd=repo, env=env)
    second = run("git", "commit", "-qm", "hand bump", cwd=repo, env=env)
    shown = second.stdout + second.stderr  # git shows the hook's output on stderr
    assert second.returncode == 1
    assert "hubs check: 1 slot in 1 file out of date; run `hubs compile`" in shown
    assert (
        "    pangeo/ml-notebook:2025.06.03 -> pangeo/ml-notebook:2025.06.02\n"
        "    generated/config/clusters/beta/daskhub-common.values.yaml:19 · reaches 2 hubs: "
        "beta/staging, beta/prod\n"
    ) in shown
    assert run("git", "log", "--oneline", cwd=repo, env=env).stdout.count("\n") == 1
