"""Policies to targets: which value every image slot must hold, and why.

Takes each hubs.toml scope bound to its values file (:mod:`hubs.compile.scopes`), checks that the
layering can express every policy, and turns each policy into the image its slot must hold
(follow-latest through hubs.lock).  Reads only; every "which file wins" question goes to
:mod:`hubs.tree.layering`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from hubs.compile.scopes import Bound, bind, key_error
from hubs.errors import Diagnostic, InputError, close_match, shorten, shown
from hubs.policy import imageref
from hubs.policy.address import Address, Scope, SlotKind, parse
from hubs.policy.imageref import Image, ImageRef
from hubs.policy.kinds import Kind
from hubs.policy.model import Broken, Config, Follow, Lock, Policy, Promote
from hubs.policy.model import Scope as ScopePolicy
from hubs.tree import counterpart
from hubs.tree.clusters import CHART_VALUES
from hubs.tree.layering import Fleet
from hubs.tree.scan import Slot, ValuesFile

PolicyKind = Kind  # the kind of policy a slot is under (hubs.policy.kinds)


class PlanError(InputError):
    """Policies that cannot be carried out; one diagnostic per problem."""


@dataclass(frozen=True, slots=True)
class Target:
    """What one slot must hold, and why."""

    address: Address
    slot: Slot
    policy: PolicyKind
    want: Image | None  # None: the key must be absent (inherit)
    source: Policy | None
    through: Address | None = None  # stated by this alias of the same YAML node

    @property
    def differs(self) -> bool:
        """The tree holds something else than the policy asks for."""
        return self.slot.value != self.want


def _through_aliases(wanted: list[Target]) -> list[Target]:
    """A slot hubs.toml does not state, whose YAML node an anchored alias states, takes that
    alias's policy: one anchored group is stated once (``through`` names where)."""
    stating: dict[tuple[str, object], Target] = {}
    for target in wanted:
        if target.policy not in (Kind.UNSTATED, Kind.USER):
            stating.setdefault((target.slot.file, target.slot.physical), target)
    out = []
    for target in wanted:
        by = stating.get((target.slot.file, target.slot.physical))
        if target.policy == Kind.UNSTATED and by is not None:
            target = replace(
                target, policy=by.policy, want=by.want, source=by.source, through=by.address
            )
        out.append(target)
    return out


def address_of(scope: Scope, slot: Slot) -> Address:
    return Address(scope, slot.kind, slot.profile, slot.choice)


def _slot_error(address: Address, message: str) -> Diagnostic:
    return key_error(address.keys, message, str(address))


# ---------------------------------------------------------------- policies to targets


def targets(config: Config, fleet: Fleet, lock: Lock | None) -> list[Target]:
    """Every managed slot of the tree with the value its policy asks for (computed once a
    run for this config and lock: a new list each call).

    With ``lock`` None, follow-latest slots are not resolved (their ``want`` is None).
    """
    return list(fleet.answer("targets", (config, lock), lambda: _targets(config, fleet, lock)))


def _targets(config: Config, fleet: Fleet, lock: Lock | None) -> tuple[Target, ...]:
    bound, errors = bind(config, fleet)
    out: list[Target] = []
    if config.defaults is not None:
        slot = fleet.chart().slot("singleuser")
        if slot is None:
            errors.append(
                Diagnostic("no jupyterhub.singleuser map to hold the default", CHART_VALUES)
            )
        else:
            address = Address(Scope.defaults())
            out.append(_target(address, slot, config.defaults.image, lock, errors))
    for item in bound:
        out.extend(_scope_targets(item, lock, errors))
    _check_hub_scopes_take_effect(fleet, bound)
    errors += counterpart.check(fleet, out)
    if errors:
        raise PlanError(errors)
    return tuple(_through_aliases(out))


def _check_hub_scopes_take_effect(fleet: Fleet, bound: list[Bound]) -> None:
    """Warn about a hub-level image or profile that a later file overrides for that very
    hub: it is written, but does nothing (a warning, so that import still states it)."""
    setters = [item.file.path for item in bound if item.policy.image is not None]
    for item in bound:
        hub, values = item.hub, item.file
        if hub is None:
            continue
        later = fleet.later_setters(hub, values.path, setters)
        if item.policy.image is not None and later:
            fleet.warn(
                _no_effect(
                    values,
                    f"{item.scope.key}.image has no effect: {later[-1]} comes later in "
                    f"the values files of {hub.address} and sets singleuser.image too",
                )
            )
        source = fleet.profile_source(hub)
        if item.policy.profiles and values.has_profile_list and source != values.path:
            fleet.warn(
                _no_effect(
                    values,
                    f"{item.scope.key}.profiles have no effect: {hub.address} takes "
                    f"its profileList from {source}, a later file (Helm replaces lists)",
                )
            )


