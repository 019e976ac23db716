"""``hubs check``: exit 1 when the tree differs from what hubs.toml compiles to."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from ._common import (
    EXIT_DRIFT,
    EXIT_OK,
    Command,
    ReportOptions,
    add_report_format,
    emit,
    report,
    source,
)


@dataclass(frozen=True, kw_only=True)
class CheckOptions(ReportOptions):
    strict: bool = False  # lint findings are errors (as `[lint] strict = true`)


def run(options: CheckOptions) -> int:
    from dataclasses import replace

    from ..compile import build
    from ..lint import lint

    found = source(options)
    compiled = build(found)
    linted = lint(found.config.lint, compiled.fleet, compiled.plan.targets, options.strict)
    compiled = replace(compiled, findings=(*compiled.findings, *linted))
    shown = report(compiled, "check", False, options.base)
    emit(shown, options.format)
    return EXIT_OK if shown.clean else EXIT_DRIFT


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_report_format(parser)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on lint findings too (as `[lint] strict = true` in hubs.toml)",
    )


COMMAND = Command(
    name="check",
    help="exit 1 when the tree differs from hubs.toml (CI, pre-commit)",
    description=(
        "Compile hubs.toml in memory and compare the result with the files on disk. Exits 0 "
        "when they match and 1 when `hubs compile` would change a file, reporting each slot "
        "that differs; writes nothing and never uses the network. Made for CI and pre-commit. "
        "Lint findings (`hubs lint`) are shown as warnings, or fail the check with --strict "
        "or `[lint] strict = true`."
    ),
    examples=("hubs check", "hubs check --format github", "hubs check --strict"),
    options=CheckOptions,
    run=run,
    arguments=_arguments,
)
