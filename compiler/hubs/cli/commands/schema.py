"""``hubs schema`` (maintenance): write the JSON Schemas hubs publishes."""

from __future__ import annotations

import os

from hubs.cli.commands._common import EXIT_OK, Command, Where, hubs_checkout


def run(options: Where) -> int:
    from hubs.cli.schemas import write_schemas

    base = options.base
    root = hubs_checkout(options, "schema")
    for path in write_schemas(root):
        print(f"wrote {os.path.relpath(path, base)}")
    return EXIT_OK


COMMAND = Command(
    name="schema",
    help="(maintenance) write the JSON schemas under schema/",
    description=(
        "Maintenance command for hubs itself: write the JSON Schema of hubs.toml and the "
        "schema of the chart's image keys under schema/ next to hubs.toml (with --config) or "
        "in the current folder, which must be a checkout of hubs (a fleet repository is "
        "refused). Files already up to date are left alone."
    ),
    examples=("hubs schema",),
    options=Where,
    run=run,
)
