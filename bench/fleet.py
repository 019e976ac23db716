"""Build a fleet of real shapes at any size by tiling the shared real sample.

    .venv/bin/python bench/fleet.py OUT [--hubs 1000] [--sample ../shared/realworld/infrastructure]

The sample (``../shared/realworld/infrastructure``: four clusters of 2i2c-org/infrastructure,
13 hubs, and the basehub chart) is the tile.  Tile ``i`` copies every cluster folder as
``CLUSTER-iiii``: each file's bytes are kept, except that ``cluster.yaml`` gets the new
cluster name and each hub the name ``HUB-iiii``.  The chart's files are copied once.  A fleet
has a whole number of tiles: the multiple of the sample's hubs nearest to the size asked
for (at least one tile).
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "infrastructure"
CHART = Path("helm-charts/basehub")
CLUSTERS = Path("config/clusters")
_CLUSTER_NAME = re.compile(r"^name: *(\S+)", re.MULTILINE)
_HUB_NAME = re.compile(r"^- name: *(\S+)", re.MULTILINE)


class SampleMissing(Exception):
    """The real sample is not there: the benchmark has nothing to tile."""

    def __init__(self, sample: Path) -> None:
        super().__init__(
            f"the real sample {sample} is absent; the benchmark tiles it and skips without it"
        )


@dataclass(frozen=True)
class Manifest:
    """What a built tree holds; the test checks these against the files on disk."""

    tiles: int
    clusters: int
    hubs: int
    values_files: int  # plaintext ``*.values.yaml`` under config/clusters (support files too)
    secret_files: int  # enc-* files on disk
    lines: int  # of the files the floor reads: plaintext values files and the chart's
    kib: int  # of the same files


def sample_clusters(sample: Path) -> list[Path]:
    """The sample's cluster folders, in name order; SampleMissing when there are none."""
    found = sorted(p.parent for p in (sample / CLUSTERS).glob("*/cluster.yaml"))
    if not found:
        raise SampleMissing(sample)
    return found


def sample_hubs(sample: Path) -> int:
    clusters = sample_clusters(sample)
    return sum(len(_HUB_NAME.findall(_text(c / "cluster.yaml"))) for c in clusters)


def tiles_for(hubs: int, sample: Path = SAMPLE) -> int:
    """Whole tiles nearest to ``hubs`` hubs, at least one."""
    return max(1, round(hubs / sample_hubs(sample)))


def renamed(text: str, suffix: str) -> str:
    """cluster.yaml with ``-SUFFIX`` after the cluster's name and each hub's; no other byte."""
    text = _CLUSTER_NAME.sub(lambda m: f"{m.group(0)}-{suffix}", text, count=1)
    return _HUB_NAME.sub(lambda m: f"{m.group(0)}-{suffix}", text)


def generate(root: Path, hubs: int, sample: Path = SAMPLE) -> Manifest:
    """Write ``config/clusters`` and ``helm-charts/basehub`` under ``root``: the sample tiled
    to the multiple of its hubs nearest to ``hubs``."""
    clusters = sample_clusters(sample)
    tiles = tiles_for(hubs, sample)
    _copy(sample / CHART, root / CHART)
    for tile in range(tiles):
        for cluster in clusters:
            _copy_cluster(cluster, root / CLUSTERS / f"{cluster.name}-{tile:04d}", f"{tile:04d}")
    return _manifest(root, tiles)


def _copy(source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    for path in sorted(source.iterdir()):
        if path.is_file():
            (target / path.name).write_bytes(path.read_bytes())


def _copy_cluster(source: Path, target: Path, suffix: str) -> None:
    _copy(source, target)
    config = target / "cluster.yaml"
    config.write_bytes(renamed(_text(config), suffix).encode("utf-8"))


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _manifest(root: Path, tiles: int) -> Manifest:
    configs = sorted((root / CLUSTERS).glob("*/cluster.yaml"))
    files = sorted((root / CLUSTERS).glob("*/*"))
    plain = [p for p in files if p.name.endswith("values.yaml") and not p.name.startswith("enc-")]
    read = [root / CHART / "values.yaml", *plain]
    return Manifest(
        tiles=tiles,
        clusters=len(configs),
        hubs=sum(len(_HUB_NAME.findall(_text(p))) for p in configs),
        values_files=len(plain),
        secret_files=sum(1 for p in files if p.name.startswith("enc-")),
        lines=sum(p.read_bytes().count(b"\n") for p in read),
        kib=sum(p.stat().st_size for p in read) // 1024,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="an empty or missing folder")
    parser.add_argument("--hubs", type=int, default=1000)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    args = parser.parse_args()
    try:
        print(generate(args.out, args.hubs, args.sample))
    except SampleMissing as exc:
        raise SystemExit(f"fleet.py: {exc}") from None


if __name__ == "__main__":
    main()
