"""``hubs list`` and ``hubs explain``: what every slot holds, and why a hub runs an image."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hubs.compile import targets
from hubs.compile.targets import PlanError, Target, address_of
from hubs.errors import clipped, oneline
from hubs.policy import imageref
from hubs.policy.address import Address
from hubs.policy.kinds import Kind
from hubs.policy.model import Config, Follow, Lock, Promote, dumped
from hubs.tree import configurator, counterpart
from hubs.tree.clusters import CHART_VALUES, Hub
from hubs.tree.default_profile import default_of
from hubs.tree.layering import Fleet, Offer, SlotKey, key_of


@dataclass(frozen=True, slots=True)
class Row:
    address: str
    file: str
    line: int
    path: tuple[str | int, ...]
    image: str | None
    policy: str
    hubs: tuple[str, ...]  # the hubs that run this image (reach)
    overridden_in: tuple[str, ...] = ()  # hubs whose layers carry it but never run it

    @property
    def registry(self) -> str | None:
        """The registry the image is pulled from (``docker.io`` when none is written)."""
        ref = None if self.image is None else imageref.read(self.image)
        return ref.registry if isinstance(ref, imageref.ImageRef) else None

    def as_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "file": self.file,
            "line": self.line,
            "path": list(self.path),
            "image": self.image,
            "registry": self.registry,
            "policy": self.policy,
            "hubs": list(self.hubs),
            "overridden_in": list(self.overridden_in),
        }


def rows(config: Config, fleet: Fleet, lock: Lock) -> list[Row]:
    """One row per slot that holds an image now or has a policy other than inherit."""
    out = []
    for target in targets.targets(config, fleet, lock):
        slot = target.slot
        if slot.image is None and target.policy == Kind.INHERIT:
            continue
        out.append(
            Row(
                str(target.address),
                slot.file,
                slot.line,
                slot.path,
                slot.image,
                target.policy,
                tuple(fleet.reach(slot)),
                tuple(fleet.overridden_in(slot)),
            )
        )
    return out


def _lines(lines: list[str]) -> str:
    """Lines for a terminal: each escaped (the tree's text may hold control characters)
    and a huge value shortened."""
    return "".join(clipped(oneline(line)) + "\n" for line in lines)


# ---------------------------------------------------------------- what an offer runs


@dataclass(frozen=True, slots=True)
class Runs:
    """One image a hub can run: for which profile and choice, from which slot."""

    profile: str | None
    choice: str | None
    how: str  # choice, profile, singleuser, unlisted, option, hub-config, binderhub
    address: str
    image: str | None
    policy: str
    picks: tuple[tuple[str, str | None], ...] = ()  # the choice of each option that sets one

    def as_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "choice": self.choice,
            "picks": dict(self.picks),
            "from": self.how,
            "address": self.address,
            "image": self.image,
            "policy": self.policy,
        }


USER_TYPED = "(any image users type)"
BUILT = "(the image BinderHub builds from a repository)"
SHOWN = {"unlisted": USER_TYPED, "binderhub": BUILT}


def runs_of(fleet: Fleet, offer: Offer, by_key: dict[SlotKey, Target]) -> Runs:
    """The image ``offer`` runs, where it is written and its policy."""
    if offer.source is None:  # an image hubs does not manage (or BinderHub builds)
        where = offer.written or "-"
        policy = Kind.USER if offer.how == "unlisted" else Kind.UNMANAGED
        return Runs(
            *(offer.profile, offer.choice, offer.how), where, offer.image, policy, offer.picks
        )
    target = by_key.get(offer.source)
    slot = target.slot if target is not None else fleet.slot_at(offer.source)
    image = slot.image if slot is not None else None
    if target is not None:
        address, policy = str(target.address), target.policy
    else:  # the chart default with no [defaults] in hubs.toml
        address = "defaults:image" if offer.source[0] == CHART_VALUES else offer.source[0]
        policy = Kind.UNSTATED if image is not None else Kind.INHERIT
    return Runs(offer.profile, offer.choice, offer.how, address, image, policy, offer.picks)


# ---------------------------------------------------------------- explain


def explain(config: Config, fleet: Fleet, lock: Lock, address: str) -> dict[str, Any]:
    all_targets = targets.targets(config, fleet, lock)
    by_address = {str(t.address): t for t in all_targets}
    if address in by_address:
        data = _explain_slot(fleet, lock, by_address[address])
        if isinstance(by_address[address].source, Promote):
            data["chain"] = _chain(fleet, by_address[address], all_targets)
        return data
    hub = _find_hub(fleet, address)
    if hub is None:
        raise PlanError([targets.unknown(config, fleet, address)])
    return _explain_hub(fleet, hub, by_address)


def _find_hub(fleet: Fleet, address: str) -> Hub | None:
    cluster, _, name = address.partition("/")
    found = fleet.clusters.get(cluster)
    return found.hub(name) if found else None


def _explain_slot(fleet: Fleet, lock: Lock, target: Target) -> dict[str, Any]:
    slot = target.slot
    data: dict[str, Any] = {
        "address": str(target.address),
        "file": slot.file,
        "line": slot.line,
        "image": slot.image,
        "policy": target.policy,
        "wants": None if target.want is None else str(target.want),
        "in_sync": not target.differs or target.policy == Kind.USER,
        "hubs": fleet.reach(slot),
        "overridden_in": fleet.overridden_in(slot),
        "binderhub_in": fleet.binderhub_in(slot),
    }
    if isinstance(target.source, Follow):
        entry = lock.slots.get(str(target.address))
        data["follow"] = dumped(target.source, drop_none=True)
        data["lock"] = dumped(entry, drop_none=True) if entry else None
    if isinstance(target.source, Promote):
        entry = lock.slots.get(str(target.address))
        data["promote"] = dumped(target.source, drop_none=True)
        data["lock"] = dumped(entry, drop_none=True) if entry else None
    if slot.aliased:
        data["anchor"] = {"name": slot.anchor, "defined_at": list(slot.physical)}
    return data


def _chain(fleet: Fleet, target: Target, wanted: list[Target]) -> list[dict[str, Any]]:
    """The slots a promote slot takes its image from, one step per promote policy on the
    way (the load checks have ruled out cycles and missing sources)."""
    by_key = {key_of(t.slot): t for t in wanted}
    out: list[dict[str, Any]] = []
    step: Target | None = target
    while step is not None and isinstance(step.source, Promote):
        key = counterpart.source_of(fleet, step)
        source = None if key is None else by_key.get(key)
        slot = None if key is None else fleet.slot_at(key)
        if key is None or slot is None or len(out) > len(wanted):
            break
        out.append(
            {
                "hub": step.source.promote,
                "address": str(source.address) if source else None,
                "image": slot.image,
                "file": slot.file,
                "line": slot.line,
                "policy": source.policy if source else Kind.INHERIT,
            }
        )
        step = source
    return out


def _explain_hub(fleet: Fleet, hub: Hub, by_address: dict[str, Target]) -> dict[str, Any]:
    layers = []
    winner = fleet.image_source(hub)
    for path in (CHART_VALUES, *hub.files):
        values = fleet.chart() if path == CHART_VALUES else fleet.hub_file(hub, path)
        slot = values.slot("singleuser")
        image = slot.image if slot is not None else None
        cluster = hub.cluster
        address = str(Address(fleet.scope_of(cluster, path)))
        target = by_address.get(address)
        layers.append(
            {
                "file": path,
                "line": slot.line if slot is not None else 0,
                "image": image,
                "address": address,
                "policy": target.policy if target else Kind.INHERIT,
                "wins": path == winner,
            }
        )
    data: dict[str, Any] = {
        "hub": hub.address,
        "display_name": hub.display_name,
        "chart": hub.chart,
        "singleuser_image": next((layer["image"] for layer in layers if layer["wins"]), None),
        "layers": layers,
        "configurator": configurator.enabled(fleet.root, hub),
    }
    spawner = fleet.spawner(hub)
    if spawner.binderhub:
        data["binderhub"] = BINDERHUB
    if spawner.image.value is not None and spawner.image.file is not None:
        data["hub_config_image"] = {
            "image": spawner.image.value,
            "file": spawner.image.file,
            "line": spawner.image.line,
        }
    source = fleet.profile_source(hub)
    data["profile_list_from"] = source
    if source is not None:
        values = fleet.hub_file(hub, source)
        scope = fleet.scope_of(hub.cluster, source)
        data["profiles"] = [
            {
                "address": str(address_of(scope, s)),
                "image": s.image,
                "line": s.line,
                "policy": by_address[str(address_of(scope, s))].policy,
            }
            for s in values.slots
            if s.kind != "singleuser" and s.image is not None
        ]
        combined = _combinations(fleet, hub, by_address)
        if combined:
            data["combinations"] = combined
        if data["profiles"]:
            data["note"] = _fallback_note(fleet, hub)
        default = default_of(fleet, hub)
        if default is not None:
            data["default"] = {
                "profile": default.profile,
                "profile_by": "default: true" if default.profile_marked else "first",
                "choice": default.choice,
                "choice_by": "default: true" if default.choice_marked else "first",
            }
    return data


BINDERHUB = (
    "custom.binderhubUI.enabled and BinderSpawnerMixin.auth_enabled false: every server "
    "runs the image BinderHub builds from a repository, never these"
)


def _combinations(fleet: Fleet, hub: Hub, by_address: dict[str, Target]) -> list[dict[str, Any]]:
    """What each combination of the choices of options that set the image runs."""
    by_key = {key_of(t.slot): t for t in by_address.values()}
    return [runs_of(fleet, o, by_key).as_json() for o in fleet.offers(hub) if o.picks]


def _combination_lines(found: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for index, run in enumerate(found):
        if index == 0 or found[index - 1]["profile"] != run["profile"]:
            lines.append(
                f"  profile {run['profile']}, options applied in this order, the last image wins:"
            )
        picks = ", ".join(
            f"{option} {'(typed)' if choice is None else choice}"
            for option, choice in run["picks"].items()
        )
        image = SHOWN.get(run["from"]) or run["image"] or "-"
        lines.append(f"     {picks}: {image} ({run['address']}) [{run['policy']}]")
    return lines


def _fallback_note(fleet: Fleet, hub: Hub) -> str:
    hows = {offer.how for offer in fleet.offers(hub)}
    if "hub-config" in hows:
        return "profiles without an image run hub.config.KubeSpawner.image"
    if "singleuser" in hows:
        return "profiles without an image run singleuser.image"
    return "every profile and choice sets its own image, so singleuser.image is not used"


def _reach_line(hubs: list[str], overridden: list[str]) -> str:
    text = f"  reaches {len(hubs)} hub{'s' * (len(hubs) != 1)}: {', '.join(hubs)}"
    if not hubs:
        text = "  reaches no hub"
    if overridden:
        text += f"{'; ' if hubs else ': '}overridden in {', '.join(overridden)} "
        text += "(no profile or choice there falls back to it)"
    return text


def _promote_lines(data: dict[str, Any]) -> list[str]:
    policy, entry = data["promote"], data["lock"]
    lines = [f"  promotes {policy['promote']}'s image after {policy['after']}"]
    if policy.get("hold") or policy.get("hold_until"):
        lines[0] += " (held)"
    if entry is None:
        lines.append("  lock: no entry (`hubs update` resolves it)")
    elif entry.get("since"):
        ran = f"which has run it since {entry['since']}"
        lines.append(f"  lock: {entry['image']}:{entry['tag']} from {entry['source']}, {ran}")
    else:
        kept = f"{entry['image']}:{entry['tag']}"
        lines.append(f"  lock: {kept}, its own image, kept until the source's has run long enough")
    for step in data["chain"]:
        where = step["address"] or f"{step['file']} (not stated)"
        lines.append(
            f"  <- {step['hub']}: {where}: {step['image'] or '(not set)'} "
            f"({step['file']}:{step['line']}, {step['policy']})"
        )
    return lines


def _default_line(found: dict[str, Any]) -> str:
    text = f"  default: profile {found['profile']} ({found['profile_by']})"
    if found["choice"] is not None:
        text += f", choice {found['choice']} ({found['choice_by']})"
    return text


def render_explain(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    if "hub" not in data:
        lines = [
            f"{data['address']}: {data['image'] or '(not set)'}",
            f"  {data['file']}:{data['line']}",
            f"  policy: {data['policy']}"
            + (f" -> {data['wants']}" if data["wants"] and data["wants"] != data["image"] else ""),
        ]
        if "follow" in data:
            lines.append(f"  follows: {data['follow']}")
            lines.append(f"  lock: {data['lock']}")
        if "promote" in data:
            lines.extend(_promote_lines(data))
        if "anchor" in data:
            lines.append(f"  shared through {data['anchor']['name']}: an edit changes every alias")
        lines.append(_reach_line(data["hubs"], data["overridden_in"]))
        if data["binderhub_in"]:
            lines.append(f"  BinderHub supplies the image in {', '.join(data['binderhub_in'])}")
        return _lines(lines)
    lines = [
        f"{data['hub']} ({data['display_name']}, {data['chart']})",
        f"  singleuser.image: {data['singleuser_image']}",
    ]
    for layer in data["layers"]:
        mark = "=>" if layer["wins"] else "  "
        where = f"{layer['file']}:{layer['line']}" if layer["line"] else layer["file"]
        lines.append(f"  {mark} {where}: {layer['image'] or '-'} [{layer['policy']}]")
    if data.get("hub_config_image"):
        found = data["hub_config_image"]
        lines.append(
            f"  hub.config.KubeSpawner.image: {found['image']} ({found['file']}:{found['line']}), "
            "over singleuser.image [not managed]"
        )
    if data.get("binderhub"):
        lines.append(f"  BinderHub supplies the image: {data['binderhub']}")
    if data.get("profile_list_from"):
        lines.append(f"  profileList from {data['profile_list_from']}:")
        for prof in data.get("profiles", []):
            lines.append(f"     {prof['address']}: {prof['image']} [{prof['policy']}]")
        if not data.get("profiles"):
            lines.append("     (no profile sets an image: the hub runs singleuser.image)")
        lines.extend(_combination_lines(data.get("combinations", [])))
        if data.get("default"):
            lines.append(_default_line(data["default"]))
        if data.get("note"):
            lines.append(f"  note: {data['note']}")
    if data.get("configurator"):
        lines.append(f"  note: {configurator.NOTE}")
    return _lines(lines)
