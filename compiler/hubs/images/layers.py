"""Look for files in an image's layers, streamed from the top layer down.

A layer is a tar stream, plain, gzip or zstd (told by its first bytes).  Layers are read
from the last (top) to the first, each piece by piece as it arrives: nothing is stored and
no layer is held whole in memory.  Whiteouts are honoured: ``.wh.NAME`` deletes ``NAME``
from the layers below, ``.wh..wh..opq`` empties its folder of what the layers below hold.
The search stops at the first answer to every question, or when the byte budget is spent
(counted twice: on the bytes received and on the tar bytes they decompress to, so a
compression bomb ends there), or when its time is up.  :func:`listing` reads every layer
whole, within the same bounds, and lists the paths a picker keeps that no whiteout above
hides (package lists).  Imports nothing of the package.
"""

from __future__ import annotations

import functools
import gzip
import io
import posixpath
import tarfile
import time
import typing
import zlib
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from hubs.policy.imageref import ImageRef
    from hubs.registry.oci import RegistryClient

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
_GZIP, _ZSTD = b"\x1f\x8b", b"\x28\xb5\x2f\xfd"
READ_LIMIT = 1 << 20  # the most read of one wanted file's content
SECONDS_PER_MIB = 0.2  # time allowed to stream a layer: 60 s plus this per MiB

Kind = Literal["file", "link", "deleted"]
Opener = Callable[[], Iterator[bytes]]
Picker = Callable[[str], str | None]  # a member's absolute path -> the key it counts for


@dataclass(frozen=True)
class Layer:
    """One layer to read: its digest, size (None when unknown) and how to open it."""

    digest: str
    size: int | None
    open: Opener


@dataclass(frozen=True)
class Question:
    """Is any of ``paths`` (absolute) in the image?  ``read``: keep the content found."""

    paths: tuple[str, ...]
    read: bool = False


@dataclass(frozen=True)
class Answer:
    """What the layers say about one question.

    ``kind`` None: no layer has any of the paths.  ``deleted``: a whiteout in layer
    ``layer`` removed the last path still possible.  ``layer`` counts from 1, the bottom.
    """

    kind: Kind | None
    path: str | None = None
    layer: int = 0
    data: bytes | None = None


@dataclass(frozen=True)
class Search:
    answers: tuple[Answer | None, ...]  # None: not answered (budget spent, or stopped)
    read: int  # compressed bytes received
    layers_read: int
    stopped: str | None = None  # why the search ended before every question was answered


class BudgetSpent(Exception):
    """Why the search ends early: the budget (received or decompressed) or the time."""


class LayerError(Exception):
    """A layer that is not a tar stream this module can read; one line."""


def _normal(name: str) -> str:
    """A member name as an absolute path: ``./usr/bin/x`` and ``usr/bin/x`` give ``/usr/bin/x``."""
    while name.startswith("./"):
        name = name[2:]
    return posixpath.normpath("/" + name.lstrip("/"))


@dataclass
class _Hidden:
    """What the layers above hide from the layers below: path -> the layer of its whiteout."""

    deleted: dict[str, int] = field(default_factory=dict)
    opaque: dict[str, int] = field(default_factory=dict)

    def hides(self, path: str) -> tuple[str, int] | None:
        """The whiteout (deleted path or opaque folder) hiding ``path``, and its layer."""
        current = path
        while True:
            if current in self.deleted:
                return current, self.deleted[current]
            parent = posixpath.dirname(current)
            if parent in self.opaque:
                return parent, self.opaque[parent]
            if parent == current:
                return None
            current = parent

    def add(self, other: _Hidden) -> None:
        for mine, theirs in ((self.deleted, other.deleted), (self.opaque, other.opaque)):
            for path, layer in theirs.items():
                mine.setdefault(path, layer)


@dataclass(frozen=True)
class _Bounds:
    """The budget of bytes (each count on its own) and the monotonic time to end by."""

    budget: int
    end: float | None
    seconds: float | None

    def check(self, counter: list[int], decompressed: bool = False) -> None:
        if counter[0] > self.budget:
            after = " (decompressed)" if decompressed else ""
            raise BudgetSpent(f"the budget of {self.budget} bytes{after} is spent")
        if self.end is not None and time.monotonic() > self.end:
            raise BudgetSpent(f"the time limit of {self.seconds:g} s is spent")


class _Chunks(io.RawIOBase):
    """A readable stream over an iterator of byte pieces, counting against a budget."""

    def __init__(self, pieces: Iterator[bytes], counter: list[int], bounds: _Bounds) -> None:
        self._pieces, self._counter, self._bounds = pieces, counter, bounds
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._rest:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._counter[0] += len(piece)
            self._bounds.check(self._counter)
            self._rest = piece
        n = min(len(buffer), len(self._rest))
        buffer[:n], self._rest = self._rest[:n], self._rest[n:]
        return n

    def peek(self, n: int) -> bytes:
        while len(self._rest) < n:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._counter[0] += len(piece)
            self._bounds.check(self._counter)
            self._rest += piece
        return self._rest[:n]


