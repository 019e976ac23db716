"""``hubs completion`` (maintenance): print a shell completion script, made by shtab."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from hubs.cli.commands._common import EXIT_OK, Command, Where
from hubs.errors import UsageError

SHELLS = ("bash", "zsh", "tcsh")  # the shells shtab writes scripts for


@dataclass(frozen=True, kw_only=True)
class CompletionOptions(Where):
    shell: str  # one of SHELLS


def run(options: CompletionOptions) -> int:
    try:
        import shtab
    except ImportError:
        raise UsageError(
            "hubs completion needs the optional shtab library: pip install shtab, beside hubs"
        ) from None
    from hubs.cli.commands import TABLE
    from hubs.cli.parser import build

    sys.stdout.write(shtab.complete(build(TABLE), shell=options.shell).rstrip("\n") + "\n")
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete for")


COMMAND = Command(
    name="completion",
    help="(maintenance) print a shell completion script",
    description=(
        "Print a completion script for bash, zsh or tcsh to stdout, made from the same parser "
        "as --help by the optional shtab library (pip install shtab, beside hubs). Write it "
        "where your shell looks for completions, e.g. for bash "
        "~/.local/share/bash-completion/completions/hubs, for zsh a file _hubs in a folder "
        "of your fpath."
    ),
    examples=("hubs completion bash", "hubs completion zsh"),
    options=CompletionOptions,
    run=run,
    arguments=_arguments,
)
