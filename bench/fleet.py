"""Benchmark: generate a fleet shaped like the real one, time the commands that run often.

    .venv/bin/python bench/fleet.py [--clusters 30] [--hubs 171] [--runs 5]

The fleet mirrors the measured anatomy of 2i2c-org/infrastructure: one cluster with 95 hubs
sharing a common file, the rest with 2-5 hubs; shared files with profileLists and choices,
anchors, daskhub nesting, sops files, ~160 lines of other config per file.  Prints a
markdown table of wall-clock times (best and median of --runs, process start included).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILLER = "".join(
    f"    extra{i}:\n      key: value-{i}  # comment {i}\n      list: [a, b, c]\n"
    for i in range(50)
)


def profile_list(n: int, anchor: bool) -> str:
    out = ["    profileList:"]
    for p in range(n):
        out += [
            f"    - display_name: Profile {p}",
            f"      slug: p{p}",
            "      profile_options:",
            "        image:" + (" &opts" if anchor and p == 0 else (" *opts" if anchor else "")),
        ]
        if anchor and p > 0:
            continue
        out += ["          display_name: Image", "          choices:"]
        for c in range(4):
            out += [
                f"            c{c}:",
                f"              display_name: Choice {c} (2025.01.0{c + 1})",
                "              kubespawner_override:",
                f"                image: pangeo/pangeo-notebook:2025.01.0{c + 1}",
            ]
    return "\n".join(out) + "\n"


def write_fleet(root: Path, clusters: int, hubs: int) -> None:
    (root / "helm-charts/basehub").mkdir(parents=True)
    (root / "helm-charts/basehub/values.yaml").write_text(
        "jupyterhub:\n  singleuser:\n    image:\n      name: quay.io/jupyter/scipy-notebook\n"
        '      tag: "2024-03-18"\n' + FILLER.replace("    ", "    ", 1)
    )
    sizes = [95] + [2 + (i % 4) for i in range(clusters - 1)]
    while sum(sizes) > hubs:
        sizes[sizes.index(max(sizes[1:]), 1)] -= 1
    for c, size in enumerate(sizes):
        daskhub = c % 5 == 4
        folder = root / f"config/clusters/c{c:02d}"
        folder.mkdir(parents=True)
        nest = "basehub:\n  " if daskhub else ""
        ind = "  " if daskhub else ""
        common = (
            f"{nest}jupyterhub:\n{ind}  singleuser:\n{ind}    image:\n"
            f"{ind}      name: quay.io/org/c{c}-image\n{ind}      tag: 0a1b2c3d4e5f\n"
        )
        plist = profile_list(3, anchor=c % 3 == 0)
        if daskhub:
            plist = "\n".join("  " + line if line else line for line in plist.split("\n"))
        common += plist + ("  " + FILLER.replace("\n    ", "\n      ") if daskhub else FILLER)
        (folder / "common.values.yaml").write_text(common)
        lines = [f"name: c{c:02d}", "provider: gcp", "hubs:"]
        for h in range(size):
            hub_file = folder / f"h{h}.values.yaml"
            body = f"{nest}jupyterhub:\n{ind}  ingress:\n{ind}    hosts: [h{h}.c{c}.org]\n"
            if h % 10 == 1:
                body += (
                    f"{ind}  singleuser:\n{ind}    image:\n"
                    f"{ind}      name: quay.io/org/c{c}-image\n{ind}      tag: ffffffffffff\n"
                )
            hub_file.write_text(body + FILLER)
            (folder / f"enc-h{h}.secret.values.yaml").write_text(
                "jupyterhub:\n  hub:\n    x: ENC[AES256_GCM,data:x,type:str]\nsops:\n  v: 1\n"
            )
            lines += [
                f"- name: h{h}",
                f"  display_name: Hub {h} of c{c}",
                f"  domain: h{h}.c{c}.org",
                f"  helm_chart: {'daskhub' if daskhub else 'basehub'}",
                "  helm_chart_values_files:",
                "  - common.values.yaml",
                f"  - h{h}.values.yaml",
                f"  - enc-h{h}.secret.values.yaml",
            ]
        (folder / "cluster.yaml").write_text("\n".join(lines) + "\n")


def timed(cmd: list[str], runs: int, expect: int = 0) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if result.returncode != expect:
            sys.exit(f"{' '.join(cmd)} exited {result.returncode}: {result.stderr}")
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clusters", type=int, default=30)
    parser.add_argument("--hubs", type=int, default=171)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    hubs = str(Path(sys.executable).parent / "hubs")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_fleet(root, args.clusters, args.hubs)
        files = len(list(root.rglob("*.yaml")))
        size = sum(p.stat().st_size for p in root.rglob("*.yaml")) // 1024
        rows = [("hubs import", *timed([hubs, "-C", tmp, "import", "--force"], args.runs))]
        rows.append(("hubs check (clean)", *timed([hubs, "-C", tmp, "check"], args.runs)))
        rows.append(
            (
                "hubs list --format json",
                *timed([hubs, "-C", tmp, "list", "--format", "json"], args.runs),
            )
        )
        toml = (root / "hubs.toml").read_text()
        bumped = toml.replace(
            "pangeo/pangeo-notebook:2025.01.01", "pangeo/pangeo-notebook:2025.02.01"
        )
        (root / "hubs.toml").write_text(bumped)
        changes = bumped.count("2025.02.01")
        rows.append(
            (
                f"hubs check (drift, {changes} slots)",
                *timed([hubs, "-C", tmp, "check"], args.runs, expect=1),
            )
        )
        rows.append((f"hubs diff ({changes} slots)", *timed([hubs, "-C", tmp, "diff"], args.runs)))
        backup = root.parent / (root.name + ".bak")
        shutil.copytree(root, backup)
        compile_times = []
        for _ in range(args.runs):
            shutil.rmtree(root)
            shutil.copytree(backup, root)
            compile_times.append(timed([hubs, "-C", tmp, "compile"], 1)[0])
        shutil.rmtree(backup)
        rows.append(
            (
                f"hubs compile ({changes} slots)",
                min(compile_times),
                statistics.median(compile_times),
            )
        )
        rows.append(("hubs compile (no-op)", *timed([hubs, "-C", tmp, "compile"], args.runs)))
        print(f"fleet: {args.clusters} clusters, {args.hubs} hubs, {files} YAML files, {size} KiB")
        print("\n| command | best (s) | median (s) |\n| --- | --- | --- |")
        for name, best, median in rows:
            print(f"| {name} | {best:.3f} | {median:.3f} |")


if __name__ == "__main__":
    main()
