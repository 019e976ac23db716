"""The ``hubs`` command: parse flags, run one command, map errors to exit codes.

Exit codes: 0 ok, 1 drift (check), 2 bad input, 3 registry or I/O failure, 130 interrupted.
Reports go to stdout; progress and errors to stderr.
"""

from __future__ import annotations

import argparse
import gc
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from .commands import TABLE as TABLE
from .commands._common import Command, save_caches
from .errors import Diagnostic, Exit, HubsError, UsageError, oneline, shorten

_BY_NAME = {command.name: command for command in TABLE}
# name -> runner, looked up when a command runs (tests replace one here)
_COMMANDS: dict[str, Callable[[Any], int]] = {command.name: command.run for command in TABLE}


def _parser() -> argparse.ArgumentParser:
    from .parser import build

    return build(TABLE)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    show_traceback = getattr(args, "traceback", False)
    collecting = gc.isenabled()
    gc.disable()  # a run's objects live until it ends: cyclic GC would only rescan them
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("hubs: interrupted", file=sys.stderr)
        return Exit.INTERRUPTED
    except HubsError as exc:
        if show_traceback:
            traceback.print_exc()
        for diagnostic in _located(exc, args):
            print(f"hubs: error: {diagnostic}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # an I/O failure no module wrapped: still one line, exit 3
        if show_traceback:
            traceback.print_exc()
        print(f"hubs: error: {oneline(str(exc))}", file=sys.stderr)
        return Exit.FAILURE
    except Exception as exc:  # a bug: exit 3 as pre-commit does, never the drift code
        if show_traceback:
            traceback.print_exc()
        print(
            f"hubs: error: unexpected {type(exc).__name__}: {oneline(shorten(str(exc)))} "
            "(please report this; run with --traceback for the details)",
            file=sys.stderr,
        )
        return Exit.FAILURE
    finally:
        save_caches()
        if collecting:
            gc.enable()


def _located(exc: HubsError, args: argparse.Namespace) -> list[Diagnostic]:
    """The error's diagnostics, those about a hubs.toml key given their line there."""
    from .load import find_config, locate_keys

    if not any(d.keys and d.file is None for d in exc.diagnostics):
        return list(exc.diagnostics)
    try:
        base = Path(getattr(args, "directory", ".")).resolve()
        given = getattr(args, "config", None)
        path = (base / given) if given else find_config(base)
    except HubsError:
        return list(exc.diagnostics)
    return locate_keys(exc.diagnostics, path)


def _run(args: argparse.Namespace) -> int:
    base = Path(getattr(args, "directory", ".")).resolve()
    if not base.is_dir():
        raise UsageError(f"-C {base}: not a folder")
    return _COMMANDS[args.command](_options(_BY_NAME[args.command], args, base))


def _options(command: Command[Any], args: argparse.Namespace, base: Path) -> Any:
    """The command's typed options from the parsed flags: each field from the flag of the
    same name when given (a list becomes a tuple), else the field's default."""
    given: dict[str, Any] = {"base": base}
    for field in fields(command.options):
        if field.name != "base" and hasattr(args, field.name):
            value = getattr(args, field.name)
            given[field.name] = tuple(value) if isinstance(value, list) else value
    return command.options(**given)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
