"""Text tables: columns padded, and at a width, long cells wrapped under their column.

``hubs list`` prints one: fitted to the terminal's width on a terminal, whole when piped.
No character of a value is dropped: a cell too long for its column goes on over the next
lines, under that column.  Cells are echoed safely as every message is
(:func:`hubs.errors.oneline`, :func:`hubs.errors.clipped`): only a run of over 256
non-blank characters, longer than any image reference or address a fleet holds, is
shortened, its length said.  Imports nothing of the package but :mod:`hubs.errors`.
"""

from __future__ import annotations

from collections.abc import Sequence

from hubs.errors import clipped, oneline

GAP = "  "
_NARROWEST = 12  # a column narrowed to fit keeps at least this many characters
_BREAKS = frozenset("/:@")  # a wrapped cell breaks after one of these, or ", ", when it can


def wrap(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` characters that join back to ``text``.  A
    line ends after ``/``, ``:``, ``@``, or the ``, `` between listed values, when one is in
    its second half; else it is cut at ``width``, never after a space (a line's trailing
    space would not show)."""
    lines = []
    while len(text) > width > 0:
        cut = _cut(text, width)
        lines.append(text[:cut])
        text = text[cut:]
    lines.append(text)
    return lines


def _cut(text: str, width: int) -> int:
    for at in range(width, width // 2, -1):
        if text[at - 1] in _BREAKS or text[at - 2 : at] == ", ":
            return at
    if text[width - 1] == " " and width > 1:  # a line's end is stripped: keep the space
        return width - 1
    return width


def widths(
    rows: Sequence[Sequence[str]], flexible: Sequence[int], limit: int | None = None
) -> list[int]:
    """Each column's width: its widest cell; with a ``limit``, the widest ``flexible``
    column narrowed one at a time until a line fits (or none can narrow further)."""
    out = [max((len(row[i]) for row in rows), default=0) for i in range(len(rows[0]))]
    while limit is not None and sum(out) + len(GAP) * (len(out) - 1) > limit:
        wide = max(flexible, key=lambda i: out[i])
        if out[wide] <= _NARROWEST:
            break
        out[wide] -= 1
    return out


def render(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    flexible: Sequence[int],
    limit: int | None = None,
) -> str:
    """The table as text, a header line first; the last column is not padded.  With a
    ``limit`` (a terminal's width) the ``flexible`` columns narrow to fit it and their long
    cells wrap; without one nothing is narrowed.  No rows: no text at all."""
    if not rows:
        return ""
    table = [list(header), *([clipped(oneline(cell)) for cell in row] for row in rows)]
    sizes = widths(table, flexible, limit)
    lines = [line for row in table for line in _lines(row, sizes)]
    return "\n".join(lines) + "\n"


def _lines(row: Sequence[str], sizes: Sequence[int]) -> list[str]:
    """One row as text: a line, and one more for each line its longest wrapped cell adds."""
    cells = [wrap(cell, size) for cell, size in zip(row, sizes, strict=True)]
    height = max(len(parts) for parts in cells)
    return [
        GAP.join(
            (parts[i] if i < len(parts) else "").ljust(size)
            for parts, size in zip(cells, sizes, strict=True)
        ).rstrip()
        for i in range(height)
    ]
