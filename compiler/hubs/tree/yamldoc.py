"""YAML documents as positions: parse with libyaml, navigate nodes by key path, resolve
aliases to their anchor sites, and load plain data.

Knows nothing of images; :mod:`hubs.compile.yamledit` splices text at the positions found here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import yaml

from hubs.errors import InputError

try:  # the C parser is ~20x faster; fall back so that a libyaml-less install still works
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

__all__ = [
    "Anchors",
    "Document",
    "Key",
    "Loader",
    "YamlError",
    "YamlPath",
    "check_duplicates",
    "child",
    "find",
    "is_alias_use",
    "is_scalar",
    "items",
    "load_data",
    "merge_key",
    "parse",
]

Key = str | int
YamlPath = tuple[Key, ...]
MERGE_TAG = "tag:yaml.org,2002:merge"
NULL_TAG = "tag:yaml.org,2002:null"
# YAML 1.1 booleans, as Helm's go-yaml reads a plain scalar
TRUE = frozenset({"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"})
FALSE = frozenset({"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"})
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


class YamlError(InputError):
    """A file that cannot be read or edited safely; ``str()`` is one line."""


@dataclass(slots=True)
class Document:
    """One parsed YAML file: its text and the libyaml node tree (positions only)."""

    path: str
    text: str  # without BOM
    root: yaml.Node | None
    bom: str = ""
    newline: str = "\n"

    @property
    def raw(self) -> str:
        return self.bom + self.text


class _PositionLoader(Loader):
    """libyaml's composer with the one resolution this package reads: a plain scalar is
    null (``~``, ``null``, empty), the merge key ``<<``, or a string.  PyYAML's resolver
    would try each implicit type's regex on every scalar; here a set lookup does."""

    def resolve(self, kind: type[yaml.Node], value: object, implicit: object) -> str:
        if kind is yaml.ScalarNode:
            if isinstance(implicit, tuple) and implicit[0]:
                if value in _NULLS:
                    return NULL_TAG
                if value == "<<":
                    return MERGE_TAG
            return str(self.DEFAULT_SCALAR_TAG)
        if kind is yaml.SequenceNode:
            return str(self.DEFAULT_SEQUENCE_TAG)
        return str(self.DEFAULT_MAPPING_TAG)

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        """No path resolvers are registered: nothing to track on the way down or up."""

    def ascend_resolver(self) -> None:
        pass


def parse(text: str, path: str = "<string>") -> Document:
    """Parse ``text`` (one YAML document) keeping positions; errors name ``path:line``."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    newline = "\r\n" if "\r\n" in body else "\n"
    try:
        nodes = list(yaml.compose_all(body, Loader=_PositionLoader))
    except yaml.YAMLError as exc:
        raise YamlError(_yaml_error(exc, body, path)) from None
    if len(nodes) > 1:
        raise YamlError(f"{path}: holds {len(nodes)} YAML documents; only one is supported")
    root = nodes[0] if nodes else None
    return Document(path, body, root, bom, newline)


def _yaml_error(exc: yaml.YAMLError, text: str, path: str) -> str:
    """One line naming the place of a YAML error."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        return f"{where}: invalid YAML: {exc.problem or exc.context}"
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error(exc, text, path)
    return f"{path}: invalid YAML: {exc}".splitlines()[0]


def _reader_error(exc: yaml.reader.ReaderError, text: str, path: str) -> str:
    """A character YAML does not allow, at its line and column."""
    line = text.count("\n", 0, exc.position) + 1
    column = exc.position - text.rfind("\n", 0, exc.position)
    code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or b"?")
    return f"{path}:{line}:{column}: invalid YAML: character #x{code:04x}: {exc.reason}"


def check_duplicates(node: yaml.Node | None, path: str) -> None:
    """Refuse a mapping anywhere under ``node`` with a key twice, at the first such key in
    the text.  Helm's reader (Go yaml.v3) refuses them too; libyaml keeps both and readers
    disagree on which wins.  Keys compare by their text, as yaml.v3 compares them."""
    first: yaml.Node | None = None
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            again = _repeated_key(current)
            if again is not None and (first is None or _before(again, first)):
                first = again
            stack.extend(value for _, value in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    if first is not None:
        raise YamlError(f"{path}:{first.start_mark.line + 1}: duplicate key {first.value!r}")


def _repeated_key(mapping: yaml.MappingNode) -> yaml.Node | None:
    """The first key of ``mapping`` that repeats an earlier one."""
    keys: set[str] = set()
    for key, _ in mapping.value:
        if isinstance(key, yaml.ScalarNode):
            if key.value in keys:
                found: yaml.Node = key
                return found
            keys.add(key.value)
    return None


def _before(node: yaml.Node, other: yaml.Node) -> bool:
    return bool(node.start_mark.index < other.start_mark.index)


# ---------------------------------------------------------------- navigation


def items(node: yaml.Node) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key text, key node, value node) of a mapping; merge keys ``<<`` are skipped."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != MERGE_TAG:
                yield key.value, key, value


def child(node: yaml.Node | None, key: Key) -> yaml.Node | None:
    if node is None:
        return None
    if isinstance(key, int):
        if isinstance(node, yaml.SequenceNode) and 0 <= key < len(node.value):
            value: yaml.Node = node.value[key]
            return value
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    if len(node.value) > INDEX_FROM:
        return _index(node).get(key)
    for found, value in node.value:  # as items(), without a generator per call
        if found.value == key and isinstance(found, yaml.ScalarNode) and found.tag != MERGE_TAG:
            result: yaml.Node = value
            return result
    return None


INDEX_FROM = 8  # keys: a smaller mapping is scanned, a larger one indexed once
_INDEX = "_hubs_index"  # the attribute of a MappingNode that holds its index


