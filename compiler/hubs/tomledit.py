"""``hubs set``: change one slot's policy in hubs.toml, keeping comments and layout (tomlkit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .layout import close_match
from .plan import PlanError


@dataclass(frozen=True, slots=True)
class Address:
    """A slot address split into its hubs.toml key path."""

    text: str
    keys: tuple[str, ...]


def parse_address(text: str) -> Address:
    """Split ``defaults:image``, ``C/H:image``, ``C/F.yaml:profiles/N/image`` or
    ``SCOPE:profiles/N/choices/K`` into hubs.toml keys."""
    scope, sep, slot = text.partition(":")
    if not sep or not slot:
        raise PlanError(
            [
                f"{text}: a slot address looks like CLUSTER/HUB:image or "
                "CLUSTER/FILE:profiles/NAME/choices/KEY"
            ]
        )
    if scope == "defaults":
        head: tuple[str, ...] = ("defaults",)
    else:
        cluster, sep, name = scope.partition("/")
        if not sep or not cluster or not name:
            raise PlanError([f"{text}: scope must be defaults, CLUSTER/HUB or CLUSTER/FILE"])
        kind = "files" if name.endswith((".yaml", ".yml")) else "hubs"
        head = ("clusters", cluster, kind, name)
    return Address(text, head + _slot_keys(text, slot))


def _slot_keys(text: str, slot: str) -> tuple[str, ...]:
    if slot == "image":
        return ("image",)
    if slot.startswith("profiles/"):
        rest = slot[len("profiles/") :]
        if rest.endswith("/image"):
            return ("profiles", rest[: -len("/image")], "image")
        name, sep, key = rest.rpartition("/choices/")
        if sep and name and key:
            return ("profiles", name, "choices", key)
    raise PlanError(
        [f"{text}: unknown slot {slot!r} (image, profiles/NAME/image or profiles/NAME/choices/KEY)"]
    )


def check_known(address: Address, known: list[str]) -> None:
    if address.text not in known:
        raise PlanError([f"{address.text}: no such slot" + close_match(address.text, known)])


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
