"""Write several files as one change: all of them, or none, even when killed.

Every folder written into is opened once, component by component from ``/`` without
following a link (``O_NOFOLLOW | O_DIRECTORY``), and every read, temp file, link and
rename happens relative to that descriptor: a folder swapped for a symlink while hubs
runs is never written through.  Before the renames, and again after them, each folder's
path is walked again and must still lead to the folder held; if not, nothing stays
written (exit 3, naming the folder).

Every new text is first *staged*: written and fsynced to a temp file beside its target,
named ``.NAME.hubs-XXXXXX.tmp`` so hubs can recognise its own leftovers.  Each existing
target also gets a *backup* of that pattern: a hard link to it (a copy where links do not
work).  Under the writer lock a *journal* (``.hubs-journal`` beside the lock, see
:mod:`hubs.files.treelock`) then lists each target, its backup and its temp file, and only then
are the temp files renamed over their targets.  If a rename fails or the run is
interrupted, every target whose temp file is gone gets its backup back (a new file is
removed), and the error names the target whose rename failed.  A run killed outright
leaves the journal: the next writing or checking command undoes it (:func:`recover`)
before anything else.  A file whose bytes are already right is not touched.

Temp files of ours that a killed run left behind are removed by the next writing run, in
the folders it writes, if older than its lock.
"""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubs.errors import InputError
from hubs.files.fileio import LIMIT, BadFileError, WriteError, read_bytes, read_open
from hubs.files.paths import JOURNAL, is_secret

if TYPE_CHECKING:
    from hubs.files.treelock import TreeLock

TEMP = re.compile(r"\..+\.hubs-[0-9a-f]{6}\.tmp")
UNCHANGED = "nothing written, the tree is unchanged"
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def temp_path(target: Path) -> Path:
    """A fresh temp-file name beside ``target``, of the pattern :data:`TEMP`."""
    return target.with_name(temp_name(target.name))


def temp_name(name: str) -> str:
    return f".{name}.hubs-{os.urandom(3).hex()}.tmp"  # as secrets.token_hex: os.urandom


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
class _Folder:
    """A folder held open: its resolved path, descriptor and identity."""

    path: Path
    fd: int
    ident: tuple[int, int]


@dataclass(frozen=True, slots=True)
class _Staged:
    write: _Write
    folder: _Folder
    temp: str  # the new bytes, a name in the folder
    backup: str | None  # the old file, a name in the folder; None: the target is new

    @property
    def name(self) -> str:
        return self.write.target.name


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
        with _folders(self._writes.values()) as folders:
            staged = _stage_all(self._writes.values(), folders)
            try:
                _check_folders(staged)
                _apply(staged, self._lock)
            finally:
                _discard(staged)
            return [s.write.target for s in staged]


@contextmanager
def _folders(writes: Iterable[_Write]) -> Iterator[dict[Path, _Folder]]:
    """Each folder of ``writes``, held open (walked without following links)."""
    held: dict[Path, _Folder] = {}
    try:
        for write in writes:
            parent = write.target.parent
            if parent not in held:
                fd = _walk(parent, write.shown)
                info = os.fstat(fd)
                held[parent] = _Folder(parent, fd, (info.st_dev, info.st_ino))
        yield held
    finally:
        for folder in held.values():
            os.close(folder.fd)


