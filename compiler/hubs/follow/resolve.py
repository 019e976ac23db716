"""Resolve follow policies to concrete tags (and digests) against the registries.

Every distinct repository is listed once however many policies follow it.  Image configs
are fetched only for ``pushed`` policies (one per candidate tag, cached by digest) and
manifest digests only when a policy asks for one.  All registry calls run on a bounded
thread pool.  The result is all-or-nothing: if any policy fails, :class:`ResolveError`
lists every failure and nothing is returned.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from hubs.errors import Diagnostic, FailureError, shown
from hubs.policy.imageref import BadReference, ImageRef, parse
from hubs.policy.tagorder import NoMatchError, Order, Selection, eligible_tags, select
from hubs.registry import ImageConfig, RegistryError

Progress = Callable[[int, int], None]


class RegistryOps(Protocol):
    """What resolving needs from a registry client (:class:`hubs.registry.RegistryClient`).

    Each method raises :class:`RegistryError` (a one-line message) when it fails.
    """

    def list_tags(self, ref: ImageRef) -> list[str]: ...

    def digest(self, ref: ImageRef, reference: str) -> str: ...

    def config(self, ref: ImageRef, reference: str) -> ImageConfig: ...


@dataclass(frozen=True)
class FollowRequest:
    key: str
    image: str  # repository reference without tag
    match: str
    order: Order
    range: str | None = None
    current: str | None = None
    allow_downgrade: bool = False
    digest: bool = False  # also resolve the digest


@dataclass(frozen=True)
class Resolution:
    key: str
    image: str
    tag: str
    digest: str | None
    candidates: int
    skipped: tuple[tuple[str, str], ...]
    reason: str


class ResolveError(FailureError):
    """One or more policies failed; ``failures`` maps each key to a one-line reason."""

    def __init__(self, failures: Mapping[str, str]) -> None:
        self.failures = dict(sorted(failures.items()))
        count = len(self.failures)
        head = f"{count} image polic{'y' if count == 1 else 'ies'} failed:"
        super().__init__([head, *(Diagnostic(why, key=key) for key, why in self.failures.items())])


class _Memo:
    """Compute each key once across threads: later callers wait for the first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[Hashable, Future[object]] = {}

    def get(self, key: Hashable, compute: Callable[[], object]) -> object:
        with self._lock:
            future = self._futures.get(key)
            owner = future is None
            if future is None:
                future = self._futures[key] = Future()
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
        return future.result()


_OCI_TAG_RE = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")  # the distribution spec's
_NOT_A_TAG = "not a valid OCI tag"


def split_tags(tags: Sequence[str]) -> tuple[list[str], list[str]]:
    """(valid OCI tags, the others) of what a registry listed; long ones are never matched."""
    valid: list[str] = []
    invalid: list[str] = []
    for tag in tags:
        ok = len(tag) <= 128 and _OCI_TAG_RE.fullmatch(tag) is not None
        (valid if ok else invalid).append(tag)
    return valid, invalid


@dataclass
class _Job:
    request: FollowRequest
    ref: ImageRef
    tags: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # listed, but not OCI tags
    selection: Selection | None = None
    digest: str | None = None


