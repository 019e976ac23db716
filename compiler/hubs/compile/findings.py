"""What the tree holds that hubs.toml does not govern yet, and images that cannot run.

Each finding is a :class:`~hubs.errors.Diagnostic` with its place, a rule name and the fix
that fits: a hub or cluster that hubs.toml does not list, a slot whose image hubs.toml does
not state (``compile`` leaves it alone; ``check`` fails until it is adopted or asked to be
removed), and an image that is not a reference at all.  Computed from targets; reads only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from hubs.compile.scopes import missing
from hubs.compile.targets import Target, pending
from hubs.errors import Diagnostic
from hubs.policy.imageref import Written
from hubs.policy.kinds import Kind
from hubs.policy.model import Config, Follow, Lock, Promote
from hubs.tree.layering import Fleet

TEMPLATE = "{value}"


def find(
    config: Config, fleet: Fleet, targets: Iterable[Target], lock: Lock | None = None
) -> tuple[Diagnostic, ...]:
    """Every finding of the fleet, in the order of its targets (hubs and clusters first)."""
    wanted = list(targets)
    found = [*missing(config, fleet), *_slot_findings(wanted)]
    if lock is not None:
        found += [_pending(t, lock) for t in wanted if t.policy == Kind.PENDING]
    return tuple(found)


def _pending(target: Target, lock: Lock) -> Diagnostic:
    assert isinstance(target.source, Follow | Promote)
    why = pending(target.address, target.source, lock) or "not resolved"
    return Diagnostic(
        f"{why} (compile leaves the slot as it is)",
        target.slot.file,
        target.slot.line,
        key=str(target.address),
        rule="pending",
        fix=f"`hubs update '{target.address}'` resolves it",
    )


def _slot_findings(targets: list[Target]) -> Iterator[Diagnostic]:
    """One finding per YAML node (aliases share one), in the order of the targets."""
    nodes: dict[tuple[str, object], list[Target]] = {}
    for target in targets:
        if target.policy != Kind.USER:
            nodes.setdefault((target.slot.file, target.slot.physical), []).append(target)
    for group in nodes.values():
        first = group[0]
        if isinstance(first.slot.value, Written):
            yield _broken(first)
        elif all(t.policy == Kind.UNSTATED for t in group):
            yield _unstated(first, [str(t.address) for t in group[1:]])


def _unstated(target: Target, aliases: list[str]) -> Diagnostic:
    address = target.address
    also = f"; also {', '.join(aliases)}, the same YAML node" if aliases else ""
    return Diagnostic(
        f"{target.slot.image} is in the tree but not in hubs.toml (compile leaves it alone{also})",
        target.slot.file,
        target.slot.line,
        key=str(address),
        rule="unstated",
        fix=f"`hubs adopt '{address}'` states it; `hubs set '{address}' --inherit` asks "
        "for its removal",
    )


def _broken(target: Target) -> Diagnostic:
    value = target.slot.value
    assert isinstance(value, Written)
    address = target.address
    fix = f"`hubs set '{address}' --pin IMAGE:TAG` replaces it"
    if TEMPLATE in value.text:
        where = (
            "; this block is a choice named `unlisted_choice`, indented one level too deep"
            if target.slot.choice == "unlisted_choice"
            else ""
        )
        return Diagnostic(
            f"the `{TEMPLATE}` template only works in `unlisted_choice`{where}",
            target.slot.file,
            target.slot.line,
            key=str(address),
            rule="misplaced-template",
            fix=fix,
        )
    return Diagnostic(
        f"not an image reference: {value.reason}",
        target.slot.file,
        target.slot.line,
        key=str(address),
        rule="not-a-reference",
        fix=fix,
    )
