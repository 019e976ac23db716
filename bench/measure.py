"""Run one whole process and measure it: wall time and its peak resident memory (``spawn.py``)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

RELAY = Path(__file__).resolve().parent / "spawn.py"


@dataclass(frozen=True)
class Sample:
    wall_s: float
    rss_kib: int  # ru_maxrss from os.wait4 (KiB on Linux)


def run(argv: Sequence[str], expect: int = 0) -> Sample:
    """Run ``argv`` under ``spawn.py``; exit with its stderr if its exit code is not ``expect``."""
    with tempfile.TemporaryFile() as err:
        done = subprocess.run(
            [sys.executable, str(RELAY), *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            check=False,
        )
        result = json.loads(done.stdout) if done.returncode == 0 else {"code": done.returncode}
        if result["code"] != expect:
            err.seek(0)
            text = err.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(argv)}: exit {result['code']}, expected {expect}\n{text}")
    return Sample(float(result["wall_s"]), int(result["rss_kib"]))


@dataclass(frozen=True)
class Case:
    """One figure: a command, the floor it is compared with, and hooks around each run."""

    name: str
    argv: tuple[str, ...]
    floor: tuple[str, ...]
    before: Callable[[], None] = field(default=lambda: None)
    after: Callable[[], None] = field(default=lambda: None)
    expect: int = 0  # the command's exit code (hubs lint: 1 when it has findings)


@dataclass(frozen=True)
class Figures:
    case: Case
    runs: tuple[Sample, ...]
    floors: tuple[Sample, ...]

    @property
    def wall_s(self) -> float:
        return statistics.median(s.wall_s for s in self.runs)

    @property
    def floor_wall_s(self) -> float:
        return statistics.median(s.wall_s for s in self.floors)

    @property
    def wall_ratio(self) -> float:
        """Median of the pairwise ratios run i / floor i."""
        return statistics.median(r.wall_s / f.wall_s for r, f in self._pairs())

    @property
    def rss_mib(self) -> float:
        return statistics.median(s.rss_kib for s in self.runs) / 1024

    @property
    def floor_rss_mib(self) -> float:
        return statistics.median(s.rss_kib for s in self.floors) / 1024

    @property
    def rss_ratio(self) -> float:
        return statistics.median(r.rss_kib / f.rss_kib for r, f in self._pairs())

    def _pairs(self) -> list[tuple[Sample, Sample]]:
        return list(zip(self.runs, self.floors, strict=True))

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.case.name,
            "argv": list(self.case.argv),
            "floor_argv": list(self.case.floor),
            "wall_s": [s.wall_s for s in self.runs],
            "rss_kib": [s.rss_kib for s in self.runs],
            "floor_wall_s": [s.wall_s for s in self.floors],
            "floor_rss_kib": [s.rss_kib for s in self.floors],
            "median_wall_s": self.wall_s,
            "median_floor_wall_s": self.floor_wall_s,
            "wall_ratio": self.wall_ratio,
            "median_rss_mib": self.rss_mib,
            "median_floor_rss_mib": self.floor_rss_mib,
            "rss_ratio": self.rss_ratio,
        }


def measure(case: Case, runs: int) -> Figures:
    """One untimed run of each (bytecode written, files in the page cache), then ``runs``
    pairs, floor first then the command: A B A B ..."""
    run(case.floor)
    case.before()
    run(case.argv, case.expect)
    case.after()
    floors, samples = [], []
    for _ in range(runs):
        floors.append(run(case.floor))
        case.before()
        samples.append(run(case.argv, case.expect))
        case.after()
    return Figures(case, tuple(samples), tuple(floors))


Stamp = tuple[int, int, int]


def snapshot(root: Path) -> dict[str, Stamp]:
    """(inode, mtime_ns, size) of every file under ``root``, by relative path.

    An atomic rewrite changes the inode even when size and mtime happen to match.
    """
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            stat = os.stat(path)
            out[os.path.relpath(path, root)] = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    return out


def changed(before: dict[str, Stamp], after: dict[str, Stamp]) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
