"""``hubs lint``: findings about the images the tree holds; exit 1 when there are any."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hubs.cli.commands._common import (
    EXIT_DRIFT,
    EXIT_OK,
    Command,
    ReportOptions,
    add_report_format,
    emit,
    open_fleet,
    prefix,
    source,
    warn,
)
from hubs.policy.kinds import Kind

if TYPE_CHECKING:
    from hubs.errors import Diagnostic
    from hubs.report.reporters import Report
    from hubs.tree.layering import Fleet


def run(options: ReportOptions) -> int:
    from hubs.compile.stale import settle
    from hubs.compile.targets import targets
    from hubs.images.lint import lint

    found = source(options)
    fleet = open_fleet(options, found.tree, found.path.parent)  # through the scan cache
    warn(settle(found, fleet), prefix(fleet.root, options.base))
    wanted = targets(found.config, fleet, None)
    findings = lint(found.config.lint, fleet, wanted)
    held = [t for t in wanted if t.slot.image is not None and t.policy != Kind.USER]
    emit(lint_report(fleet, options, len(held), findings), options.format)
    return EXIT_DRIFT if findings else EXIT_OK


def lint_report(
    fleet: Fleet, options: ReportOptions, slots: int, findings: tuple[Diagnostic, ...]
) -> Report:
    """The findings as a report, in every ``--format``."""
    from hubs.report.reporters import Report

    hubs = sum(1 for _ in fleet.hubs())
    where = prefix(fleet.root, options.base)
    return Report("lint", (), False, slots, hubs, where, (), tuple(fleet.warnings()), findings)


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_report_format(parser)


COMMAND = Command(
    name="lint",
    help="find images that are likely to hurt: Docker Hub, moving tags, stale labels",
    description=(
        "Read the tree and report what each rule finds, with the line, the reason and the "
        "fix: docker-hub (pull limits), mutable-tag (latest or a branch tag without a digest "
        "or imagePullPolicy Always), stale-label (a label naming another version than the "
        "tag), prepuller-copy (a prePuller entry with another tag), unused-image (a "
        "singleuser.image every profile overrides), two-spellings (one repository written "
        "two ways). Turn rules off in hubs.toml under [lint]. Exits 1 when anything is "
        "found; writes nothing and never uses the network."
    ),
    examples=("hubs lint", "hubs lint --format github"),
    options=ReportOptions,
    run=run,
    arguments=_arguments,
)
