"""Render a run's result as text, markdown, json or GitHub annotations.  Decides nothing.

:data:`REPORTERS` maps each ``--format`` name to its reporter; its keys are the choices the
command line offers.  Adding a format is one function and one entry.  Imports nothing heavy
at module level, so the command line can list the formats cheaply.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from hubs.errors import (
    BROKEN_RULES,
    GONE_RULE,
    UNSTATED_RULES,
    Diagnostic,
    clipped,
    oneline,
    table_cell,
)
from hubs.policy.kinds import Kind
from hubs.report.github import annotation, capped

if TYPE_CHECKING:
    from hubs.compile.plan import Change
    from hubs.images.pkgdiff import Entry, ImageDiff

JSON_SCHEMA_VERSION = 1
_SHOWN_HUBS = 5


@dataclass(frozen=True, slots=True)
class Report:
    command: str  # compile | check | diff | update | lint
    changes: tuple[Change, ...]
    applied: bool  # the files were written
    slots: int
    hubs: int
    prefix: str = ""  # prepended to tree-relative paths for display
    notes: tuple[str, ...] = field(default=())
    warnings: tuple[Diagnostic, ...] = field(default=())
    findings: tuple[Diagnostic, ...] = field(default=())  # unstated, broken images, lint
    lint_counts: bool = False  # text: lint findings counted by rule on one line, not listed
    packages: tuple[ImageDiff, ...] | None = None  # --packages: each image pair's diff

    @property
    def failing(self) -> tuple[Diagnostic, ...]:
        """The findings that fail the run: errors; for ``lint``, every finding."""
        if self.command == "lint":
            return self.findings
        return tuple(d for d in self.findings if d.severity == "error")

    @property
    def clean(self) -> bool:
        return not self.changes and not self.failing

    @property
    def files(self) -> list[str]:
        return sorted({c.file for c in self.changes})

    def path(self, file: str) -> str:
        """``file`` (tree-relative) as shown: ``generated/../hubs.toml`` is ``hubs.toml``."""
        return posixpath.normpath(self.prefix + file) if self.prefix else file


def headline(report: Report) -> str:
    n, f = len(report.changes), len(report.files)
    what = f"{n} slot{'s' * (n != 1)} in {f} file{'s' * (f != 1)}"
    found = _counted(report)
    if report.command in ("check", "lint"):
        if not report.changes:
            if report.failing:
                return f"{found}; see the fix under each"
            return _clean(report, "clean") + (f"; {found}" if found else "")
        if report.failing:
            return f"{what} out of date, {found}; see the fix under each"
        return f"{what} out of date; run `hubs compile`" + (f"; {found}" if found else "")
    left = _left(report)
    if not report.changes:
        return f"nothing to change{left}" if found else _clean(report, "nothing to change")
    return f"{'changed' if report.applied else 'would change'} {what}{left}"


def _left(report: Report) -> str:
    """``; 2 not stated in hubs.toml left as the tree has them`` for a run that writes."""
    kept = _counted(report, lambda kind: kind != "gone")
    gone = _counted(report, lambda kind: kind == "gone")
    left = f"{kept} left as the tree has them" if kept else ""
    return "".join(f"; {part}" for part in (left, gone) if part)


def _clean(report: Report, state: str) -> str:
    return f"{state} ({report.slots} slots, {report.hubs} hubs)"


def _counted(report: Report, only: Callable[[str], bool] = lambda kind: True) -> str:
    """``2 not in hubs.toml, 1 broken image``: the findings, counted by kind."""
    kinds: dict[str, list[Diagnostic]] = {kind: [] for kind in _KINDS}
    for finding in report.findings:
        kinds[_kind(finding.rule)].append(finding)
    parts = [_KINDS[kind](found) for kind, found in kinds.items() if found and only(kind)]
    return ", ".join(parts)


def _kind(rule: str | None) -> str:
    if rule == GONE_RULE:
        return "gone"
    if rule in UNSTATED_RULES:
        return "unstated"
    if rule in BROKEN_RULES:
        return "broken"
    return "pending" if rule == "pending" else "lint"


def _lint(found: list[Diagnostic]) -> str:
    rules = ", ".join(dict.fromkeys(str(d.rule) for d in found))
    return f"{len(found)} lint finding{'s' * (len(found) != 1)} ({rules})"


_KINDS: dict[str, Callable[[list[Diagnostic]], str]] = {
    "gone": lambda found: (
        f"{len(found)} entr{'ies' if len(found) != 1 else 'y'} of hubs.toml the tree no longer has"
    ),
    "unstated": lambda found: f"{len(found)} not stated in hubs.toml",
    "broken": lambda found: f"{len(found)} broken image{'s' * (len(found) != 1)}",
    "pending": lambda found: f"{len(found)} waiting for `hubs update`",
    "lint": _lint,
}


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
        if (fix := _fix(report, c)) is not None:
            lines.append(f"    {dim}{safe(fix)}{reset}")
    counted = _lint_counts(report) if report.lint_counts else ""
    for finding in report.findings:
        if not (counted and _kind(finding.rule) == "lint"):
            lines.extend(_finding_lines(report, finding, dim, reset))
    lines += [f"  lint: {counted} (`hubs lint` lists them)"] if counted else []
    for diff in report.packages or ():
        lines.extend(_package_lines(diff))
    lines.extend(f"  note: {safe(note)}" for note in report.notes)
    return "\n".join(lines) + "\n"


def _lint_counts(report: Report) -> str:
    """``2 docker-hub, 1 unused-image``: the lint findings counted by rule, in rule order."""
    rules = [str(f.rule) for f in report.findings if _kind(f.rule) == "lint"]
    return ", ".join(f"{rules.count(rule)} {rule}" for rule in dict.fromkeys(rules))


def _finding_lines(report: Report, finding: Diagnostic, dim: str, reset: str) -> list[str]:
    where = finding.moved(report.prefix).where
    lines = [f"  {safe(finding.key or '')}", f"    {safe(finding.message)}"]
    severity = " · warning" if finding.severity == "warning" else ""
    lines.append(f"    {dim}{safe(where)} · {finding.rule}{severity}{reset}")
    if finding.fix:
        lines.append(f"    {dim}{safe(finding.fix)}{reset}")
    return lines


def _package_lines(diff: ImageDiff) -> list[str]:
    """``packages: OLD -> NEW (slots)``, the one line, then one line per package."""
    lines = [f"  packages: {safe(diff.old)} -> {safe(diff.new)} ({safe(_hubs(diff.addresses))})"]
    lines.append(f"    {safe(diff.summary)}")
    for sign, entry in _entries(diff):
        lines.append(f"    {sign} {safe(_entry(entry))}")
    return lines


def _entries(diff: ImageDiff) -> list[tuple[str, Entry]]:
    """The details, added then removed then changed, each with its sign."""
    return [
        (sign, entry)
        for sign, group in (("+", diff.added), ("-", diff.removed), ("~", diff.changed))
        for entry in group
    ]


def _entry(entry: Entry) -> str:
    if entry.old is None:
        return f"{entry.name} {entry.new}"
    if entry.new is None:
        return f"{entry.name} {entry.old}"
    return f"{entry.name} {entry.old} → {entry.new}"


def _fix(report: Report, change: Change) -> str | None:
    """The fixes that fit a change not yet applied: restore hubs.toml's, or keep the tree's.
    None for ``update --dry-run``: its change is a new lock entry that compile knows nothing of."""
    if report.applied or report.command == "update" or change.old is None:
        return None
    keep = f"hubs set '{change.address}' --pin {change.old}"
    if change.new is None:
        return f"to keep it instead: `{keep}`"
    if change.policy == Kind.FOLLOW:
        return f"`hubs compile` writes hubs.lock's {change.new}; to keep {change.old}: `{keep}`"
    adopt = f"hubs adopt '{change.address}'"
    # neutral on which side moved: after `hubs set` the file is the old side, not a hand edit
    return (
        f"`hubs compile` writes hubs.toml's {change.new}; "
        f"`{adopt}` takes the file's {change.old} into hubs.toml instead"
    )


def render_json(report: Report) -> str:
    data = {
        "schema_version": JSON_SCHEMA_VERSION,
        "command": report.command,
        "clean": report.clean,
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
        "findings": [_finding_json(report, d) for d in report.findings],
        "notes": list(report.notes),
        "warnings": [str(w.moved(report.prefix)) for w in report.warnings],
    }
    if report.packages is not None:
        data["packages"] = [_diff_json(d) for d in report.packages]
    return json.dumps(data, indent=2) + "\n"


def _diff_json(diff: ImageDiff) -> dict[str, object]:
    def rows(group: tuple[Entry, ...]) -> list[dict[str, str | None]]:
        return [{"name": e.name, "old": e.old, "new": e.new} for e in group]

    return {
        "old": diff.old,
        "new": diff.new,
        "addresses": list(diff.addresses),
        "summary": diff.summary,
        "error": diff.error,
        "added": rows(diff.added),
        "removed": rows(diff.removed),
        "changed": rows(diff.changed),
    }


def _finding_json(report: Report, finding: Diagnostic) -> dict[str, object]:
    return {
        "address": finding.key,
        "rule": finding.rule,
        "severity": finding.severity,
        "file": report.path(finding.file) if finding.file else None,
        "line": finding.line,
        "message": finding.message,
        "fix": finding.fix,
    }


def render_markdown(report: Report) -> str:
    import jinja2  # heavy (40 ms): only --format markdown needs it

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("hubs.report", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        finalize=lambda value: safe(value) if isinstance(value, str) else value,  # every {{ }}
    )
    template = env.get_template("report.md.j2")
    return template.render(
        report=report,
        headline=headline(report),
        code=lambda v: f"`{table_cell(str(v))}`" if v is not None else "*(inherit)*",
        cell=table_cell,
        path=report.path,
        hubs=_hubs,
        entries=_entries,
    )


def render_github(report: Report) -> str:
    """Changes, findings and warnings as annotations (capped by :mod:`hubs.report.github`), then
    the headline."""
    title = f"hubs {report.command}"
    level = "error" if report.command == "check" else "notice"
    lines = [
        annotation(level, safe(f"{c.address}: {_image(c.old, old=True)} -> {_image(c.new)}; "
                               f"{_reach(c)}"), file=report.path(c.file), line=c.line, title=title)
        for c in report.changes
    ]  # fmt: skip
    lines += [_finding_annotation(report, finding) for finding in report.findings]
    lines += [
        annotation(
            "notice",
            safe(f"{diff.old} -> {diff.new}: {diff.summary}"),
            title=f"hubs {report.command}: packages",
        )
        for diff in report.packages or ()
    ]
    lines += [
        annotation("warning", safe(w.message), file=_shown(report, w.file), line=w.line or 1)
        for w in report.warnings
    ]
    lines.append(f"hubs {report.command}: {headline(report)}")
    return "\n".join(capped(lines)) + "\n"


def _finding_annotation(report: Report, finding: Diagnostic) -> str:
    failing = report.command in ("check", "lint") and finding in report.failing
    level = "error" if failing else "warning"
    fix = f"; {finding.fix}" if finding.fix else ""
    return annotation(
        level,
        safe(f"{finding.key}: {finding.message}{fix}"),
        file=_shown(report, finding.file),
        line=finding.line or 1,
        title=f"hubs {report.command}: {finding.rule}",
    )


def _shown(report: Report, file: str | None) -> str | None:
    return report.path(file) if file else None


def _text(report: Report, stream: TextIO) -> str:
    return render_text(report, color=coloured(stream))


def coloured(stream: TextIO) -> bool:
    """Colour only on a terminal that shows it: not with ``NO_COLOR`` set, nor ``TERM=dumb``."""
    plain = os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb"
    return stream.isatty() and not plain


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
