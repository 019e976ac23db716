"""What ``hubs set`` writes: the policy edits of hubs.toml, computed and checked first.

One slot (and the slots aliasing its YAML node) gets a pin, a follow-latest table, the
inherit marker, or a hold on its follow policy; or every slot pinned to one repository is
retagged at once.  A pin of ``:TAG`` keeps the slot's repository.  Reads only: the command
applies the edits with :mod:`hubs.authoring.tomledit` and writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hubs.compile.targets import PlanError, Target, addresses, aliases_of, targets, unknown
from hubs.errors import UsageError, close_match, shown
from hubs.policy import imageref
from hubs.policy.address import Address, parse
from hubs.policy.imageref import ImageRef
from hubs.policy.kinds import Kind
from hubs.policy.load import Source
from hubs.policy.model import INHERIT, Follow
from hubs.tree.layering import Fleet


@dataclass(frozen=True, slots=True)
class Hold:
    """Hold a follow slot on its locked tag (for ever, or until a day), or release it."""

    hold: bool = False
    until: str | None = None  # YYYY-MM-DD
    release: bool = False


@dataclass(frozen=True, slots=True)
class Edit:
    """One policy to write, and the line that confirms it."""

    address: Address
    value: str | dict[str, Any]
    said: str


def one(source: Source, fleet: Fleet, text: str, change: object) -> list[Edit]:
    """The edits that set one slot (and its aliases) as ``change`` asks."""
    config = source.config
    address = parse(text)
    known = addresses(config, fleet)
    if address not in known:  # the same answer as explain's
        raise PlanError([unknown(config, fleet, text)])
    wanted = {t.address: t for t in targets(config, fleet, None)}
    value = _value(wanted.get(address), address, change)
    said = _said(value)
    group = [address, *aliases_of(config, fleet, address)]
    where = _stated_at(group, wanted)
    first = f"{address}: {said}"
    if address not in where:
        first += f" (stated once, at {where[0]}: the same YAML node, through an anchor)"
    edits = [Edit(where[0], value, first)]
    edits += [
        Edit(alias, value, f"{alias}: {said} too (the same YAML node, through an anchor)")
        for alias in where[1:]
    ]
    return edits


def _stated_at(group: list[Address], wanted: dict[Address, Target]) -> list[Address]:
    """Where hubs.toml states an anchored group: the addresses that state it already, else
    the one at the anchor (an anchored group is stated once)."""
    direct = [
        a
        for a in group
        if (t := wanted.get(a)) is not None and t.through is None and t.policy != Kind.UNSTATED
    ]
    if direct:
        return [group[0]] + [a for a in direct if a != group[0]] if group[0] in direct else direct
    site = [a for a in group if (t := wanted.get(a)) is not None and not t.slot.aliased]
    return site[:1] or group[:1]


def _value(target: Target | None, address: Address, change: object) -> str | dict[str, Any]:
    if isinstance(change, Hold):
        return _held(target, address, change)
    if isinstance(change, dict):
        return _follow(change)
    assert isinstance(change, str)
    if change == INHERIT:
        return INHERIT
    return str(_pin(change, _repository(target)))


def _repository(target: Target | None) -> ImageRef | None:
    """The slot's repository: its pin in hubs.toml, else what the tree holds."""
    if target is None:
        return None
    for value in (target.source, target.slot.value):
        if isinstance(value, ImageRef):
            return value
    return None


def _pin(text: str, repository: ImageRef | None) -> ImageRef:
    if text.startswith(":"):
        if repository is None:
            raise UsageError(f"--pin {text}: this slot has no image to take the repository from")
        _check_own_tag(text)
        text = f"{repository.name}{text}"
    try:
        ref = imageref.parse(text)
    except imageref.BadReference as exc:
        raise UsageError(str(exc)) from None
    if ref.tag is None and ref.digest is None:
        raise UsageError(f"--pin {text}: give a tag or a digest (name:tag)")
    return ref


