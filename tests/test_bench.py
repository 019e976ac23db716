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


SAMPLE = BENCH.parent.parent / "shared" / "realworld" / "infrastructure"
needs_sample = pytest.mark.skipif(not SAMPLE.is_dir(), reason=f"{SAMPLE} is absent")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SAMPLE.is_dir():
        pytest.skip(f"{SAMPLE} is absent")
    root = tmp_path_factory.mktemp("bench") / "fleet"
    manifest = bench_module("fleet").generate(root, 20)
    assert manifest == bench_module("fleet").Manifest(
        tiles=2, clusters=8, hubs=26, values_files=48, secret_files=54, lines=4641, kib=166
    )
    return root


@needs_sample
def test_sizes_are_the_nearest_multiple_of_the_sample() -> None:
    fleet = bench_module("fleet")
    assert fleet.sample_hubs(SAMPLE) == 13
    assert [13 * fleet.tiles_for(n) for n in (1, 20, 171, 1000, 10000)] == [13, 26, 169, 1001, 9997]


def test_cluster_yaml_is_renamed_and_every_other_byte_kept() -> None:
    text = (
        "name: leap\nprovider: gcp\nhubs:\n- name: staging\n  display_name: name: x\n- name: prod\n"
    )
    assert bench_module("fleet").renamed(text, "0007") == (
        "name: leap-0007\nprovider: gcp\nhubs:\n- name: staging-0007\n  display_name: name: x\n"
        "- name: prod-0007\n"
    )


def test_tree_is_the_sample_tiled(tree: Path) -> None:
    clusters = sorted(p.parent.name for p in tree.glob("config/clusters/*/cluster.yaml"))
    names = ("2i2c", "leap", "openscapeshub", "utoronto")
    assert clusters == sorted(f"{c}-{t:04d}" for c in names for t in (0, 1))
    for cluster in clusters:  # every file but cluster.yaml is the sample's, byte for byte
        original = SAMPLE / "config/clusters" / cluster.rsplit("-", 1)[0]
        copied = files(tree / "config/clusters" / cluster)
        expected = files(original)
        assert copied.keys() == expected.keys()
        assert {k: v for k, v in copied.items() if k != "cluster.yaml"} == {
            k: v for k, v in expected.items() if k != "cluster.yaml"
        }
    config = yaml.safe_load((tree / "config/clusters/leap-0001/cluster.yaml").read_text())
    assert config["name"] == "leap-0001"
    assert [h["name"] for h in config["hubs"]] == ["staging-0001", "prod-0001", "public-0001"]
    assert files(tree / "helm-charts/basehub") == files(SAMPLE / "helm-charts/basehub")
    floor = bench_module("floor")
    assert len(floor.values_files(tree)) == 48 + 1  # the chart's values.yaml too


def test_without_the_sample_the_benchmark_says_so_and_skips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = bench_module("fleet")
    missing = tmp_path / "shared/realworld/infrastructure"
    with pytest.raises(fleet.SampleMissing) as caught:
        fleet.generate(tmp_path / "out", 20, missing)
    message = f"the real sample {missing} is absent; the benchmark tiles it and skips without it"
    assert str(caught.value) == message
    bench_module("run").main(["--sample", str(missing), "--out", str(tmp_path / "out")])
    assert capsys.readouterr() == ("", f"bench: skipped: {message}\n")
    assert not (tmp_path / "out").exists()


def test_import_then_check_is_clean_and_never_needs_a_secret(tree: Path) -> None:
    secrets = sorted(tree.glob("config/clusters/*/enc-*"))
    assert (tree / "config/clusters/leap-0000/enc-prod.secret.values.yaml") in secrets
    for path in secrets:  # unreadable as YAML or UTF-8: a reader would fail on any of them
        path.write_bytes(b"\xff\xfe: [unclosed\n")
    imported = hubs("-C", str(tree), "import")
    assert (imported.returncode, imported.stdout, imported.stderr) == (0, "", "wrote hubs.toml\n")
    toml = (tree / "hubs.toml").read_text()
    assert 'image = "quay.io/jupyter/scipy-notebook:2024-03-18"' in toml
    assert "\n[clusters.leap-0001.hubs]\nstaging-0001 = {}  # LEAP Staging\n" in toml
    checked = hubs("-C", str(tree), "check")
    assert (checked.returncode, checked.stdout.splitlines()[0], checked.stderr) == (
        0,
        "hubs check: clean (49 slots, 26 hubs); 28 lint findings (docker-hub, mutable-tag)",
        "",
    )


def test_one_tag_change_writes_one_file_and_both_are_restored(tree: Path) -> None:
    assert hubs("-C", str(tree), "import", "--force").returncode == 0
    run = bench_module("run")
    before = files(tree)
    one = run.OneTag(tree)
    assert one.file == "config/clusters/2i2c-0000/mtu.values.yaml"
    one.before()
    assert (
        'mtu-0000.image = "quay.io/2i2c/cloudbank-data8-image:bench-changed-1"'
        in (tree / "hubs.toml").read_text()
    )
    assert hubs("-C", str(tree), "compile").returncode == 0
    assert "tag: bench-changed-1\n" in (tree / one.file).read_text()
    one.after()
    assert files(tree) == before
    one.before()  # nothing compiled: the harness refuses the run
    with pytest.raises(SystemExit, match=r"wrote \[\], not \[config/clusters/2i2c-0000/mtu"):
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
