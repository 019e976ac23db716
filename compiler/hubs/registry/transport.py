"""One logical HTTP request to a registry: redirects, retries within a budget, redaction.

``Authorization`` is sent only to the origin it was meant for: a redirect elsewhere (a
blob store, a CDN) loses it.  429 and 5xx answers are retried with exponential backoff or
after ``Retry-After``; all waits of one client come out of one budget.  Every message is
scrubbed of the secrets the client has used.
"""

from __future__ import annotations

import contextlib
import functools
import json
import random
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .base import RegistryError

Origin = tuple[str, str, int | None]
ERROR_BODY_LIMIT = 64 * 1024  # of a non-200 answer, read for its error message
_MAX_REDIRECTS = 5
_BACKOFF_BASE = 0.25
_BACKOFF_CAP = 8.0
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def origin(url: httpx.URL | str) -> Origin:
    parsed = httpx.URL(url)
    return (parsed.scheme, parsed.host, parsed.port)


@functools.cache
def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """The system CAs, plus ``ca_file`` if given (built once per file: loading CAs is slow)."""
    context = httpx.create_ssl_context()
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise RegistryError(f"cannot load CA file {ca_file}: {exc}") from None
    return context


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True)
class Reply:
    """A whole answer: status, headers, final URL and body."""

    status: int
    headers: httpx.Headers
    url: httpx.URL
    content: bytes

    @property
    def links(self) -> dict[str | None, dict[str, str]]:
        link = self.headers.get("link")
        return httpx.Response(200, headers={"link": link}).links if link else {}

    def detail(self) -> str:
        """``HTTP <status> CODE: message`` from a distribution error body, else the status."""
        text = f"HTTP {self.status}"
        try:
            first = json.loads(self.content).get("errors")[0]
            return f"{text} {first.get('code', '')}: {str(first.get('message', ''))[:200]}".strip()
        except (ValueError, AttributeError, IndexError, KeyError, TypeError, RecursionError):
            return text


class Redactor:
    """The secrets a client has used; :meth:`scrub` removes them from a message."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if len(s) >= 4)

    def scrub(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "***")
        return text


class Transport:
    """Sends requests for a client; thread-safe.  ``name`` prefixes every error message."""

    def __init__(
        self, *, ca_file: str | None, timeout: float, budget: float, redactor: Redactor
    ) -> None:
        self.requests = 0
        self.redactor = redactor
        self._timeout = timeout
        self._budget = budget
        self._spent = 0.0
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
        if not isinstance(body, dict):
            raise self.error(name, f"{what}: malformed response (not a JSON object)")
        return body

    def fetch(
        self, name: str, method: str, url: str, headers: Mapping[str, str], auth_origin: Origin
    ) -> Reply:
        """The whole answer to one logical request."""
        with self.stream(name, method, url, headers, auth_origin) as response:
            return self.collect(name, response)

    @contextlib.contextmanager
    def stream(
        self, name: str, method: str, url: str, headers: Mapping[str, str], auth_origin: Origin
    ) -> Iterator[httpx.Response]:
        """The open answer to one logical request (retried, redirects followed)."""
        response = self._retrying(name, method, url, headers, auth_origin)
        try:
            yield response
        finally:
            response.close()

    def collect(self, name: str, response: httpx.Response) -> Reply:
        """Read the body of an open answer."""
        where = f"{response.request.method} {response.url.copy_with(query=None)}"
        with self._mapped(name, where):
            content = response.read()
        return Reply(response.status_code, response.headers, response.url, content)

    def chunks(self, name: str, response: httpx.Response, size: int) -> Iterator[bytes]:
        """The body of an open answer in pieces of at most ``size`` bytes."""
        where = f"{response.request.method} {response.url.copy_with(query=None)}"
        pieces = response.iter_bytes(size)
        while True:
            with self._mapped(name, where):
                piece = next(pieces, None)
            if piece is None:
                return
            yield piece

    def _retrying(
        self, name: str, method: str, url: str, headers: Mapping[str, str], auth_origin: Origin
    ) -> httpx.Response:
        attempt = 0
        while True:
            response = self._follow(name, method, url, headers, auth_origin)
            if response.status_code != 429 and response.status_code < 500:
                return response
            with contextlib.closing(response):
                reply = self.collect(name, response)
            attempt += 1
            wait = retry_after(reply.headers.get("retry-after"))
            if wait is None:
                backoff = min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** (attempt - 1))
                wait = backoff * random.uniform(1, 1.2)
            if not self._spend(wait):
                raise self.error(
                    name,
                    f"{method} {httpx.URL(url).path}: {reply.detail()} after {attempt} "
                    f"attempt(s); retry budget of {self._budget:g} s spent",
                )
            time.sleep(wait)

    def _spend(self, wait: float) -> bool:
        with self._lock:
            if self._spent + wait > self._budget:
                return False
            self._spent += wait
            return True

    def _follow(
        self, name: str, method: str, url: str, headers: Mapping[str, str], auth_origin: Origin
    ) -> httpx.Response:
        """Send, following redirects; Authorization goes only to ``auth_origin``."""
        target = httpx.URL(url)
        for _ in range(_MAX_REDIRECTS + 1):
            sent = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            if origin(target) == auth_origin and "Authorization" in headers:
                sent["Authorization"] = headers["Authorization"]
            response = self._send(name, method, target, sent)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return response
            response.close()
            target = response.url.join(location)
            if response.status_code == 303 and method != "HEAD":
                method = "GET"
        raise self.error(name, f"{method} {target.path}: more than {_MAX_REDIRECTS} redirects")

    def _send(
        self, name: str, method: str, url: httpx.URL, headers: Mapping[str, str]
    ) -> httpx.Response:
        with self._lock:
            self.requests += 1
        request = self._http.build_request(method, url, headers=headers)
        with self._mapped(name, f"{method} {url.copy_with(query=None)}"):
            return self._http.send(request, stream=True)

    @contextlib.contextmanager
    def _mapped(self, name: str, where: str) -> Iterator[None]:
        """httpx failures as one-line RegistryErrors."""
        try:
            yield
        except httpx.TimeoutException:
            raise self.error(name, f"{where}: timed out after {self._timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise self.error(name, f"{where}: {exc}") from None
