"""hubs.toml and hubs.lock from disk to models; every error points at ``file:line:col``."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from hubs.errors import Diagnostic, HubsError
from hubs.files.fileio import digest
from hubs.policy import stored
from hubs.policy.address import dotted
from hubs.policy.locate import (
    CONFIG_NAME,
    LOCK_NAME,
    ConfigError,
    read_text,
)
from hubs.policy.model import Config, Lock, dumped

if TYPE_CHECKING:
    from collections.abc import Callable

    # Pydantic is imported only when a text is validated: never when the cache has it
    from pydantic import ValidationError


@dataclass(frozen=True, slots=True)
class Source:
    """hubs.toml as read: where it is, its text, and the validated model."""

    path: Path
    text: str
    config: Config

    @property
    def tree(self) -> Path:
        return (self.path.parent / self.config.tree).resolve()

    @property
    def lock_path(self) -> Path:
        return self.path.parent / LOCK_NAME


T = TypeVar("T")


class Cache(Protocol):
    """Where validated models are kept by the digest of their text (:mod:`hubs.tree.cache`)."""

    def get(self, name: str, digest: str, decode: Callable[[object], T]) -> T | None: ...

    def put(self, name: str, digest: str, data: object) -> None: ...


def load_config(path: Path, cache: Cache | None = None) -> Source:
    text = read_text(path)
    return Source(path, text, parse_config(text, path.name, cache))


def parse_config(text: str, name: str = CONFIG_NAME, cache: Cache | None = None) -> Config:
    """hubs.toml's text as a validated model; errors at ``name:line:col``."""
    return _model(Config, text, name, cache)


def load_lock(path: Path, cache: Cache | None = None) -> Lock:
    return read_lock(path, cache)[0]


def read_lock(path: Path, cache: Cache | None = None) -> tuple[Lock, str | None]:
    """hubs.lock and the text it was read from (None when there is no lock file)."""
    if not path.exists():
        if path.is_symlink():  # writing it would create the file it points to
            raise ConfigError(
                [f"{path}: a symlink to a missing file; hubs will not create a file through it"]
            )
        return Lock(), None
    text = read_text(path)
    return parse_lock(text, path.name, cache), text


def parse_lock(text: str, name: str = LOCK_NAME, cache: Cache | None = None) -> Lock:
    """hubs.lock's text as a validated model; errors at ``name:line:col``."""
    return _model(Lock, text, name, cache)


_M = TypeVar("_M", Config, Lock)


def _model(made: type[_M], text: str, name: str, cache: Cache | None) -> _M:
    """The model of ``text``: from ``cache`` when these bytes validated before, else
    validated (and then kept there)."""
    if cache is None:
        return _validated(made, text, name)
    key = digest(text)
    found = cache.get(name, key, lambda data: stored.decode(data, made))
    if found is None:
        found = _validated(made, text, name)
        cache.put(name, key, stored.encode(found))
    return found


def _validated(made: type[_M], text: str, name: str) -> _M:
    """TOML ``text`` validated as the schema of ``made`` (the Pydantic model of its name),
    as a ``made``; every error located in ``name``."""
    from pydantic import ValidationError  # heavy (35 ms): only a text not in the model cache

    from hubs.policy import schema  # Pydantic's models, likewise

    data = _parse_toml(text, name)
    try:
        checked = getattr(schema, made.__name__).model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_messages(exc, text, name)) from None
    found = schema.inside(checked)
    assert isinstance(found, made)
    return found


def dump_lock(lock: Lock) -> str:
    """Deterministic TOML: entries sorted by address, keys in a fixed order."""
    import tomlkit  # heavy (20 ms): only a command that writes hubs.lock needs it

    lines = [
        "# Written by `hubs update`: what each follow-latest slot resolved to. Do not edit.",
        f"version = {lock.version}",
    ]
    for address in sorted(lock.slots):
        entry = lock.slots[address]
        lines.append("")
        lines.append(f"[slots.{tomlkit.string(address).as_string()}]")
        for key, value in dumped(entry).items():
            if value is not None:
                lines.append(f"{key} = {tomlkit.string(str(value)).as_string()}")
    return "\n".join(lines) + "\n"


def locate_keys(found: Sequence[Diagnostic], config: Path) -> list[Diagnostic]:
    """``found`` with every diagnostic that names a hubs.toml key path but no place given
    ``hubs.toml:LINE:COL`` (the key's line, or its nearest written parent's)."""
    if not any(d.keys and d.file is None for d in found):
        return list(found)
    try:
        text = read_text(config)
    except HubsError:
        return list(found)
    out = []
    for diagnostic in found:
        if diagnostic.keys and diagnostic.file is None:
            line, column = locate(text, diagnostic.keys)
            if line:
                diagnostic = replace(diagnostic, file=config.name, line=line, column=column)
        out.append(diagnostic)
    return out


_UNION_TAGS = frozenset({"inherit", "pinned-image", "follow-latest", "broken-image", "promote"})
_TOML_POS = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


_TOML_END = re.compile(r"^(?P<msg>.*?)\s*\(at end of document\)$")


# tomllib takes time and memory quadratic in the parts of one dotted key or table header
# (50,000 parts, 98 KiB, took 14.7 GB): keys of more parts are refused before it parses.
# hubs.toml's deepest key, clusters.C.files."F".profiles.P.choices.K, has 8.
MAX_KEY_PARTS = 100
_PART = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""
# More than MAX_KEY_PARTS parts where a key can start: a line's start, after `[`, `{` or `,`
# (never inside a run of parts, so no part is scanned twice).  Keys and their dots never
# cross a line; possessive, so a failed try never backtracks.
_LONG_KEY = re.compile(
    rf"(?:^|(?<=[\[{{,]))[ \t]*+(?P<key>{_PART})(?:[ \t]*+\.[ \t]*+{_PART}){{{MAX_KEY_PARTS}}}",
    re.MULTILINE,
)


