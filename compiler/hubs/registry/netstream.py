"""Socket reads and writes bounded by the deadline of the request being made.

httpx bounds each read (``timeout``), not a whole request: a registry dripping a byte every
few seconds, into its headers or its body, never trips a read timeout.  This network
backend gives every socket operation at most the time left before the deadline that the
calling thread set with :func:`within`, so such a request ends on time.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import typing
from collections.abc import Iterator
from typing import Protocol

import httpcore
import httpx


class Bound(Protocol):
    def left(self) -> float: ...


_current = threading.local()


@contextlib.contextmanager
def within(deadline: Bound) -> Iterator[None]:
    """Socket operations of this thread, inside the block, end by ``deadline``."""
    before = getattr(_current, "deadline", None)
    _current.deadline = deadline
    try:
        yield
    finally:
        _current.deadline = before


def _bounded(timeout: float | None) -> float | None:
    deadline: Bound | None = getattr(_current, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline.left()
    if left <= 0:
        raise httpcore.ReadTimeout("deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous sockets, each operation bounded by the thread's deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _bounded(timeout), local_address, socket_options
        )
        return _Stream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport over :class:`DeadlineBackend` (its pool rebuilt with the backend:
    httpx has no option for a network backend)."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, network_backend=DeadlineBackend()
        )
