"""Check one image against its registry: exists, non-root, singleuser, platforms, age.

Reads only: a HEAD for existence (Docker Hub counts GETs, not HEADs, as pulls), the index
or manifest, one image manifest and its config, and with ``deep`` the layers, streamed from
the top down until the questions are answered (:mod:`hubs.images.layers`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hubs.errors import oneline, shorten
from hubs.images import layers, verdicts
from hubs.images.verdicts import Passwd, Verdict
from hubs.policy.imageref import ImageRef
from hubs.registry import ImageConfig, Index, Manifest, Platform, RegistryClient, RegistryError
from hubs.tree.podspec import Setting

CHECKS = ("exists", "non-root", "singleuser", "platforms", "age")


@dataclass(frozen=True)
class Check:
    """One finding of ``hubs verify`` about one image."""

    image: str
    check: str  # one of CHECKS
    ok: bool | None  # None: could not be verified
    detail: str
    hubs: tuple[str, ...] = ()
    file: str | None = None  # where the image is declared (hubs.toml, else a values file)
    line: int = 0
    unreachable: bool = False  # the registry could not be asked (exit 3)


@dataclass(frozen=True)
class Usage:
    """One hub running the image, with the pod settings it gets there."""

    hub: str
    uid: Setting
    cmd: Setting


@dataclass(frozen=True)
class ImageUse:
    """One distinct image of the fleet, with everything its checks need."""

    image: ImageRef  # as written in the tree
    fetch: ImageRef  # where to ask (a mirror, when hubs.toml names one)
    usages: tuple[Usage, ...]
    platforms: tuple[Platform, ...]
    file: str | None = None
    line: int = 0

    @property
    def hubs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u.hub for u in self.usages))


DEEP_SECONDS = 300.0


@dataclass(frozen=True)
class Options:
    deep: bool = False
    budget: int = 2 << 30  # bytes per image, at most: received, and decompressed
    seconds: float = DEEP_SECONDS  # the deep search of one image, at most
    max_age: int | None = None  # days
    now: datetime | None = None


@dataclass
class _Run:
    use: ImageUse
    out: list[Check] = field(default_factory=list)

    def add(self, check: str, verdict: Verdict, unreachable: bool = False) -> None:
        use = self.use
        self.out.append(
            Check(
                str(use.image),
                check,
                verdict[0],
                verdict[1],
                use.hubs,
                use.file,
                use.line,
                unreachable,
            )
        )


def check_image(client: RegistryClient, use: ImageUse, options: Options) -> list[Check]:
    """Every check of one image; a registry failure ends it with an unreachable finding."""
    run = _Run(use)
    step = "exists"
    try:
        reference = _exists(client, use.fetch, run)
        if reference is None:
            return run.out
        step = "platforms"
        manifest, listed = _manifest(client, use, reference)
        config = client.image_config(use.fetch, manifest)
        if listed is None:
            listed = (config.platform,) if config.platform else ()
        run.add("platforms", verdicts.platform_verdict(use.platforms, listed))
        step = "non-root"
        deep = _deep(client, use, manifest, config, options) if options.deep else None
        _users(run, config, deep)
        step = "singleuser"
        _singleuser(run, config, deep)
        step = "age"
        now = options.now or datetime.now().astimezone()
        run.add("age", verdicts.age_verdict(config.created, now, options.max_age))
    except RegistryError as exc:
        run.add(step, (None, str(exc)), unreachable=True)
    return run.out


def _exists(client: RegistryClient, ref: ImageRef, run: _Run) -> str | None:
    """HEAD the tag (and the digest when pinned); the reference to fetch, None if absent."""
    head = client.head_manifest(ref, ref.tag or ref.digest)
    budget = head.ratelimit_remaining
    if not head.exists:
        missing = f"tag {ref.tag}" if ref.tag else f"digest {ref.digest}"
        run.add("exists", (False, f"{missing} not found in {ref.canonical_name}"))
        return None
    seen = f" ({head.digest})" if head.digest else ""
    detail = f"tag {ref.tag} exists{seen}" if ref.tag else f"{ref.digest} exists"
    if ref.tag and ref.digest:
        pinned = client.head_manifest(ref, ref.digest)
        if not pinned.exists:
            run.add("exists", (False, f"tag {ref.tag} exists, but digest {ref.digest} does not"))
            return None
        moved = "" if head.digest == ref.digest else f"; the tag now points to {head.digest}"
        detail = f"tag {ref.tag} exists, pinned digest {ref.digest} too{moved}"
        budget = pinned.ratelimit_remaining if pinned.ratelimit_remaining is not None else budget
    if budget is not None:
        detail += f"; Docker Hub pulls left: {budget}"
    run.add("exists", (True, detail))
    return ref.digest or ref.tag


def _manifest(
    client: RegistryClient, use: ImageUse, reference: str
) -> tuple[Manifest, tuple[Platform, ...] | None]:
    """The image manifest for the first platform needed, and the platforms of the index
    (None: a single image, whose config says its platform)."""
    found = client.manifest(use.fetch, reference)
    if isinstance(found, Manifest):
        return found, None
    return _child(client, use, found), found.platforms


def _child(client: RegistryClient, use: ImageUse, index: Index) -> Manifest:
    wanted = use.platforms[0] if use.platforms else Platform("linux", "amd64")
    entry = index.find(wanted) or (index.manifests[0] if index.manifests else None)
    if entry is None:
        raise RegistryError(f"{use.fetch.canonical_name}: index {index.digest} lists no image")
    child = client.manifest(use.fetch, entry.digest)
    if not isinstance(child, Manifest):
        raise RegistryError(f"{use.fetch.canonical_name}: index {index.digest} nests an index")
    return child


# ---------------------------------------------------------------- deep: the layers


@dataclass(frozen=True)
class _Deep:
    passwd: Passwd | None
    singleuser: layers.Answer | None
    where: tuple[str, ...]  # the paths looked for
    note: str  # how far the search went


def _deep(
    client: RegistryClient, use: ImageUse, manifest: Manifest, config: ImageConfig, options: Options
) -> _Deep:
    """Look in the layers for what the config could not tell: only what is asked."""
    word = _singleuser_word(use, config)
    paths = verdicts.search_paths(word, config) if word else ()
    needs_passwd = _needs_passwd(use, config)
    questions = [
        layers.Question(("/etc/passwd",) if needs_passwd else (), read=True),
        layers.Question(paths),
    ]
    count = len(manifest.layers)
    end = time.monotonic() + options.seconds
    sources = [
        layers.Layer(d.digest, d.size, layers.blob_opener(client, use.fetch, d.digest, d.size, end))
        for d in manifest.layers
    ]
    try:
        found = layers.search(sources, questions, options.budget, options.seconds)
    except layers.LayerError as exc:
        return _Deep(None, None, paths, str(exc))
    note = f"read {found.layers_read} of {count} layer{'s' * (count != 1)}, {found.read} bytes"
    if found.stopped:
        note += f"; stopped: {found.stopped}"
    passwd = _passwd(found.answers[0], count) if needs_passwd else None
    return _Deep(passwd, found.answers[1], paths, note)


def _needs_passwd(use: ImageUse, config: ImageConfig) -> bool:
    name = (config.user or "").split(":", 1)[0]
    return (
        not verdicts.is_root(name)
        and not name.isdigit()
        and any(u.uid.value is None for u in use.usages)
    )


def _passwd(answer: layers.Answer | None, count: int) -> Passwd | None:
    if answer is None or answer.kind == "link":  # not answered, or not followed
        return None
    if answer.kind == "file" and answer.data is not None:
        return Passwd(verdicts.parse_passwd(answer.data), f"layer {answer.layer} of {count}")
    return Passwd(None, "")


def _singleuser_word(use: ImageUse, config: ImageConfig) -> str | None:
    for usage in use.usages:
        word, _ = verdicts.singleuser_path(verdicts.command(usage.cmd.value), config)
        if word is not None:
            return word
    return None


# ---------------------------------------------------------------- verdicts over usages


def _combine(found: Sequence[tuple[str, Verdict]]) -> Verdict:
    """The worst verdict over the hubs; each distinct one named with its hubs if they differ."""
    details: dict[str, list[str]] = {}
    worst: bool | None = True
    for hub, (ok, detail) in found:
        details.setdefault(detail, []).append(hub)
        if ok is False or (ok is None and worst is True):
            worst = ok
    if len(details) == 1:
        return worst, next(iter(details))
    return worst, "; ".join(f"{', '.join(hubs)}: {d}" for d, hubs in details.items())


def _users(run: _Run, config: ImageConfig, deep: _Deep | None) -> None:
    passwd = deep.passwd if deep is not None else None
    why = f"deep search: {deep.note}" if deep is not None else "--deep resolves it via /etc/passwd"
    found = [
        (u.hub, verdicts.user_verdict(u.uid.value, u.uid.source, config.user, passwd, why))
        for u in run.use.usages
    ]
    run.add("non-root", _combine(found))


def _singleuser(run: _Run, config: ImageConfig, deep: _Deep | None) -> None:
    found = [(u.hub, _singleuser_verdict(u, config, deep)) for u in run.use.usages]
    run.add("singleuser", _combine(found))


def _singleuser_verdict(usage: Usage, config: ImageConfig, deep: _Deep | None) -> Verdict:
    word, runs = verdicts.singleuser_path(verdicts.command(usage.cmd.value), config)
    if word is None:
        return (
            None,
            f"the pod runs {verdicts.said(runs)}, which does not name jupyterhub-singleuser",
        )
    answer = deep.singleuser if deep is not None else None
    if answer is not None:
        return _deep_verdict(answer, deep)
    hints = verdicts.evidence(config)
    after = f" ({deep.note})" if deep is not None else " (--deep looks in the layers)"
    if hints:
        return True, f"from the config: {'; '.join(hints)}{after}"
    return None, f"no evidence in the image config{after}"


def _deep_verdict(answer: layers.Answer, deep: _Deep | None) -> Verdict:
    note = deep.note if deep is not None else ""
    if answer.kind in ("file", "link"):
        return True, f"{answer.path} is in layer {answer.layer} ({note})"
    if answer.kind == "deleted":
        return False, f"deleted by a whiteout of {answer.path} in layer {answer.layer} ({note})"
    where = ", ".join(deep.where) if deep is not None else ""
    return False, f"not in the image: none of {oneline(shorten(where))} ({note})"
