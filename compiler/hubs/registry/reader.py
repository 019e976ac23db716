"""Reading answers: bodies within their size cap and deadline, JSON, one-line errors."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from hubs.errors import oneline
from hubs.registry.base import RegistryError
from hubs.registry.decoding import Decoder, Undecodable
from hubs.registry.exchange import Redactor, Reply, size_text
from hubs.registry.limits import Deadline
from hubs.registry.netstream import within


@dataclass(frozen=True)
class Opened:
    """An answer whose body is still unread, with the deadline it must arrive by."""

    response: httpx.Response
    deadline: Deadline

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def where(self) -> str:
        return f"{self.response.request.method} {self.response.url.copy_with(query=None)}"


class Reader:
    """Reads open answers for a client and words its failures (scrubbed, one line)."""

    def __init__(self, redactor: Redactor, timeout: float) -> None:
        self.redactor = redactor
        self._timeout = timeout

    def error(self, name: str, what: str) -> RegistryError:
        """``name: what`` scrubbed, on one line (a registry's text may hold anything)."""
        return RegistryError(oneline(self.redactor.scrub(f"{name}: {what}")))

    def json_object(self, name: str, reply: Reply, what: str) -> dict[str, Any]:
        """The body of ``reply`` as a JSON object."""
        try:
            body = json.loads(reply.content)
        except ValueError:
            raise self.error(name, f"{what}: malformed JSON from the registry") from None
        except RecursionError:
            raise self.error(
                name, f"{what}: malformed JSON from the registry (nested too deeply)"
            ) from None
        if not isinstance(body, dict):
            raise self.error(name, f"{what}: malformed response (not a JSON object)")
        return body

    def collect(
        self, name: str, opened: Opened, limit: int, what: str, *, cut: bool = False
    ) -> Reply:
        """Read the body of an open answer: at most ``limit`` bytes (``cut``: the rest is
        dropped; else more is an error)."""
        response = opened.response
        if response.request.method == "HEAD":  # Content-Length tells the size of a GET
            return Reply(response.status_code, response.headers, response.url, b"")
        declared = response.headers.get("content-length", "")
        if not cut and declared.isdigit() and int(declared) > limit:
            raise self.error(name, f"{what}: the answer is larger than {size_text(limit)}")
        body = bytearray()
        for piece in self.chunks(name, opened, 1 << 16):
            body += piece
            if len(body) > limit:
                if cut:
                    del body[limit:]
                    break
                raise self.error(name, f"{what}: the answer is larger than {size_text(limit)}")
        return Reply(response.status_code, response.headers, response.url, bytes(body))

    def chunks(self, name: str, opened: Opened, size: int) -> Iterator[bytes]:
        """The body of an open answer in pieces of ``size`` bytes (the last may be shorter);
        the deadline is checked as each piece arrives from the network."""
        response = opened.response
        try:
            decoder = Decoder(response.headers.get("content-encoding"), size)
        except Undecodable as exc:
            raise self.error(name, f"{opened.where}: {exc}") from None
        arriving = response.iter_raw()  # as sent: decoded here, a piece at a time
        buffer = bytearray()
        while True:
            with self.mapped(name, opened.where, opened.deadline), within(opened.deadline):
                piece = next(arriving, None)
            if piece is None:
                break
            if opened.deadline.left() <= 0:
                raise self.error(name, f"{opened.where}: {opened.deadline.why}")
            try:
                for decoded in decoder.feed(piece):
                    buffer += decoded
                    while len(buffer) >= size:
                        yield bytes(buffer[:size])
                        del buffer[:size]
            except Undecodable as exc:
                raise self.error(name, f"{opened.where}: {exc}") from None
        try:
            decoder.end()
        except Undecodable as exc:
            raise self.error(name, f"{opened.where}: {exc}") from None
        if buffer:
            yield bytes(buffer)

    @contextlib.contextmanager
    def mapped(self, name: str, where: str, deadline: Deadline) -> Iterator[None]:
        """httpx failures as one-line RegistryErrors."""
        try:
            yield
        except httpx.TimeoutException:
            if deadline.left() <= 0.01:
                raise self.error(name, f"{where}: {deadline.why}") from None
            raise self.error(name, f"{where}: timed out after {self._timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise self.error(name, f"{where}: {exc}") from None
