"""``hubs set``: change one slot's policy in hubs.toml, keeping comments and layout (tomlkit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hubs.policy.address import Address, dotted, toml_key
from hubs.policy.load import shared_prefix, table_headers


def set_policy(text: str, address: Address, value: str | dict[str, Any] | None) -> str:
    """hubs.toml text with the policy at ``address`` set (None: removed, i.e. inherit)."""
    import tomlkit  # heavy (20 ms): adopt and reconcile often edit nothing

    keys = address.keys
    if value is None:
        return remove(text, keys)
    doc = tomlkit.parse(text)
    inline_from = _inline_at(doc, keys[:-1])
    if inline_from is None and not _has_table(doc, keys[:-1]):  # where import would put it
        line = f"{toml_key(keys[-1])} = {_value(value).as_string()}"
        return insert_block(text, [f"[{dotted(keys[:-1])}]", line], keys[:-1])
    table: Any = doc
    for depth, key in enumerate(keys[:-1]):
        if key not in table:  # inside a one-line scope (`h = {}`) the scope stays one line
            inside = inline_from is not None and depth >= inline_from
            table[key] = tomlkit.inline_table() if inside else tomlkit.table(depth < len(keys) - 2)
        table = table[key]
    table[keys[-1]] = _value(value)
    return tomlkit.dumps(doc)


def remove(text: str, keys: tuple[str, ...]) -> str:
    """hubs.toml text without the entry at ``keys`` (a cluster, hub, file, profile or
    choice, with everything under it); profile tables left empty go too.  A cluster's
    ``# ---- NAME (...)`` heading, which import writes, goes with the cluster."""
    import tomlkit  # heavy (20 ms): adopt and reconcile often edit nothing

    doc = tomlkit.parse(_without_tables(text, keys))
    _remove(doc, keys)  # what is left: keys written inside a parent table
    out = tomlkit.dumps(doc)
    left = tomlkit.parse(out)
    scope = keys[:4]
    if len(keys) > 4 and scope[2] == "hubs" and not _has_table(left, scope):
        out = _listed(out, scope)
    elif len(keys) > 2 and not _has_table(left, keys[:2]):
        out = _listed(out, keys[:2])
    if len(keys) == 2:
        heading = f"# ---- {keys[1]} ("
        out = "".join(
            line for line in out.splitlines(keepends=True) if not line.startswith(heading)
        )
    return out


def _without_tables(text: str, keys: tuple[str, ...]) -> str:
    """``text`` without the tables at or under ``keys``, line by line: each from its header
    to the comments above the next header, which belong to that one (tomlkit would drop
    them with the table)."""
    body = text.splitlines(keepends=True)
    headers = table_headers(text)
    gone = [n for n, path in headers if tuple(path[: len(keys)]) == keys]
    for start in reversed(gone):
        later = [n for n, _ in headers if n > start]
        end = _block_start(body, later[0]) if later else len(body)
        del body[start:end]
    return "".join(body)


def _listed(text: str, scope: tuple[str, ...]) -> str:
    """``text`` with the hub or cluster of ``scope`` listed again (its own table, where
    import would put it): removing the last table under one must not unlist it."""
    return insert_block(text, [f"[{dotted(scope)}]"], scope)


def value_at(text: str, keys: tuple[str, ...]) -> Any:
    """The policy written at ``keys`` as tomlkit holds it, so that :func:`set_policy`
    writes it elsewhere exactly as written (None when nothing is written there)."""
    import tomlkit  # heavy (20 ms): adopt and reconcile often edit nothing

    table: Any = tomlkit.parse(text)
    for key in keys:
        if not isinstance(table, dict) or key not in table:
            return None
        table = table[key]
    return table


def _value(value: str | dict[str, Any]) -> Any:
    import tomlkit.items  # heavy (20 ms): adopt and reconcile often edit nothing

    if isinstance(value, tomlkit.items.Item):  # moved as written
        return value

    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update(value)
        return inline
    return tomlkit.item(value)


def _inline_at(doc: Any, keys: tuple[str, ...]) -> int | None:
    """The depth of the first inline table (``h = {}``) on the way down ``keys``, if any."""
    import tomlkit.items  # heavy (20 ms): adopt and reconcile often edit nothing

    table = doc
    for depth, key in enumerate(keys):
        if key not in table:
            return None
        table = table[key]
        if isinstance(table, tomlkit.items.InlineTable):
            return depth
    return None


def _has_table(doc: Any, keys: tuple[str, ...]) -> bool:
    table = doc
    for key in keys:
        if key not in table:
            return False
        table = table[key]
    return True


def insert_block(
    text: str,
    lines: list[str],
    keys: tuple[str, ...],
    before: Sequence[tuple[str, ...]] = (),
) -> str:
    """``text`` with a block of tables inserted where a table at ``keys`` belongs: before
    the first table (with its comments) whose key path starts with one of ``before``, else
    after the tables that share the longest head of its key path (its scope, its cluster),
    else at the end."""
    body = text.splitlines(keepends=True)
    at = _insert_at(text, body, list(keys), before)
    newline = "\r\n" if "\r\n" in text else "\n"
    block = [line + newline for line in lines]
    head, tail = body[:at], body[at:]
    if head and not head[-1].endswith(("\n", "\r")):
        head[-1] += newline
    if head and head[-1].strip():
        block.insert(0, newline)
    if tail and tail[0].strip():
        block.append(newline)
    return "".join(head + block + tail)


def _insert_at(
    text: str, body: list[str], keys: list[str], before: Sequence[tuple[str, ...]]
) -> int:
    headers = table_headers(text)
    for head in before:
        found = [n for n, path in headers if tuple(path[: len(head)]) == head]
        if found:
            return _block_start(body, found[0])
    best = max((shared_prefix(found, keys) for _, found in headers), default=0)
    if best < 2:  # nothing of its cluster: after the last table
        return len(body)
    group = [(n, found) for n, found in headers if shared_prefix(found, keys) >= best]
    last = group[-1][0]
    following = [n for n, _ in headers if n > last]
    end = _block_start(body, following[0]) if following else len(body)
    while end > last + 1 and not body[end - 1].strip():
        end -= 1
    return end


def _block_start(body: list[str], header: int) -> int:
    """The first comment line of the comments (and blank lines) right above a header."""
    start = header
    while start > 0 and (not body[start - 1].strip() or body[start - 1].lstrip().startswith("#")):
        start -= 1
    while start < header and not body[start].strip():
        start += 1
    return start


def _remove(doc: Any, keys: tuple[str, ...]) -> None:
    chain = [doc]
    for key in keys[:-1]:
        if key not in chain[-1]:
            return
        chain.append(chain[-1][key])
    if keys[-1] not in chain[-1]:
        return
    del chain[-1][keys[-1]]
    # drop profile tables left empty, never a hub's own table (it must stay listed)
    floor = keys.index("profiles") if "profiles" in keys else len(keys)
    for depth in range(len(keys) - 2, floor - 1, -1):
        if len(chain[depth + 1]) == 0:
            del chain[depth][keys[depth]]
