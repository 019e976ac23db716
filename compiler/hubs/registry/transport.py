"""One logical HTTP request to a registry: redirects, retries within a budget, redaction.

``Authorization`` is sent only to the origin it was meant for: a redirect elsewhere (a
blob store, a CDN) loses it.  429 and 5xx answers are retried with exponential backoff or
after ``Retry-After``; all waits of one client come out of one budget.  Every message is
scrubbed of the secrets the client has used.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from hubs.registry.base import RegistryError
from hubs.registry.decoding import ACCEPT_ENCODING
from hubs.registry.exchange import Origin, Redactor, Reply, origin, retry_after, ssl_context
from hubs.registry.limits import Deadline, Limits
from hubs.registry.netstream import DeadlineTransport, within
from hubs.registry.reader import Opened, Reader

ERROR_BODY_LIMIT = 64 * 1024  # of a non-200 answer, read (cut) for its error message
_MAX_REDIRECTS = 5
_BACKOFF_BASE = 0.25
_BACKOFF_CAP = 8.0
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


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
        self.reader = Reader(redactor, timeout)
        self._limits = Limits(budget, request_deadline, deadline)
        self._lock = threading.Lock()
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"Accept-Encoding": ACCEPT_ENCODING},  # nothing else is decoded
            transport=DeadlineTransport(ssl_context(ca_file)),
            trust_env=False,
        )

    def close(self) -> None:
        self._http.close()

    def error(self, name: str, what: str) -> RegistryError:
        return self.reader.error(name, what)

    def json_object(self, name: str, reply: Reply, what: str) -> dict[str, Any]:
        return self.reader.json_object(name, reply, what)

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
                return self.reader.collect(name, opened, ERROR_BODY_LIMIT, what, cut=True)
            return self.reader.collect(name, opened, limit, what)

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
        deadline = self._limits.deadline(seconds)
        opened = self._retrying(name, (method, url, content), headers, auth_origin, deadline)
        try:
            yield opened
        finally:
            opened.response.close()

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
                reply = self.reader.collect(name, opened, ERROR_BODY_LIMIT, "", cut=True)
            attempt += 1
            asked = retry_after(reply.headers.get("retry-after"))
            backoff = min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** (attempt - 1))
            wait = backoff * random.uniform(1, 1.2) if asked is None else asked
            said = f"{method} {httpx.URL(url).path}: {reply.detail()} after {attempt} attempt(s)"
            refusal = self._limits.wait(said, wait, asked)
            if refusal:
                raise self.error(name, refusal)

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
        built = self._http.build_request(method, url, headers=headers, content=content)
        with self.reader.mapped(name, where, deadline), within(deadline):
            return self._http.send(built, stream=True)
