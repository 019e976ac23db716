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


RSTUDIO = (
    "            rstudio:\n"
    "              display_name: RStudio\n"
    "              kubespawner_override:\n"
    "                image: rocker/binder:4.4.1\n"
)


def _hooks_repo(tmp_path: Path, hooks: list[str]) -> tuple[Path, dict[str, str]]:
    """A git repository of the bundled example with the published hooks ``hooks``."""
    repo = tmp_path / "fleet"
    repo.mkdir()
    for name in ("hubs.toml", "hubs.lock"):
        shutil.copy(ROOT / name, repo / name)
    shutil.copytree(ROOT / "generated", repo / "generated")
    lines = ["repos:", "- repo: local", "  hooks:"]
    for hook in hooks:
        lines += [
            f"  - id: hubs-{hook}",
            f"    name: hubs {hook}",
            f"    entry: {BIN / 'hubs'} {hook}",
            "    language: system",
            "    pass_filenames: false",
            "    verbose: true",
            "    files: (^|/)(hubs\\.toml|hubs\\.lock|cluster\\.yaml|[^/]*values\\.yaml)$",
        ]
    (repo / ".pre-commit-config.yaml").write_text("\n".join(lines) + "\n")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
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
    assert run("git", "commit", "-qm", "fleet", cwd=repo, env=env).returncode == 0
    return repo, env


def _add_rstudio(repo: Path) -> Path:
    values = repo / "generated/config/clusters/alpha/common.values.yaml"
    text = values.read_text()
    values.write_text(
        text.replace(
            "                image: pangeo/pangeo-notebook:2025.06.02\n",
            "                image: pangeo/pangeo-notebook:2025.06.02\n" + RSTUDIO,
        )
    )
    return values


def test_compile_hook_never_deletes_a_choice_added_by_hand(tmp_path: Path) -> None:
    repo, env = _hooks_repo(tmp_path, ["compile"])
    values = _add_rstudio(repo)
    edited = values.read_bytes()
    run("git", "add", "-A", cwd=repo, env=env)
    commit = run("git", "commit", "-qm", "add rstudio", cwd=repo, env=env)
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert values.read_bytes() == edited  # the image the hook did not know is still there
    assert (
        "hubs compile: nothing to change; 1 not stated in hubs.toml"
        in commit.stdout + commit.stderr
    )


def test_check_hook_fails_on_an_unstated_choice_and_the_adopt_hook_takes_it(
    tmp_path: Path,
) -> None:
    repo, env = _hooks_repo(tmp_path, ["adopt", "check"])
    _add_rstudio(repo)
    run("git", "add", "-A", cwd=repo, env=env)
    first = run("git", "commit", "-qm", "add rstudio", cwd=repo, env=env)
    assert first.returncode == 1  # adopt rewrote hubs.toml: pre-commit asks to stage it
    assert "files were modified by this hook" in first.stdout + first.stderr
    assert 'rstudio = "rocker/binder:4.4.1"\n' in (repo / "hubs.toml").read_text()
    run("git", "add", "-A", cwd=repo, env=env)
    second = run("git", "commit", "-qm", "add rstudio", cwd=repo, env=env)
    assert second.returncode == 0, second.stdout + second.stderr


def test_check_hook_alone_fails_on_an_unstated_choice(tmp_path: Path) -> None:
    repo, env = _hooks_repo(tmp_path, ["check"])
    _add_rstudio(repo)
    run("git", "add", "-A", cwd=repo, env=env)
    commit = run("git", "commit", "-qm", "add rstudio", cwd=repo, env=env)
    shown = commit.stdout + commit.stderr
    assert commit.returncode == 1
    assert (
        "hubs check: 1 not stated in hubs.toml, 6 lint findings (docker-hub, unused-image); "
        "see the fix under each"
    ) in shown
    assert "`hubs adopt 'alpha/common.values.yaml:profiles/medium/choices/rstudio'`" in shown


ML = "generated/config/clusters/beta/daskhub-common.values.yaml"


def _commit(repo: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    run("git", "add", "-A", cwd=repo, env=env)
    return run("git", "commit", "-qm", message, cwd=repo, env=env)


def test_the_old_adopt_then_compile_hooks_revert_a_hand_bumped_tag(tmp_path: Path) -> None:
    """Why the README recommends hubs-reconcile: adopt (without --all) leaves an edited pin
    alone, and compile then writes hubs.toml's old tag back over the hand edit."""
    repo, env = _hooks_repo(tmp_path, ["adopt", "compile"])
    values = repo / ML
    values.write_text(
        values.read_text().replace("ml-notebook:2025.06.02", "ml-notebook:2025.06.03")
    )
    _commit(repo, env, "hand bump")
    assert "ml-notebook:2025.06.03" not in values.read_text()


def test_the_reconcile_hook_keeps_a_hand_bumped_tag(tmp_path: Path) -> None:
    repo, env = _hooks_repo(tmp_path, ["reconcile", "check"])
    values = repo / ML
    values.write_text(
        values.read_text().replace("ml-notebook:2025.06.02", "ml-notebook:2025.06.03")
    )
    edited = values.read_bytes()
    first = _commit(repo, env, "hand bump")
    shown = first.stdout + first.stderr
    assert first.returncode == 1  # reconcile wrote hubs.toml: pre-commit asks to stage it
    assert (
        "adopted beta/daskhub-common.values.yaml:profiles/cpu/choices/ml: "
        "pangeo/ml-notebook:2025.06.03\n"
    ) in shown
    assert values.read_bytes() == edited
    assert 'ml = "pangeo/ml-notebook:2025.06.03"\n' in (repo / "hubs.toml").read_text()
    second = _commit(repo, env, "hand bump")
    assert second.returncode == 0, second.stdout + second.stderr
    assert values.read_bytes() == edited
    log = run("git", "log", "--oneline", cwd=repo, env=env).stdout
    assert log.count("\n") == 2


def test_the_reconcile_hook_compiles_an_edited_pin_into_the_same_commit(tmp_path: Path) -> None:
    repo, env = _hooks_repo(tmp_path, ["reconcile", "check"])
    toml = repo / "hubs.toml"
    toml.write_text(
        toml.read_text().replace(
            'ml = "pangeo/ml-notebook:2025.06.02"', 'ml = "pangeo/ml-notebook:2025.07.01"'
        )
    )
    first = _commit(repo, env, "bump ml")
    assert first.returncode == 1  # reconcile compiled the values file: stage it
    assert "pangeo/ml-notebook:2025.06.02 -> pangeo/ml-notebook:2025.07.01" in (
        first.stdout + first.stderr
    )
    second = _commit(repo, env, "bump ml")
    assert second.returncode == 0, second.stdout + second.stderr
    shown = run("git", "show", "--stat", "--format=", "HEAD", cwd=repo, env=env).stdout
    assert "hubs.toml" in shown and "daskhub-common.values.yaml" in shown
