"""The last commit as a base: the text a file had at git ``HEAD``, read offline; and when a
line of a file landed on the current branch (``git blame --first-parent``).

Which side changed since the last commit (hubs.toml, or a values file) is what lets hubs
tell a moved tree from a typo, and a hand edit from a policy edit.  Without git, outside a
repository, or before the first commit there is no base: :func:`open_base` says so with
None, and the caller does only what is safe without one.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hubs.errors import InputError

_TIMEOUT = 20  # seconds for one git command; a repository this slow has no base


@dataclass(frozen=True, slots=True)
class Base:
    """The commit ``HEAD`` of the repository whose work tree is ``top``."""

    top: Path
    commit: str

    def text(self, path: Path) -> str | None:
        """``path``'s text at this commit; None when the commit has no such file."""
        try:
            rel = path.resolve().relative_to(self.top).as_posix()
        except ValueError:
            return None
        done = _git(self.top, "cat-file", "blob", f"{self.commit}:{rel}")
        if done is None:
            return None
        return done.decode("utf-8", errors="surrogateescape")


def open_base(folder: Path) -> Base | None:
    """The last commit of the repository holding ``folder``; None without one."""
    top = _git(folder, "rev-parse", "--show-toplevel")
    head = _git(folder, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if top is None or head is None:
        return None
    return Base(Path(os.fsdecode(top.strip())).resolve(), head.decode().strip())


def _git(cwd: Path, *args: str) -> bytes | None:
    """git's output, or None when git is missing, fails or hangs."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


# ---------------------------------------------------------------- when a line landed


class HistoryError(InputError):
    """The repository's history cannot say when a line landed (no repository, a shallow
    clone): bad input for a promote policy, which needs the whole history."""


FETCH_ALL = (
    "fetch the whole history (actions/checkout: `fetch-depth: 0`; else `git fetch --unshallow`)"
)


@dataclass(frozen=True, slots=True)
class Landed:
    """The commit at which a line got its current text on the current branch, and when
    (its committer time: the time it landed, not when it was written)."""

    commit: str
    when: datetime


def landed(path: Path, line: int) -> Landed | None:
    """When line ``line`` of ``path`` got its text on the current branch (``git blame
    --first-parent``: a merge counts as landing); None when it is not committed yet."""
    folder = path.parent
    base = open_base(folder)
    if base is None:
        raise HistoryError(
            [
                f"{path.name}: not in a git repository with a commit; a promote "
                "policy needs the history of the file"
            ]
        )
    if _git(base.top, "rev-parse", "--is-shallow-repository") == b"true\n":
        raise HistoryError(
            [
                f"{path.name}: the repository is a shallow clone, so its history "
                f"cannot say how long an image has run; {FETCH_ALL}"
            ]
        )
    rel = path.resolve().relative_to(base.top).as_posix()
    found = _git(
        base.top, "blame", "--first-parent", "--porcelain", "-L", f"{line},{line}", "--", rel
    )
    if found is None:
        raise HistoryError([f"{rel}:{line}: git blame could not read this line"])
    return _blamed(found.decode("utf-8", errors="replace"))


def _blamed(porcelain: str) -> Landed | None:
    lines = porcelain.splitlines()
    commit = lines[0].split()[0] if lines else ""
    if not commit or set(commit) == {"0"}:
        return None
    for text in lines[1:]:
        if text.startswith("committer-time "):
            stamp = int(text.split()[1])
            return Landed(commit, datetime.fromtimestamp(stamp, UTC))
    return None