class _Counted(io.RawIOBase):
    """A decompressed stream whose bytes count against the budget too."""

    def __init__(self, inner: IO[bytes], counter: list[int], bounds: _Bounds) -> None:
        self._inner, self._counter, self._bounds = inner, counter, bounds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        self._counter[0] += len(data)
        self._bounds.check(self._counter, decompressed=True)
        buffer[: len(data)] = data
        return len(data)


def _tar(raw: _Chunks, counter: list[int], bounds: _Bounds) -> tarfile.TarFile:
    head = raw.peek(4)
    stream: IO[bytes] = io.BufferedReader(raw, 1 << 16)
    if head.startswith(_ZSTD):
        import zstandard  # heavy (9 ms): only a zstd layer needs it

        stream = zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True)
    elif head.startswith(_GZIP):
        stream = typing.cast(IO[bytes], gzip.GzipFile(fileobj=stream, mode="rb"))
    return tarfile.open(fileobj=io.BufferedReader(_Counted(stream, counter, bounds)), mode="r|")


class _Searcher:
    def __init__(self, questions: Sequence[Question], bounds: _Bounds) -> None:
        self.questions = questions
        self.bounds = bounds
        self.inflated = [0]  # tar bytes decompressed
        self.answers: list[Answer | None] = [None if q.paths else Answer(None) for q in questions]
        self.hidden = _Hidden()
        self.counter = [0]
        self.hid: dict[int, Answer] = {}  # question -> the whiteout that hid a path found

    def open(self) -> list[int]:
        return [i for i, a in enumerate(self.answers) if a is None]

    def layer(self, number: int, pieces: Iterator[bytes]) -> None:
        """Read one layer until every open question is answered or it ends."""
        here = _Hidden()
        chunks = _Chunks(pieces, self.counter, self.bounds)
        with _tar(chunks, self.inflated, self.bounds) as tar:
            for member in tar:
                self._member(number, tar, member, here)
                if not self.open():
                    return
        for piece in pieces:  # the rest (padding): read whole, the digest is checked
            self.counter[0] += len(piece)
            self.bounds.check(self.counter)
        self.hidden.add(here)
        self._settle()

    def _member(
        self, number: int, tar: tarfile.TarFile, member: tarfile.TarInfo, here: _Hidden
    ) -> None:
        path = _normal(member.name)
        folder, base = posixpath.split(path)
        if base == OPAQUE:
            here.opaque[folder] = number
            return
        if base.startswith(WHITEOUT):
            here.deleted[posixpath.join(folder, base[len(WHITEOUT) :])] = number
            return
        for i in self.open():
            question = self.questions[i]
            if path not in question.paths:
                continue
            hidden = self.hidden.hides(path)
            if hidden is not None:
                self.hid.setdefault(i, Answer("deleted", hidden[0], hidden[1]))
                continue
            if member.isfile():
                data = None
                if question.read:
                    extracted = tar.extractfile(member)
                    data = extracted.read(READ_LIMIT) if extracted else b""
                self.answers[i] = Answer("file", path, number, data)
            elif member.issym() or member.islnk():
                self.answers[i] = Answer("link", path, number)

    def _settle(self) -> None:
        """Questions whose every path is now hidden are answered: deleted."""
        for i in self.open():
            hidden = [self.hidden.hides(p) for p in self.questions[i].paths]
            if all(hidden) and hidden[0] is not None:
                self.answers[i] = Answer("deleted", hidden[0][0], hidden[0][1])


_T = typing.TypeVar("_T")


def _read(layer: Layer, number: int, read: typing.Callable[[typing.Any], _T]) -> _T:
    """``read`` over layer ``number``'s stream, closed afterwards; a stream that is no
    readable tar is a :class:`LayerError` naming the layer (a spent budget goes up)."""
    pieces = layer.open()
    try:
        return read(pieces)
    except BudgetSpent:
        raise
    except Exception as exc:
        if not _unreadable(exc):
            raise
        raise LayerError(f"layer {number} ({layer.digest}): not a readable tar: {exc}") from None
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()


def blob_opener(
    client: RegistryClient, ref: ImageRef, digest: str, size: int | None, end: float
) -> Opener:
    """A layer's stream, within its size's time (60 s plus :data:`SECONDS_PER_MIB` a MiB)
    and what is left of the image's (``end``, a monotonic time)."""
    seconds = 60.0 + SECONDS_PER_MIB * (size or 0) / (1 << 20)
    return lambda: client.stream_blob(
        ref, digest, seconds=max(0.1, min(seconds, end - time.monotonic()))
    )


