"""``hubs diff``: report what ``hubs compile`` would change."""

from __future__ import annotations

import argparse

from hubs.cli.commands._common import (
    EXIT_OK,
    Command,
    PackagesOptions,
    add_packages,
    add_report_format,
    emit,
    open_fleet,
    package_diffs,
    report,
    source,
)


def run(options: PackagesOptions) -> int:
    from hubs.compile.run import build

    found = source(options)
    compiled = build(found, open_fleet(options, found.tree, found.path.parent))
    packages = package_diffs(options, found, compiled)
    emit(report(compiled, "diff", False, options.base, packages=packages), options.format)
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_report_format(parser)
    add_packages(parser)


COMMAND = Command(
    name="diff",
    help="report what compile would change",
    description=(
        "Report every slot `hubs compile` would change: the old and new image, the file and "
        "line, and the hubs it reaches. With --packages, for each image that changes, the "
        "conda and pip packages added, removed and changed, read from both images' layers "
        "(a registry that fails is a note under that image). Writes nothing and exits 0 "
        "either way; use `hubs check` for an exit code."
    ),
    examples=("hubs diff", "hubs diff --format json", "hubs diff --packages --format markdown"),
    options=PackagesOptions,
    run=run,
    arguments=_arguments,
)
