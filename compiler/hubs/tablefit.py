"""Text tables that fit a width: columns padded, the widest cut in the middle.

``hubs list`` prints one; JSON output keeps every value whole.  Imports nothing of the
package.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import oneline

WIDTH = 100  # columns of a text table
GAP = "  "
MARK = "..."
_NARROWEST = 12  # a column cut to fit keeps at least this many characters


def elide(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters: its middle replaced by ``...``."""
    if len(text) <= width:
        return text
    if width <= len(MARK):
        return text[:width]
    keep = width - len(MARK)
    head = (keep + 1) // 2
    return text[:head] + MARK + text[len(text) - (keep - head) :]


def widths(rows: Sequence[Sequence[str]], flexible: Sequence[int], limit: int = WIDTH) -> list[int]:
    """Each column's width: its widest cell, the widest ``flexible`` column narrowed
    one at a time until the row fits ``limit`` (or none can narrow further)."""
    out = [max((len(row[i]) for row in rows), default=0) for i in range(len(rows[0]))]
    while sum(out) + len(GAP) * (len(out) - 1) > limit:
        wide = max(flexible, key=lambda i: out[i])
        if out[wide] <= _NARROWEST:
            break
        out[wide] -= 1
    return out


def render(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    flexible: Sequence[int],
    limit: int = WIDTH,
) -> str:
    """The table as text, a header line first; the last column is not padded.  No rows:
    no text at all."""
    if not rows:
        return ""
    table = [list(header), *([oneline(cell) for cell in row] for row in rows)]
    sizes = widths(table, flexible, limit)
    lines = []
    for row in table:
        cells = [elide(cell, size).ljust(size) for cell, size in zip(row, sizes, strict=True)]
        lines.append(GAP.join(cells).rstrip())
    return "\n".join(lines) + "\n"
