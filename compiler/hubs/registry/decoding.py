"""Undo the one content coding the client asks for (gzip), piece by piece.

httpx decodes whatever a registry sends, a whole network chunk at a time: a zstd or
stacked gzip body under a megabyte became gigabytes before any cap was applied.  The
client asks for ``gzip`` (or nothing), refuses any other coding or a stack of them, and
inflates at most ``most`` bytes per step, so the caller's cap applies as it goes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

ACCEPT_ENCODING = "gzip"
_GZIP = frozenset({"gzip", "x-gzip"})


class Undecodable(Exception):
    """A coding not asked for, or a broken gzip stream; one line."""


class Decoder:
    """The body's bytes as sent, given ``Content-Encoding``, in pieces of at most ``most``."""

    def __init__(self, content_encoding: str | None, most: int = 1 << 16) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if codings and (len(codings) > 1 or codings[0] not in _GZIP):
            shown = (content_encoding or "").strip()[:60]
            raise Undecodable(
                f"Content-Encoding {shown!r} was not asked for (hubs asks for gzip or none)"
            )
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if codings else None
        self._most = most

    def feed(self, data: bytes) -> Iterator[bytes]:
        inflate = self._inflate
        if inflate is None:
            if data:
                yield data
            return
        try:
            while data or not inflate.eof:
                out = inflate.decompress(data, self._most)
                data = inflate.unconsumed_tail
                if out:
                    yield out
                elif not data:
                    return
        except zlib.error:
            raise Undecodable("broken gzip encoding") from None

    def end(self) -> None:
        if self._inflate is not None and not self._inflate.eof:
            raise Undecodable("gzip encoding cut short")
