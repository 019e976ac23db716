"""``hubs check``: exit 1 when the tree differs from what hubs.toml compiles to."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hubs.cli.commands._common import (
    EXIT_DRIFT,
    EXIT_OK,
    Command,
    ReportOptions,
    add_report_format,
    config_path,
    emit,
    open_cache,
    prefix,
    report,
    undo_interrupted,
)

if TYPE_CHECKING:
    from hubs.tree.cache import Store


@dataclass(frozen=True, kw_only=True)
class CheckOptions(ReportOptions):
    strict: bool = False  # lint findings are errors (as `[lint] strict = true`)
    lint_counts: bool = False  # text: lint findings counted by rule, not listed


def run(options: CheckOptions) -> int:
    """Replay the last clean check when no file it read changed; else check, and keep a
    clean result (no drift, no finding of any kind) for next time."""
    from hubs.compile.checkcache import replay
    from hubs.policy.locate import read_text

    path = config_path(options)
    undo_interrupted(path.parent)  # never check a tree a killed run left half written
    text = read_text(path)
    store = open_cache(options, path.parent, "check")  # the small file: no scan read
    variant = "strict:" if options.strict else ""
    clean = replay(store, path, variant, text) if store is not None else None
    if clean is not None:
        from hubs.report.reporters import Report

        where = prefix(clean.root, options.base)
        found = Report(
            "check", (), False, clean.slots, clean.hubs, where, (), clean.warnings, clean.findings,
            lint_counts=options.lint_counts,
        )  # fmt: skip
        emit(found, options.format)
        return EXIT_OK
    return _check(options, path, text, store)


def _check(options: CheckOptions, path: Path, text: str, store: Store | None) -> int:
    from dataclasses import replace

    from hubs.compile.checkcache import Checked, record
    from hubs.compile.run import build
    from hubs.images.lint import lint
    from hubs.policy.load import Source, parse_config, read_lock
    from hubs.tree.layering import load_fleet

    models = open_cache(options, path.parent, "model") if store is not None else None
    source = Source(path, text, parse_config(text, path.name, models))
    scans = open_cache(options, path.parent) if store is not None else None
    fleet = load_fleet(source.tree, scans)  # before the lock, as compile reads them
    lock, lock_text = read_lock(source.lock_path, models)
    compiled = build(source, fleet, lock)
    linted = lint(source.config.lint, compiled.fleet, compiled.plan.targets, options.strict)
    compiled = replace(compiled, findings=(*compiled.findings, *linted))
    found = replace(report(compiled, "check", False, options.base), lint_counts=options.lint_counts)
    emit(found, options.format)
    if store is not None and found.clean and not found.notes:  # lint warnings are kept too
        kept = Checked(text, source.config.tree, lock_text, found.slots, found.findings)
        record(store, path, "strict:" if options.strict else "", kept, compiled.fleet)
    return EXIT_OK if found.clean else EXIT_DRIFT


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_report_format(parser)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on lint findings too (as `[lint] strict = true` in hubs.toml)",
    )
    parser.add_argument(
        "--lint-counts",
        action="store_true",
        help="text report: lint findings counted by rule on one line, not listed (`hubs lint` "
        "lists them)",
    )


COMMAND = Command(
    name="check",
    help="exit 1 when the tree differs from hubs.toml (CI, pre-commit)",
    description=(
        "Compile hubs.toml in memory and compare the result with the files on disk. Exits 0 "
        "when they match and 1 when `hubs compile` would change a file, reporting each slot "
        "that differs; writes nothing and never uses the network. Made for CI and pre-commit. "
        "Lint findings (`hubs lint`) are shown as warnings, or fail the check with --strict "
        "or `[lint] strict = true`."
    ),
    examples=(
        "hubs check",
        "hubs check --format github",
        "hubs check --strict",
        "hubs check --lint-counts",
    ),
    options=CheckOptions,
    run=run,
    arguments=_arguments,
)
