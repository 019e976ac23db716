"""One writer at a time: an ``fcntl.flock`` on ``.hubs-writer.lock`` beside hubs.toml.

Every command that writes (compile, set, import, update) holds the lock from before it
reads hubs.toml until its last write, so two runs never interleave a read-modify-write.
The file records the holder (pid, command, since when) for the message a second run
prints.  A second run waits up to ``HUBS_LOCK_WAIT`` seconds (default 5), then fails
(exit 3).  The kernel drops a flock when its process dies, so a killed run never leaves
the tree locked.  The holder unlinks the file before it lets go, so a finished run leaves
nothing behind; a run that took the lock checks it holds the file still at that path (not
one unlinked meanwhile) and retries otherwise.
"""

from __future__ import annotations

import fcntl
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hubs.errors import FailureError, UsageError

LOCK_FILE = ".hubs-writer.lock"
WAIT_ENV = "HUBS_LOCK_WAIT"
DEFAULT_WAIT = 5.0
_POLL = 0.05


class LockedError(FailureError):
    """Another run holds the lock, or the lock cannot be taken (exit 3)."""


@dataclass(frozen=True, slots=True)
class TreeLock:
    """A held lock: where, for which command, and since when (``time.time()``)."""

    path: Path
    command: str
    acquired_at: float


def wait_seconds() -> float:
    text = os.environ.get(WAIT_ENV, "")
    if not text:
        return DEFAULT_WAIT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise UsageError(f"{WAIT_ENV}={text!r}: give a number of seconds (0 or more)")
    return value


@contextmanager
def hold(folder: Path, command: str, wait: float | None = None) -> Iterator[TreeLock]:
    """Hold the writer lock of the hubs.toml in ``folder`` for the ``with`` block."""
    path = folder / LOCK_FILE
    fd, acquired = _acquire(path, wait_seconds() if wait is None else wait)
    try:
        _record(fd, path, command, acquired)
        yield TreeLock(path, command, acquired)
    finally:
        if _same_file(fd, path):
            with suppress(OSError):  # an append-only folder: the flock is what counts
                path.unlink()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _record(fd: int, path: Path, command: str, acquired: float) -> None:
    """Write ``PID TIME COMMAND`` into the lock file, for a second run's message."""
    since = datetime.fromtimestamp(acquired, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {since} {command}\n".encode(), 0)
    except OSError as exc:
        raise LockedError(f"{path}: cannot write the writer lock: {exc.strerror or exc}") from None


def _acquire(path: Path, wait: float) -> tuple[int, float]:
    deadline = time.monotonic() + wait
    while True:
        fd = _open(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise LockedError(
                    f"another hubs run holds the lock: {holder(path)}; "
                    "try again when it has finished"
                ) from None
            time.sleep(_POLL)
            continue
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, path):  # not a file its last holder unlinked meanwhile
            return fd, time.time()
        os.close(fd)


def _open(path: Path) -> int:
    """The lock file, opened (made if missing); a FIFO, device or folder there is refused
    (``O_NONBLOCK``: opening a FIFO never waits)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        raise LockedError(f"{path}: cannot take the writer lock: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockedError(f"{path}: not a regular file; remove it to let hubs take the lock")
    return fd


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)


def holder(path: Path) -> str:
    """``pid N (hubs CMD) since TIME`` from the lock file, as far as it can be read."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            line = handle.read(200)
        pid, since, command = line.split(None, 2)
        return f"pid {int(pid)} (hubs {command.strip()}) since {since}"
    except (OSError, ValueError):
        return "its holder is not recorded yet"
