"""Every ``console`` block of the README and docs/ runs, and prints what it shows.

A document's blocks run in order in one fresh copy of the bundled example, a git repository
with one commit. Which copy a document's blocks run in is its marker
``<!-- console-fleet: NAME -->`` (see :data:`FLEETS`; the repository's example by default).
A block may be preceded by ``<!-- console-setup`` ... ``-->`` holding shell lines run
first, unseen, for a state the reader is told about in words. In a block, ``$ COMMAND``
runs in bash (stderr and stdout together, as a terminal shows them) and the lines up to
the next ``$`` are its output, compared exactly; a line ``...`` (indented or not) stands
for any lines, the excerpt marker.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(
    r"(?:<!-- console-setup\n(?P<setup>.*?)-->\n)?```console\n(?P<body>.*?)^```$", re.S | re.M
)
FLEET = re.compile(r"^<!-- console-fleet: (\w+) -->$", re.M)
FLEETS = {
    "example": "this repository's hubs.toml, hubs.lock and generated/",
    "fleet": "generated/ as a fleet repository's root, no hubs.toml yet",
    "imported": "generated/ as a fleet repository's root, after `hubs import`, committed",
}
EXCERPT = "..."


def blocks(text: str) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Each console block: its hidden setup and its (command, output lines)."""
    found = []
    for match in BLOCK.finditer(text):
        runs: list[tuple[str, list[str]]] = []
        for line in match["body"].splitlines():
            if line.startswith("$ "):
                runs.append((line[2:], []))
            else:
                assert runs, f"output before a command: {line!r}"
                runs[-1][1].append(line)
        found.append((match["setup"] or "", runs))
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` as ``expected`` shows it, an ``...`` line standing for any lines."""
    if not expected:
        return not actual
    if expected[0].strip() == EXCERPT:
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def test_the_excerpt_marker() -> None:
    assert matches(["a", "  ...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "..."], ["a"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a"], ["a", "b"])


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=ENV)


ENV = {
    "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    "HOME": os.environ.get("HOME", "/tmp"),
    "NO_COLOR": "1",
    "LC_ALL": "C.UTF-8",
    "GIT_AUTHOR_NAME": "docs",
    "GIT_AUTHOR_EMAIL": "docs@example.org",
    "GIT_COMMITTER_NAME": "docs",
    "GIT_COMMITTER_EMAIL": "docs@example.org",
}


def make_fleet(name: str, where: Path) -> Path:
    assert name in FLEETS, f"unknown console-fleet {name!r}: one of {', '.join(FLEETS)}"
    if name == "example":
        shutil.copytree(ROOT / "generated", where / "generated")
        for file in ("hubs.toml", "hubs.lock"):
            shutil.copy(ROOT / file, where / file)
    else:
        shutil.copytree(ROOT / "generated", where)
    git(where, "init", "-q")
    if name == "imported":
        subprocess.run([BIN / "hubs", "import"], cwd=where, check=True, capture_output=True)
    git(where, "add", ".")
    git(where, "commit", "-qm", "the fleet")
    return where


def shell(command: str, cwd: Path) -> list[str]:
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", command],
        cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    return done.stdout.splitlines()


DOCUMENTED = [doc for doc in DOCS if "```console" in doc.read_text()]


@pytest.mark.parametrize("doc", DOCUMENTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_console_block_prints_what_it_shows(doc: Path, tmp_path: Path) -> None:
    text = doc.read_text()
    marker = FLEET.search(text)
    cwd = make_fleet(marker[1] if marker else "example", tmp_path / "fleet")
    wrong = []
    for setup, runs in blocks(text):
        if setup:
            shell(setup, cwd)
        for command, expected in runs:
            actual = shell(command, cwd)
            if not matches(expected, actual):
                wrong.append("\n".join([f"$ {command}", *actual]))
    assert not wrong, "\n\n".join(wrong)


def test_every_document_with_console_blocks_is_run() -> None:
    assert [str(p.relative_to(ROOT)) for p in DOCUMENTED] == [
        "README.md",
        "docs/faq.md",
        "docs/getting-started.md",
        "docs/migration.md",
    ]
