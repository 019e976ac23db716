"""``hubs docs`` (maintenance): write the reference pages generated from the code."""

from __future__ import annotations

import os

from hubs.cli.commands._common import EXIT_OK, Command, Where, hubs_checkout


def run(options: Where) -> int:
    from hubs.cli.commands import TABLE
    from hubs.cli.docsgen import write
    from hubs.cli.parser import build

    base = options.base
    root = hubs_checkout(options, "docs")
    for path in write(root, TABLE, build(TABLE)):
        print(f"wrote {os.path.relpath(path, base)}")
    return EXIT_OK


COMMAND = Command(
    name="docs",
    help="(maintenance) write the generated reference pages under docs/",
    description=(
        "Maintenance command for hubs itself: write one page per command under "
        "docs/commands/ (from the table that builds --help), their index, and the hubs.toml "
        "and hubs.lock reference docs/hubs-toml.md (from the model and its JSON Schema), next "
        "to hubs.toml (with --config) or in the current folder, which must be a checkout of "
        "hubs (a fleet repository is refused). Pages already up to date are left alone."
    ),
    examples=("hubs docs",),
    options=Where,
    run=run,
)
