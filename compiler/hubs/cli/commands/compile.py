"""``hubs compile``: write the image keys of hubs.toml into the tree."""

from __future__ import annotations

import argparse

from hubs.cli.commands._common import (
    EXIT_OK,
    Command,
    ReportOptions,
    add_report_format,
    config_path,
    emit,
    open_fleet,
    report,
    source,
)


def run(options: ReportOptions) -> int:
    from hubs.cli.commands._common import writer as hold
    from hubs.compile.run import build, write

    with hold(config_path(options).parent, "compile") as held:
        found = source(options)
        compiled = build(found, open_fleet(options, found.tree, found.path.parent))
        write(compiled, held)
    emit(report(compiled, "compile", True, options.base), options.format)
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_report_format(parser)


COMMAND = Command(
    name="compile",
    help="write the image keys into the tree",
    description=(
        "Compile hubs.toml (and the tags hubs.lock resolved) into the values files of the "
        "tree, changing only the image keys and no other byte. A file already right is not "
        "touched; if any file cannot be compiled, nothing is written. Never uses the network."
    ),
    examples=("hubs compile", "hubs -C fleet compile --format markdown"),
    options=ReportOptions,
    run=run,
    arguments=_arguments,
)
