"""What a bump changes for users: two images' package lists compared, and its one line.

The one line names the most notable change (the first package of ``notable`` that
changed, else the first changed by name) and counts the rest:
``numpy 1.26.4 → 2.0.1; 3 added, 1 removed, 41 changed``.  A package is the same in both
images when its environment and name are (pip's names compared as pip does); a name is
shown with its environment only when the images have more than one.  Decides nothing
about registries: the lists come in, the diff goes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hubs.images.pkgnames import NOTABLE, Package, normal


@dataclass(frozen=True)
class Entry:
    """One package in the details: its name as shown, its old and new version (None:
    not in that image)."""

    name: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ImageDiff:
    """What changes between the packages of image ``old`` and image ``new``, for the
    slots at ``addresses``; ``error``: why a list could not be read (then no details)."""

    old: str
    new: str
    addresses: tuple[str, ...]
    summary: str
    added: tuple[Entry, ...] = ()
    removed: tuple[Entry, ...] = ()
    changed: tuple[Entry, ...] = ()
    error: str | None = None


def failed(old: str, new: str, addresses: tuple[str, ...], why: str) -> ImageDiff:
    """The diff of a pair whose package list could not be read: the line says why."""
    return ImageDiff(old, new, addresses, f"package list not read: {why}", error=why)


def compare(
    old: str,
    new: str,
    addresses: tuple[str, ...],
    before: Sequence[Package],
    after: Sequence[Package],
    notable: Sequence[str] = NOTABLE,
) -> ImageDiff:
    """The packages added, removed and changed from ``before`` to ``after``."""
    was = {p.key: p for p in before}
    now = {p.key: p for p in after}
    envs = len({p.env for p in (*before, *after)}) > 1

    def name(package: Package) -> str:
        return f"{package.name} ({package.env})" if envs else package.name

    added = tuple(Entry(name(now[k]), None, now[k].version) for k in sorted(now.keys() - was))
    removed = tuple(Entry(name(was[k]), was[k].version, None) for k in sorted(was.keys() - now))
    moved = [k for k in sorted(was.keys() & now.keys()) if _differs(was[k], now[k])]
    changed = tuple(Entry(name(now[k]), *_versions(was[k], now[k])) for k in moved)
    counts = [
        f"{len(group)} {word}"
        for group, word in ((added, "added"), (removed, "removed"), (changed, "changed"))
        if group
    ]
    if not counts:
        return ImageDiff(old, new, addresses, "no package changes")
    head = _notable(moved, changed, notable)
    summary = "; ".join(
        ([f"{head.name} {head.old} → {head.new}"] if head else []) + [", ".join(counts)]
    )
    return ImageDiff(old, new, addresses, summary, added, removed, changed)


def _differs(old: Package, new: Package) -> bool:
    return (old.version, old.build) != (new.version, new.build)


def _versions(old: Package, new: Package) -> tuple[str, str]:
    """The versions shown: with the builds when only the build changed."""
    if old.version == new.version:
        return f"{old.version} {old.build}".strip(), f"{new.version} {new.build}".strip()
    return old.version, new.version


def _notable(
    moved: Sequence[tuple[str, str]], changed: Sequence[Entry], notable: Sequence[str]
) -> Entry | None:
    """The change the one line names: the first of ``notable`` that changed, else the
    first changed."""
    for wanted in notable:
        for key, entry in zip(moved, changed, strict=True):
            if key[1] == normal(wanted):
                return entry
    return changed[0] if changed else None
