"""The pieces of an HTTP exchange with a registry: origins, TLS, answers, redaction."""

from __future__ import annotations

import functools
import json
import re
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from hubs.registry.base import RegistryError

Origin = tuple[str, str, int | None]


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


def size_text(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit >> 10} KiB"


class Redactor:
    """The secrets a client has used; :meth:`scrub` removes them from a message.

    A secret of four characters or more goes wherever it appears; a shorter one (a
    password like ``pw``) wherever it stands alone, between non-alphanumerics, so that a
    registry echoing it is scrubbed without every ``p`` of a message going too.
    """

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if s)

    def scrub(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if len(secret) >= 4:
                text = text.replace(secret, "***")
            else:
                alone = rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"
                text = re.sub(alone, "***", text)
        return text
