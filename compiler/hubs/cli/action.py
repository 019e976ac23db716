"""The step logic of the GitHub Action (``action.yml``): ``python -m hubs.cli.action``.

The action's inputs arrive as environment variables (never spliced into a script):
``HUBS_COMMAND``, ``HUBS_CONFIG``, ``HUBS_FAIL_ON``, ``HUBS_SUMMARY``.  The command runs
once with ``--format json``; its report is rendered here as GitHub annotations (at most
:data:`hubs.report.github.MAX_ANNOTATIONS`, the rest counted) and as markdown, appended to
``$GITHUB_STEP_SUMMARY`` (kept under :data:`SUMMARY_LIMIT`) and written to a file named by
the step output ``report`` (the body of an update pull request).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubs.errors import Diagnostic, Exit, UsageError, oneline, shown
from hubs.images.imagechecks import Check
from hubs.report import verifyreport
from hubs.report.github import annotation, capped
from hubs.report.reporters import JSON_SCHEMA_VERSION, Report, render_github, render_markdown

if TYPE_CHECKING:
    from hubs.images.pkgdiff import ImageDiff

ACTION_COMMANDS = ("check", "lint", "verify", "update")  # the action's `command` input
FAIL_ON = ("findings", "errors", "never")
SUMMARY_LIMIT = 1024 * 1024  # GitHub refuses a step summary over 1 MiB
BODY_LIMIT = 65536  # GitHub refuses a pull request body over 65,536 characters
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

    from hubs.cli.main import _parser

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
    """Render one run of ``hubs COMMAND --format json``: its report when it printed one,
    and the errors of its stderr when it failed."""
    errors = [line.removeprefix("hubs: error: ") for line in _lines(stderr, "hubs: error: ")]
    shown = rendered(stdout)
    if shown is None:
        errors = errors or [f"hubs {command} exited {code} with no report"]
        markdown = f"### `hubs {command}`: failed (exit {code})\n\n"
        shown = Outcome(code, (), markdown + "".join(f"- {e}\n" for e in errors), False)
    elif code < Exit.INPUT:
        errors = []
    log = capped([*(_error_annotation(e, f"hubs {command}") for e in errors), *shown.log])
    return Outcome(code, tuple(log), shown.markdown, shown.changed)


def rendered(stdout: str) -> Outcome | None:
    """The annotations and markdown of ``--format json`` output, or None when it is not a
    report: a run's report (an object) or verify's checks (a list)."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return None
    checks = parse_checks(data)
    if checks is not None:
        github, markdown = verifyreport.render_github(checks), verifyreport.render_markdown(checks)
        return Outcome(0, tuple(github.splitlines()), markdown, False)
    report = parse_report(data)
    if report is None:
        return None
    lines = tuple(render_github(report).splitlines())
    return Outcome(0, lines, render_markdown(report), bool(report.changes))


def parse_report(data: object) -> Report | None:
    """The report of ``--format json`` output (parsed), or None when it is not one."""
    from hubs.compile.plan import Change

    if not isinstance(data, dict) or data.get("schema_version") != JSON_SCHEMA_VERSION:
        return None
    try:
        changes = tuple(
            Change(c["address"], c["kind"], c["file"], c["line"], c["old"], c["new"],
                   tuple(c["hubs"]), tuple(c["aliases"]))
            for c in data["changes"]
        )  # fmt: skip
        findings = tuple(_finding(f) for f in data["findings"])
        warnings = tuple(_warning(w) for w in data["warnings"])
        packages = _packages(data["packages"]) if "packages" in data else None
        return Report(
            data["command"], changes, data["applied"], data["slots"], data["hubs"], "",
            tuple(data["notes"]), warnings, findings, packages=packages,
        )  # fmt: skip
    except (KeyError, TypeError):
        return None


