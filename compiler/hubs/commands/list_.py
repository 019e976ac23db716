"""``hubs list``: every image slot of the fleet."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from ._common import EXIT_OK, Command, Where, add_inventory_format, loaded, warn


@dataclass(frozen=True, kw_only=True)
class ListOptions(Where):
    format: str = "text"  # one of INVENTORY_FORMATS


def run(options: ListOptions) -> int:
    from ..inventory import render_rows, rows

    source, fleet, lock = loaded(options)
    sys.stdout.write(render_rows(rows(source.config, fleet, lock), options.format))
    warn(fleet.warnings())
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_inventory_format(parser)


COMMAND = Command(
    name="list",
    help="every image slot of the fleet",
    description=(
        "List every image slot of the fleet: its address (as `set`, `explain` and `update` "
        "take it), file, line, YAML path, the image it holds, its policy in hubs.toml and "
        "the hubs it reaches."
    ),
    examples=("hubs list", "hubs list --format json"),
    options=ListOptions,
    run=run,
    arguments=_arguments,
)
