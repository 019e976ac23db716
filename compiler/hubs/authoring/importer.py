"""``hubs import``: state the images a tree has now as a hubs.toml (pins only).

Each image is stated at the level where it is written: the chart default, a shared file
(``[clusters.C.files."F"]``), or a hub's own file (``[clusters.C.hubs.H]``).  Compiling the
result changes no byte of the tree.
"""

from __future__ import annotations

from collections.abc import Iterator

from hubs.compile import findings, plan
from hubs.errors import UNSTATED_RULES, oneline
from hubs.policy.address import toml_key as key
from hubs.policy.imageref import Written
from hubs.policy.load import parse_config
from hubs.policy.locate import ConfigError
from hubs.policy.model import Lock
from hubs.tree.clusters import Cluster, Hub
from hubs.tree.layering import Fleet
from hubs.tree.scan import Slot, ValuesFile

_LISTED = 6  # a shared file's comment names its hubs up to this many
_UNUSED = "no hub runs it: later files override it"  # the note on an image no hub runs

# A file's own image as import states it: the TOML value, and the notes on it.
_Image = tuple[str, tuple[str, ...]]


def string(text: str) -> str:
    import tomlkit  # heavy (20 ms): adopt imports this module, and may add no table

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
        value, note = _pinned(default)
        lines += ["", "[defaults]", f"image = {value}" + (f"  # {note}" if note else "")]
    for cluster in fleet.clusters.values():
        lines += ["", *cluster_lines(fleet, cluster)]
    return "\n".join(lines) + "\n"


def cluster_lines(fleet: Fleet, cluster: Cluster) -> list[str]:
    """The block that states one cluster, as import writes it."""
    body = list(_cluster(fleet, cluster))
    return [f"# ---- {cluster.name} ({cluster.path})", *body[1:]]  # no blank under the rule


def _head(hub: Hub) -> str:
    return f"clusters.{key(hub.cluster)}.hubs.{key(hub.name)}"


def hub_lines(fleet: Fleet, hub: Hub) -> list[str]:
    """The table (and profile tables) that state one hub's own file, as import writes it."""
    return _hub(fleet, hub)[0]


def _hub(fleet: Fleet, hub: Hub) -> tuple[list[str], _Image | None]:
    """A hub's tables, and the image its own file sets."""
    head = _head(hub)
    own_path = fleet.own_file(hub)
    values = fleet.hub_file(hub, own_path) if own_path else None
    image = _image(values, fleet) if values is not None else None
    body = _scope(head, values, fleet, image, hub.display_name) if values is not None else []
    return body or [_header(head, "", hub.display_name)], image


def _cluster(fleet: Fleet, cluster: Cluster) -> Iterator[str]:
    base = f"clusters.{key(cluster.name)}"
    own = {fleet.own_file(hub): hub for hub in cluster.hubs}
    shared: list[str] = []
    for hub in cluster.hubs:
        shared.extend(p for p in hub.files if p not in own and p not in shared)
    files: list[str] = []
    blocks: list[list[str]] = []
    for path in shared:
        name = key(path.rsplit("/", 1)[-1])
        values = fleet.hub_file(fleet.users_of(path)[0], path)
        image = _image(values, fleet)
        body = _scope(f"{base}.files.{name}", values, fleet, image, _users(fleet, path))
        if body:
            _one_line(f"{base}.files.{name}", name, (body, image), files, blocks)
    listed, tables = _hubs(fleet, cluster)
    if files:  # files that set only their image: one line each, in one table
        yield from ("", f"[{base}.files]", *files)
    for block in blocks:  # files with profile images: their tables
        yield from ("", *block)
    if listed:  # hubs that set at most their image, likewise (right below a files list)
        yield from ([] if files and not blocks else [""])
        yield from (f"[{base}.hubs]", *listed)
    for block in tables:  # hubs with profile images of their own: their tables
        yield from ("", *block)
    if not cluster.hubs:  # a cluster before its first hub is listed all the same
        yield from ("", f"[{base}]")


def _hubs(fleet: Fleet, cluster: Cluster) -> tuple[list[str], list[list[str]]]:
    """One line per hub whose own file sets no image or only ``image`` (``h = {}``,
    ``h.image = "..."``), and the tables of the other hubs."""
    listed: list[str] = []
    tables: list[list[str]] = []
    for hub in cluster.hubs:
        _one_line(_head(hub), key(hub.name), _hub(fleet, hub), listed, tables)
    return listed, tables


def _one_line(
    head: str,
    name: str,
    stated: tuple[list[str], _Image | None],
    listed: list[str],
    tables: list[list[str]],
) -> None:
    """A scope that sets nothing, or only ``image``, as one line of its parent table
    (``h = {}``, ``h.image = "..."``, its comments joined); else its tables as they are."""
    lines, image = stated
    title = f"[{head}]"
    if not lines[0].startswith(title) or len(lines) != (1 if image is None else 2):
        tables.append(lines)
        return
    comment = lines[0].removeprefix(title).removeprefix("  # ")  # from _header
    notes = ((comment,) if comment else ()) + (image[1] if image is not None else ())
    stating = f"{name} = {{}}" if image is None else f"{name}.image = {image[0]}"
    listed.append(stating + (f"  # {'; '.join(notes)}" if notes else ""))


