"""Reading and atomic writing of text files, byte for byte (no newline translation)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .clusters import is_secret
from .errors import FailureError


class WriteError(FailureError):
    """A file could not be written; ``str()`` is one line."""


def read_raw(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file in the same folder and a rename.

    Secret files (``enc-*``, ``*.secret.*``) are refused: hubs never writes them.  A
    symlink is written through (its target changes, the link stays a link).
    """
    if is_secret(path.name):
        raise WriteError(f"{path}: refusing to write a secret file")
    if path.is_symlink():
        path = path.resolve()
        if is_secret(path.name):
            raise WriteError(f"{path}: refusing to write a secret file")
    data = text.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
