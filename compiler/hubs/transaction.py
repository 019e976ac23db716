"""Write several files as one change: all of them, or none.

Every new text is first *staged*: written and fsynced to a temp file beside its target,
named ``.NAME.hubs-XXXXXX.tmp`` so hubs can recognise its own leftovers.  Only when every
file is staged are the temp files renamed over their targets, in order.  If a rename fails,
the targets already replaced get their old bytes back (kept in memory: each target is read
before staging, which also checks it did not change since it was planned), and the error
names the target, not the temp file.  A file whose bytes are already right is not touched.

Temp files of ours that a killed run left behind are removed by the next writing run, in
the folders it writes, if older than its lock (see :mod:`hubs.treelock`).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .fileio import LIMIT, WriteError, read_bytes
from .paths import is_secret

if TYPE_CHECKING:
    from .treelock import TreeLock

TEMP = re.compile(r"\..+\.hubs-[0-9a-f]{6}\.tmp")
UNCHANGED = "nothing written, the tree is unchanged"


def temp_path(target: Path) -> Path:
    """A fresh temp-file name beside ``target``, of the pattern :data:`TEMP`."""
    return target.with_name(f".{target.name}.hubs-{secrets.token_hex(3)}.tmp")


@dataclass(frozen=True, slots=True)
class FileWrite:
    """A whole file to write with the tree (hubs.toml, hubs.lock): its new text and, when
    it was read, the text it was changed from (the write fails if the file moved on)."""

    path: Path
    text: str
    expected: str | None = None


@dataclass(frozen=True, slots=True)
class _Write:
    target: Path  # symlinks resolved: a link is written through
    shown: str
    data: bytes
    expected: bytes | None  # what the caller read and planned from; None: not checked


@dataclass(frozen=True, slots=True)
class _Staged:
    write: _Write
    temp: Path
    old: bytes | None  # None: the target is new


class Transaction:
    """Collect writes with :meth:`put`, then :meth:`commit` them all or none."""

    def __init__(self, lock: TreeLock | None = None) -> None:
        self._lock = lock
        self._writes: dict[Path, _Write] = {}
        self._sweep: set[Path] = set()

    def put(self, path: Path, text: str, *, shown: str = "", expected: str | None = None) -> None:
        """Write ``text`` to ``path`` at commit; ``expected`` is the text it was planned
        from (the commit fails, writing nothing, if the file no longer holds it)."""

        shown = shown or str(path)
        target = path.resolve()
        if is_secret(path.name) or is_secret(target.name):
            raise WriteError(f"{shown}: refusing to write a secret file")
        old = None if expected is None else expected.encode("utf-8")
        data = text.encode("utf-8")
        other = self._writes.get(target)
        if other is not None:
            if other.data != data:
                raise InputError(
                    f"{shown}: the same file as {other.shown} (a symlink); list it once"
                )
            return
        self._writes[target] = _Write(target, shown, data, old)
        self._sweep.add(target.parent)

    def sweep(self, folder: Path) -> None:
        """Also clear stale temp files of ours in ``folder`` at commit."""
        self._sweep.add(folder.resolve())

    def commit(self) -> list[Path]:
        """Write every changed file or none; returns the targets written."""
        if self._lock is not None:
            for folder in sorted(self._sweep | {self._lock.path.parent.resolve()}):
                remove_stale(folder, self._lock.acquired_at)
        current = [(w, _current(w)) for w in self._writes.values()]
        staged: list[_Staged] = []
        try:
            for write, old in current:
                if old != write.data:
                    staged.append(_Staged(write, _stage(write, old is not None), old))
        except BaseException:
            _discard(staged)
            raise
        _replace_all(staged)
        _sync_folders({s.write.target.parent for s in staged})
        return [s.write.target for s in staged]


def _current(write: _Write) -> bytes | None:
    """The target's bytes now (None if it does not exist), checked against the plan."""
    if write.expected is None and not write.target.exists():
        return None
    if write.expected is not None and not write.target.is_file():
        raise WriteError(f"{write.shown}: changed on disk while hubs ran; {UNCHANGED}")
    now = read_bytes(write.target, write.shown, LIMIT)
    if write.expected is not None and now != write.expected:
        raise WriteError(f"{write.shown}: changed on disk while hubs ran; {UNCHANGED}")
    return now