class _Resolver:
    def __init__(
        self,
        client: RegistryOps,
        pool: ThreadPoolExecutor,
        total: int,
        progress: Progress | None,
    ) -> None:
        self.client = client
        self.pool = pool
        self.total = total
        self.progress = progress
        self.done = 0
        self.failures: dict[str, str] = {}
        self.results: dict[str, Resolution] = {}
        self._digests = _Memo()  # (canonical name, tag) -> digest
        self._configs = _Memo()  # digest -> created

    # --- bookkeeping ------------------------------------------------------------------------

    def fail(self, key: str, why: str) -> None:
        self.failures[key] = why
        self._tick()

    def finish(self, job: _Job) -> None:
        assert job.selection is not None
        req, sel = job.request, job.selection
        skipped = tuple((tag, _NOT_A_TAG) for tag in sorted(job.invalid)) + sel.skipped
        self.results[req.key] = Resolution(
            req.key, req.image, sel.tag, job.digest, sel.candidates, skipped, sel.reason
        )
        self._tick()

    def _tick(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    # --- registry work, memoised ------------------------------------------------------------

    def digest_of(self, ref: ImageRef, tag: str) -> str:
        key = (ref.canonical_name, tag)
        return str(self._digests.get(key, lambda: self.client.digest(ref, tag)))

    def created_of(self, ref: ImageRef, tag: str) -> datetime | None:
        digest = self.digest_of(ref, tag)
        created = self._configs.get(digest, lambda: self.client.config(ref, digest).created)
        return created if isinstance(created, datetime) else None

    # --- phases -----------------------------------------------------------------------------

    def list_all(self, jobs: Sequence[_Job]) -> list[_Job]:
        """List each repository once; return the jobs whose listing succeeded."""
        by_repo: dict[str, list[_Job]] = {}
        for job in jobs:
            by_repo.setdefault(job.ref.canonical_name, []).append(job)
        futures = {
            name: self.pool.submit(self.client.list_tags, group[0].ref)
            for name, group in by_repo.items()
        }
        listed: list[_Job] = []
        for name, future in futures.items():
            try:
                tags = future.result()
            except RegistryError as exc:
                for job in by_repo[name]:
                    self.fail(job.request.key, str(exc))
                continue
            valid, invalid = split_tags(tags)
            for job in by_repo[name]:
                job.tags, job.invalid = valid, invalid
                listed.append(job)
        return listed

    def select_plain(self, job: _Job) -> bool:
        """Select for a non-``pushed`` policy; False (and recorded) on failure."""
        req = job.request
        try:
            job.selection = select(
                job.tags,
                match=req.match,
                order=req.order,
                range=req.range,
                current=req.current,
                allow_downgrade=req.allow_downgrade,
            )
        except ValueError as exc:  # NoMatchError included
            self.fail(req.key, _no_match_line(job, exc))
            return False
        return True

    def start_pushed(self, job: _Job) -> list[tuple[str, Future[datetime | None]]] | None:
        """Fetch the created time of every candidate (and of the locked tag) concurrently."""
        req = job.request
        try:
            wanted = eligible_tags(job.tags, match=req.match, order="pushed")
        except ValueError as exc:
            self.fail(req.key, _no_match_line(job, exc))
            return None
        if req.current in job.tags and req.current not in wanted:
            wanted.append(req.current)
        return [(tag, self.pool.submit(self.created_of, job.ref, tag)) for tag in wanted]

    def select_pushed(self, job: _Job, futures: list[tuple[str, Future[datetime | None]]]) -> bool:
        req = job.request
        try:
            times = {tag: future.result() for tag, future in futures}
            job.selection = select(
                job.tags,
                match=req.match,
                order="pushed",
                current=req.current,
                allow_downgrade=req.allow_downgrade,
                pushed={tag: when for tag, when in times.items() if when is not None},
            )
        except RegistryError as exc:
            self.fail(req.key, str(exc))
            return False
        except ValueError as exc:
            self.fail(req.key, _no_match_line(job, exc))
            return False
        return True

    def attach_digests(self, jobs: Sequence[_Job]) -> None:
        futures = []
        for job in jobs:
            assert job.selection is not None
            futures.append((job, self.pool.submit(self.digest_of, job.ref, job.selection.tag)))
        for job, future in futures:
            try:
                job.digest = future.result()
            except RegistryError as exc:
                self.fail(job.request.key, str(exc))
                continue
            self.finish(job)


def _no_match_line(job: _Job, exc: ValueError) -> str:
    kind = "no tag" if isinstance(exc, NoMatchError) else "invalid policy"
    line = f"{job.ref.canonical_name}: {kind}: {exc}"
    if job.invalid and isinstance(exc, NoMatchError):
        count = len(job.invalid)
        line += (
            f"; {count} listed tag{'s' if count > 1 else ''} skipped as not valid OCI tags "
            f"(such as {shown(min(job.invalid, key=len))})"
        )
    return line


def _jobs(requests: Sequence[FollowRequest], resolver: _Resolver) -> list[_Job]:
    jobs: list[_Job] = []
    seen: set[str] = set()
    for req in requests:
        if req.key in seen:
            raise ValueError(f"duplicate follow request key {req.key!r}")
        seen.add(req.key)
        try:
            ref = parse(req.image)
        except BadReference as exc:
            resolver.fail(req.key, str(exc))
            continue
        if ref.tag or ref.digest:
            resolver.fail(req.key, f"image {req.image!r} must name a repository without tag")
            continue
        jobs.append(_Job(req, ref))
    return jobs


def resolve_all(
    requests: Sequence[FollowRequest],
    client: RegistryOps,
    *,
    workers: int = 8,
    progress: Progress | None = None,
) -> dict[str, Resolution]:
    """Resolve every request, or raise :class:`ResolveError` listing every failure.

    ``progress(done, total)`` is called from this thread each time a request is finished
    (resolved or failed); ``total`` is ``len(requests)``.
    """
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="resolve") as pool:
        resolver = _Resolver(client, pool, len(requests), progress)
        listed = resolver.list_all(_jobs(requests, resolver))
        pending = [(j, resolver.start_pushed(j)) for j in listed if j.request.order == "pushed"]
        selected: list[_Job] = []
        for job in listed:
            if job.request.order != "pushed" and resolver.select_plain(job):
                selected.append(job)
        for job, futures in pending:
            if futures is not None and resolver.select_pushed(job, futures):
                selected.append(job)
        for job in selected:
            if not job.request.digest:
                resolver.finish(job)
        resolver.attach_digests([job for job in selected if job.request.digest])
    if resolver.failures:
        raise ResolveError(resolver.failures)
    return {req.key: resolver.results[req.key] for req in requests}