def search(
    layers: Sequence[Layer],
    questions: Sequence[Question],
    budget: int,
    seconds: float | None = None,
) -> Search:
    """Answer ``questions`` from ``layers`` (bottom first, as a manifest lists them),
    reading from the top down, within ``budget`` bytes received and ``budget`` bytes
    decompressed, and within ``seconds`` (None: no time limit)."""
    end = None if seconds is None else time.monotonic() + seconds
    searcher = _Searcher(questions, _Bounds(budget, end, seconds))
    done = 0
    for number in range(len(layers), 0, -1):
        if not searcher.open():
            break
        layer = layers[number - 1]
        try:
            _read(layer, number, functools.partial(searcher.layer, number))
        except BudgetSpent as spent:
            return _ended(searcher, done, str(spent))
        done += 1
    for i in searcher.open():  # no layer has it; a whiteout may have removed it
        searcher.answers[i] = searcher.hid.get(i, Answer(None))
    return _ended(searcher, done, None)


def _unreadable(exc: Exception) -> bool:
    """A broken stream (tar, gzip, zstd), as opposed to a failure to fetch it."""
    broken = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, UnicodeError)
    return isinstance(exc, broken) or type(exc).__name__ == "ZstdError"


def _ended(searcher: _Searcher, done: int, why: str | None) -> Search:
    return Search(tuple(searcher.answers), searcher.counter[0], done, why)


# ---------------------------------------------------------------- listing every layer


@dataclass(frozen=True)
class Contents:
    """What one layer holds of what a picker keeps, and what its whiteouts hide below.

    ``picked``: (member path, key) pairs; ``deleted`` and ``opaque``: the paths its
    whiteouts name.  It depends on the layer's bytes alone, so it can be kept by digest.
    """

    picked: tuple[tuple[str, str], ...]
    deleted: tuple[str, ...]
    opaque: tuple[str, ...]


@dataclass(frozen=True)
class Listing:
    """The keys present in the image (sorted, each with the top layer holding it, counted
    from 1 at the bottom), or why the listing stopped before the last layer."""

    keys: tuple[tuple[str, int], ...]
    read: int  # compressed bytes received
    layers_read: int
    stopped: str | None = None


def _contents(pieces: Iterator[bytes], pick: Picker, counter: list[int],
              inflated: list[int], bounds: _Bounds) -> Contents:  # fmt: skip
    picked: list[tuple[str, str]] = []
    deleted: list[str] = []
    opaque: list[str] = []
    with _tar(_Chunks(pieces, counter, bounds), inflated, bounds) as tar:
        for member in tar:
            path = _normal(member.name)
            folder, base = posixpath.split(path)
            if base == OPAQUE:
                opaque.append(folder)
            elif base.startswith(WHITEOUT):
                deleted.append(posixpath.join(folder, base[len(WHITEOUT) :]))
            elif (key := pick(path)) is not None:
                picked.append((path, key))
    for piece in pieces:  # the rest (padding): read whole, the digest is checked
        counter[0] += len(piece)
        bounds.check(counter)
    return Contents(tuple(picked), tuple(deleted), tuple(opaque))


def listing(
    layers: Sequence[Layer],
    pick: Picker,
    budget: int,
    seconds: float | None = None,
    known: MutableMapping[str, Contents] | None = None,
) -> Listing:
    """The keys ``pick`` gives for the paths of the image's layers (bottom first, as a
    manifest lists them) that no whiteout of a layer above hides.  Every layer is read
    whole, from the top down, within ``budget`` bytes received and ``budget`` bytes
    decompressed and ``seconds``; ``known`` holds the contents of layers already read
    (by digest), which are not read again and cost nothing."""
    bounds = _Bounds(budget, None if seconds is None else time.monotonic() + seconds, seconds)
    counter, inflated = [0], [0]
    hidden = _Hidden()
    found: dict[str, int] = {}
    done = 0
    for number in range(len(layers), 0, -1):
        layer = layers[number - 1]
        contents = known.get(layer.digest) if known is not None else None
        if contents is None:
            try:
                contents = _read(
                    layer, number, lambda pieces: _contents(pieces, pick, counter, inflated, bounds)
                )
            except BudgetSpent as spent:
                return Listing((), counter[0], done, str(spent))
            if known is not None:
                known[layer.digest] = contents
        for path, key in contents.picked:
            if key not in found and hidden.hides(path) is None:
                found[key] = number
        here = _Hidden(dict.fromkeys(contents.deleted, number),
                       dict.fromkeys(contents.opaque, number))  # fmt: skip
        hidden.add(here)
        done += 1
    return Listing(tuple(sorted(found.items())), counter[0], done)
