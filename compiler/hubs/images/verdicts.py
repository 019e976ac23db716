"""The rules of ``hubs verify``, as pure functions from what was read to a verdict.

A verdict is ``(ok, detail)``: ok True passes, False fails, None could not be verified.
Nothing here talks to a registry or reads a file.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hubs.errors import oneline, shorten
from hubs.registry.results import ImageConfig, Platform

Verdict = tuple[bool | None, str]
SINGLEUSER = "jupyterhub-singleuser"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_JUPYTERHUB = re.compile(r"\bjupyterhub(?:-singleuser)?(?![\w-])")
_PLATFORM = re.compile(r"[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_]+)?")


def said(value: object) -> str:
    """An untrusted value (from an image config or a values file) fit for one line."""
    return oneline(shorten(str(value), 80))


# ---------------------------------------------------------------- non-root


def is_root(user: str) -> bool:
    """``""``, ``root``, ``0`` and ``0:*`` (any group) are root."""
    name = user.split(":", 1)[0].strip()
    return name in ("", "root") or (name.isdigit() and int(name) == 0)


def parse_passwd(data: bytes) -> dict[str, int]:
    """User name -> uid from an ``/etc/passwd``; malformed lines are skipped."""
    users: dict[str, int] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        fields = line.split(":")
        if len(fields) >= 3 and fields[0] and fields[2].isdigit():
            users.setdefault(fields[0], int(fields[2]))
    return users


@dataclass(frozen=True)
class Passwd:
    """An ``/etc/passwd`` found in a layer (users None: the deep search found none)."""

    users: dict[str, int] | None
    where: str  # "layer 2 of 3"


def user_verdict(
    uid: object,
    source: str,
    image_user: str | None,
    passwd: Passwd | None,
    unresolved: str = "--deep resolves it via /etc/passwd",
) -> Verdict:
    """Whether the pod runs as non-root: the values' ``uid`` (from ``source``), or, when
    that is null, the image config's ``User``, a name resolved through ``passwd``."""
    if isinstance(uid, bool) or not isinstance(uid, int | str | None):
        return False, f"uid {said(uid)} at {source} is not a number"
    if isinstance(uid, int):
        if uid == 0:
            return False, f"runs as uid 0 (root), set at {source}"
        return True, f"runs as uid {uid} ({source})"
    if uid is not None:
        return _user_text(said(uid), f"uid {said(uid)!r} at {source}", None, unresolved)
    if not image_user:
        return False, f"uid is null at {source} and the image sets no User: runs as root"
    return _user_text(
        image_user, f"uid is null at {source}; image User {said(image_user)!r}", passwd, unresolved
    )


def _user_text(user: str, what: str, passwd: Passwd | None, unresolved: str) -> Verdict:
    if is_root(user):
        return False, f"{what}: root"
    name = user.split(":", 1)[0].strip()
    if name.isdigit():
        return True, f"{what}: uid {int(name)}"
    if passwd is None:
        return None, f"{what} is a name: unverified ({unresolved})"
    if passwd.users is None:
        return False, f"{what}: the image has no /etc/passwd"
    uid = passwd.users.get(name)
    if uid is None:
        return False, f"{what}: not in /etc/passwd ({passwd.where})"
    if uid == 0:
        return False, f"{what}: uid 0 in /etc/passwd ({passwd.where}): root"
    return True, f"{what}: uid {uid} in /etc/passwd ({passwd.where})"


# ---------------------------------------------------------------- jupyterhub-singleuser


def command(cmd: object) -> tuple[str, ...] | None:
    """The values' ``cmd`` as a list of words (None: null, the image's own Cmd runs)."""
    if cmd is None:
        return None
    if isinstance(cmd, list):
        return tuple(str(word) for word in cmd)
    return (str(cmd),)


def singleuser_path(cmd: tuple[str, ...] | None, config: ImageConfig) -> tuple[str | None, str]:
    """The word naming jupyterhub-singleuser in what the pod runs, and what the pod runs.

    The values' ``cmd`` replaces the image's Cmd and keeps its Entrypoint; the real fleet
    wraps the name (``[.../check-patch-run, jupyterhub-singleuser]``), so any word counts.
    """
    words = (*(config.entrypoint or ()), *(cmd if cmd is not None else config.cmd or ()))
    runs = " ".join(words) or "(nothing)"
    for word in words:
        if posixpath.basename(word) == SINGLEUSER:
            return word, runs
    return None, runs


def search_paths(word: str, config: ImageConfig) -> tuple[str, ...]:
    """Where the image must hold ``word`` (a path, or a name looked up on its PATH)."""
    if word.startswith("/"):
        return (posixpath.normpath(word),)
    found = next((e[5:] for e in config.env if e.startswith("PATH=")), DEFAULT_PATH)
    folders = [f for f in found.split(":") if f.startswith("/")]
    return tuple(dict.fromkeys(posixpath.join(posixpath.normpath(f), word) for f in folders))


def evidence(config: ImageConfig) -> list[str]:
    """What the config says about jupyterhub being installed, without pulling layers."""
    found = [f"history: {said(line)}" for line in config.history if _JUPYTERHUB.search(line)][:1]
    labels = [k for k in config.labels if "jupyterhub" in k.lower()]
    return found + [f"label {said(k)}" for k in labels[:1]]


# ---------------------------------------------------------------- platforms and age


def parse_platform(text: str) -> Platform:
    """``os/arch[/variant]``; raises ValueError for anything else."""
    if not _PLATFORM.fullmatch(text):
        raise ValueError(f"{text!r} is not os/architecture[/variant] (e.g. linux/arm64)")
    os_, arch, *variant = text.split("/")
    return Platform(os_, arch, variant[0] if variant else None)


def platform_verdict(needed: Sequence[Platform], have: Sequence[Platform]) -> Verdict:
    def has(want: Platform) -> bool:
        return any(
            (p.os, p.architecture) == (want.os, want.architecture)
            and (want.variant is None or p.variant == want.variant)
            for p in have
        )

    if not have:
        return None, "the image names no platform"
    listed = ", ".join(str(p) for p in have)
    missing = [str(p) for p in needed if not has(p)]
    if missing:
        return False, f"lacks {', '.join(missing)} (has {listed})"
    return True, f"has {', '.join(str(p) for p in needed)} (of {listed})"


def age_verdict(created: datetime | None, now: datetime, max_days: int | None) -> Verdict:
    if created is None:
        return None, "the image config does not say when it was created"
    days = (now - created).days
    text = f"created {created.strftime('%Y-%m-%d')}, {days} day{'s' * (days != 1)} ago"
    if max_days is not None and days > max_days:
        return False, f"{text}: older than {max_days} days"
    return True, text
