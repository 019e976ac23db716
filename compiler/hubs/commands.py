"""The commands: each loads what it needs, computes everything, then writes and reports.

Every function takes the parsed flags and the folder to run in, and returns an exit code;
:mod:`hubs.cli` parses the flags and maps exceptions to exit codes.  Heavy modules are
imported inside the commands that use them, so ``hubs check`` starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:
    from .compile import Compiled
    from .layout import Fleet
    from .load import Source
    from .model import Lock
    from .report import Report
    from .treelock import TreeLock

EXIT_OK, EXIT_DRIFT = 0, 1




def _config_path(args: argparse.Namespace, base: Path) -> Path:
    from .load import find_config

    given = getattr(args, "config", None)
    return (base / given) if given else find_config(base)


def _source(args: argparse.Namespace, base: Path) -> Source:
    from .load import load_config

    return load_config(_config_path(args, base))


def _prefix(tree: Path, base: Path) -> str:
    rel = os.path.relpath(tree, base)
    return "" if rel == "." else rel.replace(os.sep, "/") + "/"


def _emit(report: Report, fmt: str) -> None:
    from .report import render

    _warn(report.warnings, report.prefix)
    sys.stdout.write(render(report, fmt, sys.stdout))


def _warn(warnings: Sequence[str], prefix: str = "") -> None:
    for warning in warnings:
        print(f"hubs: warning: {prefix}{warning}", file=sys.stderr)


def _report(
    compiled: Compiled, command: str, applied: bool, base: Path, notes: tuple[str, ...] = ()
) -> Report:
    from .report import Report

    plan, fleet = compiled.plan, compiled.fleet
    managed = [
        t
        for t in plan.targets
        if t.policy != "user-controlled" and (t.slot.image is not None or t.want is not None)
    ]
    hubs = sum(len(c.hubs) for c in fleet.clusters.values())
    prefix = _prefix(fleet.root, base)
    warnings = tuple(fleet.warnings())
    return Report(command, plan.changes, applied, len(managed), hubs, prefix, notes, warnings)


def cmd_compile(args: argparse.Namespace, base: Path) -> int:
    from .compile import build, write
    from .treelock import hold

    with hold(_config_path(args, base).parent, "compile") as held:
        compiled = build(_source(args, base))
        write(compiled, held)
    _emit(_report(compiled, "compile", True, base), args.format)
    return EXIT_OK


def cmd_check(args: argparse.Namespace, base: Path) -> int:
    from .compile import build

    compiled = build(_source(args, base))
    _emit(_report(compiled, "check", False, base), args.format)
    return EXIT_OK if compiled.plan.clean else EXIT_DRIFT


def cmd_diff(args: argparse.Namespace, base: Path) -> int:
    from .compile import build

    compiled = build(_source(args, base))
    _emit(_report(compiled, "diff", False, base), args.format)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, base: Path) -> int:
    from .schemas import write_schemas

    root = _config_path(args, base).parent if hasattr(args, "config") else base
    for path in write_schemas(root):
        print(f"wrote {os.path.relpath(path, base)}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, base: Path) -> int:
    from .load import CONFIG_NAME
    from .treelock import hold

    with hold((base / getattr(args, "config", CONFIG_NAME)).parent, "import") as held:
        return _import(args, base, held)


def _import(args: argparse.Namespace, base: Path, held: TreeLock) -> int:
    from .compile import write
    from .importer import check_import, render
    from .layout import load_fleet
    from .load import CONFIG_NAME
    from .transaction import FileWrite

    target = base / getattr(args, "config", CONFIG_NAME)
    if target.exists() and not args.force:
        raise UsageError(f"{target}: exists already; use --force to overwrite it")
    tree = os.path.relpath(base, target.parent).replace(os.sep, "/")
    fleet = load_fleet(base)
    text = render(fleet, tree)
    check_import(text, fleet)
    _warn(fleet.warnings())
    write(None, held, also=[FileWrite(target, text)])
    print(f"wrote {os.path.relpath(target, base)}", file=sys.stderr)
    return EXIT_OK


def _loaded(args: argparse.Namespace, base: Path) -> tuple[Source, Fleet, Lock]:
    from .layout import load_fleet
    from .load import load_lock

    source = _source(args, base)
    return source, load_fleet(source.tree), load_lock(source.lock_path)


def cmd_list(args: argparse.Namespace, base: Path) -> int:
    from .inventory import render_rows, rows

    source, fleet, lock = _loaded(args, base)
    sys.stdout.write(render_rows(rows(source.config, fleet, lock), args.format))
    _warn(fleet.warnings())
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, base: Path) -> int:
    from .inventory import explain, render_explain

    source, fleet, lock = _loaded(args, base)
    sys.stdout.write(render_explain(explain(source.config, fleet, lock, args.address), args.format))
    _warn(fleet.warnings())
    return EXIT_OK


def cmd_set(args: argparse.Namespace, base: Path) -> int:
    from .treelock import hold

    with hold(_config_path(args, base).parent, "set") as held:
        return _set(args, base, held)


def _set(args: argparse.Namespace, base: Path, held: TreeLock) -> int:
    from . import targets, tomledit
    from .compile import build, write
    from .load import Source, parse_config
    from .transaction import FileWrite

    source, fleet, lock = _loaded(args, base)
    address = tomledit.parse_address(args.address)
    known = targets.addresses(source.config, fleet)
    if address.text not in known and (reason := targets.why_not(fleet, address.text)):
        raise targets.PlanError([reason])
    tomledit.check_known(address, known)
    value = _policy_value(args, address)
    aliases = targets.aliases_of(source.config, fleet, address.text)
    text = source.text
    for each in (address, *(tomledit.parse_address(a) for a in aliases)):
        text = tomledit.set_policy(text, each, value)
    updated = Source(source.path, text, parse_config(text, source.path.name))
    targets.targets(updated.config, fleet, None)  # the layering must be able to express it
    compiled = build(updated, fleet, lock) if args.compile else None  # fails before writing
    write(compiled, held, also=[FileWrite(source.path, text, source.text)])  # all or none
    print(f"{args.address}: {_describe(value)}", file=sys.stderr)
    for alias in aliases:
        print(
            f"{alias}: {_describe(value)} too (the same YAML node, through an anchor)",
            file=sys.stderr,
        )
    if compiled is not None:
        _emit(_report(compiled, "compile", True, base), "text")
    else:
        _warn(fleet.warnings())
    return EXIT_OK


def _policy_value(args: argparse.Namespace, address: object) -> str | dict[str, object] | None:
    from . import imageref

    if not args.follow and (args.match or args.order or args.range or args.digest):
        raise UsageError("--match, --order, --range and --digest go with --follow")
    if args.inherit:
        return None
    if args.pin:
        try:
            ref = imageref.parse(args.pin)
        except imageref.ReferenceError as exc:
            raise UsageError(str(exc)) from None
        if ref.tag is None and ref.digest is None:
            raise UsageError(f"--pin {args.pin}: give a tag or a digest (name:tag)")
        return str(args.pin)
    if not args.order:
        raise UsageError("--follow needs --order (semver, calver, numeric, alphabetical, pushed)")
    value: dict[str, object] = {"follow": args.follow}
    if args.match:
        value["match"] = args.match
    value["order"] = args.order
    if args.range:
        value["range"] = args.range
    if args.digest:
        value["digest"] = True
    return value


def _describe(value: object) -> str:
    if value is None:
        return "inherit"
    if isinstance(value, str):
        return f"pinned to {value}"
    return f"follows {value}"


def cmd_update(args: argparse.Namespace, base: Path) -> int:
    from .treelock import hold

    with hold(_config_path(args, base).parent, "update") as held:
        return _update(args, base, held)


def _update(args: argparse.Namespace, base: Path, held: TreeLock) -> int:
    from .compile import build, write
    from .load import dump_lock
    from .registry import RegistryClient
    from .resolve import resolve_all
    from .transaction import FileWrite
    from .update import update

    source, fleet, lock = _loaded(args, base)
    progress = _progress if sys.stderr.isatty() else None
    insecure = frozenset(source.config.registries.insecure)
    with RegistryClient(insecure=insecure) as client:
        result = update(
            source.config,
            fleet,
            lock,
            args.addresses,
            lambda reqs: resolve_all(reqs, client, progress=progress),
        )
    compiled = build(source, fleet, result.lock)
    lock_text = dump_lock(result.lock)
    if source.lock_path.exists():
        lock_changed = source.lock_path.read_text(encoding="utf-8") != lock_text
    else:
        lock_changed = bool(result.lock.slots)  # no follow slot: no lock file is needed
    if not args.dry_run:
        also = [FileWrite(source.lock_path, lock_text)] if lock_changed else []
        write(compiled, held, also=also)
    said = "would change" if args.dry_run else "updated"
    notes = result.notes + ((f"{source.lock_path.name} {said}",) if lock_changed else ())
    _emit(_report(compiled, "update", not args.dry_run, base, notes), args.format)
    return EXIT_OK


def _progress(done: int, total: int) -> None:
    end = "\n" if done == total else ""
    print(f"\rhubs update: resolved {done}/{total}", end=end, file=sys.stderr, flush=True)
