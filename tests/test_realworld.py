"""The real sample of 2i2c-org/infrastructure (../shared/realworld), when present.

Import then compile must change no byte; each of the 28 real tag-bump commits must replay
through `hubs set` + `hubs compile` to the `after` files byte for byte.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hubs import layout
from hubs.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared" / "realworld"
SAMPLE = SHARED / "infrastructure"
BUMPS = SHARED / "bumps"

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


def test_import_then_compile_changes_no_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    tree = copy_tree(SAMPLE, tmp_path / "infra")
    before = snapshot(tree)
    assert hubs("-C", str(tree), "import") == 0
    assert hubs("-C", str(tree), "check") == 0
    assert capsys.readouterr().out == "hubs check: clean (25 slots, 13 hubs)\n"
    assert hubs("-C", str(tree), "compile") == 0
    assert snapshot(tree) == before
    assert hubs("-C", str(tree), "import") == 2
    assert "exists already; use --force" in capsys.readouterr().err


def test_import_states_every_cluster_in_order(tmp_path: Path):
    tree = copy_tree(SAMPLE, tmp_path / "infra")
    assert hubs("-C", str(tree), "import") == 0
    text = (tree / "hubs.toml").read_text()
    order = [line.split()[2] for line in text.splitlines() if line.startswith("# ---- ")]
    assert order == ["2i2c", "leap", "openscapeshub", "utoronto"]
    assert (
        "[clusters.utoronto.hubs.r-staging]  # University of Toronto (r-staging)\n"
        'image = "quay.io/2i2c/utoronto-r-image:56d60b40210a"\n' in text
    )
    assert '[defaults]\nimage = "quay.io/jupyter/scipy-notebook:2024-03-18"\n' in text


def _bumps() -> list[dict[str, object]]:
    if not BUMPS.is_dir():
        return []
    return json.loads((BUMPS / "index.json").read_text())


@pytest.mark.parametrize("bump", _bumps(), ids=lambda b: str(b["commit"])[:12])
def test_replay_real_bump(
    bump: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    folder = BUMPS / str(bump["commit"])[:12]
    tree = copy_tree(folder / "before", tmp_path / "tree")
    before = snapshot(tree)
    assert hubs("-C", str(tree), "import") == 0
    capsys.readouterr()
    assert hubs("-C", str(tree), "list", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    files = [str(f) for f in bump["files"]]  # type: ignore[attr-defined]
    sets = 0
    for rel in files:
        after = layout.scan(folder / "after", rel, _prefix(rows, rel))
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


def _prefix(rows: list[dict[str, object]], rel: str) -> tuple[str, ...]:
    for row in rows:
        if row["file"] == rel and row["path"][0] == "basehub":  # type: ignore[index]
            return ("basehub",)
    return ()
