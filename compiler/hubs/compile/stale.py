"""Entries of hubs.toml that the tree no longer has: a moved tree, or a typo.

A fleet's tree moves every week: hubs are decommissioned, files split, profiles renamed.
An entry of hubs.toml naming what is gone (:func:`hubs.compile.scopes.gone`) is a *finding* when
the last commit's hubs.toml has it too (it was right once; the tree moved on): ``check``
fails on it, every other command goes on for the rest of the fleet, and ``hubs adopt``
removes it.  An entry that is new since the last commit, or any entry when there is no
commit to compare with, names nothing because it is mistyped: bad input, exit 2.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from hubs.compile.scopes import gone
from hubs.errors import Diagnostic
from hubs.files.gitbase import open_base
from hubs.policy.load import Source, locate_keys
from hubs.policy.locate import ConfigError
from hubs.tree.layering import Fleet


def settle(source: Source, fleet: Fleet) -> tuple[Diagnostic, ...]:
    """The gone entries of hubs.toml as findings located in it; raises :class:`ConfigError`
    (exit 2) for those that the last commit's hubs.toml lacks."""
    found = gone(source.config, fleet)
    if not found:
        return ()
    committed = committed_keys(source)
    new = [replace(d, rule=None, fix=None) for d in found if d.keys not in committed]
    if new:
        raise ConfigError(locate_keys(new, source.path))
    shown = os.path.relpath(source.path, fleet.root).replace(os.sep, "/")
    return tuple(replace(d, file=shown) if d.file else d for d in locate_keys(found, source.path))


def committed_keys(source: Source) -> frozenset[tuple[str, ...]]:
    """Every key path of hubs.toml as the last commit has it (empty without one)."""
    base = open_base(source.path.parent)
    text = base.text(source.path) if base is not None else None
    if text is None:
        return frozenset()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return frozenset()
    return frozenset(_paths(data, ()))


def _paths(data: Mapping[str, Any], keys: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for key, value in data.items():
        path = (*keys, key)
        yield path
        if isinstance(value, Mapping):
            yield from _paths(value, path)
