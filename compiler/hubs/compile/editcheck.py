"""The independent check of an edit: each slot holds its wanted value, nothing else moved.

It states what an edit must achieve without the rules that produced it: loaded as data,
the new text gives every edited slot the image its target wants (for a ``singleuser.image``
map, Helm's view of it: a missing name or tag comes from the layers below), and with the
edited image keys set aside, every other value is the same as before.  Empty mappings left
on an edited path count as absent, as they do for Helm.  Imports no other step.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hubs.tree.yamldoc import YamlPath, load_data


@dataclass(frozen=True, slots=True)
class Expected:
    """What one edited slot must hold after the edit."""

    path: YamlPath  # the logical path of the image (a ``singleuser.image`` map, or a string)
    singleuser: bool
    image: str | None  # the reference text (None: the slot inherits: key gone)
    name: str | None = None  # for singleuser: the name and tag Helm must see
    tag: str | None = None
    below: tuple[str | None, str | None] = (None, None)  # name, tag from the layers below


def problems(old: str, new: str, expected: Sequence[Expected], path: str = "<string>") -> list[str]:
    """What is wrong with ``new`` as an edit of ``old`` (empty when it is right).  A text
    too deep to compare is bad input named at ``path`` (:func:`yamldoc.load_data`)."""
    return compare(load_data(old, path), load_data(new, path), expected)


def compare(old: object, new: object, expected: Sequence[Expected]) -> list[str]:
    """:func:`problems` of the two texts loaded already (:func:`yamldoc.load_data`)."""
    before, after = _document(old), _document(new)
    found = [p for e in expected if (p := _holds(after, e)) is not None]
    if found:
        return found
    masked_before, masked_after = copy.deepcopy(before), copy.deepcopy(after)
    for each in expected:
        _mask(masked_before, each)
        _mask(masked_after, each)
    if not _equal(masked_before, masked_after, set()):
        return [f"would also change {_difference(masked_before, masked_after)}"]
    return []


def _document(data: object) -> Any:
    """Loaded data; an empty document is an empty mapping, as Helm reads it."""
    return {} if data is None else data


def _at(data: Any, path: YamlPath) -> tuple[bool, Any]:
    node = data
    for step in path:
        found, node = _child(node, step)
        if not found:
            return False, None
    return True, node


def _child(node: Any, step: str | int) -> tuple[bool, Any]:
    if isinstance(node, dict):
        return (True, node[step]) if step in node else (False, None)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return True, node[step]
    return False, None


def _holds(data: Any, want: Expected) -> str | None:
    present, value = _at(data, want.path)
    where = "/".join(str(step) for step in want.path)
    if not want.singleuser:
        if want.image is None:
            return f"would leave {where} set" if present else None
        return None if present and value == want.image else f"would make {where} {value!r}"
    image = value if present and isinstance(value, dict) else {}
    if want.image is None:
        left = sorted(k for k in ("name", "tag") if k in image)
        return f"would leave {where} setting {', '.join(left)}" if left else None
    seen = (image.get("name", want.below[0]), image.get("tag", want.below[1]))
    if seen != (want.name, want.tag):
        return f"would make {where} {seen[0]}:{seen[1]}"
    return None


def _mask(data: Any, want: Expected) -> None:
    """Set the edited image keys aside, and mappings left empty on their path."""
    keys: list[Any] = ["name", "tag"] if want.singleuser else [want.path[-1]]
    parent_path = want.path if want.singleuser else want.path[:-1]
    present, parent = _at(data, parent_path)
    if not present or not isinstance(parent, dict):
        return
    for key in keys:
        parent.pop(key, None)
    for depth in range(len(parent_path), 0, -1):
        present, node = _at(data, parent_path[:depth])
        _, up = _at(data, parent_path[: depth - 1])
        if present and node == {} and isinstance(up, dict):
            del up[parent_path[depth - 1]]


def _equal(a: Any, b: Any, seen: set[tuple[int, int]]) -> bool:
    """``a == b`` for loaded YAML, visiting each pair of shared (aliased) objects once, so
    that a document of nested aliases ("billion laughs") compares in linear time."""
    if isinstance(a, dict | list) and isinstance(b, dict | list):
        pair = (id(a), id(b))
        if pair in seen:
            return True
        seen.add(pair)
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(_equal(a[k], b[k], seen) for k in a)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(_equal(x, y, seen) for x, y in zip(a, b, strict=True))
        return False
    return type(a) is type(b) and bool(a == b)


def _difference(expected: object, got: object) -> str:
    """The first semantic difference, as DeepDiff words it."""
    from deepdiff import DeepDiff  # heavy (95 ms): only a failed check's message needs it

    lines = DeepDiff(expected, got, verbose_level=1).pretty().splitlines()
    return lines[0].rstrip(".") if lines else "the data"
