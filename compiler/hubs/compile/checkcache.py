"""A clean ``hubs check`` replayed: when every file it read is byte for byte as it was.

A clean check reads hubs.toml, hubs.lock, every cluster.yaml and the values files, and
reports the number of slots and hubs, the scan's warnings and its findings that fail
nothing (lint warnings); nothing else.  :func:`record` keeps, in the check cache (a small
file of its own, apart from the scans), the digest of each of those texts as that check
read them, with the listing of cluster.yaml files, the values files each lists, and the
report's numbers.
:func:`replay` reads and hashes the same files again, runs the same path checks (inside
the tree, regular files), and only if everything matches gives the same report without
validating hubs.toml or parsing a single YAML file.  Any difference, error or damaged
entry is a miss: the full check runs and says what it says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hubs.errors import Diagnostic, HubsError, decode_diagnostic, encode_diagnostic
from hubs.files.fileio import digest, read_regular
from hubs.files.paths import inside
from hubs.policy.locate import LOCK_NAME
from hubs.tree.layout import CHART_VALUES, cluster_files

if TYPE_CHECKING:
    from hubs.tree.cache import Store
    from hubs.tree.layering import Fleet

KEY = "check:"


@dataclass(frozen=True, slots=True)
class Clean:
    """What a clean check reports, besides where it runs."""

    root: Path
    slots: int
    hubs: int
    warnings: tuple[Diagnostic, ...]
    findings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True)
class Checked:
    """A clean check to keep: its inputs and what it reported."""

    text: str  # hubs.toml as read
    tree: str  # as written in hubs.toml
    lock: str | None  # hubs.lock as read, or None
    slots: int
    findings: tuple[Diagnostic, ...]  # none fails the check (lint warnings)


def record(store: Store, config: Path, variant: str, checked: Checked, fleet: Fleet) -> None:
    """Keep a clean check of ``config`` (run as ``variant``, e.g. ``--strict``) for
    :func:`replay`."""
    text, tree, lock, slots = checked.text, checked.tree, checked.lock, checked.slots
    chart = (fleet.root / CHART_VALUES).is_file()
    clusters = [
        [c.path, c.digest, [f for h in c.hubs for f in h.files]] for c in fleet.clusters.values()
    ]
    hubs = sum(len(c.hubs) for c in fleet.clusters.values())
    warnings = [encode_diagnostic(w) for w in fleet.warnings()]
    files = sorted(fleet.digests().items())
    found = [encode_diagnostic(d) for d in checked.findings]
    data = [tree, _maybe(lock), chart, clusters, [list(f) for f in files], slots, hubs, warnings]
    store.put(KEY + variant + config.name, digest(text), [*data, found])


def replay(store: Store, config: Path, variant: str, text: str) -> Clean | None:
    """The clean check recorded for this very hubs.toml text (and ``variant``), if no file
    it read changed."""
    try:
        return store.get(
            KEY + variant + config.name, digest(text), lambda data: _verify(config, data)
        )
    except (HubsError, OSError):
        return None


def _verify(config: Path, data: object) -> Clean:
    """ValueError (a miss) unless every input of the recorded check is as it was."""
    tree, lock, chart, clusters, files, slots, hubs, warnings, findings = _list(data, 9)
    root = (config.parent / _str(tree)).resolve()
    lock_path = config.parent / LOCK_NAME
    now = _maybe(read_regular(lock_path, str(lock_path))) if lock_path.exists() else None
    if lock != now or chart is not (root / CHART_VALUES).is_file():
        raise ValueError("hubs.lock or the chart changed")
    rows = [_list(row, 3) for row in _list(clusters)]
    if [row[0] for row in rows] != cluster_files(root):
        raise ValueError("the clusters changed")
    listed = {}
    for rel, known, paths in rows:
        _same(root, _str(rel), known)
        listed.update(dict.fromkeys(_list(paths)))
    for rel, known in (_list(row, 2) for row in _list(files)):
        _same(root, _str(rel), known)
        listed.pop(rel, None)
    for path in listed:  # listed but not read: still inside the tree, as a check requires
        inside(root, _str(path), _str(path))
    found = tuple(decode_diagnostic(w) for w in _list(warnings))
    kept = tuple(decode_diagnostic(d) for d in _list(findings))
    return Clean(root, _int(slots), _int(hubs), found, kept)


def _same(root: Path, rel: str, known: object) -> None:
    if digest(read_regular(inside(root, rel, rel), rel)) != known:
        raise ValueError(f"{rel} changed")


def _maybe(text: str | None) -> str | None:
    return None if text is None else digest(text)


def _list(value: object, length: int | None = None) -> list[object]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise ValueError("not the recorded shape")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not the recorded type")
    return value


def _int(value: object) -> int:
    if type(value) is not int:
        raise TypeError("not the recorded type")
    return value
