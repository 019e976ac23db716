"""The scan cache: what was read from each file, keyed by the file's bytes, kept on disk.

One JSON file per hubs.toml folder (and a small one of its own for the clean-check record,
:mod:`hubs.compile.checkcache`, so a replay reads no scan), in the user's cache folder
(``$XDG_CACHE_HOME/hubs``, else ``~/.cache/hubs``; never in the tree, so a run that writes
nothing leaves the tree as it was), maps an entry name (a kind and a tree-relative path) to
the digest of the text it was computed from and that result as plain JSON data, written as
its own JSON text (a run decodes only the entries it uses, and holds each as text until
then, not as a second copy of the objects it was made from). An entry is
used only when the digest matches the text just read, the tool's version and the cache
format match, and the caller's decoder accepts its shape; anything else (a foreign, corrupt
or truncated file, an entry of another shape) is a miss and is recomputed. Nothing here is
ever run as code: JSON only, never pickle.

Reading never breaks a run: the file is read as every file is (:func:`hubs.files.fileio.read_bytes`:
a regular file, at most :data:`LIMIT`), and a FIFO, a device, a folder or a huge file is no
cache.  Nor does writing: the file is replaced atomically (temp file, then rename) and any
OS error (a read-only folder, a full disk) only means there is no cache next time.
``HUBS_CACHE=off`` or ``--no-cache`` turn it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import TypeVar

import hubs
from hubs.errors import HubsError
from hubs.files.fileio import MiB, read_bytes

FORMAT = 2  # 2: each entry's result is kept as its own JSON text, decoded when used
# The largest cache file read: ~2 KiB a values file, so far above a 10,000-hub fleet's.
# A FIFO, a device, a folder or a bigger file is no cache (read as every file is, by
# fileio), never a hang or a MemoryError.
LIMIT = 64 * MiB
# the kinds of cache file: scans, clean checks (small), and validated hubs.toml and hubs.lock
SCAN, CHECK, MODEL = "scan", "check", "model"
ENV = "HUBS_CACHE"  # "off" (or "0", "no", "false") turns the cache off
_OFF = frozenset({"off", "0", "no", "false"})

T = TypeVar("T")


# What else a validated model depends on: the validator and the libraries its rules call
VALIDATED_WITH = ("pydantic", "pydantic_core", "regex", "semver")


def version(kind: str = SCAN) -> str:
    """The tool as far as a cached result depends on it: its version, the Python running
    it, and the size and time of every file of the package (all its folders) and of PyYAML,
    which parses; for the model cache, of the libraries that validate too (a changed
    module, as in an editable install or an upgrade, is another tool)."""
    here = sources(Path(hubs.__file__).parent)
    used = ("yaml", *(VALIDATED_WITH if kind == MODEL else ()))
    stamps = " ".join(f"{name}:{_package_sources(name)}" for name in used)
    return f"{hubs.__version__} {sys.version.split()[0]} {here} {stamps}"


def _package_sources(name: str) -> str:
    found = find_spec(name)
    folders = found.submodule_search_locations if found is not None else None
    return sources(Path(next(iter(folders)))) if folders else "-"


def sources(package: Path) -> str:
    """A digest of the name, size and modification time of every file under ``package``
    (bytecode folders left out)."""
    found: list[str] = []
    _listed(str(package), "", found)
    return hashlib.blake2b("\n".join(found).encode(), digest_size=8).hexdigest()


def _listed(folder: str, rel: str, found: list[str]) -> None:
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                _listed(entry.path, f"{rel}{entry.name}/", found)
        else:
            stat = entry.stat()
            found.append(f"{rel}{entry.name}:{stat.st_size}:{stat.st_mtime_ns}")


def enabled(flag_off: bool = False) -> bool:
    """False when ``--no-cache`` was given or ``HUBS_CACHE`` says off."""
    return not flag_off and os.environ.get(ENV, "").strip().lower() not in _OFF


def home() -> Path:
    """The folder of every cache file: ``$XDG_CACHE_HOME/hubs``, else ``~/.cache/hubs``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "hubs"


def file_of(folder: Path, kind: str = SCAN) -> Path:
    """The cache file of kind ``kind`` of the hubs.toml in ``folder``."""
    name = hashlib.blake2b(str(folder.resolve()).encode(), digest_size=12).hexdigest()
    return home() / f"{kind}-{name}.json"


