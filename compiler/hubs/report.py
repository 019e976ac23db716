"""Render a run's result as text, markdown, json or GitHub annotations.  Decides nothing.

:data:`REPORTERS` maps each ``--format`` name to its reporter; its keys are the choices the
command line offers.  Adding a format is one function and one entry.  Imports nothing heavy
at module level, so the command line can list the formats cheaply.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from .errors import Diagnostic, clipped, oneline

if TYPE_CHECKING:
    from .plan import Change

JSON_SCHEMA_VERSION = 1
_SHOWN_HUBS = 5


@dataclass(frozen=True, slots=True)
class Report:
    command: str  # compile | check | diff | update
    changes: tuple[Change, ...]
    applied: bool  # the files were written
    slots: int
    hubs: int
    prefix: str = ""  # prepended to tree-relative paths for display
    notes: tuple[str, ...] = field(default=())
    warnings: tuple[Diagnostic, ...] = field(default=())

    @property
    def files(self) -> list[str]:
        return sorted({c.file for c in self.changes})

    def path(self, file: str) -> str:
        return self.prefix + file


def headline(report: Report) -> str:
    n, f = len(report.changes), len(report.files)
    what = f"{n} slot{'s' * (n != 1)} in {f} file{'s' * (f != 1)}"
    if not report.changes:
        state = "clean" if report.command == "check" else "nothing to change"
        return f"{state} ({report.slots} slots, {report.hubs} hubs)"
    if report.command == "check":
        return f"{what} out of date; run `hubs compile`"
    if report.applied:
        return f"changed {what}"
    return f"would change {what}"


def _image(value: str | None, old: bool = False) -> str:
    if value is not None:
        return value
    return "(inherit)" if old else "(inherit: key removed)"


def _hubs(hubs: tuple[str, ...]) -> str:
    shown = ", ".join(hubs[:_SHOWN_HUBS])
    more = len(hubs) - _SHOWN_HUBS
    return f"{shown} and {more} more" if more > 0 else shown


def _reach(change: Change) -> str:
    n = len(change.hubs)
    if not n:
        return "reaches no hub (overridden everywhere)"
    return f"reaches {n} hub{'s' * (n != 1)}: {_hubs(change.hubs)}"


def safe(text: str) -> str:
    """Text from the tree made safe for a terminal line: escaped, a huge value shortened."""
    return clipped(oneline(text))


def render_text(report: Report, color: bool = False) -> str:
    red, green, dim, reset = ("\033[31m", "\033[32m", "\033[2m", "\033[0m") if color else ("",) * 4
    lines = [f"hubs {report.command}: {headline(report)}"]
    for c in report.changes:
        old, new = safe(_image(c.old, old=True)), safe(_image(c.new))
        lines.append(f"  {safe(c.address)}")
        lines.append(f"    {red}{old}{reset} -> {green}{new}{reset}")
        lines.append(f"    {dim}{safe(report.path(c.file))}:{c.line} · {safe(_reach(c))}{reset}")
        if c.also:
            lines.append(f"    {dim}same YAML node (alias) as: {safe(', '.join(c.also))}{reset}")
        if c.new is None and c.old is not None and not report.applied:
            lines.append(
                f"    {dim}to keep it instead: hubs set '{safe(c.address)}' --pin {old}{reset}"
            )
    lines.extend(f"  note: {safe(note)}" for note in report.notes)
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    data = {
        "schema_version": JSON_SCHEMA_VERSION,
        "command": report.command,
        "clean": not report.changes,
        "applied": report.applied,
        "slots": report.slots,
        "hubs": report.hubs,
        "files": [report.path(f) for f in report.files],
        "changes": [
            {
                "address": c.address,
                "kind": c.kind,
                "file": report.path(c.file),
                "line": c.line,
                "old": c.old,
                "new": c.new,
                "hubs": list(c.hubs),
                "aliases": list(c.also),
            }
            for c in report.changes
        ],
        "notes": list(report.notes),
        "warnings": [str(w.moved(report.prefix)) for w in report.warnings],
    }
    return json.dumps(data, indent=2) + "\n"


def render_markdown(report: Report) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("hubs", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        finalize=lambda value: safe(value) if isinstance(value, str) else value,  # every {{ }}
    )
    template = env.get_template("report.md.j2")
    return template.render(
        report=report,
        headline=headline(report),
        code=lambda v: f"`{v}`" if v is not None else "*(inherit)*",
        path=report.path,
        hubs=_hubs,
    )


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(report: Report) -> str:
    level = "error" if report.command == "check" else "notice"
    lines = []
    for c in report.changes:
        props = f"file={_escape(report.path(c.file), True)},line={c.line}"
        title = _escape(f"hubs {report.command}", True)
        msg = f"{c.address}: {_image(c.old, old=True)} -> {_image(c.new)}; {_reach(c)}"
        lines.append(f"::{level} {props},title={title}::{_escape(safe(msg))}")
    for warning in report.warnings:
        props = f"file={_escape(report.path(warning.file or ''), True)},line={warning.line or 1}"
        lines.append(f"::warning {props}::{_escape(safe(warning.message))}")
    lines.append(f"hubs {report.command}: {headline(report)}")
    return "\n".join(lines) + "\n"


def _text(report: Report, stream: TextIO) -> str:
    return render_text(report, color=stream.isatty() and not os.environ.get("NO_COLOR"))


Reporter = Callable[[Report, TextIO], str]

REPORTERS: dict[str, Reporter] = {
    "text": _text,
    "markdown": lambda report, _stream: render_markdown(report),
    "json": lambda report, _stream: render_json(report),
    "github": lambda report, _stream: render_github(report),
}


def render(report: Report, fmt: str, stream: TextIO) -> str:
    """The report as ``fmt`` (a key of :data:`REPORTERS`), for writing to ``stream``."""
    return REPORTERS[fmt](report, stream)
