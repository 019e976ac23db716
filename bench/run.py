"""Benchmark: whole-process time and peak memory of the hubs commands, against a floor.

    .venv/bin/python bench/run.py [--sizes 171,1000] [--runs 5] [--out bench/out] [--sample DIR]

For each size it builds a fleet of real shapes (``fleet.py``: the shared real sample tiled to
the nearest multiple of its hubs) into ``OUT/fleet-N``, writes its hubs.toml with
``hubs import`` and checks that ``hubs check`` is clean.  Without the sample it says so and
exits 0.  Bytecode is cached as an installed tool has it: the package is compiled with
``compileall``, ``PYTHONDONTWRITEBYTECODE`` is unset, and each command and floor runs once,
untimed, before its measured runs.  Then each figure is measured
``--runs`` times, alternating with its floor (floor, command, floor, command, ...): the floor
is ``floor.py`` (one process loading every plaintext values file with libyaml), and
``python -c pass`` for ``hubs --version``.  Every command runs cold (``--no-cache``) but
the warm ones, which use the caches ``prepare``'s check left (``OUT/cache``, never the
user's), where no file changed since, and ``hubs check (values changed)``: the scan and
clean-check caches dropped before each run, the model cache (hubs.toml as it validated)
kept, as after a commit that changed values files and not hubs.toml.  Figures are
medians; ratios are medians of the pairwise ratios.  The hubs command is the console
script next to this Python: run it from a venv with only hubs' runtime dependencies
(the test extras' JupyterHub makes ``import jsonschema`` cost ~0.8 s).  All samples go to
``OUT/results.json``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import fleet
import measure
from measure import Case, Figures

import hubs as package
from hubs.authoring.tomledit import set_policy
from hubs.policy.address import parse

HERE = Path(__file__).resolve().parent
NEW_TAG = "bench-changed-1"


class OneTag:
    """``hubs compile`` after one hub-level tag change in hubs.toml; restores both files."""

    def __init__(self, tree: Path) -> None:
        self.tree, self.config = tree, tree / "hubs.toml"
        self.original = self.config.read_text(encoding="utf-8")
        self.file, self.changed = self._pick()
        self.file_bytes = (tree / self.file).read_bytes()
        self.stamps: dict[str, measure.Stamp] = {}

    def _pick(self) -> tuple[str, str]:
        listing = subprocess.run(
            [str(hubs_command()), "-C", str(self.tree), "list", "--format", "json"],
            check=True,
            capture_output=True,
            text=True,
        )
        for slot in json.loads(listing.stdout):
            address = parse(slot["address"])
            hub_pin = address.scope.kind == "hub" and address.kind == "singleuser"
            if hub_pin and slot["policy"] == "pinned":  # stated in the hub's own table or line
                name = slot["image"].rsplit(":", 1)[0]
                changed = set_policy(self.original, address, f"{name}:{NEW_TAG}")
                return str(slot["file"]), changed
        raise SystemExit(f"{self.config}: no hub-level image to change")

    def before(self) -> None:
        self.config.write_text(self.changed, encoding="utf-8")
        self.stamps = measure.snapshot(self.tree)

    def after(self) -> None:
        written = measure.changed(self.stamps, measure.snapshot(self.tree))
        if written != [self.file]:
            raise SystemExit(f"compile after one tag change wrote {written}, not [{self.file}]")
        self.config.write_text(self.original, encoding="utf-8")
        (self.tree / self.file).write_bytes(self.file_bytes)


class ValuesChanged:
    """A check after the values files changed and hubs.toml did not (the usual commit): the
    scan and clean-check caches dropped, the model cache (hubs.toml as it validated) kept."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache / "hubs"

    def before(self) -> None:
        for path in [*self.cache.glob("scan-*.json"), *self.cache.glob("check-*.json")]:
            path.unlink()
        if not list(self.cache.glob("model-*.json")):
            raise SystemExit(f"{self.cache}: no model cache to keep")

    def after(self) -> None:
        pass


class NoWrite:
    """Asserts a command wrote nothing under the tree."""

    def __init__(self, tree: Path) -> None:
        self.tree = tree
        self.stamps: dict[str, measure.Stamp] = {}

    def before(self) -> None:
        self.stamps = measure.snapshot(self.tree)

    def after(self) -> None:
        written = measure.changed(self.stamps, measure.snapshot(self.tree))
        if written:
            raise SystemExit(f"compile with nothing to do wrote {written}")