def _no_effect(values: ValuesFile, message: str) -> Diagnostic:
    return Diagnostic(message, values.path, 1, severity="warning", rule="no-effect")


def _scope_targets(item: Bound, lock: Lock | None, errors: list[Diagnostic]) -> Iterator[Target]:
    values, policy = item.file, item.policy
    for slot in values.slots:
        address = address_of(item.scope, slot)
        if slot.kind == "unlisted":
            yield Target(address, slot, Kind.USER, slot.value, None)
            continue
        yield _target(address, slot, _policy_for(policy, slot), lock, errors)
    if policy.image is not None and values.slot("singleuser") is None:
        prefix = (*values.prefix, "jupyterhub", "singleuser", "image")
        slot = Slot(values.path, "singleuser", None, None, prefix, prefix, 0, None)
        yield _target(Address(item.scope), slot, policy.image, lock, errors)


def _policy_for(scope: ScopePolicy, slot: Slot) -> Policy | None:
    if slot.kind == "singleuser":
        return scope.image
    profile = scope.profiles.get(slot.profile or "")
    if profile is None:
        return None
    return profile.image if slot.kind == "profile" else profile.choices.get(slot.choice or "")


def _target(
    address: Address,
    slot: Slot,
    policy: Policy | None,
    lock: Lock | None,
    errors: list[Diagnostic],
) -> Target:
    if policy is None:  # not stated: the tree's value stays (an empty slot stays empty)
        kind = Kind.UNSTATED if slot.image is not None else Kind.INHERIT
        return Target(address, slot, kind, slot.value, None)
    if isinstance(policy, str):  # the word "inherit", the only string policy
        if address.scope.kind == "defaults":
            errors.append(_slot_error(address, "the chart default cannot inherit; pin an image"))
        return Target(address, slot, Kind.INHERIT, None, policy)
    if isinstance(policy, ImageRef):
        if slot.kind == "singleuser" and policy.tag is None:
            errors.append(_slot_error(address, "singleuser.image needs a tag (name:tag[@digest])"))
        return Target(address, slot, Kind.PINNED, policy, policy)
    if isinstance(policy, Broken):
        kept = imageref.read(policy.broken)
        if slot.value != kept:
            errors.append(
                _slot_error(
                    address,
                    "{ broken = ... } keeps the text the tree holds, and the tree holds "
                    f"{shown(slot.image or '(nothing)')}; pin an image instead",
                )
            )
        return Target(address, slot, Kind.BROKEN, kept, policy)
    resolved = Kind.PROMOTE if isinstance(policy, Promote) else Kind.FOLLOW
    if lock is None:
        return Target(address, slot, resolved, None, policy)
    if pending(address, policy, lock) is not None:  # left as it is until `hubs update`
        return Target(address, slot, Kind.PENDING, slot.value, policy)
    entry = lock.slots[str(address)]
    digest = policy.digest if isinstance(policy, Follow) else entry.digest is not None
    return Target(address, slot, resolved, entry.reference(digest), policy)


def pending(address: Address, policy: Follow | Promote, lock: Lock) -> str | None:
    """Why hubs.lock cannot say what a follow or promote slot holds (None when it can)."""
    entry = lock.slots.get(str(address))
    if entry is None:
        if isinstance(policy, Promote):
            return f"promotes {policy.promote}'s image but hubs.lock has no entry for it"
        return f"follows {policy.follow} but hubs.lock has no entry for it"
    if entry.policy != policy.fingerprint():
        return "the policy changed since hubs.lock was written"
    if isinstance(policy, Follow) and entry.image != policy.follow:
        return "the policy changed since hubs.lock was written"
    return None


# ---------------------------------------------------------------- questions about addresses


def addresses(config: Config, fleet: Fleet) -> list[Address]:
    """Every address a policy can be set on (all slots, and ``image`` of every scope)."""
    bound, errors = bind(config, fleet)
    if errors:
        raise PlanError(errors)
    out = [Address(Scope.defaults())]
    for item in bound:
        out.append(Address(item.scope))
        out.extend(
            address_of(item.scope, s) for s in item.file.slots if s.kind in ("profile", "choice")
        )
    return list(dict.fromkeys(out))