def _future_day(text: str) -> date:
    """The day of ``--hold-until``: a valid day, today or later (a past one holds nothing)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--hold-until {shown(text)}: not a day (YYYY-MM-DD)") from None
    if day < date.today():
        raise UsageError(
            f"--hold-until {day}: that day is past, so nothing would be held; give a later "
            "day, or --hold to hold it with no end"
        )
    return day


def _check_own_tag(text: str) -> None:
    """``:TAG`` (or ``:TAG@DIGEST``) checked alone: a bad tag is blamed, not the repository."""
    tag, _, digest = text.removeprefix(":").partition("@")
    try:
        imageref.check_tag(tag)
        if digest:
            imageref.check_digest(digest)
    except imageref.BadReference as exc:
        raise UsageError(f"--pin {text}: {exc}") from None


def _follow(table: dict[str, Any]) -> dict[str, Any]:
    from pydantic import ValidationError  # heavy (35 ms): only --follow validates

    from hubs.policy import schema  # Pydantic's models, likewise

    try:
        schema.Follow.model_validate(table)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        flag = f"--{where}" if where else "--follow"
        raise UsageError(f"{flag}: {message}") from None
    return table


def _held(target: Target | None, address: Address, change: Hold) -> dict[str, Any]:
    policy = target.source if target is not None else None
    if not isinstance(policy, Follow):
        raise UsageError(f"{address}: --hold and --release apply to follow-latest slots only")
    table: dict[str, Any] = {"follow": str(policy.follow), "match": policy.match}
    table["order"] = policy.order
    optional = {"range": policy.range, "digest": policy.digest}
    table.update({k: v for k, v in optional.items() if v})
    if policy.allow_downgrade:
        table["allow_downgrade"] = True
    if change.release:
        return table
    if change.until is not None:
        table["hold_until"] = _future_day(change.until)
    else:
        table["hold"] = True
    return table


def _said(value: str | dict[str, Any]) -> str:
    if value == INHERIT:
        return "inherit"
    if isinstance(value, str):
        return f"pinned to {value}"
    return f"follows {_inline(value)}"


def _inline(table: dict[str, Any]) -> str:
    """The TOML inline table as written to hubs.toml."""
    import tomlkit  # heavy (20 ms): only describing a follow policy needs it

    inline = tomlkit.inline_table()
    inline.update(table)
    return str(inline.as_string()).strip()


# ---------------------------------------------------------------- retag by repository


def bulk(
    source: Source,
    fleet: Fleet,
    repository: str,
    narrow: tuple[str | None, str | None, str | None],
    pin: str,
) -> list[Edit]:
    """Retag every slot pinned to ``repository`` (narrowed by cluster, hub, file)."""
    try:
        wanted = imageref.parse(repository)
    except imageref.BadReference as exc:
        raise UsageError(f"--image: {exc}") from None
    _check_narrow(fleet, narrow)
    pinned = [t for t in targets(source.config, fleet, None) if isinstance(t.source, ImageRef)]
    scoped = [t for t in pinned if _in_scope(t.address, narrow)]
    found = [t for t in scoped if _repo(t).canonical_name == wanted.canonical_name]
    if not found:
        names = sorted({_repo(t).name for t in scoped})
        raise UsageError(
            f"--image {repository}: no slot is pinned to it"
            + (" here" if any(narrow) else "")
            + close_match(repository, names)
        )
    edits = []
    for target in found:
        old = _repo(target)
        new = _retagged(old, pin)
        if new != old:
            edits.append(Edit(target.address, str(new), f"{target.address}: {old} -> {new}"))
    return edits


def _check_narrow(fleet: Fleet, narrow: tuple[str | None, str | None, str | None]) -> None:
    """A cluster or hub that does not exist, or a hub outside the cluster, is a usage error:
    retagging nothing there would hide the typo."""
    cluster, hub, _file = narrow
    fleet.check_names(cluster, hub)
    if cluster is not None and hub is not None and hub.partition("/")[0] != cluster:
        raise UsageError(f"--hub {hub} is not in --cluster {cluster}")


def _repo(target: Target) -> ImageRef:
    assert isinstance(target.source, ImageRef)
    return target.source


def _retagged(old: ImageRef, pin: str) -> ImageRef:
    if pin.startswith(":") or ("/" not in pin and ":" not in pin and "@" not in pin):
        return _pin(f":{pin.removeprefix(':')}", old)
    return _pin(pin, old)


def _in_scope(address: Address, narrow: Sequence[str | None]) -> bool:
    cluster, hub, file = narrow
    scope = address.scope
    if cluster is not None and scope.cluster != cluster:
        return False
    if hub is not None and not (scope.kind == "hub" and str(scope) == hub):
        return False
    return file is None or (scope.kind == "file" and str(scope) == file)
