"""Compile: compute the plan, check the output, then write every changed file once."""

from __future__ import annotations

from dataclasses import dataclass

from . import layering, plan
from .fileio import WriteError, read_raw, write_atomic
from .layering import Fleet
from .load import Source, load_lock
from .model import Lock
from .plan import Plan, PlanError


@dataclass(frozen=True, slots=True)
class Compiled:
    source: Source
    fleet: Fleet
    plan: Plan


def build(source: Source, fleet: Fleet | None = None, lock: Lock | None = None) -> Compiled:
    """Everything compile would do, computed in memory; raises on bad input."""
    from .validate import check_edits

    fleet = fleet or layering.load_fleet(source.tree)
    lock = lock if lock is not None else load_lock(source.lock_path)
    result = plan.make_plan(source.config, fleet, lock)
    prefixes = {path: fleet.prefix_of(path) for path in (e.path for e in result.edits)}
    errors = check_edits(fleet.root, result.edits, prefixes)
    if errors:
        raise PlanError(errors)
    return Compiled(source, fleet, result)


def write(compiled: Compiled) -> list[str]:
    """Write each file whose text changes; a file already as planned is never touched.

    Every file is checked first, so a file changed on disk since the plan stops the
    write before anything is written.
    """
    edits = compiled.plan.edits
    for edit in edits:
        target = compiled.fleet.root / edit.path
        if read_raw(target) != edit.old:
            raise WriteError(f"{target}: changed on disk while compiling; nothing written")
    for edit in edits:
        write_atomic(compiled.fleet.root / edit.path, edit.new)
    return [edit.path for edit in edits]
