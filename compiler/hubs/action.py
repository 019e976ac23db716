"""The step logic of the GitHub Action (``action.yml``): ``python -m hubs.action``.

The action's inputs arrive as environment variables (never spliced into a script):
``HUBS_COMMAND``, ``HUBS_CONFIG``, ``HUBS_FAIL_ON``, ``HUBS_SUMMARY``.  The command runs
once with ``--format json``; its report is rendered here as GitHub annotations (at most
:data:`MAX_ANNOTATIONS`, the rest counted) and as markdown, appended to
``$GITHUB_STEP_SUMMARY`` (kept under :data:`SUMMARY_LIMIT`) and written to a file named by
the step output ``report`` (the body of an update pull request).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Exit, UsageError, oneline, shown
from .report import JSON_SCHEMA_VERSION, Report, render_github, render_markdown

if TYPE_CHECKING:
    from .pkgdiff import ImageDiff

ACTION_COMMANDS = ("check", "lint", "verify", "update")  # the action's `command` input
FAIL_ON = ("findings", "errors", "never")
MAX_ANNOTATIONS = 10  # GitHub shows at most 10 annotations of a kind per step
SUMMARY_LIMIT = 1024 * 1024  # GitHub refuses a step summary over 1 MiB
REPORT_NAME = "hubs-report.md"
_WHERE = re.compile(r"^([^\s:]+):(\d+)(?::(\d+))?: (.+)$")


@dataclass(frozen=True, slots=True)
class Inputs:
    command: str
    config: str
    fail_on: str
    summary: bool
    packages: bool = False  # update --packages: each bump's package diff in the report

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Inputs:
        command = env.get("HUBS_COMMAND", "check").strip()
        known = installed_commands()
        if command not in ACTION_COMMANDS:
            raise UsageError(
                f"input command: {shown(command)} is not one of {', '.join(ACTION_COMMANDS)}"
            )
        if command not in known:
            usable = ", ".join(c for c in ACTION_COMMANDS if c in known)
            raise UsageError(f"input command: this hubs has no {command!r} command; use {usable}")
        fail_on = env.get("HUBS_FAIL_ON", "findings").strip()
        if fail_on not in FAIL_ON:
            raise UsageError(f"input fail-on: {shown(fail_on)} is not one of {', '.join(FAIL_ON)}")
        summary = env.get("HUBS_SUMMARY", "true").strip()
        if summary not in ("true", "false"):
            raise UsageError(f"input summary: {shown(summary)} is not true or false")
        packages = env.get("HUBS_PACKAGES", "false").strip()
        if packages not in ("true", "false"):
            raise UsageError(f"input packages: {shown(packages)} is not true or false")
        if packages == "true" and command != "update":
            raise UsageError(f"input packages: only for update, not {command}")
        config = env.get("HUBS_CONFIG", "").strip()
        return cls(command, config, fail_on, summary == "true", packages == "true")

    def argv(self) -> list[str]:
        """The ``hubs`` command line this step runs."""
        config = ["--config", self.config] if self.config else []
        packages = ["--packages"] if self.packages else []
        return [self.command, *config, *packages, "--format", "json"]


def installed_commands() -> frozenset[str]:
    """The subcommands of the ``hubs`` installed beside this module."""
    import argparse

    from .cli import _parser

    for action in _parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return frozenset(action.choices)
    return frozenset()  # pragma: no cover - the parser always has subcommands


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the step shows: annotation lines, the markdown report, the exit code."""

    code: int
    log: tuple[str, ...]
    markdown: str
    changed: bool


def outcome(command: str, code: int, stdout: str, stderr: str) -> Outcome:
    """Render one run of ``hubs COMMAND --format json``."""
    report = parse_report(stdout) if code in (Exit.OK, Exit.FINDINGS) else None
    if report is None:
        errors = [line.removeprefix("hubs: error: ") for line in _lines(stderr, "hubs: error: ")]
        errors = errors or [f"hubs {command} exited {code} with no report"]
        log = [_error_annotation(e, f"hubs {command}") for e in errors]
        markdown = f"### `hubs {command}`: failed (exit {code})\n\n"
        markdown += "".join(f"- {e}\n" for e in errors)
        return Outcome(code, tuple(capped(log)), markdown, False)
    log = render_github(report).splitlines()
    return Outcome(code, tuple(capped(log)), render_markdown(report), bool(report.changes))


