"""Package names from the paths of an image's layers: conda environments and pip.

A conda environment records each package as ``ENV/conda-meta/NAME-VERSION-BUILD.json``
(a version and a build hold no ``-``, a name may); pip records each distribution as a
folder ``NAME-VERSION.dist-info`` in ``site-packages`` or ``dist-packages``.  Only the
names of paths are read, never a file's content.  :func:`pick` maps a layer member's
path to the key it counts for (the json file, or the dist-info folder), :func:`package`
reads a key.  A pip distribution that a conda package of the same environment also
records (conda installs Python packages with their dist-info) is left to conda.
Imports nothing of the package.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Source = Literal["conda", "pip"]
SOURCES: tuple[Source, ...] = ("conda", "pip")
# the packages a diff's one line names first when they change (hubs.toml: packages.notable)
NOTABLE = ("python", "numpy", "pandas", "jupyterlab", "r-base")
_SITE = ("site-packages", "dist-packages")
_PYLIB = re.compile(r"lib(?:64)?/python[0-9.]*")  # ENV/lib/python3.11/site-packages
_NORMAL = re.compile(r"[-_.]+")
# What a name, version, build and environment may hold: conda's and pip's own grammars
# are narrower.  Anything else (a backtick, ``<``, a control character) is no package, so
# a report never carries markup from an image.
_WORD = re.compile(r"[A-Za-z0-9_.+!*]+")
_ENV = re.compile(r"/[A-Za-z0-9_.+/-]*")


@dataclass(frozen=True, order=True)
class Package:
    """One installed package: which environment (its prefix), its name as recorded,
    version and build (conda's; empty for pip), and what recorded it."""

    env: str
    name: str
    version: str
    build: str = ""
    source: Source = "conda"

    @property
    def key(self) -> tuple[str, str]:
        """What a package is the same as in another image: environment and name."""
        return self.env, normal(self.name)


def normal(name: str) -> str:
    """A name compared as pip compares them (PEP 503): ``Jupyter_Server`` is
    ``jupyter-server``."""
    return _NORMAL.sub("-", name).lower()


def pick(path: str) -> str | None:
    """The key ``path`` (absolute) counts for: the conda-meta json itself, or the
    dist-info folder it is or lies in; None for any other path."""
    folder, base = posixpath.split(path)
    if posixpath.basename(folder) == "conda-meta" and base.endswith(".json"):
        return path if base.count("-") >= 2 else None
    parts = path.split("/")
    for i in range(2, len(parts)):
        if parts[i].endswith(".dist-info") and parts[i - 1] in _SITE:
            return "/".join(parts[: i + 1])
    return None


def package(key: str) -> Package | None:
    """The package a key of :func:`pick` names; None when its name does not parse."""
    folder, base = posixpath.split(key)
    if base.endswith(".json"):
        name, version, build = base[: -len(".json")].rsplit("-", 2)
        found = Package(posixpath.dirname(folder), name, version, build, "conda")
    else:
        stem = base[: -len(".dist-info")]
        split = re.search(r"-(?=\d)", stem)  # the version starts with a digit
        if split is None or not split.start():
            return None
        found = Package(_pip_env(folder), stem[: split.start()], stem[split.end() :], "", "pip")
    return found if _plain(found) else None


def _plain(found: Package) -> bool:
    words = (found.name.replace("-", "_"), found.version, found.build or "x")
    return all(_WORD.fullmatch(w) for w in words) and bool(_ENV.fullmatch(found.env))


def _pip_env(site: str) -> str:
    """The environment of a site-packages folder: ``/opt/conda`` for
    ``/opt/conda/lib/python3.11/site-packages``, else the folder above it."""
    above = posixpath.dirname(site)
    head, tail = posixpath.split(above)
    if _PYLIB.fullmatch(posixpath.basename(head) + "/" + tail):
        return posixpath.dirname(head) or "/"
    return above or "/"


def packages(keys: Iterable[str]) -> tuple[Package, ...]:
    """The packages the keys name, sorted, one per environment and name: pip's left out
    where conda records the same name in the same environment."""
    found = sorted(p for p in (package(k) for k in keys) if p is not None)
    kept: dict[tuple[str, str], Package] = {}
    for found_one in found:
        held = kept.get(found_one.key)
        if held is None or (held.source == "pip" and found_one.source == "conda"):
            kept[found_one.key] = found_one
    return tuple(sorted(kept.values()))
