"""OCI image references, parsed by the distribution reference grammar.

``host[:port]/path[:tag][@digest]``; a first component counts as a host only when it
contains ``.`` or ``:`` or is ``localhost`` (docker's rule), otherwise the reference is
on Docker Hub.  The text is kept as written: ``str(ref)`` gives it back unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hubs.errors import shown

DOCKER_HUB = "docker.io"
# Every host name of Docker Hub; the registry client routes them all to its API host.
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
# The distribution spec's limits: a tag is ASCII (``\w`` would take any letter), and a
# repository name, registry host included, is at most 255 characters (docker's
# ``NameTotalLengthMax``; many registries refuse longer ones).
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
NAME_MAX = 255
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
# Whole-reference and tag(+digest) patterns, for JSON Schemas of compiled output.
REFERENCE_PATTERN = rf"^(?:{_HOST}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::{_TAG})?(?:@{_DIGEST})?$"
VERSION_PATTERN = rf"^{_TAG}(?:@{_DIGEST})?$"
_PATH_RE = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_HOST_RE = re.compile(_HOST)
_TAG_RE = re.compile(_TAG)
_DIGEST_RE = re.compile(_DIGEST)


class BadReference(ValueError):
    """The text is not a valid image reference; ``reason`` says why in a few words."""

    def __init__(self, message: str, reason: str = "not an image reference") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One image reference. ``host`` is None when the text names no registry."""

    host: str | None
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The repository as written: ``[host/]path`` (what ``singleuser.image.name`` holds)."""
        return f"{self.host}/{self.path}" if self.host else self.path

    @property
    def registry(self) -> str:
        """The registry host to talk to, Docker Hub normalised to ``docker.io``."""
        if self.host is None or self.host in DOCKER_HUB_ALIASES:
            return DOCKER_HUB
        return self.host

    @property
    def repository(self) -> str:
        """The repository path on its registry (``library/`` added for Docker Hub)."""
        if self.registry == DOCKER_HUB and "/" not in self.path:
            return f"library/{self.path}"
        return self.path

    @property
    def canonical_name(self) -> str:
        """``registry/repository``: equal for every spelling of the same repository."""
        return f"{self.registry}/{self.repository}"

    @property
    def version(self) -> str | None:
        """What follows the name: ``tag``, ``tag@digest`` or ``@digest`` (None if neither)."""
        if self.digest and self.tag:
            return f"{self.tag}@{self.digest}"
        if self.digest:
            return f"@{self.digest}"
        return self.tag

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


@dataclass(frozen=True, slots=True)
class Written:
    """An image string kept exactly as written, though it is not a valid reference
    (a terminal paste, a tag with a trailing space): shown, reported, never rewritten."""

    text: str
    reason: str

    def __str__(self) -> str:
        return self.text


Image = ImageRef | Written


def read(text: str) -> Image:
    """``text`` from a values file: a reference when it parses, else kept as :class:`Written`."""
    try:
        return parse(text)
    except BadReference as exc:
        return Written(text, exc.reason)


def check_tag(tag: str) -> str:
    """``tag`` when it is a valid OCI tag, else :class:`BadReference`."""
    if not _TAG_RE.fullmatch(tag):
        raise BadReference(
            f"invalid tag {shown(tag)}: up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-'",
            "bad tag",
        )
    return tag


# The registered algorithms fix the length of the hex they encode (OCI image spec).
_REGISTERED = {"sha256": re.compile("[a-f0-9]{64}"), "sha512": re.compile("[a-f0-9]{128}")}


def _good_digest(digest: str) -> bool:
    if not _DIGEST_RE.fullmatch(digest):
        return False
    algorithm, _, encoded = digest.partition(":")
    exact = _REGISTERED.get(algorithm)
    return exact is None or exact.fullmatch(encoded) is not None


def check_digest(digest: str) -> str:
    if not _good_digest(digest):
        raise BadReference(f"invalid digest {shown(digest)}", "bad digest")
    return digest


def parse(text: str) -> ImageRef:
    """Parse ``text`` as an image reference or raise :class:`BadReference` saying why."""
    if not text:
        raise BadReference("invalid image reference '': empty or surrounded by spaces", "empty")
    if text != text.strip():
        raise _invalid(text, "empty or surrounded by spaces", "surrounded by spaces")
    rest, digest = text, None
    if "@" in rest:
        rest, digest = rest.split("@", 1)
        if not _good_digest(digest):
            raise _invalid(text, f"bad digest {shown(digest)}")
    host, remainder = _split_host(rest)
    tag = None
    last_slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > last_slash:
        remainder, tag = remainder[:colon], remainder[colon + 1 :]
        if not _TAG_RE.fullmatch(tag):
            raise _invalid(text, f"bad tag {shown(tag)}")
    if not _PATH_RE.fullmatch(remainder):
        raise _unparsable(
            text, f"repository {shown(remainder)} must be lowercase components separated by '/'"
        )
    found = ImageRef(host, remainder, tag, digest)
    if len(found.name) > NAME_MAX:
        why = f"a repository name of {len(found.name)} characters; at most {NAME_MAX}"
        raise _invalid(text, why, f"name over {NAME_MAX} characters")
    return found


def _invalid(text: str, why: str, reason: str | None = None) -> BadReference:
    return BadReference(f"invalid image reference {shown(text)}: {why}", reason or why)


def _unparsable(text: str, why: str) -> BadReference:
    """A name that does not parse: text pasted with spaces reads best by how it starts."""
    if " " in text:
        start = text[: text.rfind(" ") + 1]
        return _invalid(
            text, f"holds spaces (starts with {shown(start)})", f"starts with {shown(start)}"
        )
    return _invalid(text, why)


def _split_host(text: str) -> tuple[str | None, str]:
    first, sep, rest = text.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        if not _HOST_RE.fullmatch(first):
            raise _unparsable(text, f"bad registry host {shown(first)}")
        return first, rest
    return None, text