def parse_report(stdout: str) -> Report | None:
    """The report of ``--format json`` output, or None when it is not one."""
    from .plan import Change

    try:
        data = json.loads(stdout)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("schema_version") != JSON_SCHEMA_VERSION:
        return None
    try:
        changes = tuple(
            Change(c["address"], c["kind"], c["file"], c["line"], c["old"], c["new"],
                   tuple(c["hubs"]), tuple(c["aliases"]))
            for c in data["changes"]
        )  # fmt: skip
        notes, warnings = tuple(data["notes"]), tuple(data["warnings"])
        packages = _packages(data["packages"]) if "packages" in data else None
        return Report(
            data["command"], changes, data["applied"], data["slots"], data["hubs"], "", notes,
            warnings, packages=packages,
        )  # fmt: skip
    except (KeyError, TypeError):
        return None


def _packages(found: list[dict[str, Any]]) -> tuple[ImageDiff, ...]:
    """The package diffs of a JSON report (``--packages``)."""
    from .pkgdiff import Entry, ImageDiff

    def rows(group: list[dict[str, Any]]) -> tuple[Entry, ...]:
        return tuple(Entry(str(e["name"]), e["old"], e["new"]) for e in group)

    return tuple(
        ImageDiff(d["old"], d["new"], tuple(d["addresses"]), d["summary"], rows(d["added"]),
                  rows(d["removed"]), rows(d["changed"]), d["error"])
        for d in found
    )  # fmt: skip


def capped(lines: Sequence[str], limit: int = MAX_ANNOTATIONS) -> list[str]:
    """``lines`` with at most ``limit`` annotations; the rest counted on one plain line."""
    shown_lines: list[str] = []
    dropped = 0
    for line in lines:
        if line.startswith("::") and sum(s.startswith("::") for s in shown_lines) >= limit:
            dropped += 1
        else:
            shown_lines.append(line)
    if dropped:
        shown_lines.append(f"... and {dropped} more (the step summary lists them all)")
    return shown_lines


def fit_summary(markdown: str, limit: int = SUMMARY_LIMIT) -> str:
    """``markdown`` cut at a line so that it stays under ``limit`` bytes, the cut said."""
    if len(markdown.encode()) <= limit:
        return markdown
    lines = markdown.splitlines(keepends=True)
    kept: list[str] = []
    size = 0
    budget = limit - 200  # room for the note
    for line in lines:
        size += len(line.encode())
        if size > budget:
            break
        kept.append(line)
    note = f"\n*(report cut to fit the step summary: {len(kept)} of {len(lines)} lines shown)*\n"
    return "".join(kept) + note


def failed(code: int, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    return code >= (Exit.FINDINGS if fail_on == "findings" else Exit.INPUT)


def run(env: Mapping[str, str], cwd: Path) -> int:
    """One step: run hubs, annotate, summarise, set outputs; the step's exit code."""
    try:
        inputs = Inputs.from_env(env)
    except UsageError as exc:
        for message in exc.messages:
            print(_error_annotation(message, "hubs action"))
        return Exit.INPUT
    cmd = [sys.executable, "-m", "hubs.cli", *inputs.argv()]
    print(f"hubs {' '.join(inputs.argv())}", flush=True)
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    result = outcome(inputs.command, done.returncode, done.stdout, done.stderr)
    for line in result.log:
        print(line)
    report = Path(env.get("RUNNER_TEMP") or cwd) / REPORT_NAME
    report.write_text(result.markdown, encoding="utf-8")
    if inputs.summary and env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
            out.write(fit_summary(result.markdown))
    if env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            out.write(f"exit-code={result.code}\nchanged={str(result.changed).lower()}\n")
            out.write(f"report={oneline(str(report))}\n")
    return result.code if failed(result.code, inputs.fail_on) else Exit.OK


def _error_annotation(error: str, title: str) -> str:
    """An error line as an annotation, on its ``file:line:col`` when it names one."""
    where = _WHERE.match(error)
    if where is None:
        return f"::error title={_escape(title, True)}::{_escape(error)}"
    file, line, col, message = where.groups()
    props = f"file={_escape(file, True)},line={line}" + (f",col={col}" if col else "")
    return f"::error {props},title={_escape(title, True)}::{_escape(message)}"


def _lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def main() -> int:
    return run(os.environ, Path(os.environ.get("GITHUB_WORKSPACE") or "."))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
