"""``hubs list``: every image slot of the fleet, or every hub with the images it runs."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from hubs.cli.commands._common import (
    EXIT_DRIFT,
    EXIT_OK,
    Command,
    Where,
    add_inventory_format,
    loaded,
    warn,
)
from hubs.policy.kinds import LISTED

EXIT_NONE = EXIT_DRIFT  # filters that match nothing: 1, as grep says so

POLICIES = tuple(str(kind) for kind in LISTED)  # `--policy` choices (hubs.policy.kinds)


@dataclass(frozen=True, kw_only=True)
class ListOptions(Where):
    format: str = "text"  # one of INVENTORY_FORMATS
    hubs: bool = False  # one row per hub
    image: str | None = None  # REPOSITORY[:TAG][@DIGEST], each part a glob
    registry: str | None = None
    cluster: str | None = None
    hub: str | None = None  # CLUSTER/HUB
    policy: str | None = None  # one of POLICIES


def run(options: ListOptions) -> int:
    from hubs.compile import targets
    from hubs.report import fleetquery
    from hubs.report.inventory import rows

    image = None if options.image is None else fleetquery.ImageGlob.parse(options.image)
    query = fleetquery.Query(image, options.registry, options.cluster, options.hub, options.policy)
    source, fleet, lock = loaded(options, warn_gone=True)
    if options.hubs:
        found = fleetquery.hub_rows(fleet, targets.targets(source.config, fleet, lock), query)
        sys.stdout.write(fleetquery.render_hubs(found, options.format, terminal_width()))
        matched, what = len(found), "hub"
    else:
        selected = fleetquery.select(rows(source.config, fleet, lock), query, fleet)
        sys.stdout.writelines(fleetquery.render_rows(selected, options.format, terminal_width()))
        matched, what = len(selected), "slot"
    warn(fleet.warnings())
    return _status(query.described(), matched, what)


def _status(filters: str, matched: int, what: str) -> int:
    """1, with a line on stderr, when filters were given and nothing matched (as grep)."""
    if filters and not matched:
        print(f"hubs list: no {what} matches {filters}", file=sys.stderr)
        return EXIT_NONE
    return EXIT_OK


def terminal_width() -> int | None:
    """The terminal's columns when stdout is one (``COLUMNS`` first, as ``shutil`` reads
    it); None when it is piped, so the table is never narrowed there."""
    import shutil

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_inventory_format(parser)
    parser.add_argument(
        "--hubs", action="store_true", help="one row per hub, with every image it can run"
    )
    parser.add_argument(
        "--image",
        metavar="REPO[:TAG]",
        help=(
            "images that match REPOSITORY[:TAG][@DIGEST], each part a glob: the repository "
            "as written or in full (docker.io/library/*), a name without / also as the "
            "repository's last component (scipy-notebook)"
        ),
    )
    parser.add_argument(
        "--registry", metavar="HOST", help="images of this registry (docker.io: no host written)"
    )
    parser.add_argument("--cluster", metavar="CLUSTER", help="slots and hubs of this cluster")
    parser.add_argument(
        "--hub", metavar="CLUSTER/HUB", help="slots that reach this hub, or of its scope"
    )
    parser.add_argument("--policy", choices=POLICIES, help="slots with this policy")


COMMAND = Command(
    name="list",
    help="every image slot of the fleet, or every hub with its images",
    description=(
        "List every image slot of the fleet: its address (as `set`, `explain` and `update` "
        "take it), policy in hubs.toml, registry, image, and the number of hubs that run it "
        "(JSON adds file, line, YAML path, those hubs, and the hubs whose layers carry it but "
        "where every profile and choice overrides it). With --hubs, one row per hub with every "
        "image it can run, for each profile and choice. The filters combine; when they match "
        "nothing, a line on stderr says so and the exit status is 1, as grep's. On a terminal the "
        "text fits its width, a long value wrapped under its column; piped, every row is one "
        "line, whole. JSON has the same values as data."
    ),
    examples=(
        "hubs list",
        "hubs list --image 'quay.io/jupyter/*' --policy pinned",
        "hubs list --registry docker.io --cluster alpha",
        "hubs list --hubs --hub alpha/staging --format json",
    ),
    options=ListOptions,
    run=run,
    arguments=_arguments,
)