def hubs_command() -> Path:
    path = Path(sys.executable).parent / "hubs"
    if not path.exists():
        raise SystemExit(f"{path}: not found; run `pip install -e .` in this venv")
    return path


def prepare(tree: Path, hubs: int, sample: Path) -> fleet.Manifest:
    if tree.exists():
        shutil.rmtree(tree)
    manifest = fleet.generate(tree, hubs, sample)
    measure.run([str(hubs_command()), "-C", str(tree), "import"])
    measure.run([str(hubs_command()), "-C", str(tree), "check"])
    return manifest


def cases(tree: Path, scratch: Path, cache: Path) -> list[Case]:
    hubs = (str(hubs_command()), "-C", str(tree))
    floor = (sys.executable, str(HERE / "floor.py"), str(tree))
    one, none, values = OneTag(tree), NoWrite(tree), ValuesChanged(cache)
    imported = str(scratch / "hubs.toml")
    cold = (*hubs, "--no-cache")
    return [
        Case("hubs check (clean, no cache)", (*cold, "check"), floor),
        Case("hubs check (values changed)", (*hubs, "check"), floor, values.before, values.after),
        Case("hubs check (warm cache)", (*hubs, "check"), floor),
        Case("hubs compile (nothing to do)", (*cold, "compile"), floor, none.before, none.after),
        Case("hubs compile (one tag)", (*cold, "compile"), floor, one.before, one.after),
        Case("hubs import", (*cold, "import", "--config", imported, "--force"), floor),
        Case("hubs list --format json", (*cold, "list", "--format", "json"), floor),
        Case("hubs list --format json (warm cache)", (*hubs, "list", "--format", "json"), floor),
        Case("hubs lint (warm cache)", (*hubs, "lint"), floor, expect=1),  # findings: exit 1
        Case("hubs --version", (hubs[0], "--version"), (sys.executable, "-c", "pass")),
    ]


def table(hubs: int, manifest: fleet.Manifest, figures: list[Figures]) -> str:
    head = (
        f"\n{manifest.hubs} hubs ({manifest.tiles} tiles of the sample, asked {hubs}): "
        f"{manifest.clusters} clusters, {manifest.values_files} values files "
        f"({manifest.lines} lines, {manifest.kib} KiB), {manifest.secret_files} secret files\n\n"
        "| command | wall s | floor s | x floor | peak MiB | floor MiB | x floor |\n"
        "| --- | --: | --: | --: | --: | --: | --: |\n"
    )
    rows = [
        f"| `{f.case.name}` | {f.wall_s:.2f} | {f.floor_wall_s:.2f} | {f.wall_ratio:.2f} "
        f"| {f.rss_mib:.0f} | {f.floor_rss_mib:.0f} | {f.rss_ratio:.1f} |\n"
        for f in figures
    ]
    return head + "".join(rows)


def cache_bytecode() -> None:
    """As an installed tool: bytecode written and read (every child inherits this
    environment), the package compiled ahead."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(Path(package.__file__).parent, quiet=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="171,1000", help="hub counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--sample", type=Path, default=fleet.SAMPLE, help="the real sample")
    args = parser.parse_args(argv)
    try:
        fleet.sample_clusters(args.sample)
    except fleet.SampleMissing as exc:
        print(f"bench: skipped: {exc}", file=sys.stderr)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    cache = (args.out / "cache").resolve()
    os.environ["XDG_CACHE_HOME"] = str(cache)  # hubs' caches
    cache_bytecode()
    results: dict[str, object] = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "runs": args.runs,
        "sizes": [],
    }
    for hubs in sizes:
        tree = args.out / f"fleet-{hubs}"
        manifest = prepare(tree, hubs, args.sample)
        with tempfile.TemporaryDirectory() as scratch:
            figures = [measure.measure(c, args.runs) for c in cases(tree, Path(scratch), cache)]
        print(table(hubs, manifest, figures), flush=True)
        entry = {"hubs": hubs, "fleet": asdict(manifest), "figures": [f.as_json() for f in figures]}
        sizes_out = results["sizes"]
        assert isinstance(sizes_out, list)
        sizes_out.append(entry)
    path = args.out / "results.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
