"""``hubs check``: exit 1 when the tree differs from what hubs.toml compiles to."""

from __future__ import annotations

import argparse

from ._common import (
    EXIT_DRIFT,
    EXIT_OK,
    Command,
    ReportOptions,
    add_report_format,
    emit,
    open_fleet,
    report,
    source,
)


def run(options: ReportOptions) -> int:
    from ..compile import build

    found = source(options)
    compiled = build(found, open_fleet(options, found.tree, found.path.parent))
    emit(report(compiled, "check", False, options.base), options.format)
    return EXIT_OK if compiled.plan.clean else EXIT_DRIFT


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_report_format(parser)


COMMAND = Command(
    name="check",
    help="exit 1 when the tree differs from hubs.toml (CI, pre-commit)",
    description=(
        "Compile hubs.toml in memory and compare the result with the files on disk. Exits 0 "
        "when they match and 1 when `hubs compile` would change a file, reporting each slot "
        "that differs; writes nothing and never uses the network. Made for CI and pre-commit."
    ),
    examples=("hubs check", "hubs check --format github"),
    options=ReportOptions,
    run=run,
    arguments=_arguments,
)
