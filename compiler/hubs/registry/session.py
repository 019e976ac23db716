"""Authenticated requests of a client: the 401 dance, status checks, digests, JSON."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any

import httpx

from hubs.policy.imageref import ImageRef
from hubs.registry.auth import Authenticator
from hubs.registry.base import (
    CONFIG_LIMIT,
    DIGEST_RE,
    MANIFEST_ACCEPT,
    MANIFEST_LIMIT,
    RegistryError,
)
from hubs.registry.exchange import Reply, origin
from hubs.registry.reader import Opened
from hubs.registry.routing import registry_url
from hubs.registry.transport import ERROR_BODY_LIMIT, Transport


def content_type(reply: Reply) -> str:
    return str(reply.headers.get("content-type", "")).split(";")[0].strip()


def _digest_of(data: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


class Session:
    """Requests on behalf of a :class:`RegistryClient`; thread-safe."""

    def __init__(self, transport: Transport, auth: Authenticator, insecure: frozenset[str]) -> None:
        self.transport = transport
        self._auth = auth
        self._insecure = insecure

    # --- manifests and blobs ------------------------------------------------------------------

    def manifest_url(self, ref: ImageRef, reference: str) -> str:
        return f"{self.base(ref)}/v2/{ref.repository}/manifests/{reference}"

    def raw_manifest(self, ref: ImageRef, reference: str) -> tuple[dict[str, Any], str, str]:
        """GET a manifest: (body, verified digest, media type)."""
        what = f"manifest {reference}"
        reply = self.checked(
            ref, "GET", self.manifest_url(ref, reference), what, limit=MANIFEST_LIMIT
        )
        expected = reference if DIGEST_RE.fullmatch(reference) else None
        digest = self.verify(
            ref, reply, expected or reply.headers.get("docker-content-digest"), what
        )
        body = self.transport.json_object(ref.canonical_name, reply, what)
        media = body.get("mediaType")
        return body, digest, media if isinstance(media, str) else content_type(reply)

    def blob(self, ref: ImageRef, digest: str) -> dict[str, Any]:
        what = f"config blob {digest}"
        url = f"{self.base(ref)}/v2/{ref.repository}/blobs/{digest}"
        reply = self.checked(ref, "GET", url, what, accept="*/*", limit=CONFIG_LIMIT)
        self.verify(ref, reply, digest, what)
        return self.transport.json_object(ref.canonical_name, reply, what)

    def verify(self, ref: ImageRef, reply: Reply, expected: str | None, what: str) -> str:
        """Check the body against ``expected`` (when hashlib knows its algorithm)."""
        if not expected:
            return _digest_of(reply.content)
        algorithm = expected.split(":", 1)[0]
        if algorithm not in hashlib.algorithms_available:
            return expected
        if _digest_of(reply.content, algorithm) != expected:
            raise self.error(ref, f"{what}: content does not match digest {expected}")
        return expected

    def page_tags(self, ref: ImageRef, reply: Reply) -> list[str]:
        body = self.transport.json_object(ref.canonical_name, reply, "tag listing")
        tags = body.get("tags")
        if tags is None:
            return []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise self.error(
                ref, "tag listing: malformed response ('tags' is not a list of strings)"
            )
        return tags

    # --- requests with auth -----------------------------------------------------------------

    def base(self, ref: ImageRef) -> str:
        return registry_url(ref.registry, self._insecure)

    def checked(
        self,
        ref: ImageRef,
        method: str,
        url: str,
        what: str,
        *,
        limit: int,
        accept: str = MANIFEST_ACCEPT,
    ) -> Reply:
        """An authenticated request whose status must be 200 (its body at most ``limit``)."""
        reply = self.authed(ref, method, url, accept, limit=limit, what=what)
        if reply.status == 200:
            return reply
        raise self.status_error(ref, reply, what)

    def status_error(self, ref: ImageRef, reply: Reply, what: str) -> RegistryError:
        if reply.status == 404:
            return self.error(ref, f"{what}: not found ({reply.detail()})")
        return self.error(ref, f"{what}: {reply.detail()}")

    def headers(self, ref: ImageRef, accept: str) -> dict[str, str]:
        headers = {"Accept": accept}
        authorization = self._auth.preauthorization(ref)
        if authorization:
            headers["Authorization"] = authorization
        return headers

    def challenge(
        self, ref: ImageRef, status: int, headers: httpx.Headers, url: httpx.URL
    ) -> str | None:
        """The challenge of a 401 from the registry itself (not from a redirect target)."""
        challenge: str | None = headers.get("www-authenticate")
        if status == 401 and challenge and origin(url) == origin(self.base(ref)):
            return challenge
        return None

    def authed(
        self, ref: ImageRef, method: str, url: str, accept: str, *, limit: int, what: str
    ) -> Reply:
        own, name = origin(self.base(ref)), ref.canonical_name
        headers = self.headers(ref, accept)
        reply = self.transport.fetch(name, method, url, headers, own, limit=limit, what=what)
        challenge = self.challenge(ref, reply.status, reply.headers, reply.url)
        if challenge:
            headers["Authorization"] = self._auth.authorize(ref, challenge)
            reply = self.transport.fetch(name, method, url, headers, own, limit=limit, what=what)
        if reply.status == 401:
            raise self.error(ref, self._auth.unauthorized(ref))
        return reply

    @contextlib.contextmanager
    def opened(
        self, ref: ImageRef, url: str, what: str, seconds: float | None = None
    ) -> Iterator[Opened]:
        """An authenticated GET whose status is 200, its body still unread."""
        own, name = origin(self.base(ref)), ref.canonical_name
        headers = self.headers(ref, "*/*")

        def start() -> contextlib.AbstractContextManager[Opened]:
            return self.transport.stream(name, "GET", url, headers, own, seconds=seconds)

        with contextlib.ExitStack() as stack:
            opened = stack.enter_context(start())
            response = opened.response
            challenge = self.challenge(ref, response.status_code, response.headers, response.url)
            if challenge:
                stack.close()
                headers["Authorization"] = self._auth.authorize(ref, challenge)
                opened = stack.enter_context(start())
            if opened.status == 401:
                raise self.error(ref, self._auth.unauthorized(ref))
            if opened.status != 200:
                reply = self.transport.reader.collect(
                    name, opened, ERROR_BODY_LIMIT, what, cut=True
                )
                raise self.status_error(ref, reply, what)
            yield opened

    def error(self, ref: ImageRef, what: str) -> RegistryError:
        return self.transport.error(ref.canonical_name, what)