def _check_key_parts(text: str, name: str) -> None:
    """Refuse a dotted key or table header of more than :data:`MAX_KEY_PARTS` parts, at its
    line and column: one linear pass, and none when the file has too few dots for one."""
    if text.count(".") < MAX_KEY_PARTS:
        return
    found = _LONG_KEY.search(text)
    if found is None:
        return
    start = found.start("key")
    line = text.count("\n", 0, start) + 1
    column = start - text.rfind("\n", 0, start)
    raise ConfigError(
        [
            f"{name}:{line}:{column}: a dotted key or table header of more than "
            f"{MAX_KEY_PARTS} parts (those of hubs.toml and hubs.lock have at most 8); "
            "shorten it"
        ]
    )


def _parse_toml(text: str, name: str) -> dict[str, Any]:

    if text.startswith("\ufeff"):  # tomllib's "Invalid statement" would not say why
        raise ConfigError([f"{name}:1:1: starts with a byte order mark; save it without one"])
    _check_key_parts(text, name)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POS.match(str(exc))
        if found:
            msg = found["msg"]
            raise ConfigError([f"{name}:{found['line']}:{found['col']}: {msg}"]) from None
        end = _TOML_END.match(str(exc))
        if end:
            line, col = _end(text)
            message = f"{name}:{line}:{col}: {end['msg']} at the end of the file"
            raise ConfigError([message]) from None
        raise ConfigError([f"{name}: {exc}"]) from None
    except RecursionError:  # tomllib recurses into arrays and inline tables
        line = _deepest(text)
        raise ConfigError(
            [f"{name}:{line}: arrays or inline tables nested too deeply to read"]
        ) from None


def _end(text: str) -> tuple[int, int]:
    """Line and column just past the last character of ``text``."""
    lines = text.removesuffix("\n").split("\n")
    return len(lines), len(lines[-1]) + 1


def _deepest(text: str) -> int:
    """The line where brackets and braces are nested deepest (strings not told apart:
    only used to point at a file tomllib could not read)."""
    depth, best, line, where = 0, -1, 1, 1
    for found in re.finditer(r"[\[\]{}\n]", text):
        char = found.group()
        if char == "\n":
            line += 1
            continue
        depth += 1 if char in "[{" else -1
        if depth > best:
            best, where = depth, line
    return where


def validation_messages(exc: ValidationError, text: str, name: str) -> list[str]:
    out = []
    for error in exc.errors(include_url=False):
        loc = _clean_loc(error["loc"])
        line, col = locate(text, loc)
        where = f"{name}:{line}:{col}" if line else name
        shown = dotted(loc) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        out.append(f"{where}: {shown}: {message}")
    return out


def _clean_loc(loc: tuple[int | str, ...]) -> list[str]:
    # Pydantic adds the union member's tag ("pinned-image", ...) to the path: drop it.
    # A bad dict key adds "[key]" after the key: the key path ends at the key itself.
    return [str(part) for part in loc if part not in _UNION_TAGS and part != "[key]"]


# ---------------------------------------------------------------- positions in TOML text

_HEADER = re.compile(r"^\s*\[\[?\s*(?P<keys>[^\]]*?)\s*\]\]?\s*(?:#.*)?$")
_KEYPART = re.compile(r"\s*(?:\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([A-Za-z0-9_-]+))\s*(\.|$)")
_ASSIGN = re.compile(r"^(?P<indent>\s*)(?P<keys>(?:[^=\"'#]|\"(?:[^\"\\]|\\.)*\"|'[^']*')+?)\s*=")


def _split_keys(text: str) -> list[str] | None:
    keys, pos = [], 0
    while pos < len(text):
        found = _KEYPART.match(text, pos)
        if not found:
            return None
        basic, literal, bare = found.groups()[:3]
        keys.append(_unescape(basic) if basic is not None else literal or bare or "")
        pos = found.end()
    return keys


def _unescape(basic: str) -> str:
    """A TOML basic string's text with its escapes read, as tomllib reads them."""
    if "\\" not in basic:
        return basic
    try:
        return str(tomllib.loads(f'k = "{basic}"')["k"])
    except tomllib.TOMLDecodeError:
        return basic


def table_headers(text: str) -> list[tuple[int, list[str]]]:
    """(0-based line number, key path) of every table header of a TOML text."""
    out = []
    for number, line in enumerate(text.splitlines()):
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("#"):
            out.append((number, _split_keys(header["keys"]) or []))
    return out


def locate(text: str, path: Sequence[str]) -> tuple[int, int]:
    """Best (line, column) for a key path in TOML text; (0, 0) when not found."""
    best = (0, 0, -1)
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("#"):
            table = _split_keys(header["keys"]) or []
            depth = shared_prefix(table, path)
            if (depth == len(table) or depth == len(path)) and depth > best[2]:
                best = (number, line.index("[") + 1, depth)
            continue
        assign = _ASSIGN.match(line)
        if not assign or shared_prefix(table, path) != len(table):
            continue
        keys = _split_keys(assign["keys"].strip()) or []
        depth = len(table) + shared_prefix(keys, path[len(table) :])
        if shared_prefix(keys, path[len(table) :]) and depth > best[2]:
            best = (number, len(assign["indent"]) + 1, depth)
            inline = line[assign.end() :]
            for key in path[depth:]:
                hit = re.search(rf"(?<![\w-]){re.escape(key)}\s*=", inline)
                if not hit:
                    break
                best = (number, assign.end() + hit.start() + 1, best[2] + 1)
    return best[0], best[1]


def shared_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    """How many leading keys ``a`` and ``b`` share."""
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count
