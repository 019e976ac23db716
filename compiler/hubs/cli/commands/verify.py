"""``hubs verify``: check the images the fleet runs against their registries (read-only)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from hubs.cli.commands._common import (
    Command,
    ReportOptions,
    add_report_format,
    loaded,
    prefix,
    progress,
    size,
    warn,
)

DEFAULT_BUDGET = "2GiB"


@dataclass(frozen=True, kw_only=True)
class VerifyOptions(ReportOptions):
    addresses: tuple[str, ...] = ()  # slots, scopes or hubs; none: every image of the fleet
    deep: bool = False  # stream layers to settle what the config cannot
    deep_budget: int = size(DEFAULT_BUDGET)  # compressed bytes per image, at most
    max_age: int | None = None  # days; older images fail the age check


def run(options: VerifyOptions) -> int:
    from hubs.compile.run import build
    from hubs.images.imagechecks import Options
    from hubs.images.verify import exit_code, image_uses, verify
    from hubs.registry import RegistryClient
    from hubs.report.verifyreport import REPORTERS

    source, fleet, lock = loaded(options)
    compiled = build(source, fleet, lock)
    shown = prefix(fleet.root, options.base)
    targets = compiled.plan.targets
    uses = image_uses(source.config, fleet, targets, options.addresses, source.path, shown)
    checking = Options(deep=options.deep, budget=options.deep_budget, max_age=options.max_age)
    counter = progress("hubs verify: checked")
    insecure = frozenset(source.config.registries.insecure)
    with RegistryClient(insecure=insecure, deadline=None if options.deep else 900.0) as client:
        checks = verify(uses, client, checking, counter)
    warn(fleet.warnings(), shown)
    sys.stdout.write(REPORTERS[options.format](checks))
    return int(exit_code(checks))


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_report_format(parser)
    parser.add_argument(
        "addresses",
        nargs="*",
        metavar="ADDRESS",
        help="a slot, scope or hub (cluster/hub) whose images to check; none: every image",
    )
    parser.add_argument(
        "--deep",
        action="store_true",
        help="stream layers (top down) to resolve a user name and find jupyterhub-singleuser",
    )
    parser.add_argument(
        "--deep-budget",
        type=size,
        default=size(DEFAULT_BUDGET),
        metavar="SIZE",
        help="bytes streamed per image, at most, counted as received and again as "
        f"decompressed (default: {DEFAULT_BUDGET}); the layers of one image are read "
        "for 300 s at most",
    )
    parser.add_argument(
        "--max-age", type=int, metavar="DAYS", help="fail images created more than DAYS ago"
    )


COMMAND = Command(
    name="verify",
    help="check the images the fleet runs against their registries (read-only)",
    description=(
        "For each distinct image the compiled fleet runs, ask its registry: does the tag (and "
        "pinned digest) exist (a HEAD: Docker Hub does not count it as a pull); does the pod "
        "run as non-root (singleuser.uid, a profile's override, else the image's User); can "
        "it run jupyterhub-singleuser; does it have the platforms its clusters need; how old "
        "is it. --deep streams layers from the top down, within --deep-budget, to settle what "
        "the config cannot. Exits 1 when a check fails, 3 when a registry cannot be reached."
    ),
    examples=(
        "hubs verify",
        "hubs verify alpha/prod --deep",
        "hubs verify --format github --max-age 365",
    ),
    options=VerifyOptions,
    run=run,
    arguments=_arguments,
)
