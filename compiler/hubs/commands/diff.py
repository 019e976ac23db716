"""``hubs diff``: report what ``hubs compile`` would change."""

from __future__ import annotations

import argparse

from ._common import (
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
    emit(report(compiled, "diff", False, options.base), options.format)
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_report_format(parser)


COMMAND = Command(
    name="diff",
    help="report what compile would change",
    description=(
        "Report every slot `hubs compile` would change: the old and new image, the file and "
        "line, and the hubs it reaches. Writes nothing and exits 0 either way; use "
        "`hubs check` for an exit code."
    ),
    examples=("hubs diff", "hubs diff --format json"),
    options=ReportOptions,
    run=run,
    arguments=_arguments,
)