class Store:
    """The entries of one cache file, read once; :meth:`save` writes them back if changed.

    An entry a run has decoded is let go (the run holds its objects): :meth:`save`, or a
    second :meth:`get` of it, reads it back from the file, as the file has it then."""

    def __init__(self, folder: Path, kind: str = SCAN) -> None:
        self.folder = str(folder.resolve())  # hubs.toml's folder: one cache file each
        self.path = file_of(folder, kind)
        self.tool = version(kind)
        self._entries = self._read()  # name -> (digest, its JSON text)
        self._taken: dict[str, str] = {}  # decoded and let go: name -> digest
        self._disk: dict[str, tuple[str, str]] | None = None  # the file read again, if needed
        self._put: set[str] = set()  # entries put this run: not in the file yet
        self._changed = False

    def _read(self) -> dict[str, tuple[str, str]]:
        try:
            data = json.loads(read_bytes(self.path, str(self.path), LIMIT))
        except (HubsError, ValueError, RecursionError):  # not a file we wrote: no cache
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return {}
        files = data.get("files")
        if data.get("tool") != self.tool or data.get("folder") != self.folder:
            return {}
        if not isinstance(files, dict):
            return {}
        out: dict[str, tuple[str, str]] = {}
        for name, entry in files.items():
            if isinstance(entry, list) and len(entry) == 2 and all(type(e) is str for e in entry):
                out[name] = (entry[0], entry[1])
        return out

    def get(self, name: str, digest: str, decode: Callable[[object], T]) -> T | None:
        """The decoded entry ``name`` if it was computed from text with ``digest``;
        None (a miss) when absent, stale, or of a shape ``decode`` refuses."""
        entry = self._entries.get(name) or self._taken_back(name)
        if entry is None or entry[0] != digest:
            return None
        try:
            found = decode(json.loads(entry[1]))
        except (KeyError, TypeError, ValueError, IndexError, RecursionError):
            self._entries.pop(name, None)
            self._taken.pop(name, None)
            return None
        if name not in self._put:  # let go: the file has it
            self._entries.pop(name, None)
            self._taken[name] = digest
        return found

    def put(self, name: str, digest: str, data: object) -> None:
        """Keep ``data`` (plain JSON data) for ``name`` as computed from text with ``digest``:
        kept as JSON text, so a run holds each result once, as its objects, not twice."""
        entry = (digest, json.dumps(data, separators=(",", ":")))
        if self._entries.get(name) != entry:
            self._entries[name] = entry
            self._taken.pop(name, None)
            self._put.add(name)
            self._changed = True

    def save(self) -> None:
        """Write the entries if any changed; an OS error leaves no cache, never a failure."""
        if not self._changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, self._body())
        except OSError:
            return
        self._changed = False

    def _body(self) -> Iterator[str]:
        """The file's JSON text, an entry at a time (as ``json.dumps`` of the whole with
        ``separators=(",", ":")``: at 10,000 hubs the whole text would be held twice)."""
        head = {"format": FORMAT, "tool": self.tool, "folder": self.folder}
        yield json.dumps(head, separators=(",", ":"))[:-1] + ',"files":{'
        for at, (name, entry) in enumerate(sorted(self._kept().items())):
            yield ("," if at else "") + json.dumps(name) + ":"
            yield json.dumps(list(entry), separators=(",", ":"))
        yield "}}"

    def _taken_back(self, name: str) -> tuple[str, str] | None:
        """An entry let go, as the file has it now (None when it no longer has it as it
        was: a miss)."""
        digest = self._taken.get(name)
        if digest is None:
            return None
        if self._disk is None:
            self._disk = self._read()
        found = self._disk.get(name)
        return found if found is not None and found[0] == digest else None

    def _kept(self) -> dict[str, tuple[str, str]]:
        """Every entry: those of this run, and those let go as the file still has them."""
        kept = dict(self._entries)
        for name in self._taken:
            found = self._taken_back(name)
            if found is not None:
                kept[name] = found
        return kept


def write_atomic(path: Path, text: Iterable[str]) -> None:
    """``text`` (its pieces, in order) as the file ``path``, replaced at once."""
    import tempfile  # 0.4 ms of a replayed check, which writes no cache

    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def open_store(folder: Path, flag_off: bool = False, kind: str = SCAN) -> Store | None:
    """The cache of ``kind`` of the hubs.toml in ``folder``, or None when it is turned off."""
    return Store(folder, kind) if enabled(flag_off) else None
