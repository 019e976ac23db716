"""``hubs set``: change one slot's policy in hubs.toml, comments and layout kept."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..tagorder import ORDERS
from ._common import EXIT_OK, Command, Where, config_path, emit, loaded, report, warn

if TYPE_CHECKING:
    from ..treelock import TreeLock

COMPILE_HINT = "run `hubs compile` to write it into the tree"


@dataclass(frozen=True, kw_only=True)
class SetOptions(Where):
    address: str  # a slot, as `hubs list` prints it
    pin: str | None = None  # IMAGE[:TAG][@DIGEST]
    follow: str | None = None  # IMAGE
    inherit: bool = False
    match: str | None = None  # with follow: a regex
    order: str | None = None  # with follow: one of tagorder.ORDERS
    range: str | None = None  # with follow and semver order
    digest: bool = False  # with follow: pin the digest too
    compile: bool = False  # compile afterwards


def run(options: SetOptions) -> int:
    from ..treelock import hold

    with hold(config_path(options).parent, "set") as held:
        return _set(options, held)


def _set(options: SetOptions, held: TreeLock) -> int:
    from .. import targets, tomledit
    from ..address import parse as parse_address
    from ..compile import build, write
    from ..load import Source, parse_config
    from ..transaction import FileWrite

    source, fleet, lock = loaded(options)
    address = parse_address(options.address)
    known = targets.addresses(source.config, fleet)
    if address not in known:  # the same answer as explain's
        raise targets.PlanError([targets.unknown(source.config, fleet, options.address)])
    value = _policy_value(options)
    aliases = targets.aliases_of(source.config, fleet, address)
    text = source.text
    for each in (address, *aliases):
        text = tomledit.set_policy(text, each, value)
    updated = Source(source.path, text, parse_config(text, source.path.name))
    targets.targets(updated.config, fleet, None)  # the layering must be able to express it
    compiled = build(updated, fleet, lock) if options.compile else None  # fails before writing
    write(compiled, held, also=[FileWrite(source.path, text, source.text)])  # all or none
    print(f"{options.address}: {_describe(value)}", file=sys.stderr)
    for alias in aliases:
        print(
            f"{alias}: {_describe(value)} too (the same YAML node, through an anchor)",
            file=sys.stderr,
        )
    if compiled is not None:
        emit(report(compiled, "compile", True, options.base), "text")
    else:
        warn(fleet.warnings())
        print(COMPILE_HINT, file=sys.stderr)
    return EXIT_OK


def _policy_value(options: SetOptions) -> str | dict[str, object]:
    from .. import imageref
    from ..model import INHERIT

    if not options.follow and (options.match or options.order or options.range or options.digest):
        raise UsageError("--match, --order, --range and --digest go with --follow")
    if options.inherit:
        return INHERIT
    if options.pin:
        try:
            ref = imageref.parse(options.pin)
        except imageref.ReferenceError as exc:
            raise UsageError(str(exc)) from None
        if ref.tag is None and ref.digest is None:
            raise UsageError(f"--pin {options.pin}: give a tag or a digest (name:tag)")
        return str(options.pin)
    if not options.order:
        raise UsageError(f"--follow needs --order ({', '.join(ORDERS)})")
    value: dict[str, object] = {"follow": options.follow}
    if options.match:
        value["match"] = options.match
    value["order"] = options.order
    if options.range:
        value["range"] = options.range
    if options.digest:
        value["digest"] = True
    return value


def _describe(value: object) -> str:
    from ..model import INHERIT

    if value == INHERIT:
        return "inherit"
    if isinstance(value, str):
        return f"pinned to {value}"
    return f"follows {value}"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("address", help="a slot, as `hubs list` prints it (e.g. C/HUB:image)")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--pin", metavar="IMAGE[:TAG][@DIGEST]", help="pin this image")
    how.add_argument("--follow", metavar="IMAGE", help="follow the newest matching tag")
    how.add_argument("--inherit", action="store_true", help="let the layer below decide")
    parser.add_argument("--match", metavar="REGEX", help="with --follow: tags to consider")
    parser.add_argument("--order", choices=ORDERS, help="with --follow: how tags are ordered")
    parser.add_argument(
        "--range", metavar="RANGE", help="with --follow --order semver: e.g. '>=2,<3'"
    )
    parser.add_argument("--digest", action="store_true", help="with --follow: pin the digest too")
    parser.add_argument("--compile", action="store_true", help="compile afterwards")


COMMAND = Command(
    name="set",
    help="change one slot's policy in hubs.toml",
    description=(
        "Set one slot's policy in hubs.toml: pin an image, follow the newest tag matching a "
        "regex (resolved by `hubs update`), or inherit from the layer below. Only that line "
        "of hubs.toml changes, comments kept; slots sharing the YAML node through an anchor "
        "change with it. Checks the layering can express it; with --compile, compiles too."
    ),
    examples=(
        "hubs set alpha/staging:image --pin quay.io/example/alpha-image:9f8e7d6c5b4a",
        "hubs set beta/prod:image --inherit --compile",
        "hubs set alpha/staging:image --follow quay.io/example/alpha-image "
        "--match '^[0-9a-f]{12}$' --order pushed",
    ),
    options=SetOptions,
    run=run,
    arguments=_arguments,
)