def _stage(write: _Write, exists: bool) -> Path:
    """Write the new bytes to a fresh temp file beside the target and fsync them.

    The temp file is created with mode 0666 less the umask (as any new file), then given
    the target's mode when the target exists.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    for _ in range(100):
        temp = temp_path(write.target)
        try:
            fd = os.open(temp, flags, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise _failed(write, exc) from None
    else:  # pragma: no cover - 100 collisions of 24 random bits
        raise WriteError(f"{write.shown}: cannot create a temp file; {UNCHANGED}")
    try:
        try:
            _write_all(fd, write.data)
            if exists:
                os.fchmod(fd, write.target.stat().st_mode & 0o7777)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _failed(write, exc) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _failed(write: _Write, exc: OSError) -> WriteError:
    return WriteError(f"{write.shown}: cannot write: {exc.strerror or exc}; {UNCHANGED}")


def _discard(staged: Iterable[_Staged]) -> None:
    for each in staged:
        each.temp.unlink(missing_ok=True)


def _replace_all(staged: list[_Staged]) -> None:
    """Rename every temp file over its target; on a failure put the replaced ones back."""
    done: list[_Staged] = []
    for index, each in enumerate(staged):
        try:
            os.replace(each.temp, each.write.target)
        except BaseException as exc:
            _discard(staged[index:])
            lost = _restore(done)
            if not isinstance(exc, OSError):
                raise
            if lost:
                raise WriteError(
                    f"{each.write.shown}: cannot write: {exc.strerror or exc}; and could not "
                    f"restore {', '.join(lost)}: the tree is changed, check it with git"
                ) from None
            raise _failed(each.write, exc) from None
        done.append(each)


def _restore(done: list[_Staged]) -> list[str]:
    """Put the old bytes back into each replaced target; returns those that failed."""
    lost = []
    for each in reversed(done):
        try:
            if each.old is None:
                each.write.target.unlink()
            else:
                _put_back(each)
        except OSError:
            lost.append(each.write.shown)
    return lost


def _put_back(each: _Staged) -> None:
    """The old bytes back, atomically if a rename works, else in place."""
    assert each.old is not None
    back = _Write(each.write.target, each.write.shown, each.old, None)
    try:
        temp = _stage(back, True)
    except WriteError:
        each.write.target.write_bytes(each.old)
        return
    try:
        os.replace(temp, each.write.target)
    except OSError:
        temp.unlink(missing_ok=True)
        each.write.target.write_bytes(each.old)


def _sync_folders(folders: Iterable[Path]) -> None:
    """fsync each folder so the renames survive a crash (best effort)."""
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:  # pragma: no cover - a folder we just wrote into
            continue
        try:
            os.fsync(fd)
        except OSError:  # pragma: no cover - some file systems refuse a folder fsync
            pass
        finally:
            os.close(fd)


def remove_stale(folder: Path, before: float) -> list[Path]:
    """Remove temp files of ours (:data:`TEMP`) in ``folder`` last changed before
    ``before`` (a time.time()); never anything else, never a symlink or a folder."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not TEMP.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime < before:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def write_atomic(path: Path, text: str) -> None:
    """Write one file atomically (a transaction of one file; see :mod:`hubs.transaction`).

    Secret files (``enc-*``, ``*.secret.*``) are refused: hubs never writes them.  A
    symlink is written through (its target changes, the link stays a link).
    """
    txn = Transaction()
    txn.put(path, text)
    txn.commit()


def write_changed(root: Path, texts: dict[str, str]) -> list[Path]:
    """Write each text (path relative to ``root`` -> text) whose file differs, atomically;
    files already up to date are left alone.  The paths written, in order."""
    written = []
    for rel, text in texts.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
            written.append(path)
    return written
