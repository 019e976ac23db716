"""``hubs update``: resolve follow-latest slots from their registries into hubs.lock."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hubs.cli.commands._common import (
    EXIT_OK,
    Command,
    PackagesOptions,
    add_packages,
    add_report_format,
    config_path,
    emit,
    loaded,
    package_diffs,
    progress,
    report,
)

if TYPE_CHECKING:
    from hubs.files.treelock import TreeLock


@dataclass(frozen=True, kw_only=True)
class UpdateOptions(PackagesOptions):
    addresses: tuple[str, ...] = ()  # the slots to update; none: every follow slot
    dry_run: bool = False  # report, write nothing


def run(options: UpdateOptions) -> int:
    from hubs.cli.commands._common import writer as hold

    with hold(config_path(options).parent, "update") as held:
        return _update(options, held)


def _update(options: UpdateOptions, held: TreeLock) -> int:
    from hubs.compile.run import build, write
    from hubs.files.transaction import FileWrite
    from hubs.follow.resolve import resolve_all
    from hubs.follow.update import update
    from hubs.policy.load import dump_lock
    from hubs.registry import RegistryClient

    source, fleet, lock = loaded(options)
    counter = progress("hubs update: resolved")
    insecure = frozenset(source.config.registries.insecure)
    with RegistryClient(insecure=insecure) as client:
        result = update(
            source.config,
            fleet,
            lock,
            options.addresses,
            lambda reqs: resolve_all(reqs, client, progress=counter),
        )
    compiled = build(source, fleet, result.lock)
    lock_text = dump_lock(result.lock)
    if source.lock_path.exists():
        lock_changed = source.lock_path.read_text(encoding="utf-8") != lock_text
    else:
        lock_changed = bool(result.lock.slots)  # no follow slot: no lock file is needed
    if not options.dry_run:
        also = [FileWrite(source.lock_path, lock_text)] if lock_changed else []
        write(compiled, held, also=also)
    said = "would change" if options.dry_run else "updated"
    notes = result.notes + ((f"{source.lock_path.name} {said}",) if lock_changed else ())
    packages = package_diffs(options, source, compiled)
    applied = not options.dry_run
    emit(report(compiled, "update", applied, options.base, notes, packages), options.format)
    return EXIT_OK


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_report_format(parser)
    parser.add_argument(
        "addresses",
        nargs="*",
        metavar="ADDRESS",
        help="a follow slot (or hub or file scope) to update; none: every follow slot",
    )
    parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
    add_packages(parser)


COMMAND = Command(
    name="update",
    help="resolve follow-latest slots from registries into hubs.lock",
    description=(
        "Ask the registries for the tags of every repository a follow-latest slot follows "
        "(each once, concurrently), pick the newest tag each policy allows, and write "
        "hubs.lock and the values files; if any slot fails, nothing is written. A locked tag "
        "is never downgraded unless the policy allows it."
    ),
    examples=(
        "hubs update",
        "hubs update --dry-run --format markdown",
        "hubs update --packages --format markdown",
        "hubs update 'beta/daskhub-common.values.yaml:profiles/cpu/choices/pangeo'",
    ),
    options=UpdateOptions,
    run=run,
    arguments=_arguments,
)
