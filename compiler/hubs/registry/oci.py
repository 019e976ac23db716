"""The registry operations: tag lists, manifest digests, image configs.

Synchronous and thread-safe; callers get concurrency from a thread pool.  Credentials are
sent only to the registry's own origin and to the token realm, and never appear in an
error message.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from hubs.imageref import ImageRef

from .auth import Authenticator
from .base import DIGEST_RE, HELM_CONFIG, INDEX_TYPES, MANIFEST_ACCEPT, RegistryError
from .credentials import CredentialStore
from .results import ImageConfig, parse_config, pick_child
from .routing import page_query, registry_url
from .transport import Redactor, Reply, Transport, origin


def _digest_of(data: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


class RegistryClient:
    """Talks to OCI registries.  Use as a context manager; safe to share between threads."""

    def __init__(
        self,
        *,
        insecure: frozenset[str] = frozenset(),
        ca_file: str | None = None,
        timeout: float = 10.0,
        budget: float = 120.0,
        max_pages: int = 50,
        docker_config: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._insecure = insecure
        self._max_pages = max_pages
        self._transport = Transport(
            ca_file=ca_file, timeout=timeout, budget=budget, redactor=Redactor()
        )
        store = CredentialStore(docker_config, os.environ if env is None else env)
        self._auth = Authenticator(store, self._transport)

    @property
    def requests(self) -> int:
        """HTTP requests sent so far (each redirect and retry counts)."""
        return self._transport.requests

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    # --- public operations ------------------------------------------------------------------

    def list_tags(self, ref: ImageRef) -> list[str]:
        """Every tag of the repository, following ``Link: rel="next"`` pages."""
        url = f"{self._base(ref)}/v2/{ref.repository}/tags/list{page_query(ref.registry)}"
        tags: list[str] = []
        for _ in range(self._max_pages):
            reply = self._checked(ref, "GET", url, "tag listing")
            tags.extend(self._page_tags(ref, reply))
            link = reply.links.get("next", {}).get("url")
            if not link:
                return tags
            url = str(reply.url.join(link))
        raise self._error(
            ref, f"tag listing has more than {self._max_pages} pages; refusing a truncated list"
        )

    def digest(self, ref: ImageRef, reference: str) -> str:
        """The digest of the manifest (the index itself for multi-arch images)."""
        what = f"manifest {reference}"
        reply = self._checked(ref, "HEAD", self._manifest_url(ref, reference), what)
        header: str | None = reply.headers.get("docker-content-digest")
        if header:
            if not DIGEST_RE.fullmatch(header):
                raise self._error(ref, f"{what}: invalid Docker-Content-Digest header")
            return header
        return self._manifest(ref, reference)[1]

    def config(self, ref: ImageRef, reference: str) -> ImageConfig:
        """``created`` and ``User`` from the image config (linux/amd64 for an index)."""
        manifest, _, media = self._manifest(ref, reference)
        if media in INDEX_TYPES or "manifests" in manifest:
            child = pick_child(manifest)
            if child is None:
                raise self._error(ref, f"index {reference} lists no image manifest")
            manifest, _, media = self._manifest(ref, child)
            if media in INDEX_TYPES or "manifests" in manifest:
                raise self._error(ref, f"index {reference} nests another index")
        config = manifest.get("config")
        if not isinstance(config, dict) or not isinstance(config.get("digest"), str):
            raise self._error(ref, f"manifest {reference} has no config (not an image?)")
        if config.get("mediaType") == HELM_CONFIG:
            raise self._error(ref, f"{reference} is a Helm chart, not a container image")
        return parse_config(self._blob(ref, config["digest"]))

    # --- manifests and blobs ------------------------------------------------------------------

    def _manifest_url(self, ref: ImageRef, reference: str) -> str:
        return f"{self._base(ref)}/v2/{ref.repository}/manifests/{reference}"

    def _manifest(self, ref: ImageRef, reference: str) -> tuple[dict[str, Any], str, str]:
        """GET a manifest: (body, verified digest, media type)."""
        what = f"manifest {reference}"
        reply = self._checked(ref, "GET", self._manifest_url(ref, reference), what)
        expected = reference if DIGEST_RE.fullmatch(reference) else None
        digest = self._verify(
            ref, reply, expected or reply.headers.get("docker-content-digest"), what
        )
        body = self._transport.json_object(ref.canonical_name, reply, what)
        content_type = reply.headers.get("content-type", "").split(";")[0].strip()
        media = body.get("mediaType") if isinstance(body.get("mediaType"), str) else content_type
        return body, digest, str(media)

    def _blob(self, ref: ImageRef, digest: str) -> dict[str, Any]:
        what = f"config blob {digest}"
        url = f"{self._base(ref)}/v2/{ref.repository}/blobs/{digest}"
        reply = self._checked(ref, "GET", url, what, accept="*/*")
        self._verify(ref, reply, digest, what)
        return self._transport.json_object(ref.canonical_name, reply, what)

    def _verify(self, ref: ImageRef, reply: Reply, expected: str | None, what: str) -> str:
        """Check the body against ``expected`` (when hashlib knows its algorithm)."""
        if not expected:
            return _digest_of(reply.content)
        algorithm = expected.split(":", 1)[0]
        if algorithm not in hashlib.algorithms_available:
            return expected
        if _digest_of(reply.content, algorithm) != expected:
            raise self._error(ref, f"{what}: content does not match digest {expected}")
        return expected

    def _page_tags(self, ref: ImageRef, reply: Reply) -> list[str]:
        body = self._transport.json_object(ref.canonical_name, reply, "tag listing")
        tags = body.get("tags")
        if tags is None:
            return []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise self._error(
                ref, "tag listing: malformed response ('tags' is not a list of strings)"
            )
        return tags

    # --- requests with auth -----------------------------------------------------------------

    def _base(self, ref: ImageRef) -> str:
        return registry_url(ref.registry, self._insecure)

    def _checked(
        self, ref: ImageRef, method: str, url: str, what: str, *, accept: str = MANIFEST_ACCEPT
    ) -> Reply:
        """An authenticated request whose status must be 200."""
        reply = self._authed(ref, method, url, accept)
        if reply.status == 200:
            return reply
        if reply.status == 404:
            raise self._error(ref, f"{what}: not found ({reply.detail()})")
        raise self._error(ref, f"{what}: {reply.detail()}")

    def _authed(self, ref: ImageRef, method: str, url: str, accept: str) -> Reply:
        own = origin(self._base(ref))
        headers = {"Accept": accept}
        authorization = self._auth.preauthorization(ref)
        if authorization:
            headers["Authorization"] = authorization
        name = ref.canonical_name
        reply = self._transport.fetch(name, method, url, headers, own)
        challenge = reply.headers.get("www-authenticate")
        if reply.status == 401 and challenge and origin(reply.url) == own:
            headers["Authorization"] = self._auth.authorize(ref, challenge)
            reply = self._transport.fetch(name, method, url, headers, own)
        if reply.status == 401:
            raise self._error(ref, self._auth.unauthorized(ref))
        return reply

    def _error(self, ref: ImageRef, what: str) -> RegistryError:
        return self._transport.error(ref.canonical_name, what)
