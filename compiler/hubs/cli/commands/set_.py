"""``hubs set``: change one slot's policy in hubs.toml, comments and layout kept."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hubs.cli.commands._common import (
    EXIT_OK,
    Command,
    Where,
    config_path,
    emit,
    loaded,
    report,
    warn,
    write_policies,
)
from hubs.errors import UsageError, shown
from hubs.policy.tagorder import ORDERS

if TYPE_CHECKING:
    from hubs.files.treelock import TreeLock

COMPILE_HINT = "run `hubs compile` to write it into the tree"


@dataclass(frozen=True, kw_only=True)
class SetOptions(Where):
    address: str | None = None  # a slot, as `hubs list` prints it
    pin: str | None = None  # IMAGE[:TAG][@DIGEST], or :TAG (the slot's own repository)
    follow: str | None = None  # IMAGE
    inherit: bool = False
    match: str | None = None  # with follow: a regex
    order: str | None = None  # with follow: one of tagorder.ORDERS
    range: str | None = None  # with follow and semver order
    digest: bool = False  # with follow: pin the digest too
    image: str | None = None  # instead of an address: every slot pinned to this repository
    cluster: str | None = None  # with --image: only this cluster's slots
    hub: str | None = None  # with --image: only this hub's own slots (CLUSTER/HUB)
    file: str | None = None  # with --image: only this shared file's slots (CLUSTER/FILE)
    hold: bool = False  # a follow slot stays on its locked tag
    hold_until: str | None = None  # ... until this day (YYYY-MM-DD)
    release: bool = False  # end a hold
    compile: bool = False  # compile afterwards


def run(options: SetOptions) -> int:
    from hubs.cli.commands._common import writer as hold

    with hold(config_path(options).parent, "set") as held:
        return _set(options, held)


def _set(options: SetOptions, held: TreeLock) -> int:
    from hubs.authoring.setpolicy import Edit, bulk, one

    source, fleet, lock = loaded(options)
    _check_flags(options)
    edits: list[Edit]
    if options.image is not None:
        edits = bulk(source, fleet, options.image, _narrow(options), options.pin or "")
    else:
        edits = one(source, fleet, options.address or "", _change(options))
    compiled = write_policies(held, source, fleet, lock, edits, options.compile)
    for edit in edits:
        print(edit.said, file=sys.stderr)
    if compiled is not None:
        emit(report(compiled, "compile", True, options.base), "text")
    else:
        warn(fleet.warnings())
        if edits:
            print(_hint(options), file=sys.stderr)
    return EXIT_OK


def _hint(options: SetOptions) -> str:
    """What to run next: compile for a pin or inherit, update for a follow policy."""
    update = f"run `hubs update {shown(options.address or '')}`"
    if options.follow:
        return (
            f"{update} to resolve it into hubs.lock and the tree "
            "(`hubs compile` leaves a follow slot as it is until then)"
        )
    if options.release:
        return f"{update} to move it to the newest tag its policy allows"
    if _holding(options):
        return "`hubs update` keeps it at its locked tag; nothing to compile"
    return COMPILE_HINT


def _check_flags(options: SetOptions) -> None:
    follow_only = options.match or options.order or options.range or options.digest
    if not options.follow and follow_only:
        raise UsageError("--match, --order, --range and --digest go with --follow")
    narrow = options.cluster or options.hub or options.file
    if options.image is None:
        if options.address is None:
            raise UsageError("give a slot ADDRESS, or --image REPOSITORY to retag every slot")
        if narrow:
            raise UsageError("--cluster, --hub and --file narrow --image")
        if not (options.pin or options.follow or options.inherit or _holding(options)):
            raise UsageError("say what to set: --pin, --follow, --inherit, --hold or --release")
        return
    if options.address is not None:
        raise UsageError("--image retags every slot of a repository: give no ADDRESS with it")
    if not options.pin or options.follow or options.inherit or _holding(options):
        raise UsageError("--image takes --pin TAG (or :TAG, or IMAGE:TAG)")


def _holding(options: SetOptions) -> bool:
    return options.hold or options.release or options.hold_until is not None


def _narrow(options: SetOptions) -> tuple[str | None, str | None, str | None]:
    return options.cluster, options.hub, options.file


def _change(options: SetOptions) -> object:
    """What to do with the one slot: a pin text, a follow table, inherit, or a hold."""
    from hubs.authoring.setpolicy import Hold
    from hubs.policy.model import INHERIT

    if _holding(options):
        if options.pin or options.follow or options.inherit:
            raise UsageError("--hold, --hold-until and --release change a follow policy alone")
        return Hold(options.hold, options.hold_until, options.release)
    if options.inherit:
        return INHERIT
    if options.pin:
        return options.pin
    if not options.match:
        raise UsageError(
            "--follow needs --match REGEX: the tags to consider, e.g. '^\\d{4}\\.\\d{2}\\.\\d{2}$'"
        )
    if not options.order:
        raise UsageError(f"--follow needs --order ({', '.join(ORDERS)})")
    value: dict[str, object] = {"follow": options.follow, "match": options.match}
    value["order"] = options.order
    if options.range:
        value["range"] = options.range
    if options.digest:
        value["digest"] = True
    return value


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "address", nargs="?", help="a slot, as `hubs list` prints it (e.g. C/HUB:image)"
    )
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--pin",
        metavar="IMAGE[:TAG][@DIGEST]",
        help="pin this image; :TAG keeps the slot's repository",
    )
    how.add_argument("--follow", metavar="IMAGE", help="follow the newest matching tag")
    how.add_argument("--inherit", action="store_true", help="let the layer below decide")
    parser.add_argument("--match", metavar="REGEX", help="with --follow: tags to consider")
    parser.add_argument("--order", choices=ORDERS, help="with --follow: how tags are ordered")
    parser.add_argument(
        "--range", metavar="RANGE", help="with --follow --order semver: e.g. '>=2,<3'"
    )
    parser.add_argument("--digest", action="store_true", help="with --follow: pin the digest too")
    how.add_argument(
        "--hold", action="store_true", help="keep a follow slot on its locked tag (update skips it)"
    )
    how.add_argument("--hold-until", metavar="YYYY-MM-DD", help="hold until this day")
    how.add_argument("--release", action="store_true", help="end a hold")
    parser.add_argument(
        "--image",
        metavar="REPOSITORY",
        help="instead of an address: retag every slot pinned to this repository (with --pin)",
    )
    parser.add_argument("--cluster", metavar="CLUSTER", help="with --image: only this cluster")
    parser.add_argument("--hub", metavar="CLUSTER/HUB", help="with --image: only this hub's file")
    parser.add_argument(
        "--file", metavar="CLUSTER/FILE", help="with --image: only this shared file"
    )
    parser.add_argument("--compile", action="store_true", help="compile afterwards")


COMMAND = Command(
    name="set",
    help="change one slot's policy in hubs.toml",
    description=(
        "Set one slot's policy in hubs.toml: pin an image, follow the newest tag matching a "
        "regex (resolved by `hubs update`), or inherit from the layer below; hold a follow "
        "slot on its locked tag (a rollback that the next update keeps). With --image, retag "
        "every slot pinned to that repository, narrowed by --cluster, --hub or --file. Only "
        "those lines of hubs.toml change, comments kept; slots sharing the YAML node through "
        "an anchor change with it. Checks the layering can express it; with --compile, "
        "compiles too."
    ),
    examples=(
        "hubs set alpha/staging:image --pin quay.io/example/alpha-image:9f8e7d6c5b4a",
        "hubs set alpha/staging:image --pin :9f8e7d6c5b4a",
        "hubs set --image pangeo/pangeo-notebook --pin 2025.07.01 --cluster alpha --compile",
        "hubs set beta/prod:image --inherit --compile",
        "hubs set alpha/staging:image --follow quay.io/example/alpha-image "
        "--match '^[0-9a-f]{12}$' --order pushed",
        "hubs set beta/daskhub-common.values.yaml:profiles/cpu/choices/pangeo --hold",
    ),
    options=SetOptions,
    run=run,
    arguments=_arguments,
)
