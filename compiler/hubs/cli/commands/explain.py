"""``hubs explain``: which image a hub or slot runs, and why."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from hubs.cli.commands._common import EXIT_OK, Command, Where, add_inventory_format, loaded, warn


@dataclass(frozen=True, kw_only=True)
class ExplainOptions(Where):
    address: str  # a hub (CLUSTER/HUB) or a slot address
    format: str = "text"  # one of INVENTORY_FORMATS


def run(options: ExplainOptions) -> int:
    from hubs.report.inventory import explain, render_explain

    source, fleet, lock = loaded(options, warn_gone=True)
    found = explain(source.config, fleet, lock, options.address)
    sys.stdout.write(render_explain(found, options.format))
    warn(fleet.warnings())
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "address",
        help="a hub (CLUSTER/HUB) or a slot, as `hubs list` prints it (e.g. CLUSTER/HUB:image)",
    )
    add_inventory_format(parser)


COMMAND = Command(
    name="explain",
    help="which image a hub or slot runs, and why",
    description=(
        "For a hub (CLUSTER/HUB): its singleuser image layer by layer, the chart default and "
        "then its values files in Helm order, with the slot and policy of each and the layer "
        "that wins. For a slot: the image it holds, its policy in hubs.toml, the image that "
        "policy wants (and the lock entry of a follow slot) and the hubs it reaches."
    ),
    examples=("hubs explain alpha/staging", "hubs explain alpha/prod:image --format json"),
    options=ExplainOptions,
    run=run,
    arguments=_arguments,
)
