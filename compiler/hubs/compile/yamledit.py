"""Byte-faithful YAML edits: splice new text at the positions of nodes.

This module knows nothing of images.  :mod:`hubs.tree.yamldoc` parses with libyaml only to learn
where nodes are; the functions here compute :class:`Splice` objects against the original
text and :func:`apply` puts them in.  Every byte outside a splice stays as it was: comments,
quoting, blank lines, anchors, key order, CRLF and a BOM.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import yaml

from hubs.tree.yamldoc import Document, Key, Loader, YamlError, child, items


@dataclass(frozen=True, slots=True)
class Splice:
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str


# ---------------------------------------------------------------- scalars


def set_scalar(doc: Document, node: yaml.ScalarNode, value: str) -> Splice:
    """Replace a string scalar's text, keeping its quote style when that still reads right."""
    start, end = node.start_mark.index, node.end_mark.index
    source = doc.text[start:end]
    if source.startswith(("&", "!")):
        raise YamlError(
            f"{doc.path}:{node.start_mark.line + 1}: anchored or tagged scalar cannot be edited"
        )
    if node.style in ("|", ">"):  # libyaml gives "" for plain, PyYAML None
        raise YamlError(f"{doc.path}:{node.start_mark.line + 1}: block scalar cannot be edited")
    flow = _in_flow(doc, start)
    return Splice(start, end, render_scalar(value, node.style, flow=flow))


def render_scalar(value: str, style: str | None = None, *, flow: bool = False) -> str:
    """YAML text for the string ``value``, as ruamel's formatter would write it.

    Double quotes are a deliberate style (hand-written files, the chart's values.yaml) and
    are kept.  Otherwise the value is plain when YAML 1.1 (Helm's go-yaml, PyYAML) and
    YAML 1.2 (ruamel) readers both read it back as this very string, else single-quoted:
    a tag that needed quotes loses them again when it no longer does, so the output stays
    a fixed point of the ruamel round trip that formats such repositories.
    """
    if style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if plain_is_safe(value, flow=flow):
        return value
    return "'" + value.replace("'", "''") + "'"


@lru_cache(maxsize=4096)
def plain_is_safe(value: str, *, flow: bool = False) -> bool:
    if not value or value != value.strip() or "\n" in value:
        return False
    if flow and any(ch in value for ch in ",[]{}"):
        return False
    try:
        loaded = yaml.load(f"k: {value}\n", Loader=Loader)
    except yaml.YAMLError:
        return False
    if loaded != {"k": value}:
        return False
    return _ruamel_reads_str(value)


def _ruamel_reads_str(value: str) -> bool:
    # heavy (18 ms): only a value written needs it
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    tag = VersionedResolver(version=(1, 2)).resolve(ScalarNode, value, (True, False))
    return str(tag) == "tag:yaml.org,2002:str"


def _in_flow(doc: Document, index: int) -> bool:
    line_start = doc.text.rfind("\n", 0, index) + 1
    before = doc.text[line_start:index]
    return before.count("[") + before.count("{") > before.count("]") + before.count("}")


# ---------------------------------------------------------------- structure


def indent_step(doc: Document) -> int:
    """The file's mapping indent: the smallest positive child-minus-parent column seen."""
    steps: list[int] = []
    _collect_steps(doc.root, steps)
    return min(steps) if steps else 2


def _collect_steps(node: yaml.Node | None, out: list[int], depth: int = 0) -> None:
    if not isinstance(node, yaml.MappingNode) or node.flow_style or depth > 6:
        return
    for _, key, value in items(node):
        if isinstance(value, yaml.MappingNode) and not value.flow_style and value.value:
            step = value.value[0][0].start_mark.column - key.start_mark.column
            if step > 0 and value.start_mark.line > key.start_mark.line:
                out.append(step)
            _collect_steps(value, out, depth + 1)


def render_block(keys: Sequence[str], leaf: dict[str, str], column: int, step: int) -> list[str]:
    """Lines for ``keys[0]: keys[1]: ...`` nesting down to the ``leaf`` mapping."""
    lines = []
    for depth, key in enumerate(keys):
        lines.append(" " * (column + depth * step) + f"{key}:")
    inner = column + len(keys) * step
    for key, value in leaf.items():
        lines.append(" " * inner + f"{key}: {render_scalar(value)}")
    return lines


def _walk(doc: Document, path: Sequence[Key]) -> list[tuple[yaml.Node | None, yaml.Node]]:
    """(key node, value node) for each existing step of ``path`` (key None at list items)."""
    steps: list[tuple[yaml.Node | None, yaml.Node]] = []
    node = doc.root
    for part in path:
        if node is None:
            break
        if isinstance(part, int):
            found = child(node, part)
            if found is None:
                break
            steps.append((None, found))
            node = found
            continue
        for text, key, value in items(node):
            if text == part:
                steps.append((key, value))
                node = value
                break
        else:
            break
    return steps


