"""The last commit as a base: the text a file had at git ``HEAD``, read offline.

Which side changed since the last commit (hubs.toml, or a values file) is what lets hubs
tell a moved tree from a typo, and a hand edit from a policy edit.  Without git, outside a
repository, or before the first commit there is no base: :func:`open_base` says so with
None, and the caller does only what is safe without one.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

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
