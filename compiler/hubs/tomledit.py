"""``hubs set``: change one slot's policy in hubs.toml, keeping comments and layout (tomlkit)."""

from __future__ import annotations

from typing import Any

from .address import Address
from .errors import close_match
from .targets import PlanError


def check_known(address: Address, known: list[Address]) -> None:
    if address not in known:
        names = [str(a) for a in known]
        raise PlanError([f"{address}: no such slot" + close_match(str(address), names)])


def set_policy(text: str, address: Address, value: str | dict[str, Any] | None) -> str:
    """hubs.toml text with the policy at ``address`` set (None: removed, i.e. inherit)."""
    import tomlkit

    doc = tomlkit.parse(text)
    keys = address.keys
    if value is None:
        _remove(doc, keys)
        return tomlkit.dumps(doc)
    table: Any = doc
    for depth, key in enumerate(keys[:-1]):
        if key not in table:
            table[key] = tomlkit.table(is_super_table=depth < len(keys) - 2)
        table = table[key]
    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update(value)
        table[keys[-1]] = inline
    else:
        table[keys[-1]] = value
    return tomlkit.dumps(doc)


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
