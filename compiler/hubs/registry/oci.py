"""The registry operations: tag lists, HEADs, manifests and indexes, configs, blobs.

Synchronous and thread-safe; callers get concurrency from a thread pool.  Credentials are
sent only to the registry's own origin and to the token realm, and never appear in an
error message.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType

from hubs.policy.imageref import ImageRef
from hubs.registry.auth import Authenticator
from hubs.registry.base import (
    DIGEST_RE,
    HELM_CONFIG,
    INDEX_TYPES,
    MANIFEST_ACCEPT,
    TAG_COUNT_LIMIT,
    TAG_LISTING_LIMIT,
    TAG_PAGE_LIMIT,
)
from hubs.registry.credentials import CredentialStore
from hubs.registry.exchange import Redactor
from hubs.registry.results import (
    ImageConfig,
    Index,
    Manifest,
    ManifestHead,
    Platform,
    parse_config,
    parse_index,
    parse_manifest,
    parse_ratelimit,
)
from hubs.registry.routing import page_query
from hubs.registry.session import Session, content_type
from hubs.registry.transport import Transport

DEFAULT_PLATFORM = Platform("linux", "amd64")


def _reference(ref: ImageRef, reference: str | None) -> str:
    return reference or ref.digest or ref.tag or "latest"


class RegistryClient:
    """Talks to OCI registries.  Use as a context manager; safe to share between threads.

    ``insecure`` hosts (and loopback ones) are reached over plain HTTP; ``ca_file`` adds a
    CA.  ``timeout`` bounds each connect and read, ``request_deadline`` each whole request
    (headers and body), ``deadline`` everything the client does from its creation (None:
    no bound), ``budget`` the seconds spent waiting to retry 429/5xx answers.  Credentials
    come from ``env`` (default: the process's) and the docker config (default:
    ``$DOCKER_CONFIG/config.json`` or ``~/.docker/config.json``).  Every failure is a
    :class:`RegistryError` (exit 3) whose one-line message holds no secret.
    """

    def __init__(
        self,
        *,
        insecure: frozenset[str] = frozenset(),
        ca_file: str | None = None,
        timeout: float = 10.0,
        budget: float = 120.0,
        request_deadline: float = 60.0,
        deadline: float | None = 900.0,
        max_pages: int = 50,
        docker_config: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._max_pages = max_pages
        self._transport = Transport(
            ca_file=ca_file,
            timeout=timeout,
            budget=budget,
            request_deadline=request_deadline,
            deadline=deadline,
            redactor=Redactor(),
        )
        store = CredentialStore(docker_config, os.environ if env is None else env)
        auth = Authenticator(store, self._transport)
        self._s = Session(self._transport, auth, insecure)

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
        url = f"{self._s.base(ref)}/v2/{ref.repository}/tags/list{page_query(ref.registry)}"
        tags: list[str] = []
        received = 0
        for _ in range(self._max_pages):
            reply = self._s.checked(ref, "GET", url, "tag listing", limit=TAG_PAGE_LIMIT)
            received += len(reply.content)
            if received > TAG_LISTING_LIMIT:
                raise self._s.error(
                    ref,
                    f"tag listing is larger than {TAG_LISTING_LIMIT >> 20} MiB in all; "
                    "refusing a truncated list",
                )
            tags.extend(self._s.page_tags(ref, reply))
            if len(tags) > TAG_COUNT_LIMIT:
                raise self._s.error(
                    ref,
                    f"tag listing has more than {TAG_COUNT_LIMIT} tags; refusing a truncated list",
                )
            link = reply.links.get("next", {}).get("url")
            if not link:
                return tags
            url = str(reply.url.join(link))
            del reply  # one page at a time: only its tags are kept
        raise self._s.error(
            ref, f"tag listing has more than {self._max_pages} pages; refusing a truncated list"
        )

    def head_manifest(self, ref: ImageRef, reference: str | None = None) -> ManifestHead:
        """HEAD the manifest: whether it exists, its digest and the pull rate limit left."""
        reference = _reference(ref, reference)
        what = f"manifest {reference}"
        url = self._s.manifest_url(ref, reference)
        reply = self._s.authed(ref, "HEAD", url, MANIFEST_ACCEPT, limit=0, what=what)
        remaining = parse_ratelimit(reply.headers.get("ratelimit-remaining"))
        if reply.status == 404:
            return ManifestHead(False, None, None, remaining)
        if reply.status != 200:
            raise self._s.status_error(ref, reply, what)
        header: str | None = reply.headers.get("docker-content-digest")
        if header is not None and not DIGEST_RE.fullmatch(header):
            raise self._s.error(ref, f"{what}: invalid Docker-Content-Digest header")
        return ManifestHead(True, header, content_type(reply) or None, remaining)

    def digest(self, ref: ImageRef, reference: str) -> str:
        """The digest of the manifest (the index itself for multi-arch images)."""
        head = self.head_manifest(ref, reference)
        if not head.exists:
            raise self._s.error(ref, f"manifest {reference}: not found (HTTP 404)")
        return head.digest or self._s.raw_manifest(ref, reference)[1]

    def manifest(self, ref: ImageRef, reference: str | None = None) -> Manifest | Index:
        """The manifest or index that ``reference`` (else the ref's digest or tag) names."""
        reference = _reference(ref, reference)
        body, digest, media = self._s.raw_manifest(ref, reference)
        what = "index" if media in INDEX_TYPES or "manifests" in body else "manifest"
        try:
            if what == "index":
                return parse_index(body, digest, media)
            return parse_manifest(body, digest, media)
        except ValueError as exc:
            raise self._s.error(ref, f"{what} {reference} {exc}") from None

    def image_manifest(
        self, ref: ImageRef, reference: str | None = None, platform: Platform = DEFAULT_PLATFORM
    ) -> Manifest:
        """The image manifest for ``platform`` (an index is followed one level; without
        that platform its first image is taken)."""
        reference = _reference(ref, reference)
        found = self.manifest(ref, reference)
        if isinstance(found, Index):
            entry = found.find(platform) or (found.manifests[0] if found.manifests else None)
            if entry is None:
                raise self._s.error(ref, f"index {reference} lists no image manifest")
            found = self.manifest(ref, entry.digest)
            if isinstance(found, Index):
                raise self._s.error(ref, f"index {reference} nests another index")
        if found.config.media_type == HELM_CONFIG:
            raise self._s.error(ref, f"{reference} is a Helm chart, not a container image")
        return found

    def image_config(self, ref: ImageRef, manifest: Manifest) -> ImageConfig:
        """The parsed config blob of an image manifest."""
        return parse_config(self._s.blob(ref, manifest.config.digest))

    def config(self, ref: ImageRef, reference: str) -> ImageConfig:
        """The image config of ``reference`` (linux/amd64 for an index)."""
        return self.image_config(ref, self.image_manifest(ref, reference))

    def stream_blob(
        self, ref: ImageRef, digest: str, *, chunk: int = 1 << 16, seconds: float | None = None
    ) -> Iterator[bytes]:
        """The blob in pieces of at most ``chunk`` bytes, never whole in memory, within
        ``seconds`` (default: the client's request deadline; a big layer needs more).

        The digest is checked when the stream ends: a mismatch raises RegistryError after
        the last piece, so trust the data only once the iterator is exhausted.
        """
        algorithm = digest.split(":", 1)[0]
        if not DIGEST_RE.fullmatch(digest) or algorithm not in hashlib.algorithms_available:
            raise self._s.error(ref, f"blob {digest}: not a digest this client can verify")
        hasher = hashlib.new(algorithm)
        url = f"{self._s.base(ref)}/v2/{ref.repository}/blobs/{digest}"
        with self._s.opened(ref, url, f"blob {digest}", seconds) as opened:
            for piece in self._transport.reader.chunks(ref.canonical_name, opened, chunk):
                hasher.update(piece)
                yield piece
        if f"{algorithm}:{hasher.hexdigest()}" != digest:
            raise self._s.error(ref, f"blob {digest}: content does not match digest {digest}")