def _users(fleet: Fleet, path: str) -> str:
    users = [h.name for h in fleet.users_of(path)]
    shown = ", ".join(users) if len(users) <= _LISTED else f"{len(users)} hubs"
    return f"shared by {shown}" if len(users) > 1 else f"used by {shown} (not its own file)"


def _header(table: str, note: str, comment: str | None) -> str:
    """A table's header line: the scope's comment (on the header that carries the scope),
    then the table's own note."""
    notes = ([" ".join(comment.split())] if comment is not None else []) + ([note] if note else [])
    return f"[{table}]" + (f"  # {'; '.join(notes)}" if notes else "")


def _image(values: ValuesFile, fleet: Fleet) -> _Image | None:
    """The file's own singleuser image, if it sets one."""
    single = values.slot("singleuser")
    if single is None or not single.image:
        return None
    value, note = _pinned(single)
    return value, ((note,) if note else ()) + (() if fleet.carriers(single) else (_UNUSED,))


def _scope(
    head: str, values: ValuesFile, fleet: Fleet, image: _Image | None, comment: str
) -> list[str]:
    """The tables stating one file: its image, then one table per profile with images.

    A profile whose images are the same YAML nodes as another's (an anchor) is stated once,
    with its name on the defining table; users' own images (``unlisted_choice``) are noted
    once per file.  A scope that sets no image of its own has no table of its own.
    """
    lines: list[str] = []
    if image is not None:
        lines.append(f"image = {image[0]}" + "".join(f"  # {note}" for note in image[1]))
    users = fleet.users_of(values.path)
    if values.profiles and not any(fleet.profile_source(h) == values.path for h in users):
        lines.append("# no hub takes its profileList from this file (a later file replaces it)")
    unlisted = [n for n in values.profiles if values.slot("unlisted", n) is not None]
    if unlisted:
        lines.append(
            f"# users may also type any image in: {', '.join(unlisted)} (hubs never edits it)"
        )
    tables = list(_profile_tables(head, values, comment if image is None else None))
    if image is not None:
        return [_header(head, "", comment), *lines, *tables]
    if not tables:
        return [_header(head, "", comment), *lines] if lines else []
    return [tables[1], *lines, *tables[2:]]  # the first profile table carries the scope


def _profile_tables(head: str, values: ValuesFile, comment: str | None) -> Iterator[str]:
    """One table per profile with images; the first carries ``comment`` when one is given."""
    aliases = _alias_owners(values)
    for name in values.profiles:
        if name in aliases:
            continue  # stated by the profile whose anchor it aliases
        slots = [s for s in values.slots if s.profile == name and s.image is not None]
        image = next((s for s in slots if s.kind == "profile"), None)
        choices = [s for s in slots if s.kind == "choice"]
        prof = f"{head}.profiles.{key(name)}"
        also = [alias for alias, owner in aliases.items() if owner == name]
        note = f"also {', '.join(also)} (the same YAML node, an anchor)" if also else ""
        if image is not None:
            yield ""
            yield _header(prof, note, comment)
            yield f"image = {_stated(image)}"
            note, comment = "", None
        if choices:
            yield ""
            yield _header(f"{prof}.choices", note, comment)
            comment = None
            yield from (f"{key(s.choice or '')} = {_stated(s)}" for s in choices)


def _alias_owners(values: ValuesFile) -> dict[str, str]:
    """Profile -> the profile whose images it aliases, when all of them are aliased."""
    defined = {(s.physical): s.profile for s in values.slots if not s.aliased and s.profile}
    out: dict[str, str] = {}
    for name in values.profiles:
        slots = [s for s in values.slots if s.profile == name and s.image is not None]
        owners = {defined.get(s.physical) for s in slots if s.kind != "unlisted"}
        if slots and all(s.aliased for s in slots) and len(owners) == 1 and None not in owners:
            owner = owners.pop()
            if owner is not None and owner != name:
                out[name] = owner
    return out


def check_import(text: str, fleet: Fleet) -> None:
    """The promise of import: compiling ``text`` changes no byte.  Refuse to write otherwise."""
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


def _stated(slot: Slot) -> str:
    """The TOML value stating what the slot holds (a pin, or a broken image kept as
    written), with the note on it."""
    value, note = _value(slot)
    return f"{value}  # {note}" if note else value


def _value(slot: Slot) -> tuple[str, str]:
    """The TOML value stating what the slot holds, and why it is broken ("" if it is not)."""
    value = slot.value
    if isinstance(value, Written):
        why = oneline(value.reason)
        return f"{{ broken = {string(value.text)} }}", f"not an image reference: {why}"
    return string(slot.image or ""), ""


def _pinned(slot: Slot) -> tuple[str, str]:
    """:func:`_value` for a singleuser image, which must have a tag (or a digest)."""
    value = slot.value
    if isinstance(value, Written):
        return _value(slot)
    if value is None or (value.tag is None and value.digest is None):
        raise plan.PlanError(
            [
                f"{slot.file}:{slot.line}: singleuser.image has a name but no tag; "
                "hubs needs both to state it"
            ]
        )
    return string(str(value)), ""
