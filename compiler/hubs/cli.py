"""The ``hubs`` command: parse flags, run one command, map errors to exit codes.

Exit codes: 0 ok, 1 drift (check), 2 bad input, 3 registry or I/O failure, 130 interrupted.
Reports go to stdout; progress and errors to stderr.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from . import commands, extract
from .errors import Exit, HubsError, UsageError, oneline, shorten


def _parser() -> argparse.ArgumentParser:
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
        "--traceback",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show a traceback on errors",
    )
    fmt = argparse.ArgumentParser(add_help=False)
    fmt.add_argument(
        "--format",
        choices=("text", "markdown", "json", "github"),
        default="text",
        help="report format (default: text)",
    )

    parser = argparse.ArgumentParser(
        prog="hubs",
        parents=[common],
        description="Image-policy compiler for JupyterHub fleets: hubs.toml -> values files.",
        epilog="exit codes: 0 ok, 1 drift (check), 2 bad input, 3 registry or I/O, 130 interrupted",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("compile", parents=[common, fmt], help="write the image keys into the tree")
    sub.add_parser(
        "check",
        parents=[common, fmt],
        help="exit 1 when the tree differs from hubs.toml (CI, pre-commit)",
    )
    sub.add_parser("diff", parents=[common, fmt], help="report what compile would change")
    sub.add_parser(
        "schema",
        parents=[common],
        help="write schema/hubs.schema.json and schema/chart-images.schema.json",
    )
    imp = sub.add_parser(
        "import", parents=[common], help="write hubs.toml stating the images the tree has now"
    )
    imp.add_argument("--force", action="store_true", help="overwrite an existing hubs.toml")
    lst = sub.add_parser("list", parents=[common], help="every image slot of the fleet")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    exp = sub.add_parser(
        "explain", parents=[common], help="which image a hub or slot runs, and why"
    )
    exp.add_argument("address")
    exp.add_argument("--format", choices=("text", "json"), default="text")
    st = sub.add_parser("set", parents=[common], help="change one slot's policy in hubs.toml")
    st.add_argument("address", help="a slot, as `hubs list` prints it (e.g. C/HUB:image)")
    how = st.add_mutually_exclusive_group(required=True)
    how.add_argument("--pin", metavar="IMAGE[:TAG][@DIGEST]", help="pin this image")
    how.add_argument("--follow", metavar="IMAGE", help="follow the newest matching tag")
    how.add_argument("--inherit", action="store_true", help="let the layer below decide")
    st.add_argument("--match", metavar="REGEX", help="with --follow: tags to consider")
    st.add_argument(
        "--order",
        choices=("semver", "calver", "numeric", "alphabetical", "pushed"),
        help="with --follow: how tags are ordered",
    )
    st.add_argument("--range", metavar="RANGE", help="with --follow --order semver: e.g. '>=2,<3'")
    st.add_argument("--digest", action="store_true", help="with --follow: pin the digest too")
    st.add_argument("--compile", action="store_true", help="compile afterwards")
    upd = sub.add_parser(
        "update",
        parents=[common, fmt],
        help="resolve follow-latest slots from registries into hubs.lock",
    )
    upd.add_argument("addresses", nargs="*", metavar="ADDRESS")
    upd.add_argument("--dry-run", action="store_true", help="report, write nothing")
    ext = sub.add_parser(
        "extract-image",
        parents=[common],
        help="move a user-image folder, with its history, into an image repository",
    )
    ext.add_argument("folder", metavar="DIR", help="the image folder, from the source's top")
    ext.add_argument("--into", metavar="TARGET", required=True, help="repository to merge into")
    ext.add_argument("--source", metavar="REPO", default=".", help="path or URL (default: .)")
    ext.add_argument("--push", action="store_true", help="push the target's branch afterwards")
    return parser


class _Version(argparse.Action):
    """``--version``, looked up only when asked for (importlib.metadata is slow to import)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("hubs")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            found = "unknown"
        parser.exit(message=f"hubs {found}\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    show_traceback = getattr(args, "traceback", False)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("hubs: interrupted", file=sys.stderr)
        return Exit.INTERRUPTED
    except HubsError as exc:
        if show_traceback:
            traceback.print_exc()
        for diagnostic in exc.diagnostics:
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


def _run(args: argparse.Namespace) -> int:
    base = Path(getattr(args, "directory", ".")).resolve()
    if not base.is_dir():
        raise UsageError(f"-C {base}: not a folder")
    handler: Callable[[argparse.Namespace, Path], int] = _COMMANDS[args.command]
    return handler(args, base)


_COMMANDS: dict[str, Callable[[argparse.Namespace, Path], int]] = {
    "compile": commands.cmd_compile,
    "check": commands.cmd_check,
    "diff": commands.cmd_diff,
    "schema": commands.cmd_schema,
    "import": commands.cmd_import,
    "list": commands.cmd_list,
    "explain": commands.cmd_explain,
    "set": commands.cmd_set,
    "update": commands.cmd_update,
    "extract-image": extract.cmd_extract_image,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
