"""Versions and dates named in a label's text, and the tag they stand for.

A profile's or choice's ``display_name`` often repeats its image's tag ("Pangeo Notebook
(2024.06.02)").  A *version* here is one of three kinds, the kinds of tag a fleet uses:

* ``date``: calver ``2024.06.02`` or ``2024-06-02``, a suffix allowed (``2025.12.30-v1``);
* ``semver``: ``v1.2`` or ``1.2.3`` (two parts need a ``v``: "3.4 GB" and "Python 3.11" are
  not image versions);
* ``commit``: 7 to 40 hex digits with at least one digit and one letter.

A label's version is compared with a tag only when both are of one kind, so "R 4.4.1"
beside a date tag says nothing about the tag.  Imports nothing of the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["date", "semver", "commit"]

_WORD = re.compile(r"[\w.+-]+")
_KINDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("date", re.compile(r"\d{4}([.-])\d{2}\1\d{2}(?:[-+_.][\w.]+)?")),
    ("semver", re.compile(r"(?:v\d+(?:\.\d+){0,2}|\d+\.\d+\.\d+)(?:[-+][\w.]+)?")),
    ("commit", re.compile(r"(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}")),
)


@dataclass(frozen=True, slots=True)
class Version:
    """One version named in a text: where it is and what kind."""

    start: int
    end: int
    text: str
    kind: Kind


def kind_of(word: str) -> Kind | None:
    """The kind of version ``word`` is, or None."""
    for kind, pattern in _KINDS:
        if pattern.fullmatch(word):
            return kind
    return None


def versions(text: str) -> list[Version]:
    """Every version named in ``text``, in order (a sentence's last dot is not part of one)."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group().rstrip(".-+")
        kind = kind_of(word)
        if kind is not None:
            found.append(Version(match.start(), match.start() + len(word), word, kind))
    return found


def names_tag(version: str, tag: str) -> bool:
    """Whether ``version`` (from a label) stands for ``tag``: equal but for a leading ``v``,
    the date separators, a suffix the label leaves out, or a commit written shorter."""
    if version.lstrip("v") == tag.lstrip("v"):
        return True
    if kind_of(version) == "date" and kind_of(tag) == "date":
        return tag.replace("-", ".").startswith(version.replace("-", "."))
    if kind_of(version) == "commit" and kind_of(tag) == "commit":
        return tag.startswith(version) or version.startswith(tag)
    return False


def stale(text: str, tag: str) -> list[str]:
    """The versions ``text`` names, of the tag's kind, that do not stand for ``tag``."""
    kind = kind_of(tag)
    if kind is None:
        return []
    return [v.text for v in versions(text) if v.kind == kind and not names_tag(v.text, tag)]


def retag(text: str, old: str, new: str) -> str | None:
    """``text`` with every version written exactly ``old`` made ``new`` (None: none was)."""
    found = [v for v in versions(text) if v.text == old]
    if not found:
        return None
    out, pos = [], 0
    for version in found:
        out += [text[pos : version.start], new]
        pos = version.end
    return "".join(out) + text[pos:]
