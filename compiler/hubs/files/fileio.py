"""Reading and atomic writing of text files, byte for byte (no newline translation).

Reads take only regular files, up to a size bound: a FIFO, a device or a folder given as
a values file is bad input (exit 2), never a hang or a MemoryError; a file that exists but
cannot be read is an I/O failure (exit 3).  Writes go through :mod:`hubs.files.transaction`.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from hubs.errors import FailureError, InputError

MiB = 1024 * 1024
LIMIT = 16 * MiB  # per file read: the largest real values file is well under 100 KiB


class WriteError(FailureError):
    """A file could not be written; ``str()`` is one line."""


class ReadError(FailureError):
    """A file exists but cannot be read (exit 3)."""


class BadFileError(InputError):
    """Not a file hubs can read: missing, not regular, too large, not UTF-8 (exit 2)."""


def read_bytes(path: Path, shown: str, limit: int = LIMIT) -> bytes:
    """The bytes of the regular file ``path`` (symlinks followed), at most ``limit``.

    ``O_NONBLOCK`` makes opening a FIFO return at once; it is then refused as not a
    regular file, as are devices (``/dev/zero``) and folders.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise BadFileError(f"{shown}: file not found") from None
    except IsADirectoryError:
        raise BadFileError(f"{shown}: not a regular file (a folder)") from None
    except OSError as exc:
        raise ReadError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    try:
        return _read_fd(fd, shown, limit)
    except OSError as exc:
        raise ReadError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_open(fd: int, shown: str, limit: int = LIMIT) -> bytes:
    """The bytes of the file open as ``fd``, as :func:`read_bytes` reads them."""
    try:
        return _read_fd(fd, shown, limit)
    except OSError as exc:
        raise ReadError(f"{shown}: cannot read: {exc.strerror or exc}") from None


def _read_fd(fd: int, shown: str, limit: int) -> bytes:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise BadFileError(f"{shown}: not a regular file ({_kind(info.st_mode)})")
    chunks, size = [], 0
    while chunk := os.read(fd, min(MiB, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise BadFileError(
                f"{shown}: larger than {_size(limit)}; hubs reads only files below that"
            )
    return b"".join(chunks)


def _size(limit: int) -> str:
    return f"{limit // MiB} MiB" if limit % MiB == 0 else f"{limit} bytes"


def _kind(mode: int) -> str:
    kinds = {stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a device", stat.S_ISBLK: "a device"}
    kinds |= {stat.S_ISSOCK: "a socket", stat.S_ISDIR: "a folder"}
    return next((name for test, name in kinds.items() if test(mode)), "not a file")


def digest(text: str) -> str:
    """A short fingerprint of a text read: to see that a file did not change since."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def read_regular(path: Path, shown: str, limit: int = LIMIT) -> str:
    """The text of the regular file ``path``, UTF-8, newlines as they are on disk.

    Raises :class:`BadFileError` (exit 2) for a missing, irregular, too large or non-UTF-8
    file and :class:`ReadError` (exit 3) when reading fails.  ``shown`` names the file in
    messages (tree-relative, ``(listed in cluster.yaml)``, ...).
    """
    data = read_bytes(path, shown, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadFileError(f"{shown}: not UTF-8 text (byte {exc.start})") from None
