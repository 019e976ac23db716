"""The benchmark's fleet generator: the shape it promises, and a tree hubs reads cleanly.

Nothing here is timed; ``bench/run.py`` measures.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

BENCH = Path(__file__).resolve().parent.parent / "bench"
HUBS = str(Path(sys.executable).parent / "hubs")


def bench_module(name: str) -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module(name)


def hubs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HUBS, *args], capture_output=True, text=True, timeout=120)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "fleet"
    manifest = bench_module("fleet").generate(root, 20, seed=0)
    assert manifest == bench_module("fleet").Manifest(
        seed=0,
        clusters=4,
        hubs=20,
        daskhub_hubs=3,
        values_files=31,
        listed_files=25,
        shared_files=3,
        secret_files=30,
        no_image_hubs=4,
        lines=6644,
        kib=183,
    )
    return root


def test_cluster_sizes_tile_the_real_fleet() -> None:
    fleet = bench_module("fleet")
    assert fleet.cluster_sizes(171) == list(fleet.TILE)
    assert fleet.cluster_sizes(20) == [11, 4, 4, 1]
    assert fleet.cluster_sizes(100) == [56, 4, 4, 5, 5, 3, 3, 3, 3, 3, 3, 3, 3, 2]
    assert fleet.cluster_sizes(342) == list(fleet.TILE) * 2
    for hubs_wanted in (1, 2, 20, 100, 171, 1000, 10000):
        assert sum(fleet.cluster_sizes(hubs_wanted)) == hubs_wanted


def test_tree_has_the_promised_shape(tree: Path) -> None:
    clusters = sorted(p.parent.name for p in tree.glob("config/clusters/*/cluster.yaml"))
    assert clusters == ["cloudbank-0000", "nasa-cryo-0002", "openscapes-0001", "utoronto-0003"]
    listed: set[str] = set()
    charts: list[str] = []
    for name in clusters:
        data = yaml.safe_load((tree / f"config/clusters/{name}/cluster.yaml").read_text())
        for hub in data["hubs"]:
            charts.append(hub["helm_chart"])
            listed.update(f"{name}/{f}" for f in hub["helm_chart_values_files"])
    assert (len(charts), charts.count("daskhub")) == (20, 3)
    assert all((tree / "config/clusters" / f).is_file() for f in listed)
    plain = {f for f in listed if not f.split("/")[1].startswith("enc-")}
    assert len(plain) == 25
    assert sorted(f for f in listed - plain if "common" in f) == [
        "openscapes-0001/enc-common.secret.values.yaml",
        "utoronto-0003/enc-common.secret.values.yaml",
    ]
    values = [p for p in tree.glob("config/clusters/*/*.values.yaml")]
    assert len([p for p in values if not p.name.startswith("enc-")]) == 31
    assert len(list(tree.glob("config/clusters/*/enc-*"))) == 30
    chart = (tree / "helm-charts/basehub/values.yaml").read_text()
    assert '      name: quay.io/jupyter/scipy-notebook\n      tag: "2024-03-18"\n' in chart
    floor = bench_module("floor")
    assert len(floor.values_files(tree)) == 31 + 1  # the chart's values.yaml too


def test_same_seed_same_bytes_other_seed_other_bytes(tree: Path, tmp_path: Path) -> None:
    fleet = bench_module("fleet")
    fleet.generate(tmp_path / "again", 20, seed=0)
    fleet.generate(tmp_path / "other", 20, seed=1)
    assert files(tmp_path / "again") == files(tree)
    other = files(tmp_path / "other")
    assert other.keys() == files(tree).keys()
    assert other != files(tree)


def test_import_then_check_is_clean_and_never_needs_a_secret(tree: Path) -> None:
    secrets = sorted(tree.glob("config/clusters/*/enc-*"))
    assert (tree / "config/clusters/cloudbank-0000/enc-c000.secret.values.yaml") in secrets
    for path in secrets:  # unreadable as YAML or UTF-8: a reader would fail on any of them
        path.write_bytes(b"\xff\xfe: [unclosed\n")
    imported = hubs("-C", str(tree), "import")
    assert (imported.returncode, imported.stdout, imported.stderr) == (0, "", "wrote hubs.toml\n")
    toml = (tree / "hubs.toml").read_text()
    assert 'image = "quay.io/jupyter/scipy-notebook:2024-03-18"' in toml
    assert "\n[clusters.cloudbank-0000.hubs]\nc000 = {}  # cloudbank-0000 (c000)\n" in toml
    checked = hubs("-C", str(tree), "check")
    assert (checked.returncode, checked.stdout.splitlines()[0], checked.stderr) == (
        0,
        "hubs check: clean (23 slots, 20 hubs); 7 lint findings (docker-hub, mutable-tag)",
        "",
    )


def test_one_tag_change_writes_one_file_and_both_are_restored(tree: Path) -> None:
    assert hubs("-C", str(tree), "import", "--force").returncode == 0
    run = bench_module("run")
    before = files(tree)
    one = run.OneTag(tree)
    assert one.file == "config/clusters/cloudbank-0000/c001.values.yaml"
    one.before()
    assert (
        'image = "public.ecr.aws/cloudbank/geolab/geolab-base:bench-changed-1"'
        in (tree / "hubs.toml").read_text()
    )
    assert hubs("-C", str(tree), "compile").returncode == 0
    assert "tag: bench-changed-1\n" in (tree / one.file).read_text()
    one.after()
    assert files(tree) == before
    one.before()  # nothing compiled: the harness refuses the run
    with pytest.raises(SystemExit, match=r"wrote \[\], not \[config/clusters/cloudbank-0000/c001"):
        one.after()
    (tree / "hubs.toml").write_text(one.original)


def test_a_measured_process_does_not_report_the_benchmark_s_memory() -> None:
    measure = bench_module("measure")
    ballast = bytearray(64 * 1024 * 1024)  # this process is large; the relay keeps it out
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    sample = measure.run(["/bin/true"])
    assert 0 < sample.rss_kib < 16 * 1024
    assert 0 < sample.wall_s < 5
    with pytest.raises(SystemExit, match=r"^/bin/false: exit 1, expected 0\n$"):
        measure.run(["/bin/false"])
    with pytest.raises(
        SystemExit,
        match=r"^/nonexistent: exit 127, expected 0\n/nonexistent: No such file or directory\n$",
    ):
        measure.run(["/nonexistent"])