def _finding(data: dict[str, object]) -> Diagnostic:
    """A finding of the JSON report, as the report holds it."""
    file, line = data["file"], data["line"]
    return Diagnostic(
        str(data["message"]),
        file=str(file) if file is not None else None,
        line=int(str(line or 0)),
        key=_text(data["address"]),
        severity="error" if data["severity"] == "error" else "warning",
        rule=_text(data["rule"]),
        fix=_text(data["fix"]),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _warning(text: str) -> Diagnostic:
    """A warning of the JSON report (``file:line:col: message``, as ``str(Diagnostic)``)."""
    if not isinstance(text, str):
        raise TypeError(text)
    where = _WHERE.match(text)
    if where is None:
        return Diagnostic(text)
    file, line, col, message = where.groups()
    return Diagnostic(message, file=file, line=int(line), column=int(col or 0))


def parse_checks(data: object) -> tuple[Check, ...] | None:
    """The checks of ``hubs verify --format json`` (a list), or None when it is not one."""
    if not isinstance(data, list):
        return None
    try:
        return tuple(
            Check(c["image"], c["check"], c["ok"], c["detail"], tuple(c["hubs"]), c["file"],
                  c["line"] or 0, unreachable=c["result"] == "error")
            for c in data
        )  # fmt: skip
    except (KeyError, TypeError):
        return None


def _packages(found: list[dict[str, Any]]) -> tuple[ImageDiff, ...]:
    """The package diffs of a JSON report (``--packages``)."""
    from hubs.images.pkgdiff import Entry, ImageDiff

    def rows(group: list[dict[str, Any]]) -> tuple[Entry, ...]:
        return tuple(Entry(str(e["name"]), e["old"], e["new"]) for e in group)

    return tuple(
        ImageDiff(d["old"], d["new"], tuple(d["addresses"]), d["summary"], rows(d["added"]),
                  rows(d["removed"]), rows(d["changed"]), d["error"])
        for d in found
    )  # fmt: skip


def fit_summary(markdown: str, limit: int = SUMMARY_LIMIT) -> str:
    """``markdown`` cut at a line to stay under ``limit`` bytes (a step summary), the cut
    said."""
    return _fit(markdown, limit, lambda text: len(text.encode()), "the step summary")


def fit_body(markdown: str, limit: int = BODY_LIMIT) -> str:
    """``markdown`` cut at a line to stay under ``limit`` characters (a pull request body),
    the cut said and the rest sent to the job summary."""
    return _fit(markdown, limit, len, "a pull request body", "; the job summary has the rest")


def _fit(markdown: str, limit: int, size: Callable[[str], int], what: str, rest: str = "") -> str:
    if size(markdown) <= limit:
        return markdown
    lines = markdown.splitlines(keepends=True)
    kept: list[str] = []
    used = 0
    budget = limit - 200  # room for the note
    for line in lines:
        used += size(line)
        if used > budget:
            break
        kept.append(line)
    note = f"\n*(report cut to fit {what}: {len(kept)} of {len(lines)} lines shown{rest})*\n"
    return "".join(kept) + note


def failed(code: int, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    return code >= (Exit.FINDINGS if fail_on == "findings" else Exit.INPUT)


def run(env: Mapping[str, str], cwd: Path, body_limit: int = BODY_LIMIT) -> int:
    """One step: run hubs, annotate, summarise, set outputs; the step's exit code.  The
    report file (output ``report``, the body of an update pull request) is cut to
    ``body_limit`` characters."""
    try:
        inputs = Inputs.from_env(env)
    except UsageError as exc:
        for message in exc.messages:
            print(_error_annotation(message, "hubs action"))
        return Exit.INPUT
    cmd = [sys.executable, "-m", "hubs.cli.main", *inputs.argv()]
    print(f"hubs {' '.join(inputs.argv())}", flush=True)
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    result = outcome(inputs.command, done.returncode, done.stdout, done.stderr)
    for line in result.log:
        print(line)
    report = Path(env.get("RUNNER_TEMP") or cwd) / REPORT_NAME
    report.write_text(fit_body(result.markdown, body_limit), encoding="utf-8")
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
        return annotation("error", error, title=title)
    file, line, col, message = where.groups()
    return annotation("error", message, file=file, line=int(line), col=int(col or 0), title=title)


def _lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def main() -> int:
    return run(os.environ, Path(os.environ.get("GITHUB_WORKSPACE") or "."))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
