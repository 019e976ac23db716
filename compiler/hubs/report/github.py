"""GitHub workflow commands: one annotation form, escaped once, capped at what a step shows.

Every ``--format github`` report and the Action's own errors go through here, so each
annotation is escaped by the same rule and a step never prints more than GitHub shows.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_ANNOTATIONS = 10  # GitHub shows at most 10 annotations of a kind per step
_LEVELS = ("error", "warning", "notice")  # the order in which the cap keeps them


def escape(text: str, prop: bool = False) -> str:
    """``text`` as a workflow command's message, or (``prop``) as a property value."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotation(
    level: str,
    message: str,
    *,
    file: str | None = None,
    line: int = 0,
    col: int = 0,
    title: str | None = None,
) -> str:
    """``::LEVEL file=F,line=N,col=C,title=T::MESSAGE``, leaving out what is not known."""
    props = [f"file={escape(file, True)}"] if file else []
    if file and line:
        props.append(f"line={line}")
        props += [f"col={col}"] if col else []
    props += [f"title={escape(title, True)}"] if title else []
    return f"::{level}{' ' if props else ''}{','.join(props)}::{escape(message)}"


def capped(lines: Sequence[str], limit: int = MAX_ANNOTATIONS) -> list[str]:
    """``lines`` with at most ``limit`` annotations, kept in their order (errors chosen
    first), the rest counted on one plain line; plain lines (a headline) follow."""
    notes = [line for line in lines if not line.startswith("::")]
    marks = [line for line in lines if line.startswith("::")]
    kept = set(sorted(range(len(marks)), key=lambda i: _rank(marks[i]))[:limit])
    more = len(marks) - limit
    counted = [f"{more} more not annotated: GitHub shows {limit} per step"] if more > 0 else []
    return [*(m for i, m in enumerate(marks) if i in kept), *counted, *notes]


def _rank(line: str) -> int:
    level = line[2:].split(" ", 1)[0].split("::", 1)[0]
    return _LEVELS.index(level) if level in _LEVELS else len(_LEVELS)
