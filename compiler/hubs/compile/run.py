"""Compile: compute the plan, check the output, then write every changed file once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hubs.compile import findings, plan
from hubs.compile.plan import Plan, PlanError
from hubs.compile.stale import settle
from hubs.compile.validate import check_edits
from hubs.errors import Diagnostic
from hubs.files.paths import inside
from hubs.files.transaction import FileWrite, Transaction
from hubs.policy.load import Source, load_lock
from hubs.policy.model import Lock
from hubs.tree import layering
from hubs.tree.clusters import CHART_VALUES
from hubs.tree.layering import Fleet

if TYPE_CHECKING:
    from hubs.files.treelock import TreeLock


@dataclass(frozen=True, slots=True)
class Compiled:
    source: Source
    fleet: Fleet
    plan: Plan
    findings: tuple[Diagnostic, ...] = ()  # what hubs.toml does not govern yet, broken images


def build(source: Source, fleet: Fleet | None = None, lock: Lock | None = None) -> Compiled:
    """Everything compile would do, computed in memory; raises on bad input."""
    fleet = fleet or layering.load_fleet(source.tree)
    lock = lock if lock is not None else load_lock(source.lock_path)
    gone = settle(source, fleet)
    result = plan.make_plan(source.config, fleet, lock)
    prefixes = {path: fleet.prefix_of(path) for path in (e.path for e in result.edits)}
    errors = check_edits(fleet.root, result.edits, prefixes)
    if errors:
        raise PlanError(errors)
    found = findings.find(source.config, fleet, result.targets, lock)
    return Compiled(source, fleet, result, (*gone, *found))


def write(
    compiled: Compiled | None, lock: TreeLock | None = None, also: Sequence[FileWrite] = ()
) -> list[str]:
    """Write each compiled file whose text changes, and ``also`` (hubs.toml, hubs.lock), in
    one transaction: all or none.  A file already as planned is never touched, and a file
    changed on disk since it was read stops the write before anything is written."""
    txn = Transaction(lock)
    for each in also:
        txn.put(each.path, each.text, expected=each.expected)
    written = stage(compiled, txn) if compiled is not None else []
    txn.commit()
    return written


def stage(compiled: Compiled, txn: Transaction) -> list[str]:
    """Add the compiled files to ``txn`` (with hubs.toml or hubs.lock, for one commit)."""
    root = compiled.fleet.root
    for folder in _folders(compiled.fleet):
        txn.sweep(folder)
    for edit in compiled.plan.edits:
        inside(root, edit.path, edit.path)
        txn.put(root / edit.path, edit.new, shown=str(root / edit.path), expected=edit.old)
    return [edit.path for edit in compiled.plan.edits]


def _folders(fleet: Fleet) -> set[Path]:
    """Every folder compile may write into: where a killed run may have left temp files."""
    files = [cluster.path for cluster in fleet.clusters.values()]
    files += [path for hub in fleet.hubs() for path in hub.files]
    return {(fleet.root / path).parent for path in [*files, CHART_VALUES]}
