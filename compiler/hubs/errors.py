"""Errors and findings as values: one :class:`Diagnostic` type, one :class:`HubsError` family.

Every error, warning, lint or verify finding is a :class:`Diagnostic`: where it is (file,
line, column, or a hubs.toml key path), how bad (severity), which rule, what is wrong and
the fix.  Every error the tool raises on purpose is a :class:`HubsError` carrying its exit
code, so :mod:`hubs.cli.main` maps errors to codes without listing classes.  Exit codes are
defined here and nowhere else.  Imports nothing of the package.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import ClassVar, Literal, TypeVar

Severity = Literal["error", "warning", "note"]
# The rules of findings that `hubs adopt` settles: what the tree has and hubs.toml lacks.
UNSTATED_RULES = frozenset({"unstated", "new-hub", "new-cluster"})
# The rule of an entry of hubs.toml naming what the tree no longer has (`hubs adopt` removes it).
GONE_RULE = "gone"
# The rules of findings about an image that is not a reference at all.
BROKEN_RULES = frozenset({"not-a-reference", "misplaced-template"})


class Exit(IntEnum):
    """The exit codes of ``hubs``."""

    OK = 0
    FINDINGS = 1  # drift (check), failed checks (lint, verify), no match (list filters)
    INPUT = 2  # bad input: TOML, policy, layout, YAML, command line
    FAILURE = 3  # registry, I/O, or an unexpected error
    INTERRUPTED = 130


_MAX_SHOWN = 200  # characters of one echoed value
# Controls, line and paragraph separators, and the bidi controls (marks, embeddings,
# overrides, isolates) that reorder what a terminal shows after them.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
# A run of non-blank characters no message needs: a huge value echoed without shown().
# Longer than what shown() leaves of a value, so that one is not cut twice.
_LONG = re.compile(r"\S{257,}")


def oneline(text: str) -> str:
    """``text`` made safe for one line of a terminal: control characters, line and
    paragraph separators and bidi controls escaped, so a message never splits, drives the
    terminal or shows its characters in another order."""
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")
    return _UNSAFE.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def table_cell(text: str) -> str:
    """``text`` made safe for one cell of a Markdown table: one line, ``|`` escaped (GitHub
    splits a row at a bare ``|``, even inside a code span)."""
    return oneline(text).replace("|", "\\|")


def clipped(text: str) -> str:
    """``text`` with every run of more than 256 non-blank characters shortened to 200: a
    huge key or value echoed anywhere in a message cannot make the line unreadable."""
    return _LONG.sub(lambda found: shorten(found.group()), text)


def shorten(value: str, limit: int = _MAX_SHOWN) -> str:
    """A value to echo in a message: at most ``limit`` characters, the cut said."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}... ({len(value)} characters)"


def shown(value: str) -> str:
    """``repr``-style quoting of a user value, shortened: for messages."""
    return repr(shorten(value))


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One error, warning or finding, as data; ``str()`` is its one-line form."""

    message: str
    file: str | None = None  # a path as shown to the user (hubs.toml, tree-relative, ...)
    line: int = 0
    column: int = 0
    key: str | None = None  # a TOML key path (``clusters.a.files."x.yaml"``) or address
    severity: Severity = "error"
    rule: str | None = None
    fix: str | None = None
    keys: tuple[str, ...] = ()  # the hubs.toml key path to locate, when not yet located

    @property
    def where(self) -> str:
        """``file:line:col`` as far as known; empty when no file is known."""
        if self.file is None:
            return ""
        parts = [self.file]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)

    def moved(self, prefix: str) -> Diagnostic:
        """The same diagnostic with ``prefix`` before its file (tree-relative to shown)."""
        if self.file is None or not prefix:
            return self
        return replace(self, file=posixpath.normpath(prefix + self.file))

    def __str__(self) -> str:
        head = [part for part in (self.where, self.key) if part]
        text = self.message if not self.fix else f"{self.message}; {self.fix}"
        return clipped(oneline(": ".join([*head, text])))


def close_match(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string; none for a word longer than any name
    (difflib takes seconds over a 10 MB key, and would echo a huge name back)."""
    import difflib  # 5 ms; 1 ms of a replayed check, which never needs it

    if len(word) > _MAX_SHOWN:
        return ""

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {found[0]!r}?)" if found else ""


def diagnostics(items: Iterable[Diagnostic | str]) -> tuple[Diagnostic, ...]:
    return tuple(d if isinstance(d, Diagnostic) else Diagnostic(d) for d in items)


class HubsError(Exception):
    """An error the tool reports on purpose: one or more diagnostics and an exit code."""

    exit_code: ClassVar[Exit] = Exit.FAILURE

    def __init__(self, problems: Diagnostic | str | Sequence[Diagnostic | str]) -> None:
        items = [problems] if isinstance(problems, Diagnostic | str) else problems
        self.diagnostics = diagnostics(items)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @property
    def messages(self) -> list[str]:
        return [str(d) for d in self.diagnostics]


class InputError(HubsError):
    """Bad input (exit 2): nothing was written."""

    exit_code = Exit.INPUT


class DecisionError(HubsError):
    """hubs.toml and the tree disagree in a way only a person can settle (exit 1): both
    sides are shown with the command that settles it; nothing was written."""

    exit_code = Exit.FINDINGS


class UsageError(InputError):
    """Bad command-line input (exit 2)."""


class FailureError(HubsError):
    """A registry, network or file-system failure (exit 3): nothing was written."""

    exit_code = Exit.FAILURE


# ---------------------------------------------------------------- as plain data (the caches)
# A cache gives back what it was given only if each value has exactly the shape written:
# these raise ValueError or TypeError for anything else, which every cache counts a miss.


def plain_list(value: object, length: int | None = None) -> list[object]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise ValueError("not the cached shape")
    return value


_T = TypeVar("_T")


def plain_typed(value: object, kind: type[_T]) -> _T:
    if type(value) is not kind:  # exact: a bool is not an int here
        raise TypeError("not the cached type")
    return value


def plain_maybe(value: object, kind: type[_T]) -> _T | None:
    return None if value is None else plain_typed(value, kind)


def plain_choice(value: object, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError("not a cached choice")
    return str(value)


_SEVERITIES = ("error", "warning", "note")


def encode_diagnostic(d: Diagnostic) -> list[object]:
    """``d`` as a JSON-ready list; :func:`decode_diagnostic` reverses it."""
    return [d.message, d.file, d.line, d.column, d.key, d.severity, d.rule, d.fix, list(d.keys)]


def decode_diagnostic(data: object) -> Diagnostic:
    """The :class:`Diagnostic` :func:`encode_diagnostic` gave; ValueError/TypeError otherwise."""
    message, file, line, column, key, severity, rule, fix, keys = plain_list(data, 9)
    return Diagnostic(
        plain_typed(message, str),
        plain_maybe(file, str),
        plain_typed(line, int),
        plain_typed(column, int),
        plain_maybe(key, str),
        plain_choice(severity, _SEVERITIES),  # type: ignore[arg-type]
        plain_maybe(rule, str),
        plain_maybe(fix, str),
        tuple(plain_typed(k, str) for k in plain_list(keys)),
    )
