"""``hubs adopt``: take into hubs.toml what the tree has and hubs.toml lacks."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hubs.cli.commands._common import EXIT_OK, Command, Where, config_path, loaded

if TYPE_CHECKING:
    from hubs.files.treelock import TreeLock


@dataclass(frozen=True, kw_only=True)
class AdoptOptions(Where):
    addresses: tuple[str, ...] = ()  # slots, hubs (C/H) or clusters (C); none: all unstated
    all: bool = False  # also take values edited by hand in slots hubs.toml states


def run(options: AdoptOptions) -> int:
    from hubs.cli.commands._common import writer as hold

    with hold(config_path(options).parent, "adopt") as held:
        return _adopt(options, held)


def _adopt(options: AdoptOptions, held: TreeLock) -> int:
    from hubs.authoring.adopt import adopt
    from hubs.compile.run import write
    from hubs.files.transaction import FileWrite
    from hubs.policy.load import dump_lock, read_lock

    source, fleet, lock = loaded(options)
    result = adopt(source, fleet, lock, options.addresses, options.all)
    also = [FileWrite(source.path, result.text, source.text)]
    if result.lock is not None:
        also.append(
            FileWrite(source.lock_path, dump_lock(result.lock), read_lock(source.lock_path)[1])
        )
    write(None, held, also=also)
    for line in result.removed:
        print(f"removed {line}")
    for line in result.taken:
        print(f"adopted {line}")
    for line in result.refused:
        print(f"not adopted: {line}")
    count = len(result.taken) + len(result.removed)
    said = f"took {count} into {source.path.name}" if count else "nothing to adopt"
    print(f"hubs adopt: {said}", file=sys.stderr)
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "addresses",
        nargs="*",
        metavar="ADDRESS",
        help="slots (C/HUB:image, ...), hubs (C/HUB) or clusters (C) to adopt; default: "
        "everything hubs.toml lacks",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also keep values edited by hand where hubs.toml pins something else",
    )


COMMAND = Command(
    name="adopt",
    help="take into hubs.toml the hubs and images the tree has and hubs.toml lacks",
    description=(
        "Bring into hubs.toml what the tree has and hubs.toml lacks: new clusters and hubs "
        "(with the tables import would write, where import would put them) and images no "
        "policy states. With --all, or for the slots named, values edited by hand are kept "
        "too. Every policy, comment and table already in hubs.toml stays; a follow-latest "
        "policy is never changed (a hand edit of a follow slot is reported). Afterwards "
        "`hubs check` is clean and `hubs compile` changes nothing."
    ),
    examples=(
        "hubs adopt",
        "hubs adopt alpha/newhub",
        "hubs adopt 'alpha/common.values.yaml:profiles/medium/choices/r' --all",
    ),
    options=AdoptOptions,
    run=run,
    arguments=_arguments,
)
