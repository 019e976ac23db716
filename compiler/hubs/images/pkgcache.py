"""Each image's package list, kept by its manifest's digest (which never changes).

One JSON file per image manifest in ``packages/`` of the user's cache folder (the scan
cache's, :func:`hubs.tree.cache.home`), named by the digest: ``sha256-HEX.json``.  A file is
used only when it was written by this cache format and this reader of package names
(:data:`READER`), names the digest asked for, and has exactly the shape :func:`save`
writes; anything else is a miss and the list is read from the layers again.  The file
is read as every file is (:func:`hubs.files.fileio.read_bytes`: a regular file, at most
:data:`LIMIT`), written atomically, and any OS error only means no cache.  Only a
complete list is kept: never one cut short by a budget or a failure.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hubs.errors import HubsError
from hubs.files.fileio import MiB, read_bytes
from hubs.images.pkgnames import SOURCES, Package
from hubs.tree.cache import enabled, home, write_atomic

FORMAT = 1
READER = 1  # bump when pkgnames reads names differently: older entries are then misses
LIMIT = 16 * MiB  # ~100 bytes a package: far above any image's list
_DIGEST = re.compile(r"(sha256|sha512):([0-9a-f]{64,128})")


def path_of(digest: str) -> Path | None:
    """The cache file of a manifest digest; None for a digest of another form."""
    found = _DIGEST.fullmatch(digest)
    return home() / "packages" / f"{found[1]}-{found[2]}.json" if found else None


def load(digest: str, flag_off: bool = False) -> tuple[Package, ...] | None:
    """The package list kept for ``digest``; None when off, absent or not ours."""
    path = path_of(digest)
    if path is None or not enabled(flag_off):
        return None
    try:
        data = json.loads(read_bytes(path, str(path), LIMIT))
        return _decode(data, digest)
    except (HubsError, ValueError, RecursionError, TypeError, KeyError):
        return None


def _decode(data: object, digest: str) -> tuple[Package, ...] | None:
    if not isinstance(data, dict) or (data.get("format"), data.get("reader")) != (FORMAT, READER):
        return None
    if data.get("digest") != digest or not isinstance(data.get("packages"), list):
        return None
    out = []
    for row in data["packages"]:
        if not (isinstance(row, list) and len(row) == 5 and all(type(v) is str for v in row)):
            return None
        env, name, version, build, source = row
        if source not in SOURCES:
            return None
        out.append(Package(env, name, version, build, source))
    return tuple(out)


def save(digest: str, found: tuple[Package, ...], flag_off: bool = False) -> None:
    """Keep ``found`` for ``digest``; an OS error leaves no cache, never a failure."""
    path = path_of(digest)
    if path is None or not enabled(flag_off):
        return
    rows = [[p.env, p.name, p.version, p.build, p.source] for p in found]
    body = {"format": FORMAT, "reader": READER, "digest": digest, "packages": rows}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, [json.dumps(body, separators=(",", ":"))])
    except OSError:
        return
