"""Render the checks of ``hubs verify`` as text, markdown, json or GitHub annotations.

Decides nothing.  :data:`REPORTERS` has the same keys as :data:`hubs.report.reporters.REPORTERS`, so
``--format`` offers the same choices to every command.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from hubs.errors import oneline, table_cell
from hubs.report.github import annotation, capped

if TYPE_CHECKING:
    from hubs.images.imagechecks import Check

_SHOWN_HUBS = 5


def result(check: Check) -> str:
    if check.unreachable:
        return "error"
    return {True: "ok", False: "FAIL", None: "unverified"}[check.ok]


def headline(checks: Sequence[Check]) -> str:
    images = len({c.image for c in checks})
    counts = [
        (sum(1 for c in checks if c.ok is True), "ok"),
        (sum(1 for c in checks if c.ok is False), "failed"),
        (sum(1 for c in checks if c.ok is None and not c.unreachable), "unverified"),
        (sum(1 for c in checks if c.unreachable), "not reached"),
    ]
    parts = [f"{n} {word}" for n, word in counts if n or word == "ok"]
    what = f"{images} image{'s' * (images != 1)}, {len(checks)} check{'s' * (len(checks) != 1)}"
    return f"hubs verify: {what}: {', '.join(parts)}"


def _hubs(hubs: Sequence[str]) -> str:
    more = len(hubs) - _SHOWN_HUBS
    shown = ", ".join(hubs[:_SHOWN_HUBS])
    return f"{shown} and {more} more" if more > 0 else shown


def render_text(checks: Sequence[Check]) -> str:
    """A table: the image on its first row, then check, result and detail."""
    rows = [("IMAGE", "CHECK", "RESULT", "DETAIL")]
    last = None
    for c in checks:
        rows.append(("" if c.image == last else c.image, c.check, result(c), oneline(c.detail)))
        last = c.image
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [headline(checks)]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_markdown(checks: Sequence[Check]) -> str:
    lines = [
        f"### {headline(checks)}",
        "",
        "| image | check | result | detail | hubs |",
        "| --- | --- | --- | --- | --- |",
    ]
    for c in checks:
        shown = f"**{result(c)}**" if c.ok is not True else result(c)
        lines.append(
            f"| `{table_cell(c.image)}` | {c.check} | {shown} | {table_cell(c.detail)} | "
            f"{table_cell(_hubs(c.hubs))} |"
        )
    return "\n".join(lines) + "\n"


def render_json(checks: Sequence[Check]) -> str:
    data = [
        {
            "image": c.image,
            "check": c.check,
            "ok": c.ok,
            "result": result(c),
            "detail": c.detail,
            "hubs": list(c.hubs),
            "file": c.file,
            "line": c.line,
        }
        for c in checks
    ]
    return json.dumps(data, indent=2) + "\n"


def render_github(checks: Sequence[Check]) -> str:
    """Failures (errors) then unverified checks (warnings), capped by :mod:`hubs.report.github`."""
    lines = [
        annotation(
            "warning" if c.ok is None and not c.unreachable else "error",
            oneline(f"{c.image}: {c.detail}"),
            file=c.file or "hubs.toml",
            line=c.line or 1,
            title=f"hubs verify: {c.check}",
        )
        for c in checks
        if c.ok is not True
    ]
    return "\n".join(capped([*lines, headline(checks)])) + "\n"


REPORTERS: dict[str, Callable[[Sequence[Check]], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "github": render_github,
}
