"""The ``hubs`` command: parse flags, run one command, map errors to exit codes.

Exit codes: 0 ok, 1 drift or findings (check, lint, verify) or no match (list), 2 bad input,
3 registry or I/O failure, 130 interrupted.
Reports go to stdout; progress and errors to stderr.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when a command runs: ``hubs --version`` needs none of them
    import argparse
    from pathlib import Path

    from hubs.cli.parser import Command
    from hubs.errors import Diagnostic, HubsError

    # built on first use by __getattr__: ``hubs --version`` imports no command
    TABLE: tuple[Command[Any], ...]
    _BY_NAME: dict[str, Command[Any]]
    # name -> runner, looked up when a command runs (tests replace one here)
    _COMMANDS: dict[str, Callable[[Any], int]]


def __getattr__(name: str) -> Any:
    """``TABLE``, ``_BY_NAME`` and ``_COMMANDS``, from the table of commands on first use."""
    if name not in ("TABLE", "_BY_NAME", "_COMMANDS"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from hubs.cli.commands import TABLE

    found = {
        "TABLE": TABLE,
        "_BY_NAME": {command.name: command for command in TABLE},
        "_COMMANDS": {command.name: command.run for command in TABLE},
    }
    globals().update(found)
    return found[name]


def _table() -> Any:
    return sys.modules[__name__]


def _parser() -> argparse.ArgumentParser:
    """The parser of every command (``hubs --help`` lists them all)."""
    from hubs.cli.parser import build

    return build(_table().TABLE)


def _parse(words: list[str]) -> argparse.Namespace:
    """The flags, importing only the module of the command the words name when they name
    one; anything else (``hubs --help``, a guess that was wrong) uses the whole table."""
    from hubs.cli.commands import MODULES, load
    from hubs.cli.parser import UNPARSED, build

    chosen = _chosen(words, MODULES)
    if chosen is not None and "_COMMANDS" not in globals():  # tests may replace a runner
        others = [name for name in MODULES if name != chosen]
        args = build([load(chosen)], others).parse_args(words)
        if not hasattr(args, UNPARSED):
            return args
    return _parser().parse_args(words)


def _chosen(words: Sequence[str], names: Collection[str]) -> str | None:
    """The command the words name, skipping global flags and their values; None when a
    help flag comes first or the first other word is no command."""
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("-h", "--help", "--"):
            return None
        elif word == "-C" or (len(word) > 2 and "--config".startswith(word)):
            skip = True  # its value follows
        elif not word.startswith("-"):
            return word if word in names else None
    return None


def entry() -> None:
    """The ``hubs`` console script: :func:`main`, then out without interpreter teardown
    once stdout and stderr are flushed (main has saved the caches).  Tests call main.

    The cyclic collector is off from the start: a run's imports and objects live until it
    ends, so a collection would only rescan them (main turns it off for itself too)."""
    gc.disable()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # e.g. a closed pipe: the usual exit reports it
        sys.exit(code)
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    if words == ["--version"]:
        from hubs import __version__

        sys.stdout.write(f"hubs {__version__}\n")  # as the parser's --version action
        return 0
    from hubs.errors import Exit, HubsError, clipped, oneline, shorten

    args = _parse(words)
    from hubs.files import paths

    paths.remember()  # a run checks each folder and path of the tree afresh, once
    show_traceback = getattr(args, "traceback", False)
    collecting = gc.isenabled()
    gc.disable()  # a run's objects live until it ends: cyclic GC would only rescan them
    terminated = _on_sigterm()
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("hubs: interrupted", file=sys.stderr)
        return Exit.INTERRUPTED
    except HubsError as exc:
        _traceback(show_traceback)
        for diagnostic in _located(exc, args):
            print(f"hubs: error: {diagnostic}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # an I/O failure no module wrapped: still one line, exit 3
        _traceback(show_traceback)
        print(f"hubs: error: {clipped(oneline(str(exc)))}", file=sys.stderr)
        return Exit.FAILURE
    except Exception as exc:  # a bug: exit 3 as pre-commit does, never the drift code
        _traceback(show_traceback)
        print(
            f"hubs: error: unexpected {type(exc).__name__}: {oneline(shorten(str(exc)))} "
            "(please report this; run with --traceback for the details)",
            file=sys.stderr,
        )
        return Exit.FAILURE
    finally:
        from hubs.cli.commands._common import save_caches

        _restore_sigterm(terminated)
        save_caches()
        paths.remember(False)  # a caller of main() in the same process checks afresh
        if collecting:
            gc.enable()


def _traceback(show: bool) -> None:
    if show:
        import traceback

        traceback.print_exc()


def _located(exc: HubsError, args: argparse.Namespace) -> list[Diagnostic]:
    """The error's diagnostics, those about a hubs.toml key given their line there."""
    from pathlib import Path

    from hubs.errors import HubsError
    from hubs.policy.load import locate_keys
    from hubs.policy.locate import find_config

    if not any(d.keys and d.file is None for d in exc.diagnostics):
        return list(exc.diagnostics)
    try:
        base = Path(getattr(args, "directory", ".")).resolve()
        given = getattr(args, "config", None)
        path = (base / given) if given else find_config(base)
    except HubsError:
        return list(exc.diagnostics)
    return locate_keys(exc.diagnostics, path)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _on_sigterm() -> Any:
    """SIGTERM is an interrupt, as Ctrl-C: a write in progress is undone, exit 130.  Only
    the main thread may set a handler; the previous one is returned to put back."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def _restore_sigterm(previous: Any) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hubs.errors import UsageError

    base = Path(getattr(args, "directory", ".")).resolve()
    if not base.is_dir():
        raise UsageError(f"-C {base}: not a folder")
    command, runner = _command(args.command)
    code: int = runner(_options(command, args, base))
    return code


def _command(name: str) -> tuple[Command[Any], Callable[[Any], int]]:
    """The command ``name`` and what runs it: from the table once it is built (tests
    replace runners there), else from the command's own module alone."""
    if "_COMMANDS" in globals():
        return globals()["_BY_NAME"][name], globals()["_COMMANDS"][name]
    from hubs.cli.commands import load

    command = load(name)
    return command, command.run


def _options(command: Command[Any], args: argparse.Namespace, base: Path) -> Any:
    """The command's typed options from the parsed flags: each field from the flag of the
    same name when given (a list becomes a tuple), else the field's default."""
    from dataclasses import fields

    given: dict[str, Any] = {"base": base}
    for field in fields(command.options):
        if field.name != "base" and hasattr(args, field.name):
            value = getattr(args, field.name)
            given[field.name] = tuple(value) if isinstance(value, list) else value
    return command.options(**given)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