def insert(doc: Document, path: Sequence[Key], leaf: dict[str, str]) -> Splice:
    """Create what is missing of ``path`` below its deepest existing map, holding ``leaf``.

    New keys go after the parent's last child, at the column of its children (or at the
    file's indent step below the parent key when the parent is empty).  When all of
    ``path`` exists already, the ``leaf`` keys are added to that map.
    """
    steps = _walk(doc, path)
    missing = [str(part) for part in path[len(steps) :]]
    if any(isinstance(part, int) for part in path[len(steps) :]):
        raise YamlError(f"{doc.path}: list item {_dotted(path)} does not exist")
    step = indent_step(doc)
    parent = steps[-1][1] if steps else doc.root
    if parent is None:
        return _splice_lines(doc, len(doc.text), render_block(missing, leaf, 0, step))
    if isinstance(parent, yaml.MappingNode) and not parent.flow_style and parent.value:
        column = parent.value[0][0].start_mark.column
        at = _block_end(doc.text, _content_end(doc.text, parent), column)
        return _splice_lines(doc, at, render_block(missing, leaf, column, step))
    key = steps[-1][0] if steps else None
    if key is not None and isinstance(parent, yaml.MappingNode) and not parent.value:
        lines = render_block(missing, leaf, key.start_mark.column + step, step)
        return _replace_empty_flow(doc, key, parent, lines)
    empty = (
        parent.tag == "tag:yaml.org,2002:null" and parent.start_mark.index == parent.end_mark.index
    )
    if key is None or not empty:
        line = parent.start_mark.line + 1
        raise YamlError(f"{doc.path}:{line}: {_dotted(path[: len(steps)])} is not a block map")
    at = doc.text.find("\n", key.end_mark.index) + 1 or len(doc.text)
    lines = render_block(missing, leaf, key.start_mark.column + step, step)
    return _splice_lines(doc, at, lines)


def _replace_empty_flow(
    doc: Document, key: yaml.Node, braces: yaml.Node, lines: list[str]
) -> Splice:
    """``key: {}`` becomes ``key:`` with the new block below it (a comment stays put)."""
    text = doc.text
    end = text.find("\n", braces.end_mark.index)
    end = len(text) if end < 0 else end
    if end > 0 and text[end - 1] == "\r":
        end -= 1
    after = text[braces.end_mark.index : end]
    return Splice(key.end_mark.index, end, ":" + after + doc.newline + doc.newline.join(lines))


def _dotted(path: Sequence[Key]) -> str:
    return ".".join(str(part) for part in path) or "top level"


def _splice_lines(doc: Document, at: int, lines: list[str]) -> Splice:
    nl = doc.newline
    body = nl.join(lines) + nl
    if at == len(doc.text) and doc.text and not doc.text.endswith("\n"):
        body = nl + body
    return Splice(at, at, body)


def remove(doc: Document, path: Sequence[Key], prune: int = 0) -> Splice:
    """Delete the key at ``path`` with its own leading comments and nested lines.

    Parents left empty are removed too, but at most ``prune`` levels up.
    """
    steps = _walk(doc, path)
    if len(steps) != len(path) or not path or isinstance(path[-1], int):
        raise YamlError(f"{doc.path}: {_dotted(path)} not found")
    while prune > 0 and len(steps) > 1 and not isinstance(path[-2], int):
        parent = steps[-2][1]
        if not isinstance(parent, yaml.MappingNode) or len(parent.value) != 1:
            break
        steps, path, prune = steps[:-1], path[:-1], prune - 1
    key, value = steps[-1]
    assert key is not None
    text = doc.text
    start = text.rfind("\n", 0, key.start_mark.index) + 1
    if text[start : key.start_mark.index].strip():
        raise YamlError(f"{doc.path}:{key.start_mark.line + 1}: key does not start its line")
    start = _leading_comments_start(text, start, key.start_mark.column)
    end = _block_end(text, _content_end(text, value), key.start_mark.column)
    return Splice(start, end, "")


def _leading_comments_start(text: str, start: int, column: int) -> int:
    while start > 0:
        prev = text.rfind("\n", 0, start - 1) + 1
        line = text[prev : start - 1].rstrip("\r")
        stripped = line.lstrip(" ")
        if not stripped.startswith("#") or len(line) - len(stripped) != column:
            break
        start = prev
    return start


_ALIAS = re.compile(r"\*[^\s,\[\]{}]+")


def _content_end(text: str, node: yaml.Node) -> int:
    """Where ``node``'s own text ends: for a block collection, where its last entry ends.
    An entry that is an alias (``*name``) is its anchor's node, which sits earlier in the
    text: it ends at the alias token, found after the entry's key or previous item."""
    if not isinstance(node, yaml.MappingNode | yaml.SequenceNode) or node.flow_style:
        return int(node.end_mark.index)
    if not node.value:
        return int(node.start_mark.index)
    if isinstance(node, yaml.MappingNode):
        key, last = node.value[-1]
        after = int(key.end_mark.index)
    else:
        last = node.value[-1]
        previous = node.value[-2] if len(node.value) > 1 else None
        after = _content_end(text, previous) if previous else int(node.start_mark.index)
    if last.start_mark.index < after:  # an alias use
        found = _ALIAS.search(text, after)
        return found.end() if found else after
    return _content_end(text, last)


def _block_end(text: str, index: int, column: int) -> int:
    """End of the line holding ``index``, plus comment lines indented deeper than ``column``."""
    end = text.find("\n", index)
    end = len(text) if end < 0 else end + 1
    while end < len(text):
        nxt = text.find("\n", end)
        line = text[end : len(text) if nxt < 0 else nxt]
        stripped = line.lstrip(" ")
        if not stripped.startswith("#") or len(line) - len(stripped) <= column:
            break
        end = len(text) if nxt < 0 else nxt + 1
    return end


# ---------------------------------------------------------------- applying


def apply(text: str, splices: Iterable[Splice]) -> str:
    """Apply non-overlapping splices (positions refer to ``text``)."""
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise YamlError("overlapping edits in one file")
    out, pos = [], 0
    for splice in ordered:
        out.append(text[pos : splice.start])
        out.append(splice.new)
        pos = splice.end
    out.append(text[pos:])
    return "".join(out)
