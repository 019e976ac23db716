"""``hubs import``: write a hubs.toml stating the images the tree has now."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hubs.cli.commands._common import EXIT_OK, Command, Where, open_fleet, warn
from hubs.errors import UsageError

if TYPE_CHECKING:
    from hubs.files.treelock import TreeLock


@dataclass(frozen=True, kw_only=True)
class ImportOptions(Where):
    force: bool = False  # overwrite an existing hubs.toml


def run(options: ImportOptions) -> int:
    from hubs.cli.commands._common import writer as hold
    from hubs.policy.locate import CONFIG_NAME

    target = options.base / (options.config if options.config is not None else CONFIG_NAME)
    with hold(target.parent, "import") as held:
        return _import(options, target, held)


def _import(options: ImportOptions, target: Path, held: TreeLock) -> int:
    from hubs.authoring.importer import check_import, render
    from hubs.compile.run import write
    from hubs.files.transaction import FileWrite

    base = options.base
    if target.exists():
        _may_replace(target, os.path.relpath(target, base), options.force)
    tree = os.path.relpath(base, target.parent).replace(os.sep, "/")
    fleet = open_fleet(options, base, target.parent)
    text = render(fleet, tree)
    check_import(text, fleet)
    warn(fleet.warnings())
    write(None, held, also=[FileWrite(target, text)])
    print(f"wrote {os.path.relpath(target, base)}", file=sys.stderr)
    return EXIT_OK


def _may_replace(target: Path, shown: str, force: bool) -> None:
    """An existing hubs.toml is rewritten whole only with --force, and never when that
    would drop a follow-latest policy: `hubs adopt` takes the tree's images into it."""
    from hubs.errors import HubsError
    from hubs.policy.load import load_config

    adopt = "`hubs adopt` takes what the tree has into it, keeping its policies and comments"
    if not force:
        raise UsageError(f"{shown}: exists already; {adopt} (`--force` rewrites it whole)")
    try:
        follows = load_config(target).config.follows()
    except HubsError:
        return  # it does not load: nothing in it can be kept
    if follows:
        listed = ", ".join(follows)
        raise UsageError(
            f"{shown}: --force would drop the follow-latest policies of {listed}; {adopt}"
        )


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="rewrite an existing hubs.toml whole (refused when it has follow-latest policies)",
    )


COMMAND = Command(
    name="import",
    help="write hubs.toml stating the images the tree has now",
    description=(
        "Read the tree (the current folder, or -C DIR) and write a hubs.toml that pins every "
        "image where it is set today, so that `hubs compile` changes nothing. Refuses to "
        "write when that would not hold. An existing hubs.toml is left alone: `hubs adopt` "
        "takes new hubs and images into it; --force rewrites it whole, unless that would "
        "drop follow-latest policies."
    ),
    examples=("hubs import", "hubs -C infrastructure import --config ../hubs.toml --force"),
    options=ImportOptions,
    run=run,
    arguments=_arguments,
)