def _index(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    """``node``'s value by key text, the first of a repeated key as :func:`child` finds,
    merge keys left out; built on the first lookup, again if the mapping's length changed."""
    kept: tuple[int, dict[str, yaml.Node]] | None = node.__dict__.get(_INDEX)
    if kept is not None and kept[0] == len(node.value):
        return kept[1]
    index: dict[str, yaml.Node] = {}
    for found, value in node.value:
        if isinstance(found, yaml.ScalarNode) and found.tag != MERGE_TAG:
            index.setdefault(found.value, value)
    node.__dict__[_INDEX] = (len(node.value), index)
    return index


def find(node: yaml.Node | None, path: Sequence[Key]) -> yaml.Node | None:
    for key in path:
        node = child(node, key)
    return node


def is_alias_use(key: yaml.Node, value: yaml.Node) -> bool:
    """True when ``value`` is reached through ``*alias`` (its anchor sits before the key)."""
    return value.start_mark.index < key.end_mark.index


def is_scalar(node: yaml.Node | None) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag != NULL_TAG


def merge_key(node: yaml.Node | None) -> yaml.Node | None:
    """The ``<<`` key node of a mapping, if it has one (values merged in from elsewhere)."""
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if key.tag == MERGE_TAG:
                found: yaml.Node = key
                return found
    return None


class Anchors:
    """Where each node under one start node is defined: the path of its anchor site.

    A node reached through ``*alias`` is defined where its ``&anchor`` is; an edit of it
    must go there.  Built by walking only the edges that are not alias uses.
    """

    def __init__(self, doc: Document, start: yaml.Node, path: YamlPath) -> None:
        self._doc = doc
        self._defined: dict[int, YamlPath] = {}
        if "&" in doc.text:  # without anchors no node is reached twice
            self._define(start, path)

    def _define(self, node: yaml.Node, path: YamlPath) -> None:
        stack = [(node, path)]
        while stack:
            current, where = stack.pop()
            if id(current) in self._defined:
                continue
            self._defined[id(current)] = where
            if isinstance(current, yaml.MappingNode):
                for text, key, value in items(current):
                    if not is_alias_use(key, value):
                        stack.append((value, (*where, text)))
            elif isinstance(current, yaml.SequenceNode):
                floor = current.start_mark.index
                for index, item in enumerate(current.value):
                    if item.start_mark.index >= floor:
                        stack.append((item, (*where, index)))
                    floor = max(floor, item.end_mark.index)

    def physical(self, path: YamlPath) -> YamlPath:
        """``path`` rewritten through anchor sites: where an edit of that node must go."""
        node = self._doc.root
        physical: YamlPath = ()
        for step in path:
            node = child(node, step)
            if node is None:
                return path
            physical = self._defined.get(id(node), (*physical, step))
        return physical

    def name(self, path: YamlPath, physical: YamlPath) -> str | None:
        """The ``&name`` under which an aliased node sits (None when not aliased)."""
        if path == physical:
            return None
        text = self._doc.text
        for depth in range(len(physical), 0, -1):
            node = find(self._doc.root, physical[:depth])
            if node is None:
                continue
            at = node.start_mark.index
            head = text[text.rfind("\n", 0, at) + 1 : at + 1]
            amp = text.find("&", at, at + 1)
            if amp >= 0 or "&" in head:
                start = amp if amp >= 0 else text.rfind("&", 0, at + 1)
                return text[start:].split(None, 1)[0]
        return "&anchor"


class _DataLoader(Loader):
    """The safe loader, plus any other tag kept as ``(tag, value)``: never run, never fatal."""


def _tagged(loader: yaml.SafeLoader, node: yaml.Node) -> tuple[str, object]:
    if isinstance(node, yaml.MappingNode):
        return node.tag, loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return node.tag, loader.construct_sequence(node, deep=True)
    return node.tag, loader.construct_scalar(node)  # type: ignore[arg-type]


_DataLoader.add_constructor(None, _tagged)


DEPTH_LIMIT = 100  # levels of nesting hubs loads as data; real values files use ~15


def load_data(text: str, path: str = "<string>") -> object:
    """The plain data of a YAML text (C loader), for verifying an edit.  A document
    nested deeper than :data:`DEPTH_LIMIT` (aliases followed) is refused at its line:
    comparing it would exhaust Python's stack."""
    loader = _DataLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_depth(node, path)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise YamlError(_yaml_error(exc, text, path)) from None
    finally:
        loader.dispose()


def check_depth(root: yaml.Node, path: str, limit: int = DEPTH_LIMIT) -> None:
    """Refuse ``root`` if a path through it, aliases followed, is more than ``limit``
    nodes long.  Each node is visited once (heights are kept), so nested aliases cost
    linear time, and an alias back to an enclosing node counts for nothing."""
    height: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        below = _below(node)
        if done:
            height[id(node)] = 1 + max((height[id(kid)] for kid in below), default=0)
            if height[id(node)] > limit:
                line = _down(node, height, limit).start_mark.line + 1
                raise YamlError(f"{path}:{line}: nested deeper than {limit} levels")
        elif id(node) not in height:
            height[id(node)] = 0  # on the way down: an alias back here adds nothing
            stack.append((node, True))
            stack.extend((kid, False) for kid in below if id(kid) not in height)


def _down(node: yaml.Node, height: dict[int, int], steps: int) -> yaml.Node:
    """The node ``steps`` levels below ``node`` on its tallest path: where it is too deep."""
    for _ in range(steps):
        below = _below(node)
        if not below:
            break
        node = max(below, key=lambda kid: height.get(id(kid), 0))
    return node


def _below(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
