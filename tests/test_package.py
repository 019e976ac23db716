"""What a user installs: the licence it is under, and where the docs say to get it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_the_licence_pyproject_declares_is_shipped() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == {"text": "BSD-3-Clause"}
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License\n\nCopyright (c) 2026, the hubs authors\n")
    assert "3. Neither the name of the copyright holder" in text


def test_no_doc_installs_a_name_from_the_package_index() -> None:
    # PyPI has no `hubs` of ours: anyone may publish that name, so install from the repository
    wrong = [
        f"{doc.relative_to(ROOT)}: {m[0]}"
        for doc in DOCS
        for m in re.finditer(r"pip(?:x)? install ['\"]?hubs\b[^`]*", doc.read_text())
    ]
    assert wrong == []


def test_the_changelog_names_this_version_first() -> None:
    from hubs import __version__

    text = (ROOT / "CHANGELOG.md").read_text()
    heads = re.findall(r"^## (\S+)", text, re.M)
    assert heads[0] == __version__


def test_the_package_says_what_it_is() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "License :: OSI Approved :: BSD License" in project["classifiers"]
    assert "Programming Language :: Python :: 3.11" in project["classifiers"]


def test_the_sdist_carries_the_licence_and_no_half_of_the_tests(tmp_path: Path) -> None:
    import subprocess
    import sys
    import tarfile

    tree = tmp_path / "tree"
    archive = (
        subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, archive):
        if (ROOT / name).is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_bytes((ROOT / name).read_bytes())
    script = "from setuptools import build_meta; print(build_meta.build_sdist('dist'))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tree, capture_output=True, text=True, check=True
    )
    sdist = tree / "dist" / done.stdout.split()[-1]
    with tarfile.open(sdist) as tar:
        names = [name.split("/", 1)[1] for name in tar.getnames() if "/" in name]
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= set(names)
    assert [n for n in names if n.startswith(("tests/", "bench/"))] == []  # all or nothing
