"""The real sample of 2i2c-org/infrastructure (../shared/realworld), when present.

Import then compile must change no byte; each of the 28 real tag-bump commits must replay
through `hubs set` + `hubs compile` to the `after` files byte for byte.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, TypedDict

import pytest
import yaml

from hubs.cli.main import main
from hubs.tree import layering, scan

SHARED = Path(__file__).resolve().parents[2] / "shared" / "realworld"
SAMPLE = SHARED / "infrastructure"
BUMPS = SHARED / "bumps"


class Bump(TypedDict):
    """One entry of bumps/index.json: a real image bump commit and the files it changed."""

    commit: str
    files: list[str]


pytestmark = pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/realworld is absent")


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in ("hubs.toml", "hubs.lock")
    }


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    for path in dst.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    dst.chmod(0o755)
    return dst


def hubs(*args: str) -> int:
    return main(list(args))


def test_import_then_compile_changes_no_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "infra")
    before = snapshot(tree)
    assert hubs("-C", str(tree), "import") == 0
    assert hubs("-C", str(tree), "check") == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "hubs check: clean (25 slots, 13 hubs); 14 lint findings (docker-hub, mutable-tag)"
    )
    assert hubs("-C", str(tree), "compile") == 0
    assert snapshot(tree) == before
    assert hubs("-C", str(tree), "import") == 2
    assert "exists already; `hubs adopt` takes what the tree has" in capsys.readouterr().err


def test_import_states_every_cluster_in_order(tmp_path: Path) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "infra")
    assert hubs("-C", str(tree), "import") == 0
    text = (tree / "hubs.toml").read_text()
    order = [line.split()[2] for line in text.splitlines() if line.startswith("# ---- ")]
    assert order == ["2i2c", "leap", "openscapeshub", "utoronto"]
    assert (
        'r-staging.image = "quay.io/2i2c/utoronto-r-image:56d60b40210a"  # University of '
        "Toronto (r-staging)\n" in text
    )
    assert '[defaults]\nimage = "quay.io/jupyter/scipy-notebook:2024-03-18"\n' in text


def _bumps() -> list[Bump]:
    if not BUMPS.is_dir():
        return []
    bumps: list[Bump] = json.loads((BUMPS / "index.json").read_text())
    return bumps


@pytest.mark.parametrize("bump", _bumps(), ids=lambda b: str(b["commit"])[:12])
def test_replay_real_bump(bump: Bump, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = BUMPS / str(bump["commit"])[:12]
    tree = copy_tree(folder / "before", tmp_path / "tree")
    before = snapshot(tree)
    assert hubs("-C", str(tree), "import") == 0
    capsys.readouterr()
    assert hubs("-C", str(tree), "list", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    files = [str(f) for f in bump["files"]]
    sets = 0
    for rel in files:
        after = scan.scan(folder / "after", rel, _prefix(rows, rel))
        new_images = {slot.path: slot.image for slot in after.slots}
        for row in rows:
            if row["file"] != rel or row["policy"] != "pinned":
                continue
            new = new_images.get(tuple(row["path"]))
            if new is not None and new != row["image"]:
                assert hubs("-C", str(tree), "set", row["address"], "--pin", new) == 0
                sets += 1
    assert sets > 0
    assert hubs("-C", str(tree), "compile") == 0
    result = snapshot(tree)
    for rel in files:
        assert result.pop(rel) == (folder / "after" / rel).read_bytes(), rel
        before.pop(rel)
    assert result == before  # no other file changed
    assert hubs("-C", str(tree), "check") == 0


def _prefix(rows: list[dict[str, Any]], rel: str) -> tuple[str, ...]:
    for row in rows:
        if row["file"] == rel and row["path"][0] == "basehub":
            return ("basehub",)
    return ()


def ruamel_roundtrip(data: bytes) -> bytes:
    """What the repository's pre-commit formatter (ruamel round trip, width maxsize) writes."""
    import io
    import sys

    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.width = sys.maxsize
    out = io.BytesIO()
    rt.dump(rt.load(data), out)
    return out.getvalue()


def test_sample_config_files_are_formatter_fixed_points() -> None:
    files = sorted((SAMPLE / "config").rglob("*.values.yaml"))
    plain = [f for f in files if not f.name.startswith("enc-")]
    assert len(plain) > 20
    for path in plain:
        assert ruamel_roundtrip(path.read_bytes()) == path.read_bytes(), path


def _changed_lines(before: bytes, after: bytes) -> list[tuple[int, str, str]]:
    old, new = before.decode().splitlines(), after.decode().splitlines()
    assert len(old) == len(new)
    return [(i + 1, a, b) for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]


def test_every_real_slot_retags_as_one_line_and_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "infra")
    original = snapshot(tree)
    assert hubs("-C", str(tree), "import") == 0
    capsys.readouterr()
    hubs("-C", str(tree), "list", "--format", "json")
    rows = [r for r in json.loads(capsys.readouterr().out) if r["policy"] == "pinned"]
    assert len(rows) == 25
    for row in rows:
        ref = row["image"].rsplit(":", 1)[0]  # every sample image has a plain tag
        for tag in ("2099.01.01", "1e10"):
            assert (
                hubs("-C", str(tree), "set", row["address"], "--pin", f"{ref}:{tag}", "--compile")
                == 0
            )
            changed = {p: b for p, b in snapshot(tree).items() if original[p] != b}
            assert list(changed) == [row["file"]], row["address"]
            lines = _changed_lines(original[row["file"]], changed[row["file"]])
            assert [n for n, _, _ in lines] == [row["line"]], row["address"]
            # the new line reads back as the string under YAML 1.1 (PyYAML) as well
            (value,) = yaml.safe_load(lines[0][2].strip()).values()
            assert isinstance(value, str) and value.endswith(tag), lines
            assert lines[0][1].split(":")[0] == lines[0][2].split(":")[0]
            if row["file"].startswith("config/"):  # still as the repo's formatter writes it
                assert ruamel_roundtrip(changed[row["file"]]) == changed[row["file"]]
        assert hubs("-C", str(tree), "set", row["address"], "--pin", row["image"], "--compile") == 0
        assert snapshot(tree) == original, row["address"]


