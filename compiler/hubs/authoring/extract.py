"""``hubs extract-image``: move a user-image folder out of a deployment repository, history kept.

The operators' recipe, automated: clone the source afresh (the rewrite is destructive), keep
only the folder's history with git-filter-repo, then merge that history into a repository
made from the image template, after removing the template's example ``environment.yml`` in
its own commit.  Nothing is pushed unless asked.  Every step is a real ``git`` call; a
failing one raises :class:`~hubs.errors.FailureError` naming the command and git's message.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hubs.errors import FailureError, InputError, UsageError, oneline, shown

EXAMPLE = "environment.yml"  # the image template's example, replaced by the imported one
REMOTE = "hubs-extract"  # the temporary remote in the target, removed after the merge
INSTALL_HINT = "install it with `pip install git-filter-repo`"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[^/:]+@[^/:]+:")


@dataclass(frozen=True, slots=True)
class Extracted:
    """What an extraction did to the target."""

    folder: str
    source: str  # as named in the merge message
    target: Path
    branch: str  # the target's branch that received the merge
    commits: int  # commits of the folder's history
    removed_example: bool
    pushed: bool
    new: int  # of those, the commits the branch lacked: the ones merged

    def summary(self) -> list[str]:
        counted = f"{self.commits} commit{'s' if self.commits != 1 else ''}"
        if not self.new:
            done = f"nothing new, {self.branch} already has its {counted}"
        elif self.new < self.commits:
            done = f"{self.new} new of its {counted} merged into {self.branch}"
        else:
            done = f"{counted} merged into {self.branch}"
        lines = [f"imported {self.folder} from {self.source}: {done}"]
        if self.removed_example:
            lines.append(f"removed the template's example {EXAMPLE} in its own commit")
        if self.pushed:
            lines.append(f"pushed {self.branch}")
        else:
            lines.append(f"not pushed; review with `git -C {self.target} log`, then push")
        return lines


def extract_image(
    folder: str,
    into: Path,
    source: str = ".",
    *,
    push: bool = False,
    base: Path | None = None,
    search_path: str | None = None,
) -> Extracted:
    """Merge the history of ``folder`` of ``source`` into the repository ``into``.

    ``source`` is a local path (relative to ``base``) or a URL; ``search_path`` is where
    ``git-filter-repo`` is looked for (default: beside this Python, then ``PATH``).
    """
    base = base or Path.cwd()
    subdir = _folder(folder)
    filter_repo = find_filter_repo(search_path)
    target = _target((base / into).resolve())
    origin, named = _source(source, base)
    with tempfile.TemporaryDirectory(prefix="hubs-extract-") as scratch:
        clone = Path(scratch) / "clone"
        _git("clone", "-q", "--origin", "source", *_local(origin), origin, str(clone))
        commits = _history(clone, subdir, named)
        # our own fresh clone: filter-repo's freshness check wants the remote named origin
        _run([*filter_repo, "--quiet", "--force", "--subdirectory-filter", subdir], clone)
        branch = _git("symbolic-ref", "--short", "HEAD", cwd=clone)
        new = _fetch(target, clone, branch)
        first = _try("merge-base", "HEAD", "FETCH_HEAD", cwd=target) is None
        removed = first and _remove_example(target)  # a later run keeps the image's own
        if new:
            _merge(target, f"Import {subdir} from {named} with its history")
    head = _git("symbolic-ref", "--short", "HEAD", cwd=target)
    if push:
        _git("push", "-q", cwd=target)
    return Extracted(subdir, named, target, head, commits, removed, push, new)


def find_filter_repo(search_path: str | None = None) -> list[str]:
    """The ``git-filter-repo`` command, or an :class:`InputError` saying how to install it."""
    if search_path is None:
        search_path = os.pathsep.join(
            [str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)]
        )
    found = shutil.which("git-filter-repo", path=search_path)
    if found is None:
        raise InputError(f"git-filter-repo not found; {INSTALL_HINT}")
    return [found]


def _folder(folder: str) -> str:
    path = PurePosixPath(folder.replace(os.sep, "/"))
    if not folder.strip() or path.is_absolute() or ".." in path.parts or str(path) == ".":
        raise UsageError(
            f"extract-image: {shown(folder)} is not a folder of the source repository; "
            "give its path from the repository's top, e.g. image/"
        )
    return str(path)


def _target(target: Path) -> Path:
    top = _try("rev-parse", "--show-toplevel", cwd=target) if target.is_dir() else None
    if top is None or Path(top).resolve() != target:
        raise InputError(
            f"--into {target}: not a git repository; "
            "create it from the image template and clone it there first"
        )
    if _try("rev-parse", "--verify", "-q", "HEAD", cwd=target) is None:
        raise InputError(f"--into {target}: has no commit; create it from the image template")
    if _try("symbolic-ref", "-q", "HEAD", cwd=target) is None:
        raise InputError(f"--into {target}: HEAD is detached; check out the branch to merge into")
    if _git("status", "--porcelain", cwd=target):
        raise InputError(f"--into {target}: has uncommitted changes; commit or stash them first")
    return target


def _source(source: str, base: Path) -> tuple[str, str]:
    """The source to clone and its name for the merge message."""
    if _URL.match(source):
        return source, oneline(source)
    path = (base / source).resolve()
    top = _try("rev-parse", "--show-toplevel", cwd=path) if path.is_dir() else None
    if top is None:
        raise InputError(f"--source {path}: not a git repository")
    return top, (oneline(source) if source != "." else top)


def _local(origin: str) -> list[str]:
    return [] if _URL.match(origin) else ["--no-local"]


def _history(clone: Path, subdir: str, named: str) -> int:
    commits = _git("rev-list", "--count", "HEAD", "--", subdir, cwd=clone)
    if commits == "0":
        raise InputError(
            f"extract-image: no commit of {named} touches {subdir}; "
            "give the image folder's path from the repository's top"
        )
    return int(commits)


def _remove_example(target: Path) -> bool:
    if not _git("ls-files", "--", EXAMPLE, cwd=target):
        return False
    _git("rm", "-q", "--", EXAMPLE, cwd=target)
    _git("commit", "-q", "-m", f"Remove the template's example {EXAMPLE}", cwd=target)
    return True


def _fetch(target: Path, clone: Path, branch: str) -> int:
    """Fetch the folder's history into the target's FETCH_HEAD; how many of its commits the
    target's branch lacks."""
    _git("remote", "add", REMOTE, str(clone), cwd=target)
    try:
        _git("fetch", "-q", REMOTE, branch, cwd=target)
    finally:
        _git("remote", "remove", REMOTE, cwd=target)
    return int(_git("rev-list", "--count", "HEAD..FETCH_HEAD", cwd=target))


def _merge(target: Path, message: str) -> None:
    merged = _try(
        "merge", "-q", "--no-edit", "--allow-unrelated-histories", "-m", message, "FETCH_HEAD",
        cwd=target,
    )  # fmt: skip
    if merged is None:
        conflicts = _git("diff", "--name-only", "--diff-filter=U", cwd=target).split()
        raise FailureError(
            f"--into {target}: the merge stopped on conflicts in {', '.join(conflicts) or '?'}; "
            "resolve them and `git commit`, or `git merge --abort`"
        )


def _git(*args: str, cwd: Path | None = None) -> str:
    return _run(["git", *args], cwd)


def _try(*args: str, cwd: Path) -> str | None:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def _run(cmd: list[str], cwd: Path | None) -> str:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise FailureError(f"{cmd[0]}: {oneline(str(exc))}") from exc
    if done.returncode != 0:
        name = Path(cmd[0]).name
        step = f"git {cmd[1]}" if name == "git" else name
        raise FailureError(f"{step}: {oneline(_gist(done.stderr or done.stdout))}")
    return done.stdout.strip()


def _gist(output: str) -> str:
    """git's own reason: its first ``fatal:``/``error:`` line, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    said = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (said or lines or ["failed"])[0 if said else -1]
