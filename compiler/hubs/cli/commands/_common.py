"""What the commands share: where to run, finding and loading hubs.toml, fleet and lock,
and writing reports to stdout and warnings to stderr.

Heavy modules are imported inside the functions that use them, so ``hubs check`` starts
fast and the command line can import every command module to build its parser.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hubs.cli.parser import Command as Command
from hubs.errors import Diagnostic, Exit
from hubs.policy.kinds import Kind

if TYPE_CHECKING:
    from hubs.authoring.setpolicy import Edit
    from hubs.compile.run import Compiled
    from hubs.files.treelock import TreeLock
    from hubs.images.pkgdiff import ImageDiff
    from hubs.policy.load import Source
    from hubs.policy.model import Lock
    from hubs.report.reporters import Report
    from hubs.tree.cache import Store
    from hubs.tree.layering import Fleet

EXIT_OK, EXIT_DRIFT = Exit.OK, Exit.FINDINGS
INVENTORY_FORMATS = ("text", "json")  # hubs list and hubs explain


@dataclass(frozen=True, kw_only=True)
class Where:
    """Where a command runs: every command's options extend this."""

    base: Path  # the folder to run in (-C), resolved
    config: str | None = None  # --config, relative to base; None: found from base upwards
    cache: bool = True  # False: --no-cache (HUBS_CACHE=off also turns it off)


@dataclass(frozen=True, kw_only=True)
class ReportOptions(Where):
    """The options of a command that reports changes (compile, check, diff)."""

    format: str = "text"  # a key of hubs.report.reporters.REPORTERS


DEFAULT_PACKAGES_BUDGET = "4GiB"
_SIZE = re.compile(r"(\d+)\s*(B|KiB|MiB|GiB|TiB)?")
_UNITS = {None: 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def size(text: str) -> int:
    """``2GiB``, ``500MiB``, ``1048576``: a number of bytes."""
    found = _SIZE.fullmatch(text.strip())
    if not found:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 2GiB, 500MiB, 1048576)")
    return int(found[1]) * _UNITS[found[2]]


@dataclass(frozen=True, kw_only=True)
class PackagesOptions(ReportOptions):
    """A report that can show what each image bump changes in the packages (diff, update)."""

    packages: bool = False  # compare the package lists of each changed image
    packages_budget: int = size(DEFAULT_PACKAGES_BUDGET)  # bytes per image, at most


def add_report_format(parser: argparse.ArgumentParser) -> None:
    from hubs.report.reporters import REPORTERS

    parser.add_argument(
        "--format", choices=tuple(REPORTERS), default="text", help="report format (default: text)"
    )


def add_packages(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--packages",
        action="store_true",
        help="for each image that changes, list the conda and pip packages added, removed "
        "and changed (streams both images' layers; each list is kept by manifest digest)",
    )
    parser.add_argument(
        "--packages-budget",
        type=size,
        default=size(DEFAULT_PACKAGES_BUDGET),
        metavar="SIZE",
        help="bytes streamed per image, at most, counted as received and again as "
        f"decompressed (default: {DEFAULT_PACKAGES_BUDGET}); an image's layers are read "
        "for 600 s at most",
    )


def package_diffs(
    options: PackagesOptions, source: Source, compiled: Compiled
) -> tuple[ImageDiff, ...] | None:
    """The package diff of each image pair the compiled changes bump (None: not asked).
    A registry that fails is that pair's note, never the run's failure."""
    if not options.packages:
        return None
    from hubs.images.pkgread import Bump, Options, diffs
    from hubs.registry import RegistryClient

    registries = source.config.registries
    reading = Options(
        budget=options.packages_budget,
        notable=tuple(source.config.packages.notable),
        cache=options.cache,
        mirrors=registries.mirrors,
    )
    bumps = [Bump(c.address, c.old, c.new) for c in compiled.plan.changes]
    with RegistryClient(insecure=frozenset(registries.insecure), deadline=None) as client:
        return diffs(bumps, client, reading, progress("hubs: packages read"))


def add_inventory_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=INVENTORY_FORMATS, default="text", help="output format (default: text)"
    )


def config_path(where: Where) -> Path:
    from hubs.policy.locate import find_config

    given = where.config
    return (where.base / given) if given else find_config(where.base)


@contextmanager
def writer(folder: Path, command: str) -> Iterator[TreeLock]:
    """Hold the writer lock of the hubs.toml in ``folder``, having first undone the write
    of a run killed midway (saying so on stderr)."""
    from hubs.files.transaction import recover
    from hubs.files.treelock import hold

    with hold(folder, command) as held:
        said_undone(recover(folder))
        yield held


def undo_interrupted(folder: Path) -> None:
    """For a command that only reads: undo a killed run's write first, under the lock."""
    from hubs.files.paths import pending

    if pending(folder):
        with writer(folder, "recover"):
            pass


def said_undone(undone: Sequence[str]) -> None:
    if undone:
        print(
            f"hubs: warning: a hubs run was killed while writing; put back the old "
            f"{'file' if len(undone) == 1 else 'files'} {', '.join(undone)}",
            file=sys.stderr,
        )


