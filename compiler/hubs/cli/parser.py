"""The argument parser of ``hubs``, built from the table of commands.

Each command gives its help line, description, examples and flags; this module only lays
them out.  It imports no command: the table of :class:`Command` rows is handed in.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

WIDTH = 88

Options = TypeVar("Options")  # a command's frozen dataclass of options (cli.commands.Where)


@dataclass(frozen=True)
class Command(Generic[Options]):
    """One verb of ``hubs``: its help, its flags, its typed options and what runs it.

    ``arguments`` adds the verb's own flags; their destinations are the field names of
    ``options``, which :mod:`hubs.cli.main` fills from the parsed flags before calling ``run``.
    """

    name: str
    help: str  # one line, in `hubs --help`
    description: str  # one paragraph, in `hubs NAME --help`
    examples: tuple[str, ...]  # command lines shown under "examples:" in `hubs NAME --help`
    options: type[Options]
    run: Callable[[Options], int]
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None


UNPARSED = "unparsed"  # where a command named in ``others`` keeps its words


def build(table: Sequence[Command[Any]], others: Sequence[str] = ()) -> argparse.ArgumentParser:
    """``hubs`` and one subcommand per entry of ``table``, in its order.

    Each name of ``others`` is a bare subcommand that keeps every word after it under
    :data:`UNPARSED`, for the caller to parse again with that command's own flags."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-C",
        dest="directory",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="run as if started in DIR",
    )
    common.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="hubs.toml to use (default: found in DIR or above)",
    )
    common.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        default=argparse.SUPPRESS,
        help="neither read nor write the scan cache (also: HUBS_CACHE=off)",
    )
    common.add_argument(
        "--traceback",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show a traceback on errors",
    )
    parser = argparse.ArgumentParser(
        prog="hubs",
        parents=[common],
        description="Image-policy compiler for JupyterHub fleets: hubs.toml -> values files.",
        epilog=(
            "exit codes: 0 ok, 1 drift or findings (check, lint, verify) or no match (list), "
            "2 bad input, 3 registry or I/O, 130 interrupted"
        ),
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in table:
        command.arguments(
            sub.add_parser(
                command.name,
                parents=[common],
                help=command.help,
                description=textwrap.fill(command.description, WIDTH),
                epilog=_examples(command.examples),
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
        )
    for name in others:
        bare = sub.add_parser(name, add_help=False)
        bare.add_argument(UNPARSED, nargs=argparse.REMAINDER)
    return parser


def _examples(examples: Sequence[str]) -> str:
    return "\n".join(["examples:", *(f"  {example}" for example in examples)])


class _Version(argparse.Action):
    """``--version``: ``hubs.__version__``, which pyproject.toml reads too."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from hubs import __version__

        sys.stdout.write(f"hubs {__version__}\n")  # stdout, as argparse's own version action
        parser.exit()