def test_every_real_hub_file_takes_an_override_and_gives_it_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "infra")
    original = snapshot(tree)
    assert hubs("-C", str(tree), "import") == 0
    fleet = layering.load_fleet(tree)
    own = {hub.address: fleet.own_file(hub) for hub in fleet.hubs()}
    tested = 0
    for address, path in own.items():
        if path is None or fleet.file(path, fleet.users_of(path)[0].prefix).slot("singleuser"):
            continue
        assert (
            hubs(
                "-C",
                str(tree),
                "set",
                f"{address}:image",
                "--pin",
                "quay.io/example/override:2024.10",
                "--compile",
            )
            == 0
        )
        before, after = original[path].decode(), (tree / path).read_text()
        assert len(after) > len(before)
        # one contiguous block of added lines, nothing else touched
        old, new = before.splitlines(), after.splitlines()
        start = (
            next(i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b)
            if old != new[: len(old)]
            else len(old)
        )
        added = new[start : start + len(new) - len(old)]
        assert new[:start] + new[start + len(added) :] == old, path
        assert [line.strip() for line in added][-3:] == [
            "image:",
            "name: quay.io/example/override",
            "tag: '2024.10'",
        ], path
        assert hubs("-C", str(tree), "set", f"{address}:image", "--inherit", "--compile") == 0
        assert snapshot(tree) == original, path
        tested += 1
    assert tested == 10


def test_adopt_after_a_hand_added_choice_and_hub_adds_only_new_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import difflib

    tree = copy_tree(SAMPLE, tmp_path / "infra")
    assert hubs("-C", str(tree), "import") == 0
    imported = (tree / "hubs.toml").read_text()
    common = tree / "config/clusters/openscapeshub/common.values.yaml"
    common.write_text(
        common.read_text().replace(
            "                  image: openscapes/matlab:2023-11-28\n",
            "                  image: openscapes/matlab:2023-11-28\n"
            "              04-julia:\n"
            "                display_name: Julia\n"
            "                kubespawner_override:\n"
            "                  image: openscapes/julia:2025.01.01\n",
        )
    )
    cluster = tree / "config/clusters/utoronto/cluster.yaml"
    cluster.write_text(
        cluster.read_text()
        + "- name: labs\n  display_name: University of Toronto (labs)\n  helm_chart: basehub\n"
        "  helm_chart_values_files:\n  - common.values.yaml\n  - labs.values.yaml\n"
    )
    (tree / "config/clusters/utoronto/labs.values.yaml").write_text(
        "jupyterhub:\n  singleuser:\n    image:\n      name: quay.io/2i2c/labs\n      tag: 0a1b2c\n"
    )
    capsys.readouterr()
    assert hubs("-C", str(tree), "check") == 1
    capsys.readouterr()
    assert hubs("-C", str(tree), "adopt") == 0
    assert capsys.readouterr().out == (
        "adopted utoronto/labs: hub added\n"
        "adopted openscapeshub/common.values.yaml:profiles/Choose your environment and "
        "resources/choices/04-julia: openscapes/julia:2025.01.01\n"
    )
    adopted = (tree / "hubs.toml").read_text()
    diff = [
        line
        for line in difflib.unified_diff(imported.splitlines(), adopted.splitlines(), n=0)
        if not line.startswith(("---", "+++", "@@"))
    ]
    assert diff == [
        '+04-julia = "openscapes/julia:2025.01.01"',
        "+",
        "+[clusters.utoronto.hubs.labs]  # University of Toronto (labs)",
        '+image = "quay.io/2i2c/labs:0a1b2c"',
    ]
    edited = snapshot(tree)
    assert hubs("-C", str(tree), "check") == 0
    assert hubs("-C", str(tree), "compile") == 0
    assert snapshot(tree) == edited


def test_lint_on_the_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = copy_tree(SAMPLE, tmp_path / "infra")
    assert hubs("-C", str(tree), "import") == 0
    capsys.readouterr()
    assert hubs("-C", str(tree), "lint", "--format", "json") == 1
    found = [
        (f["rule"], f"{f['file']}:{f['line']}")
        for f in json.loads(capsys.readouterr().out)["findings"]
    ]
    leap, scapes = "config/clusters/leap/", "config/clusters/openscapeshub/common.values.yaml"
    assert found == [
        *[("docker-hub", f"{leap}daskhub-common.values.yaml:{n}") for n in (174, 179, 184)],
        *[("docker-hub", f"{leap}daskhub-common.values.yaml:{n}") for n in (264, 269, 274)],
        *[("docker-hub", f"{leap}daskhub-common.values.yaml:{n}") for n in (373, 378)],
        *[("docker-hub", f"{leap}public.values.yaml:{n}") for n in (131, 136, 141)],
        ("docker-hub", f"{scapes}:73"),
        ("docker-hub", f"{scapes}:83"),
        ("mutable-tag", f"{scapes}:78"),
    ]
