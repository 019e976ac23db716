"""The hostile-input corpus (:mod:`hostilecases`): every case exits with its code and says
exactly its lines, one line each, escaped and short, with no traceback, and changes no
byte of the tree, hubs.toml or hubs.lock."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from fleetfixture import Fleet
from hostilecases import EXPECTED, LOCK, TOML, Case, all_cases, fleet_toml

CASES = all_cases()
RAW = ("\x1b", "\x00", "\r", "\u2028", "\u2029", "\x9b")  # never raw on a terminal
LONGEST = 1000  # characters of any line written


def files(root: Path) -> dict[str, tuple[str, bytes, int]]:
    """Every entry under ``root`` as (kind, bytes or link target, mtime), links not
    followed: a case may link hubs.lock to something unreadable."""
    out = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            out[path.relative_to(root).as_posix()] = ("link", os.readlink(path).encode(), 0)
        elif stat.S_ISREG(info.st_mode):
            out[path.relative_to(root).as_posix()] = ("file", path.read_bytes(), info.st_mtime_ns)
        else:
            out[path.relative_to(root).as_posix()] = ("folder", b"", 0)
    return out


def prepare(fleet: Fleet, case: Case) -> None:
    for rel, edit in case.edits:
        path = fleet.path(rel)
        path.write_bytes(edit(path.read_bytes() if path.exists() else b""))
    if case.setup is not None:
        case.setup(fleet.root)


def assert_safe(text: str) -> None:
    """No raw control character, line separator or terminal escape; no huge line."""
    for char in RAW:
        assert char not in text, repr(char)
    assert max((len(line) for line in text.splitlines()), default=0) <= LONGEST
    assert "Traceback" not in text


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_hostile_input_is_refused_in_one_line_and_changes_nothing(
    fleet: Fleet, case: Case
) -> None:
    prepare(fleet, case)
    before = files(fleet.root)
    result = fleet.run(*case.command.replace("{root}", str(fleet.root)).split())
    assert_safe(result.out)
    assert_safe(result.err)
    want = [line.replace("{root}", str(fleet.root)) for line in EXPECTED[case.id]]
    assert result.code == case.code
    if case.code in (2, 3):
        assert result.out == ""
        assert result.err.splitlines() == [f"hubs: error: {line}" for line in want]
    else:
        assert result.out.splitlines()[:1] == want
        assert all(line.startswith("hubs: warning: ") for line in result.err.splitlines())
    assert files(fleet.root) == before


def test_every_case_has_its_expectation_and_the_corpus_covers_each_category() -> None:
    assert sorted(EXPECTED) == sorted(case.id for case in CASES)
    assert len(CASES) >= 80
    counts = Counter(case.category for case in CASES)
    assert counts == {
        "toml syntax": 25,
        "wrong type": 32,
        "unknown name": 13,
        "bad reference": 16,
        "yaml syntax": 55,
        "encoding": 9,
        "escaped echo": 23,
        "huge": 13,
        "lock": 19,
    }


# ---------------------------------------------------------------- a real process


def hubs(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "hubs.cli", "-C", str(root), *args]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(command, capture_output=True, env=env, timeout=120, check=False)


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        (
            "nested arrays",
            fleet_toml() + b"x = " + b"[" * 10000 + b"]" * 10000 + b"\n",
            b"hubs: error: hubs.toml:25: arrays or inline tables nested too deeply to read\n",
        ),
        (
            "a 10 MB key with a terminal escape",
            fleet_toml() + b'\n[clusters.a.hubs."\\u001b[2J' + b"h" * (10 * 1024 * 1024) + b'"]\n',
            b'hubs: error: clusters.a.hubs."\\u001b[2J'
            + b"h" * 174  # the run cut to 200 characters, its length said
            + b"... (10485788 characters) no such hub in config/clusters/a/cluster.yaml\n",
        ),
    ],
)
def test_a_real_process_prints_one_escaped_line(
    fleet: Fleet, name: str, text: bytes, line: bytes
) -> None:
    """Run as a process, with its own stack and streams: the bytes on stderr."""
    fleet.path(TOML).write_bytes(text)
    before = files(fleet.root)
    done = hubs(fleet.root, "compile")
    assert (done.returncode, done.stdout, done.stderr) == (2, b"", line), name
    assert files(fleet.root) == before
    assert not fleet.path(LOCK).exists()