def aliases_of(config: Config, fleet: Fleet, address: Address) -> list[Address]:
    """The other addresses that name the same YAML node as ``address`` (through aliases)."""
    found = {t.address: t.slot for t in targets(config, fleet, None)}
    slot = found.get(address)
    if slot is None:
        return []
    node = (slot.file, slot.physical)
    return [a for a, s in found.items() if a != address and (s.file, s.physical) == node]


def why_not(fleet: Fleet, address: Address) -> str | None:
    """Why the layering has no slot at ``address``, when there is a reason to tell."""
    scope = address.scope
    cluster = fleet.clusters.get(scope.cluster)
    hub = cluster.hub(scope.name) if cluster and scope.kind == "hub" else None
    if hub is None:
        return None
    own = fleet.own_file(hub)
    if own is None:
        return (
            f"{address}: hub {hub.address} has no values file of its own (each of its files "
            "is shared with other hubs), so a hub-level image cannot be written; add a file "
            "for it to cluster.yaml, or set the image on the shared file"
        )
    source = fleet.profile_source(hub)
    if address.kind == "singleuser" or source == own:
        return None  # the profile or choice is mistyped: a did-you-mean says more
    where = f"from {source}" if source else "from no file"
    there = ""
    if source is not None:
        at = Address(fleet.scope_of(hub.cluster, source), *_slot_of(address))
        values = fleet.hub_file(hub, source)
        if values.slot(at.kind, at.profile, at.choice) is not None:
            there = f" ({at})"
    return (
        f"{address}: {hub.address} takes its profileList {where} (Helm replaces lists, "
        f"the last file wins): set profile images on that file's scope{there}"
    )


def _slot_of(address: Address) -> tuple[SlotKind, str | None, str | None]:
    return address.kind, address.profile, address.choice


def unknown(config: Config, fleet: Fleet, text: str) -> str:
    """What to say of an address that names no slot (nor hub): why the layering has none,
    else a did-you-mean among the addresses of the same cluster, and of the same hub for a
    hub-level address.  ``set`` and ``explain`` both ask here, so a typo gets one answer."""
    try:
        address: Address | None = parse(text)
    except InputError:
        address = None
    if address is not None and (reason := why_not(fleet, address)):
        return reason
    slots = [str(a) for a in addresses(config, fleet)]
    slots += [str(t.address) for t in targets(config, fleet, None) if t.slot.kind == "unlisted"]
    if text in slots:  # explain only: set takes it
        scope = text.partition(":")[0]
        see = f"hubs explain {scope}" if address and address.scope.kind == "hub" else "hubs list"
        return (
            f"{text}: no file holds an image here yet (`hubs set` can give it one); "
            f"`{see}` shows what runs"
        )
    if ":" not in text and (said := _a_file(text, slots)):
        return said
    hubs = [hub.address for hub in fleet.hubs()]
    near = _in_scope(fleet, text, slots if ":" in text else hubs)
    noun = "slot" if ":" in text else "hub or slot"
    return f"{shorten(text)}: no such {noun}" + close_match(text, near)


def _a_file(text: str, slots: list[str]) -> str | None:
    """What to say of a values file named where a hub was expected: its ``:image`` address
    (else its first slot's), and where to see the rest."""
    inside = [slot for slot in slots if slot.partition(":")[0] == text]
    if not inside:
        return None
    offered = f"{text}:image" if f"{text}:image" in inside else inside[0]
    cluster = text.partition("/")[0]
    return (
        f"{shorten(text)}: a values file, not a hub (did you mean {offered!r}?); "
        f"`hubs list --cluster {cluster}` lists its slots"
    )


def _in_scope(fleet: Fleet, text: str, known: list[str]) -> list[str]:
    """The addresses of ``known`` in the cluster ``text`` names (all when it names none),
    and of its hub when it names one."""
    head = text.partition(":")[0]
    if head == "defaults":
        return [a for a in known if a.startswith("defaults:")]
    cluster, _, name = head.partition("/")
    if cluster not in fleet.clusters:
        return known
    same = [a for a in known if a.partition("/")[0] == cluster]
    if ":" in text and fleet.clusters[cluster].hub(name) is not None:
        return [a for a in same if a.partition(":")[0] == head]
    return same
