"""Paths inside the tree: every file hubs reads or writes must resolve inside its root.

A symlink inside the tree to a file inside the tree is fine (it is read and written
through); anything that leads elsewhere (``../..`` in cluster.yaml, a symlinked cluster
folder or values file pointing out of the tree) is bad input, refused before anything is
read or written.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError


class OutsideError(InputError):
    """A path leads outside the tree (exit 2)."""


def inside(root: Path, rel: str, shown: str) -> Path:
    """``root / rel`` with symlinks resolved, or :class:`OutsideError` naming ``shown``.

    ``shown`` is what the user wrote and where (``cluster.yaml:7: hub 'x': values file
    'y'``); the message adds where it leads.
    """
    base = root.resolve()
    target = (base / rel).resolve()
    if target != base and not target.is_relative_to(base):
        raise OutsideError(
            f"{shown}: leads outside the tree, to {target}; hubs reads and "
            f"writes only files inside {base}"
        )
    return target


def is_secret(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.startswith("enc-") or ".secret." in base
