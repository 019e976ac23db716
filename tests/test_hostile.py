"""The hostile-input corpus (:mod:`hostilecases`): every case exits with its code and says
exactly its lines, one line each, escaped and short, with no traceback, and changes no
byte of the tree, hubs.toml or hubs.lock."""

from __future__ import annotations

import json
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
# Never raw on a terminal: controls, line separators, and the bidi controls that reorder
# what a line shows (embeddings, overrides, isolates, marks).
BIDI = (*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)), "\u200e", "\u200f")
RAW = ("\x1b", "\x00", "\r", "\u2028", "\u2029", "\x9b", *BIDI)
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
        "bad reference": 19,
        "yaml syntax": 55,
        "encoding": 9,
        "escaped echo": 31,
        "huge": 17,
        "lock": 19,
        "cache": 5,
    }


# ---------------------------------------------------------------- a real process


def hubs(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "hubs.cli.main", "-C", str(root), *args]
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
            b'hubs: error: hubs.toml:26:1: clusters.a.hubs."\\u001b[2J'
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


def test_json_keeps_a_bidi_control_exact_as_an_escape(fleet: Fleet) -> None:
    """JSON is data: the tag decodes to exactly what the file holds, while the text on the
    terminal holds only ASCII escapes (``json.dumps`` writes ``\\u202e``)."""
    from hostilecases import BIDI, COMMON

    path = fleet.path(COMMON)
    path.write_bytes(path.read_bytes().replace(b"tag: abc1234", f'tag: "1{BIDI}"'.encode()))
    result = fleet.run("list", "--format", "json")
    assert_safe(result.out)
    assert "quay.io/org/image:1\\u202eevil\\u2066x\\u200f" in result.out
    images = [row["image"] for row in json.loads(result.out)]
    assert f"quay.io/org/image:1{BIDI}" in images


PROBE = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a regression fails, not the host
from hubs.cli.main import main
code = main(sys.argv[1:])
used = resource.getrusage(resource.RUSAGE_SELF)
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would be pytest's
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(code, used.ru_utime + used.ru_stime, int(peak.split()[1]) // 1024)
"""


@pytest.mark.parametrize("name", [TOML, LOCK])
def test_a_key_of_many_parts_is_refused_in_linear_time_and_small_memory(
    fleet: Fleet, name: str
) -> None:
    """tomllib takes time and memory quadratic in a dotted key's parts (50,000 parts, 98 KiB,
    took 14.7 GB): the parts are counted before it parses. Ten times the parts cost no more
    than ten times the time, and the peak stays that of a small run (about 35 MiB)."""
    runs = {}
    for parts in (5_000, 50_000):
        key = b".".join([b"t"] * parts)
        if name == TOML:
            fleet.path(TOML).write_bytes(b'tree = "."\n' + key + b" = 1\n")
        else:
            fleet.path(LOCK).write_bytes(b"[slots." + key + b"]\n")
        done = subprocess.run(
            [sys.executable, "-c", PROBE, "-C", str(fleet.root), "compile"],
            capture_output=True,
            timeout=120,
            check=False,
            env={**os.environ, "HUBS_CACHE": "off"},
        )
        code, seconds, mib = done.stdout.decode().split()
        where = "hubs.toml:2:1" if name == TOML else "hubs.lock:1:2"
        assert done.stderr.decode().splitlines() == [
            f"hubs: error: {where}: a dotted key or table header of more than 100 parts "
            "(those of hubs.toml and hubs.lock have at most 8); shorten it"
        ]
        assert code == "2"
        runs[parts] = (float(seconds), int(mib))
    (small, _), (big, peak) = runs[5_000], runs[50_000]
    assert big < 10 * small, runs  # quadratic would be 100 times
    assert peak < 150, runs  # MiB
