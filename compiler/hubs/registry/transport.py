"""One logical HTTP request to a registry: redirects, retries within a budget, redaction.

``Authorization`` is sent only to the origin it was meant for: a redirect elsewhere (a
blob store, a CDN) loses it.  429 and 5xx answers are retried with exponential backoff or
after ``Retry-After``; all waits of one client come out of one budget.  Every message is
scrubbed of the secrets the client has used.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .base import RegistryError
from .exchange import Origin, Redactor, Reply, origin, retry_after, size_text, ssl_context

ERROR_BODY_LIMIT = 64 * 1024  # of a non-200 answer, read (cut) for its error message
_MAX_REDIRECTS = 5
_BACKOFF_BASE = 0.25
_BACKOFF_CAP = 8.0
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Deadline:
    """When one logical request must be over, and what to say when it is not."""

    end: float
    why: str

    def left(self) -> float:
        return self.end - time.monotonic()


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


class Transport:
    """Sends requests for a client; thread-safe.  ``name`` prefixes every error message.

    Three clocks bound a request: ``timeout`` for each connect and read, ``request_deadline``
    for a whole logical request (a registry dripping a byte every few seconds ends there),
    and ``deadline`` for everything the client does, retry waits included.
    """

    def __init__(
        self,
        *,
        ca_file: str | None,
        timeout: float,
        budget: float,
        request_deadline: float,
        deadline: float | None,
        redactor: Redactor,
    ) -> None:
        self.requests = 0
        self.redactor = redactor
        self._timeout = timeout
        self._budget = budget
        self._spent = 0.0
        self._request_deadline = request_deadline
        self._deadline = deadline
        self._end = None if deadline is None else time.monotonic() + deadline
        self._lock = threading.Lock()
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            verify=ssl_context(ca_file),
            trust_env=False,
        )

    def close(self) -> None:
        self._http.close()

    def error(self, name: str, what: str) -> RegistryError:
        return RegistryError(self.redactor.scrub(f"{name}: {what}".replace("\n", " ")))

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

    def fetch(
        self,
        name: str,
        method: str,
        url: str,
        headers: Mapping[str, str],
        auth_origin: Origin,
        *,
        limit: int,
        what: str,
        content: bytes | None = None,
    ) -> Reply:
        """The whole answer to one logical request; a 200 body over ``limit`` is an error."""
        with self.stream(name, method, url, headers, auth_origin, content=content) as opened:
            if opened.status != 200:
                return self.collect(name, opened, ERROR_BODY_LIMIT, what, cut=True)
            return self.collect(name, opened, limit, what)

    @contextlib.contextmanager
    def stream(
        self,
        name: str,
        method: str,
        url: str,
        headers: Mapping[str, str],
        auth_origin: Origin,
        *,
        seconds: float | None = None,
        content: bytes | None = None,
    ) -> Iterator[Opened]:
        """The open answer to one logical request (retried, redirects followed).

        ``seconds`` replaces the request deadline (a big blob needs longer).
        """
        deadline = self._new_deadline(seconds)
        opened = self._retrying(name, (method, url, content), headers, auth_origin, deadline)
        try:
            yield opened
        finally:
            opened.response.close()

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
        arriving = opened.response.iter_bytes()
        buffer = bytearray()
        while True:
            with self._mapped(name, opened.where, opened.deadline):
                piece = next(arriving, None)
            if piece is None:
                break
            if opened.deadline.left() <= 0:
                raise self.error(name, f"{opened.where}: {opened.deadline.why}")
            buffer += piece
            while len(buffer) >= size:
                yield bytes(buffer[:size])
                del buffer[:size]
        if buffer:
            yield bytes(buffer)

    def _new_deadline(self, seconds: float | None) -> Deadline:
        span = self._request_deadline if seconds is None else seconds
        own = Deadline(
            time.monotonic() + span, f"no complete answer within the request deadline of {span:g} s"
        )
        if self._end is not None and self._end < own.end:
            return Deadline(self._end, self._overall())
        return own

    def _overall(self) -> str:
        return f"the deadline of {self._deadline:g} s for all registry requests passed"

    def _retrying(
        self,
        name: str,
        target: tuple[str, str, bytes | None],  # method, url, body
        headers: Mapping[str, str],
        auth_origin: Origin,
        deadline: Deadline,
    ) -> Opened:
        method, url, _ = target
        attempt = 0
        while True:
            opened = self._follow(name, target, headers, auth_origin, deadline)
            if opened.status != 429 and opened.status < 500:
                return opened
            with contextlib.closing(opened.response):
                reply = self.collect(name, opened, ERROR_BODY_LIMIT, "", cut=True)
            attempt += 1
            asked = retry_after(reply.headers.get("retry-after"))
            backoff = min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** (attempt - 1))
            wait = backoff * random.uniform(1, 1.2) if asked is None else asked
            said = f"{method} {httpx.URL(url).path}: {reply.detail()} after {attempt} attempt(s)"
            self._before_wait(name, said, wait, asked)
            time.sleep(wait)

    def _before_wait(self, name: str, said: str, wait: float, asked: float | None) -> None:
        """Spend ``wait`` from the budget, or raise saying why the request ends here."""
        if asked is not None and asked > self._budget:
            raise self.error(
                name,
                f"{said}; the registry asked to retry after {asked:g} s, "
                f"beyond the retry budget of {self._budget:g} s",
            )
        if self._end is not None and time.monotonic() + wait > self._end:
            raise self.error(
                name,
                f"{said}; the registry asked to retry after {wait:g} s, beyond the deadline "
                f"of {self._deadline:g} s for all registry requests",
            )
        with self._lock:
            spent = self._spent + wait > self._budget
            if not spent:
                self._spent += wait
        if spent:
            raise self.error(name, f"{said}; retry budget of {self._budget:g} s spent")

    def _follow(
        self,
        name: str,
        request: tuple[str, str, bytes | None],
        headers: Mapping[str, str],
        auth_origin: Origin,
        deadline: Deadline,
    ) -> Opened:
        """Send, following redirects; Authorization goes only to ``auth_origin``."""
        method, url, content = request
        target = httpx.URL(url)
        for _ in range(_MAX_REDIRECTS + 1):
            sent = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            if origin(target) == auth_origin and "Authorization" in headers:
                sent["Authorization"] = headers["Authorization"]
            response = self._send(name, (method, target, content), sent, deadline)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return Opened(response, deadline)
            response.close()
            target = response.url.join(location)
            if response.status_code == 303 and method != "HEAD":
                method, content = "GET", None
        raise self.error(name, f"{method} {target.path}: more than {_MAX_REDIRECTS} redirects")

    def _send(
        self,
        name: str,
        request: tuple[str, httpx.URL, bytes | None],
        headers: Mapping[str, str],
        deadline: Deadline,
    ) -> httpx.Response:
        method, url, content = request
        with self._lock:
            self.requests += 1
        where = f"{method} {url.copy_with(query=None)}"
        left = deadline.left()
        if left <= 0:
            raise self.error(name, f"{where}: {deadline.why}")
        timeout = httpx.Timeout(min(self._timeout, left))
        built = self._http.build_request(
            method, url, headers=headers, content=content, timeout=timeout
        )
        with self._mapped(name, where, deadline):
            return self._http.send(built, stream=True)

    @contextlib.contextmanager
    def _mapped(self, name: str, where: str, deadline: Deadline) -> Iterator[None]:
        """httpx failures as one-line RegistryErrors."""
        try:
            yield
        except httpx.TimeoutException:
            if deadline.left() <= 0.01:
                raise self.error(name, f"{where}: {deadline.why}") from None
            raise self.error(name, f"{where}: timed out after {self._timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise self.error(name, f"{where}: {exc}") from None
