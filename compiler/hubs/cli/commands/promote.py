"""``hubs promote FROM TO``: pin TO's slots to the images FROM runs now."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hubs.cli.commands._common import (
    EXIT_OK,
    Command,
    Where,
    config_path,
    emit,
    loaded,
    report,
    warn,
    write_policies,
)
from hubs.cli.commands.set_ import COMPILE_HINT

if TYPE_CHECKING:
    from hubs.files.treelock import TreeLock


@dataclass(frozen=True, kw_only=True)
class PromoteOptions(Where):
    source: str = ""  # FROM: CLUSTER/HUB
    target: str = ""  # TO: CLUSTER/HUB
    compile: bool = False  # compile afterwards, in the same transaction


def run(options: PromoteOptions) -> int:
    from hubs.files.treelock import hold

    with hold(config_path(options).parent, "promote") as held:
        return _promote(options, held)


def _promote(options: PromoteOptions, held: TreeLock) -> int:
    import sys

    from hubs.authoring.promoteplan import plan

    source, fleet, lock = loaded(options)
    found = plan(source, fleet, options.source, options.target)
    compiled = write_policies(held, source, fleet, lock, found.edits, options.compile)
    for line in (*found.pairs, *found.skipped):
        print(line.said)
    sys.stdout.flush()  # the pairs, then what to do next: in this order on any stream
    if compiled is not None:
        emit(report(compiled, "compile", True, options.base), "text")
    else:
        warn(fleet.warnings())
        if found.edits:
            print(COMPILE_HINT, file=sys.stderr)
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="FROM", help="the hub whose images go on: CLUSTER/HUB")
    parser.add_argument("target", metavar="TO", help="the hub that takes them: CLUSTER/HUB")
    parser.add_argument("--compile", action="store_true", help="compile in the same transaction")


COMMAND = Command(
    name="promote",
    help="pin one hub's slots to the images another hub runs now",
    description=(
        "Every slot of TO that has a counterpart in FROM (the hub's own image; the same "
        "profile and choice keys) is pinned in hubs.toml to the image FROM runs there now, "
        "wherever FROM's image is written. Prints each pair, and each slot it skipped with "
        "the reason: no counterpart, a follow or promote policy, held, or shared with FROM "
        "(a file both hubs use: already the same). Only those lines of hubs.toml change, "
        "comments kept; with --compile the values files are written in the same "
        "transaction, all or nothing."
    ),
    examples=(
        "hubs promote alpha/staging alpha/prod",
        "hubs promote alpha/staging alpha/prod --compile",
    ),
    options=PromoteOptions,
    run=run,
    arguments=_arguments,
)
