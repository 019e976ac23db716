"""Editor support: taplo (the TOML language server's CLI) validates hubs.toml against
schema/hubs.schema.json through the file's `#:schema` line, as an editor would."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOML = (ROOT / "hubs.toml").read_text()


def _taplo() -> str | None:
    found = shutil.which("taplo", path=str(Path(sys.executable).parent)) or shutil.which("taplo")
    if found is None:
        return None
    try:
        done = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    return found if done.returncode == 0 else None


TAPLO = _taplo()
pytestmark = pytest.mark.skipif(TAPLO is None, reason="taplo is not installed or cannot run")


def check(tmp_path: Path, text: str) -> tuple[int, set[str], set[str]]:
    """taplo's exit code, its distinct error messages and the `line:col` places it marks."""
    (tmp_path / "schema").mkdir(exist_ok=True)
    shutil.copy(ROOT / "schema/hubs.schema.json", tmp_path / "schema/hubs.schema.json")
    (tmp_path / "hubs.toml").write_text(text)
    assert TAPLO is not None
    done = subprocess.run(
        [TAPLO, "check", "--colors", "never", "hubs.toml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    said = done.stdout + done.stderr
    messages = set(re.findall(r"(?m)^error: (.*)$", said))
    places = set(re.findall(r"┌─ .*?hubs\.toml:(\d+:\d+)$", said, re.M))
    return done.returncode, messages, places


def test_schema_line_points_at_the_schema() -> None:
    assert TOML.startswith("#:schema ./schema/hubs.schema.json\n")


def test_bundled_example_is_valid(tmp_path: Path) -> None:
    assert check(tmp_path, TOML) == (0, set(), set())


def test_unknown_key(tmp_path: Path) -> None:
    code, messages, places = check(tmp_path, TOML + "\n[clusters.alpha.bogus]\nx = 1\n")
    assert code == 1
    assert messages == {"Additional properties are not allowed ('bogus' was unexpected)"}
    assert "45:17" in places  # the key itself


def test_wrong_type(tmp_path: Path) -> None:
    text = TOML.replace('image = "quay.io/jupyter/scipy-notebook:2024-03-18"', "image = 5", 1)
    assert text != TOML
    code, messages, places = check(tmp_path, text)
    assert code == 1
    assert messages == {
        """{"image":5} is not valid under any of the schemas listed in the 'anyOf' keyword"""
    }
    assert "8:9" in places  # the value


def test_bad_order(tmp_path: Path) -> None:
    text = TOML.replace('order = "calver"', 'order = "weekly"', 1)
    assert text != TOML
    code, messages, places = check(tmp_path, text)
    assert code == 1
    assert messages == {
        '{"follow":"pangeo/pangeo-notebook","match":"^\\\\d{4}\\\\.\\\\d{2}\\\\.\\\\d{2}$",'
        '"order":"weekly"} is not valid under any of the schemas listed in the \'oneOf\' keyword'
    }
    assert "37:88" in places  # the bad value
