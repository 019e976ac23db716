"""``hubs import``: state the images a tree has now as a hubs.toml (pins only).

Each image is stated at the level where it is written: the chart default, a shared file
(``[clusters.C.files."F"]``), or a hub's own file (``[clusters.C.hubs.H]``).  Compiling the
result changes no byte of the tree.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import findings, plan
from .address import toml_key as key
from .clusters import Cluster, Hub
from .errors import UNSTATED_RULES, oneline
from .imageref import Written
from .layering import Fleet
from .scan import Slot, ValuesFile

_LISTED = 6  # a shared file's comment names its hubs up to this many


def string(text: str) -> str:
    import tomlkit

    return tomlkit.string(text).as_string()


def render(fleet: Fleet, tree: str = ".", schema: str | None = None) -> str:
    """hubs.toml text for the fleet as it is on disk."""
    lines: list[str] = []
    if schema:
        lines.append(f"#:schema {schema}")
    lines += [
        "# Source of truth for the user images of this fleet; `hubs compile` writes them",
        "# into the values files. A hub with nothing below it inherits every image.",
        f"tree = {string(tree)}",
    ]
    default = fleet.chart().slot("singleuser") if fleet.has_chart() else None
    if default is not None and default.image:
        lines += ["", "[defaults]", f"image = {_pinned(default)}"]
    for cluster in fleet.clusters.values():
        lines += ["", *cluster_lines(fleet, cluster)]
    return "\n".join(lines) + "\n"


def cluster_lines(fleet: Fleet, cluster: Cluster) -> list[str]:
    """The block that states one cluster, as import writes it."""
    return [f"# ---- {cluster.name} ({cluster.path})", *_cluster(fleet, cluster)]


def hub_lines(fleet: Fleet, hub: Hub) -> list[str]:
    """The table (and profile tables) that state one hub's own file, as import writes it."""
    head = f"clusters.{key(hub.cluster)}.hubs.{key(hub.name)}"
    own_path = fleet.own_file(hub)
    body = _scope(head, fleet.hub_file(hub, own_path), fleet) if own_path else []
    return _with_comment(body or [f"[{head}]"], hub.display_name)


def _cluster(fleet: Fleet, cluster: Cluster) -> Iterator[str]:
    base = f"clusters.{key(cluster.name)}"
    own = {fleet.own_file(hub): hub for hub in cluster.hubs}
    shared: list[str] = []
    for hub in cluster.hubs:
        shared.extend(p for p in hub.files if p not in own and p not in shared)
    for path in shared:
        values = fleet.hub_file(fleet.users_of(path)[0], path)
        body = _scope(f"{base}.files.{key(path.rsplit('/', 1)[-1])}", values, fleet)
        if body:
            users = [h.name for h in fleet.users_of(path)]
            shown = ", ".join(users) if len(users) <= _LISTED else f"{len(users)} hubs"
            yield ""
            yield from _with_comment(body, f"shared by {shown}")
    if not cluster.hubs:
        yield f"[{base}]"
    previous_empty = False
    for hub in cluster.hubs:
        lines = hub_lines(fleet, hub)
        bare = len(lines) == 1
        if not bare or not previous_empty:  # hubs that inherit everything stand one a line
            yield ""
        yield from lines
        previous_empty = bare


def _with_comment(body: list[str], comment: str) -> list[str]:
    comment = " ".join(comment.split())
    return [f"{body[0]}  # {comment}", *body[1:]]


def _scope(head: str, values: ValuesFile, fleet: Fleet) -> list[str]:
    lines: list[str] = []
    single = values.slot("singleuser")
    if single is not None and single.image:
        used = fleet.carriers(single)
        unused = "" if used else "  # no hub runs it: later files override it"
        lines.append(f"image = {_pinned(single)}{unused}")
    users = fleet.users_of(values.path)
    if values.profiles and not any(fleet.profile_source(h) == values.path for h in users):
        lines.append("# no hub takes its profileList from this file (a later file replaces it)")
    for name in values.profiles:
        slots = [s for s in values.slots if s.profile == name and s.image is not None]
        image = next((s for s in slots if s.kind == "profile"), None)
        choices = [s for s in slots if s.kind == "choice"]
        prof = f"{head}.profiles.{key(name)}"
        if image is not None:
            lines += ["", f"[{prof}]", f"image = {_stated(image)}"]
        if choices:
            lines += ["", f"[{prof}.choices]" + _alias_note(values, choices)]
            lines += [f"{key(s.choice or '')} = {_stated(s)}" for s in choices]
        if any(s.kind == "unlisted" for s in slots):
            lines.append(
                f"# {name}: users may also type any image (unlisted_choice, "
                "user-controlled); hubs never edits it"
            )
    return [f"[{head}]", *lines] if lines else []


def check_import(text: str, fleet: Fleet) -> None:
    """The promise of import: compiling ``text`` changes no byte.  Refuse to write otherwise."""
    from .load import ConfigError, parse_config
    from .model import Lock

    try:
        config = parse_config(text)
        made = plan.make_plan(config, fleet, Lock())
    except (ConfigError, plan.PlanError) as exc:
        problem = str(exc).splitlines()[0]
    else:
        left = [d for d in findings.find(config, fleet, made.targets) if d.rule in UNSTATED_RULES]
        if not made.changes and not left:
            return
        if made.changes:
            change = made.changes[0]
            problem = f"{change.address} would change ({change.old} -> {change.new})"
        else:
            problem = f"{left[0].key} would not be stated"
    raise plan.PlanError(
        [f"import cannot state this tree exactly: {problem}; nothing written (please report it)"]
    )


def _alias_note(values: ValuesFile, slots: list[Slot]) -> str:
    """A comment naming the profile whose anchored options these choices alias."""
    for slot in slots:
        if slot.aliased:
            index = slot.physical[len(values.prefix) + 3]
            source = next((n for n, i in values.profiles.items() if i == index), "?")
            return f"  # same YAML node as {source!r} ({slot.anchor}): keep them equal"
    return ""


def _stated(slot: Slot) -> str:
    """The TOML value stating what the slot holds: a pin, or a broken image kept as written."""
    value = slot.value
    if isinstance(value, Written):
        why = oneline(value.reason)
        return f"{{ broken = {string(value.text)} }}  # not an image reference: {why}"
    return string(slot.image or "")


def _pinned(slot: Slot) -> str:
    value = slot.value
    if isinstance(value, Written):
        return _stated(slot)
    if value is None or (value.tag is None and value.digest is None):
        raise plan.PlanError(
            [
                f"{slot.file}:{slot.line}: singleuser.image has a name but no tag; "
                "hubs needs both to state it"
            ]
        )
    return string(str(value))
