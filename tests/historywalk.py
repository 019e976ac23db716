"""Walk a fleet's real git history forward, as an operator whose hook runs ``hubs reconcile``.

    python tests/historywalk.py [--bundle PATH] [--since 2024-09-01] [--stride N] [--hubs CMD]

The operator's repository starts at the first first-parent commit on or after ``--since``,
with ``hubs import``'s hubs.toml committed.  At each later commit (every ``--stride``-th),
the tree (``config/``, ``helm-charts/``) is set to that commit's, then

- ``hubs reconcile`` runs (what the pre-commit hook or a scheduled job runs); it must exit 0
  and change no values file: the tree stays exactly the upstream commit's;
- ``hubs check`` must then be clean (exit 0);
- ``hubs import`` into a scratch hubs.toml must work (exit 0);

and the step is committed, hubs.toml with it.  Prints one line per failed step and the
counts; exits 1 when any step failed.  No timing: this is a correctness walk.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BUNDLE = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "sample-history.bundle"
TREE = ("config", "helm-charts")
_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "walk",
    "GIT_AUTHOR_EMAIL": "walk@example.org",
    "GIT_COMMITTER_NAME": "walk",
    "GIT_COMMITTER_EMAIL": "walk@example.org",
    "HUBS_CACHE": "off",
}


@dataclass
class Walk:
    """The counts of one walk, and a line for each failure."""

    steps: int = 0
    reconciled: int = 0  # reconcile exited 0 and left the tree as upstream has it
    clean: int = 0  # check exited 0 afterwards
    imported: int = 0  # import worked at that commit
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        return (
            f"{self.steps} steps: reconcile {self.reconciled}, check clean {self.clean}, "
            f"import {self.imported}"
        )


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, env=_ENV, check=True
    )
    return done.stdout


def commits(upstream: Path, since: str, stride: int) -> list[str]:
    """The first-parent commits from ``since`` on, oldest first, every ``stride``-th (and
    always the last)."""
    found = git(upstream, "rev-list", "--first-parent", "--reverse", f"--since={since}", "HEAD")
    every = found.split()
    picked = every[::stride]
    if every and picked[-1] != every[-1]:
        picked.append(every[-1])
    return picked


def set_tree(ops: Path, commit: str) -> None:
    """Make the operator's tree exactly ``commit``'s: removed files go, others are its."""
    for folder in TREE:
        shutil.rmtree(ops / folder, ignore_errors=True)
    git(ops, "read-tree", "--reset", "HEAD")  # index as HEAD, so checkout can recreate
    git(ops, "checkout", commit, "--", *TREE)
    git(ops, "add", "-A", "--", *TREE)


def run(hubs: Sequence[str], ops: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*hubs, "-C", str(ops), *args], capture_output=True, text=True, env=_ENV, check=False
    )


def walk(bundle: Path, since: str, stride: int, hubs: Sequence[str], work: Path) -> Walk:
    ops = work / "ops"
    subprocess.run(
        ["git", "clone", "-q", str(bundle), str(ops)], check=True, env=_ENV, capture_output=True
    )
    picked = commits(ops, since, stride)
    git(ops, "checkout", "-q", "-B", "ops", picked[0])
    first = run(hubs, ops, "import")
    if first.returncode != 0:
        raise SystemExit(f"import at {picked[0][:12]} failed: {first.stderr.strip()}")
    git(ops, "add", "hubs.toml")
    git(ops, "commit", "-q", "-m", "hubs.toml")
    result = Walk()
    for commit in picked[1:]:
        result.steps += 1
        _step(result, hubs, ops, work, commit)
    return result


def _step(result: Walk, hubs: Sequence[str], ops: Path, work: Path, commit: str) -> None:
    set_tree(ops, commit)
    short = commit[:12]
    done = run(hubs, ops, "reconcile")
    moved = git(ops, "diff", "--name-only", commit, "--", *TREE).split()
    if done.returncode == 0 and not moved:
        result.reconciled += 1
    else:
        said = (done.stderr.strip() or done.stdout.strip())[:400]
        result.failures.append(f"{short} reconcile exit {done.returncode} {moved[:3]} {said}")
    check = run(hubs, ops, "check", "--format", "json")
    if check.returncode == 0:
        result.clean += 1
    else:
        result.failures.append(
            f"{short} check exit {check.returncode} {check.stderr.strip()[:300]}"
        )
    scratch = work / "import.toml"
    scratch.unlink(missing_ok=True)
    imported = run(hubs, ops, "import", "--config", str(scratch))
    if imported.returncode == 0:
        result.imported += 1
    else:
        result.failures.append(
            f"{short} import exit {imported.returncode} {imported.stderr.strip()[:300]}"
        )
    git(ops, "add", "-A")
    git(ops, "commit", "-q", "--allow-empty", "-m", f"upstream {short}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--since", default="2024-09-01")
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--hubs", default=str(Path(sys.executable).with_name("hubs")))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hubs-walk-") as work:
        result = walk(args.bundle, args.since, args.stride, [args.hubs], Path(work))
    for line in result.failures:
        print(line)
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
