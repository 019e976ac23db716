"""Paths inside the tree: every file hubs reads or writes must resolve inside its root.

A symlink inside the tree to a file inside the tree is fine (it is read and written
through); anything that leads elsewhere (``../..`` in cluster.yaml, a symlinked cluster
folder or values file pointing out of the tree) is bad input, refused before anything is
read or written.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hubs.errors import InputError

_ROOTS: dict[str, tuple[Path, tuple[int, int]]] = {}  # root -> (its real path, (dev, ino))
_FOLDERS: set[str] = set()  # folders under a real root found to be no symlink, this run
# (root, rel) -> what inside() found: on (not None) only within a command's run
_INSIDE: dict[tuple[str, str], Path] | None = None


class OutsideError(InputError):
    """A path leads outside the tree (exit 2)."""


def inside(root: Path, rel: str, shown: str) -> Path:
    """``root / rel`` with symlinks resolved, or :class:`OutsideError` naming ``shown``.

    ``shown`` is what the user wrote and where (``cluster.yaml:7: hub 'x': values file
    'y'``); the message adds where it leads.
    """
    known = None if _INSIDE is None else _INSIDE.get((str(root), rel))
    if known is not None:
        return known
    base = _real_root(root)
    fast = _under(base, rel)
    if fast is not None:
        if _INSIDE is not None:
            _INSIDE[str(root), rel] = fast
        return fast
    target = (base / rel).resolve()
    if target != base and not target.is_relative_to(base):
        raise OutsideError(
            f"{shown}: leads outside the tree, to {target}; hubs reads and "
            f"writes only files inside {base}"
        )
    _through_folders(base, rel, shown)
    return target


def _through_folders(base: Path, rel: str, shown: str) -> None:
    """Refuse ``a.yaml/../b.yaml``: resolving reads ``..`` as a name, the system refuses
    a file used as a folder (``ENOTDIR``), so the two would disagree on what is meant."""
    parts = rel.split("/")
    current = base
    for part in parts[:-1]:
        current = current / part
        if part in ("", ".", ".."):
            continue
        try:
            mode = os.stat(current).st_mode
        except OSError:
            return  # missing: said where the file is read
        if not stat.S_ISDIR(mode):
            raise InputError(
                f"{shown}: goes through {part}, which is not a folder; name the file itself"
            )


def _real_root(root: Path) -> Path:
    """``root.resolve()``, remembered while ``root`` still names the same folder."""
    key = str(root)
    try:
        now = os.stat(key)
    except OSError:
        return root.resolve()
    known = _ROOTS.get(key)
    if known is not None and known[1] == (now.st_dev, now.st_ino):
        return known[0]
    real = root.resolve()
    _ROOTS[key] = (real, (now.st_dev, now.st_ino))
    return real


def _under(base: Path, rel: str) -> Path | None:
    """``(base / rel).resolve()`` for a resolved ``base`` when no part of ``rel`` is a
    symlink, ``.`` or ``..`` (one ``lstat`` each, a folder once a run): then it is inside
    ``base`` by construction.  None when the full resolution is needed."""
    parts = rel.split("/")
    if rel.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return None
    current = str(base).rstrip("/")
    last = len(parts) - 1
    for at, part in enumerate(parts):
        current = f"{current}/{part}"
        if at < last and current in _FOLDERS:
            continue
        try:
            mode = os.lstat(current).st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            return None
        if at < last:
            _FOLDERS.add(current)
    return Path(current)


def forget() -> None:
    """Check every folder again from now on."""
    _FOLDERS.clear()


def remember(on: bool = True) -> None:
    """Check each folder and each path once from now on: a run's view of the tree
    (:mod:`hubs.cli.main` calls this as a command starts, and with False as it ends)."""
    global _INSIDE
    forget()
    _INSIDE = {} if on else None


# A write's journal, beside the writer lock (:mod:`hubs.files.transaction` writes it before
# its renames): one left behind means a killed run, undone before anything reads the tree.
JOURNAL = ".hubs-journal"


def pending(beside: Path) -> bool:
    """Whether a killed run left a journal beside the lock in ``beside``."""
    return os.path.lexists(beside / JOURNAL)


def is_secret(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.startswith("enc-") or ".secret." in base