def _walk(folder: Path, shown: str) -> int:
    """``folder`` (absolute, resolved) opened one component at a time from ``/``, never
    through a symlink; a component that is not a folder is a failure naming it."""
    fd = os.open("/", _DIR)
    try:
        for part in folder.parts[1:]:
            nxt = os.open(part, _DIR, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except OSError as exc:
        os.close(fd)
        raise _moved(shown, folder, exc.strerror or str(exc)) from None
    return fd


def _moved(shown: str, folder: Path, why: str) -> WriteError:
    return WriteError(
        f"{shown}: its folder {folder} was replaced while hubs ran ({why}); {UNCHANGED}"
    )


def _stage_all(writes: Iterable[_Write], folders: dict[Path, _Folder]) -> list[_Staged]:
    """Stage every write whose bytes change: temp file and backup; none on a failure."""
    staged: list[_Staged] = []
    try:
        for write in writes:
            folder = folders[write.target.parent]
            old, mode = _current(write, folder)
            if old != write.data:
                staged.append(_stage_one(write, folder, old, mode))
    except BaseException:
        _discard(staged)
        raise
    return staged


def _stage_one(write: _Write, folder: _Folder, old: bytes | None, mode: int | None) -> _Staged:
    temp = _stage(write, folder, write.data, mode)
    if old is None:
        return _Staged(write, folder, temp, None)
    try:
        backup = _backup(write, folder, old, mode)
    except BaseException:
        _remove(folder, temp)
        raise
    return _Staged(write, folder, temp, backup)


def _current(write: _Write, folder: _Folder) -> tuple[bytes | None, int | None]:
    """The target's bytes and mode now (None if it does not exist), checked against the
    plan; the target itself is never followed if it became a link."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_NOFOLLOW | os.O_CLOEXEC
    changed = WriteError(f"{write.shown}: changed on disk while hubs ran; {UNCHANGED}")
    try:
        fd = os.open(write.target.name, flags, dir_fd=folder.fd)
    except FileNotFoundError:
        if write.expected is not None:
            raise changed from None
        return None, None
    except OSError as exc:  # ELOOP: it became a symlink
        raise WriteError(
            f"{write.shown}: cannot read: {exc.strerror or exc}; {UNCHANGED}"
        ) from None
    try:
        now = read_open(fd, write.shown, LIMIT)
        mode = os.fstat(fd).st_mode & 0o7777
    except BadFileError:
        if write.expected is not None:
            raise changed from None
        raise
    finally:
        os.close(fd)
    if write.expected is not None and now != write.expected:
        raise changed
    return now, mode


def _stage(write: _Write, folder: _Folder, data: bytes, mode: int | None) -> str:
    """Write ``data`` to a fresh temp file in ``folder`` and fsync it; its name.

    The temp file is created with mode 0666 less the umask (as any new file), then given
    ``mode`` (the target's) when the target exists.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        name = temp_name(write.target.name)
        try:
            fd = os.open(name, flags, 0o666, dir_fd=folder.fd)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise _failed(write, exc) from None
    else:  # pragma: no cover - 100 collisions of 24 random bits
        raise WriteError(f"{write.shown}: cannot create a temp file; {UNCHANGED}")
    try:
        try:
            _write_all(fd, data)
            if mode is not None:
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        _remove(folder, name)
        raise _failed(write, exc) from None
    except BaseException:
        _remove(folder, name)
        raise
    return name


def _backup(write: _Write, folder: _Folder, old: bytes, mode: int | None) -> str:
    """A second name for the target as it is: a hard link, else a copy of ``old``."""
    name = temp_name(write.target.name)
    try:
        fd = folder.fd
        os.link(write.target.name, name, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
    except OSError:
        return _stage(write, folder, old, mode)
    return name


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _failed(write: _Write, exc: OSError) -> WriteError:
    return WriteError(f"{write.shown}: cannot write: {exc.strerror or exc}; {UNCHANGED}")


def _remove(folder: _Folder, name: str) -> bool:
    """Unlink ``name`` in ``folder`` if it is there; False if it is there and stays."""
    try:
        os.unlink(name, dir_fd=folder.fd)
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


def _discard(staged: Iterable[_Staged]) -> list[str]:
    """Remove the temp files and backups left; the targets whose files could not be."""
    stuck = []
    for each in staged:
        names = [each.temp] + ([each.backup] if each.backup is not None else [])
        if not all([_remove(each.folder, name) for name in names]):
            stuck.append(each.write.shown)
    return stuck


def _check_folders(staged: Iterable[_Staged]) -> None:
    """Each folder's path still leads to the folder held (not a link put in its place)."""
    for each in staged:
        folder = each.folder
        fd = _walk(folder.path, each.write.shown)
        try:
            info = os.fstat(fd)
        finally:
            os.close(fd)
        if (info.st_dev, info.st_ino) != folder.ident:
            raise _moved(each.write.shown, folder.path, "another folder is there now")


def _apply(staged: list[_Staged], lock: TreeLock | None) -> None:
    """Journal, rename every temp file over its target, check the folders again, then
    drop the journal; on any failure or interrupt, undo every rename made."""
    if not staged:
        return
    journal = _write_journal(lock.path.parent, staged) if lock is not None else None
    attempted: list[_Staged] = []
    try:
        for each in staged:
            attempted.append(each)  # before the rename: an interrupt may land just after it
            _rename(each)
        _sync_folders({s.folder.fd for s in staged})
        _check_folders(staged)
    except BaseException as exc:
        _undo_all(attempted)  # if a file cannot be put back, the journal stays for later
        _drop_journal(journal)
        if isinstance(exc, OSError):
            raise _rename_failed(attempted[-1], exc, staged) from None
        raise
    _drop_journal(journal)


def _rename(each: _Staged) -> None:
    fd = each.folder.fd
    os.replace(each.temp, each.name, src_dir_fd=fd, dst_dir_fd=fd)


def _rename_failed(each: _Staged, exc: OSError, staged: list[_Staged]) -> WriteError:
    stuck = _discard(staged)
    left = f"; temp files of hubs are left beside {', '.join(stuck)}" if stuck else ""
    return WriteError(f"{each.write.shown}: cannot write: {exc.strerror or exc}; {UNCHANGED}{left}")


def _undo_all(attempted: list[_Staged]) -> None:
    """Put back every target ``attempted`` changed, with interrupts held off meanwhile."""
    with _signals_held():
        lost = []
        for each in reversed(attempted):
            try:
                _undo(each.folder.fd, each.name, each.temp, each.backup)
            except OSError:
                lost.append(each.write.shown)
        _sync_folders({s.folder.fd for s in attempted})
    if lost:
        raise WriteError(
            f"could not put back {', '.join(lost)}: the tree is changed, check it with git"
        )


def _undo(fd: int, target: str, temp: str, backup: str | None) -> bool:
    """Undo one rename if it happened (its temp file is gone); True if it did."""
    renamed = not _there(fd, temp)
    if renamed and backup is not None and _there(fd, backup):
        os.replace(backup, target, src_dir_fd=fd, dst_dir_fd=fd)
    elif renamed and backup is None and _there(fd, target):
        os.unlink(target, dir_fd=fd)
    for name in (temp, backup):
        if name is not None:
            with suppress(OSError):  # one that stays is named by the caller, or swept later
                os.unlink(name, dir_fd=fd)
    return renamed


def _there(fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends (a restore is never cut short)."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _sync_folders(fds: Iterable[int]) -> None:
    """fsync each folder so the renames survive a crash (best effort)."""
    for fd in fds:
        with suppress(OSError):  # some file systems refuse a folder fsync
            os.fsync(fd)


# ---------------------------------------------------------------- the journal


def _write_journal(beside: Path, staged: list[_Staged]) -> Path:
    """Record the renames about to be made, durably, before the first one.  Written in
    place (an append-only folder allows no rename): a journal cut short by a kill does
    not parse, and then no rename was made yet."""
    entries = [
        {"folder": str(s.folder.path), "target": s.name, "temp": s.temp, "backup": s.backup}
        | {"shown": s.write.shown}
        for s in staged
    ]
    text = json.dumps({"version": 1, "pid": os.getpid(), "files": entries}, indent=1)
    path = beside / JOURNAL
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o666)
        try:
            _write_all(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        _sync_path(beside)
    except OSError as exc:
        _drop_journal(path)
        raise WriteError(
            f"{path}: cannot write the journal: {exc.strerror or exc}; {UNCHANGED}"
        ) from None
    return path


def _drop_journal(path: Path | None) -> None:
    """Remove the journal; where it cannot be removed, empty it (nothing to undo)."""
    if path is None:
        return
    try:
        path.unlink()
    except FileNotFoundError:
        return
    except OSError:
        with suppress(OSError):
            os.truncate(path, 0)
    _sync_path(path.parent)


def _sync_path(folder: Path) -> None:
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def recover(beside: Path) -> list[str]:
    """Undo the write a killed run left unfinished (its journal beside the lock in
    ``beside``): every target gets its old file back.  Call it holding the lock.  The
    files put back, as shown to the user; none when there is no journal."""
    path = beside / JOURNAL
    if not os.path.lexists(path):
        return []
    try:
        data = json.loads(read_bytes(path, str(path), LIMIT))
    except ValueError:  # empty, or cut short by a kill before any rename
        _drop_journal(path)
        return []
    try:
        entries = _entries(data)
    except (ValueError, TypeError, KeyError) as exc:
        raise WriteError(
            f"{path}: an interrupted write's journal is not as hubs writes it ({exc}); "
            "check the tree with git, then remove it"
        ) from None
    undone = list(_undo_entries(entries))
    _drop_journal(path)
    return undone


def _entries(data: Any) -> list[tuple[Path, str, str, str | None, str]]:
    files = data["files"]
    out = []
    for entry in files:
        names = [entry["target"], entry["temp"]] + ([entry["backup"]] if entry["backup"] else [])
        if any(not isinstance(n, str) or "/" in n or n in ("", ".", "..") for n in names):
            raise ValueError("a name with a slash in it")
        out.append(
            (
                Path(entry["folder"]),
                entry["target"],
                entry["temp"],
                entry["backup"],
                str(entry["shown"]),
            )
        )
    return out


def _undo_entries(entries: list[tuple[Path, str, str, str | None, str]]) -> Iterator[str]:
    for folder, target, temp, backup, shown in reversed(entries):
        try:
            fd = _walk(folder, shown)
        except WriteError:
            continue  # the folder is gone: nothing of ours to put back there
        try:
            if _undo(fd, target, temp, backup):
                yield shown
            _sync_folders([fd])
        except OSError as exc:
            raise WriteError(
                f"{shown}: cannot put back its old file after an interrupted "
                f"write: {exc.strerror or exc}; check the tree with git"
            ) from None
        finally:
            os.close(fd)


# ---------------------------------------------------------------- leftovers and one-offs


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
    """Write one file atomically (a transaction of one file; see :mod:`hubs.files.transaction`).

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