def hubs_checkout(where: Where, command: str) -> Path:
    """The folder a maintenance command writes into: a checkout of hubs itself (its
    pyproject.toml names the project ``hubs``), never a fleet repository."""
    import tomllib

    from hubs.errors import UsageError

    root = config_path(where).parent if where.config is not None else where.base
    try:
        name = tomllib.loads((root / "pyproject.toml").read_text())["project"]["name"]
    except (OSError, ValueError, KeyError, TypeError):
        name = None
    if name != "hubs":
        raise UsageError(
            f"hubs {command} is a maintenance command of the hubs repository, and "
            f"{os.path.relpath(root, where.base)} is not a checkout of it (its pyproject.toml "
            "does not name the project hubs): nothing written"
        )
    return root


def write_policies(
    held: TreeLock, source: Source, fleet: Fleet, lock: Lock, edits: Sequence[Edit], compile: bool
) -> Compiled | None:
    """hubs.toml with ``edits`` made (comments kept), written with the compiled values files
    when ``compile``, all or none.  The layering must be able to express the new policies:
    that is checked (by compiling, or alone) before anything is written."""
    from hubs.authoring import tomledit
    from hubs.compile import targets
    from hubs.compile.run import build, write
    from hubs.files.transaction import FileWrite
    from hubs.policy.load import Source, parse_config

    text = source.text
    for edit in edits:
        text = tomledit.set_policy(text, edit.address, edit.value)
    updated = Source(source.path, text, parse_config(text, source.path.name))
    compiled = build(updated, fleet, lock) if compile else None
    if compiled is None:
        targets.targets(updated.config, fleet, None)
    write(compiled, held, also=[FileWrite(source.path, text, source.text)])
    return compiled


def source(where: Where) -> Source:
    """hubs.toml, once the write of a run killed midway (if any) is undone: no command
    reads a half-written tree."""
    from hubs.policy.load import load_config

    path = config_path(where)
    undo_interrupted(path.parent)
    return load_config(path, open_cache(where, path.parent, "model"))


def loaded(where: Where, *, warn_gone: bool = False) -> tuple[Source, Fleet, Lock]:
    """hubs.toml, the fleet and hubs.lock.  An entry of hubs.toml new since the last commit
    that names nothing is an error; one the tree no longer has is left out (a warning with
    ``warn_gone``; commands with a report list it among their findings)."""
    from hubs.compile.stale import settle
    from hubs.policy.load import load_lock

    found = source(where)
    fleet = open_fleet(where, found.tree, found.path.parent)
    gone = settle(found, fleet)
    if warn_gone:
        warn(gone, prefix(fleet.root, where.base))
    return found, fleet, load_lock(found.lock_path, open_cache(where, found.path.parent, "model"))


_STORES: list[Store] = []  # the caches opened by this run, saved by save_caches()


def open_fleet(where: Where, tree: Path, beside: Path) -> Fleet:
    """The fleet of ``tree``, scanned through the cache of the hubs.toml in ``beside``
    unless the cache is off."""
    from hubs.tree.layering import load_fleet

    return load_fleet(tree, open_cache(where, beside))


def open_cache(where: Where, beside: Path, kind: str = "scan") -> Store | None:
    """The cache of ``kind`` (``scan``, ``check`` or ``model``) of the hubs.toml in
    ``beside`` (None when off), opened once a run and saved when the run ends."""
    from hubs.tree.cache import file_of, open_store

    path = file_of(beside, kind)
    known = next((store for store in _STORES if store.path == path), None)
    if known is not None:
        return known
    store = open_store(beside, flag_off=not where.cache, kind=kind)
    if store is not None:
        _STORES.append(store)
    return store


def save_caches() -> None:
    """Write what this run added to its caches (never fails the run)."""
    while _STORES:
        _STORES.pop().save()


def prefix(tree: Path, base: Path) -> str:
    rel = os.path.relpath(tree, base)
    return "" if rel == "." else rel.replace(os.sep, "/") + "/"


def emit(report: Report, fmt: str) -> None:
    from hubs.report.reporters import render

    warn(report.warnings, report.prefix)
    sys.stdout.write(render(report, fmt, sys.stdout))


def warn(warnings: Sequence[Diagnostic], prefix: str = "") -> None:
    for warning in warnings:
        print(f"hubs: warning: {warning.moved(prefix)}", file=sys.stderr)


def report(
    compiled: Compiled,
    command: str,
    applied: bool,
    base: Path,
    notes: tuple[str, ...] = (),
    packages: tuple[ImageDiff, ...] | None = None,
) -> Report:
    from hubs.report.reporters import Report

    plan, fleet = compiled.plan, compiled.fleet
    managed = [
        t
        for t in plan.targets
        if t.policy not in (Kind.USER, Kind.UNSTATED)
        and (t.slot.image is not None or t.want is not None)
    ]
    hubs = sum(len(c.hubs) for c in fleet.clusters.values())
    where = prefix(fleet.root, base)
    warnings = tuple(fleet.warnings())
    found = compiled.findings
    return Report(
        command,
        plan.changes,
        applied,
        len(managed),
        hubs,
        where,
        notes,
        warnings,
        found,
        packages=packages,
    )


def progress(what: str) -> Callable[[int, int], None] | None:
    """A counter on stderr (``hubs update: resolved 3/7``), only on a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{what} {done}/{total}", end=end, file=sys.stderr, flush=True)

    return show
