"""``hubs import``: write a hubs.toml stating the images the tree has now."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ._common import EXIT_OK, Command, Where, open_fleet, warn

if TYPE_CHECKING:
    from ..treelock import TreeLock


@dataclass(frozen=True, kw_only=True)
class ImportOptions(Where):
    force: bool = False  # overwrite an existing hubs.toml


def run(options: ImportOptions) -> int:
    from ..load import CONFIG_NAME
    from ..treelock import hold

    target = options.base / (options.config if options.config is not None else CONFIG_NAME)
    with hold(target.parent, "import") as held:
        return _import(options, target, held)


def _import(options: ImportOptions, target: Path, held: TreeLock) -> int:
    from ..compile import write
    from ..importer import check_import, render
    from ..transaction import FileWrite

    base = options.base
    if target.exists() and not options.force:
        raise UsageError(f"{target}: exists already; use --force to overwrite it")
    tree = os.path.relpath(base, target.parent).replace(os.sep, "/")
    fleet = open_fleet(options, base, target.parent)
    text = render(fleet, tree)
    check_import(text, fleet)
    warn(fleet.warnings())
    write(None, held, also=[FileWrite(target, text)])
    print(f"wrote {os.path.relpath(target, base)}", file=sys.stderr)
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="overwrite an existing hubs.toml")


COMMAND = Command(
    name="import",
    help="write hubs.toml stating the images the tree has now",
    description=(
        "Read the tree (the current folder, or -C DIR) and write a hubs.toml that pins every "
        "image where it is set today, so that `hubs compile` changes nothing. Refuses to "
        "write when that would not hold, and refuses to overwrite hubs.toml without --force."
    ),
    examples=("hubs import", "hubs -C infrastructure import --config ../hubs.toml --force"),
    options=ImportOptions,
    run=run,
    arguments=_arguments,
)
