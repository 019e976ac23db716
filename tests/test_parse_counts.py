"""How often one diff or compile reads each YAML text: parsed with positions
(``yamldoc.parse``) or loaded as data (``yamldoc.load_data``), counted per text."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fleetfixture import COMMON_A, FILES, Fleet
from hubs.tree import yamldoc

COMMON = "config/clusters/a/common.values.yaml"
EDITED = COMMON_A.replace("tag: abc1234", "tag: def5678")
NEW = f"{COMMON} (edited)"
TAG = ('image = "quay.io/org/image:abc1234"', 'image = "quay.io/org/image:def5678"')
# Every YAML file of the fleet but the secret one (never read), each parsed once as the run
# starts: cluster.yaml by the layout, values files by the scan, image or not.
SCANNED = {("parse", rel): 1 for rel in FILES if rel.endswith(".yaml") and "secret" not in rel}
Reads = Counter[tuple[str, str]]


@pytest.fixture
def reads() -> Iterator[Reads]:
    """Every call of ``yamldoc.parse`` and ``yamldoc.load_data``, by the text it reads: a
    file of the fleet by its path, the edited common file as ``NEW``."""
    counts: Reads = Counter()
    real = {name: getattr(yamldoc, name) for name in ("parse", "load_data")}
    counted = {name: _counted(name, func, counts) for name, func in real.items()}
    _rebind(real, counted)
    yield counts
    _rebind(counted, real)  # modules imported meanwhile bound the counted ones too


def _counted(name: str, func: Callable[..., Any], counts: Reads) -> Callable[..., Any]:
    names = {text: rel for rel, text in FILES.items()} | {EDITED: NEW}

    def call(text: str, *args: Any, **kwargs: Any) -> Any:
        counts[name, names.get(text, text)] += 1
        return func(text, *args, **kwargs)

    return call


def _rebind(old: dict[str, Any], new: dict[str, Any]) -> None:
    """Every binding of ``old[name]`` in a hubs module (``from yamldoc import`` too) is
    ``new[name]``."""
    for module in [m for key, m in sys.modules.items() if key.split(".")[0] == "hubs"]:
        for name, func in old.items():
            if getattr(module, name, None) is func:
                setattr(module, name, new[name])


@pytest.mark.parametrize("command", ["diff", "compile"])
def test_a_one_tag_change_parses_each_file_once_and_the_edited_one_again(
    fleet: Fleet, reads: Reads, command: str
) -> None:
    fleet.toml(replace=TAG)
    assert fleet.run("--no-cache", command).code == 0
    assert fleet.read(COMMON) == (EDITED if command == "compile" else COMMON_A)
    assert reads == {
        **SCANNED,
        # The scan parses the old text and lets its node tree go (keeping every file's
        # tree for the plan about doubles a cold run's peak memory: 73 -> 140 MiB for a
        # diff of 1,001 hubs); the plan reads the file again, checks that it did not
        # change, and parses it to splice it.
        ("parse", COMMON): 2,
        ("parse", NEW): 1,  # the plan: the line of each change in the new text
        # The edit check loads the old and the new text as data; the schema check
        # (validate) reads that data, not the texts again.
        ("load_data", COMMON): 1,
        ("load_data", NEW): 1,
    }


def test_with_a_warm_scan_cache_the_edited_file_is_the_only_values_file_parsed(
    fleet: Fleet, reads: Reads
) -> None:
    fleet.toml(replace=TAG)
    assert fleet.run("diff").code == 0  # fills the scan cache
    reads.clear()
    assert fleet.run("diff").code == 0
    assert reads == {
        ("parse", "config/clusters/a/cluster.yaml"): 1,  # the layout is not cached
        ("parse", "config/clusters/d/cluster.yaml"): 1,
        ("parse", COMMON): 1,  # the plan; the scan came from the cache
        ("parse", NEW): 1,
        ("load_data", COMMON): 1,
        ("load_data", NEW): 1,
    }
