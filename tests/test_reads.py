"""Reads: only regular files, bounded, I/O errors exit 3; nothing outside the tree."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from fleetfixture import Fleet

if TYPE_CHECKING:
    from _typeshed import StrOrBytesPath

# ---------------------------------------------------------------- reading


def run_hubs(
    root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    import resource

    def limit_memory() -> None:  # a runaway read must fail fast, not eat the machine
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "hubs.cli.main", "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        preexec_fn=limit_memory,
        check=False,
    )


def test_a_fifo_as_values_file_is_refused_without_hanging(fleet: Fleet) -> None:
    fleet.path("config/clusters/a/prod.values.yaml").unlink()
    os.mkfifo(fleet.path("config/clusters/a/prod.values.yaml"))
    done = run_hubs(fleet.root, "compile", timeout=30)
    assert (done.returncode, done.stderr) == (
        2,
        "hubs: error: config/clusters/a/prod.values.yaml (listed in cluster.yaml): not a "
        "regular file (a FIFO)\n",
    )


def test_a_device_as_values_file_is_refused(fleet: Fleet) -> None:
    path = fleet.path("config/clusters/a/prod.values.yaml")
    path.unlink()
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero
    except OSError:
        pytest.skip("cannot create a device node here")
    done = run_hubs(fleet.root, "compile", timeout=30)
    assert (done.returncode, done.stderr) == (
        2,
        "hubs: error: config/clusters/a/prod.values.yaml (listed in cluster.yaml): not a "
        "regular file (a device)\n",
    )


def test_a_symlink_to_dev_zero_is_refused(fleet: Fleet) -> None:
    fleet.path("config/clusters/a/prod.values.yaml").unlink()
    fleet.path("config/clusters/a/prod.values.yaml").symlink_to("/dev/zero")
    done = run_hubs(fleet.root, "compile", timeout=30)
    assert (done.returncode, done.stderr) == (
        2,
        "hubs: error: config/clusters/a/cluster.yaml:10: hub 'prod': 'prod.values.yaml': leads "
        f"outside the tree, to /dev/zero; hubs reads and writes only files inside {fleet.root}\n",
    )


def test_a_values_file_over_the_size_bound_is_refused(fleet: Fleet) -> None:
    fleet.write("config/clusters/a/prod.values.yaml", "#" * (16 * 1024 * 1024) + "\n")
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        2,
        "hubs: error: config/clusters/a/prod.values.yaml (listed in cluster.yaml): larger "
        "than 16 MiB; hubs reads only files below that\n",
    )
    assert fleet.snapshot() == before


def test_read_regular_bounds_and_kinds(tmp_path: Path) -> None:
    from hubs.errors import Exit
    from hubs.files.fileio import BadFileError, read_regular

    (tmp_path / "f.yaml").write_bytes(b"a: 1\r\nb: 2\r\n")
    assert read_regular(tmp_path / "f.yaml", "f.yaml", 12) == "a: 1\r\nb: 2\r\n"
    with pytest.raises(BadFileError) as bad:
        read_regular(tmp_path / "f.yaml", "f.yaml", 11)
    assert str(bad.value) == "f.yaml: larger than 11 bytes; hubs reads only files below that"
    assert bad.value.exit_code == Exit.INPUT
    (tmp_path / "latin1.yaml").write_bytes(b"a: caf\xe9\n")
    with pytest.raises(BadFileError, match=r"^latin1.yaml: not UTF-8 text \(byte 6\)$"):
        read_regular(tmp_path / "latin1.yaml", "latin1.yaml")
    with pytest.raises(BadFileError, match=r"^d: not a regular file \(a folder\)$"):
        read_regular(tmp_path, "d")
    with pytest.raises(BadFileError, match=r"^gone: file not found$"):
        read_regular(tmp_path / "gone", "gone")


def test_an_unreadable_values_file_is_an_io_error(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.open

    def deny(path: StrOrBytesPath, flags: int, *args: int) -> int:
        if str(path).endswith("prod.values.yaml"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path, flags, *args)

    monkeypatch.setattr("os.open", deny)
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        3,
        "hubs: error: config/clusters/a/prod.values.yaml (listed in cluster.yaml): cannot "
        "read: Permission denied\n",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a 0000 file")
def test_a_mode_0000_values_file_is_an_io_error(
    fleet: Fleet,
) -> None:  # pragma: no cover - not root
    fleet.path("config/clusters/a/prod.values.yaml").chmod(0)
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        3,
        "hubs: error: config/clusters/a/prod.values.yaml (listed in cluster.yaml): cannot "
        "read: Permission denied\n",
    )


# ---------------------------------------------------------------- inside the tree


def outside_file(fleet: Fleet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A values file outside the tree that compile would rewrite if it reached it."""
    outside = tmp_path_factory.mktemp("outside") / "x.values.yaml"
    outside.write_text("jupyterhub:\n  singleuser:\n    image:\n      name: a/b\n      tag: '1'\n")
    fleet.toml(replace=("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nimage = "a/p:2"\n'))
    return outside


def test_a_cluster_yaml_entry_leading_outside_is_refused(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = outside_file(fleet, tmp_path_factory)
    entry = os.path.relpath(outside, fleet.path("config/clusters/a"))
    assert entry.startswith("../../../../")
    text = fleet.read("config/clusters/a/cluster.yaml")
    fleet.write(
        "config/clusters/a/cluster.yaml", text.replace("  - prod.values.yaml", f"  - {entry}")
    )
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        2,
        f"hubs: error: config/clusters/a/cluster.yaml:10: hub 'prod': {entry!r}: leads outside "
        f"the tree, to {outside}; hubs reads and writes only files inside {fleet.root}\n",
    )
    assert fleet.snapshot() == before
    assert outside.read_text().endswith("tag: '1'\n")


def test_a_values_file_symlinked_outside_is_refused(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = outside_file(fleet, tmp_path_factory)
    fleet.path("config/clusters/a/prod.values.yaml").unlink()
    fleet.path("config/clusters/a/prod.values.yaml").symlink_to(outside)
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        2,
        "hubs: error: config/clusters/a/cluster.yaml:10: hub 'prod': 'prod.values.yaml': leads "
        f"outside the tree, to {outside}; hubs reads and writes only files inside {fleet.root}\n",
    )
    assert fleet.snapshot() == before
    assert outside.read_text().endswith("tag: '1'\n")


def test_a_cluster_folder_symlinked_outside_is_refused(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    fleet.path("config/clusters/d").rename(elsewhere / "d")
    fleet.path("config/clusters/d").symlink_to(elsewhere / "d")
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        2,
        f"hubs: error: config/clusters/d/cluster.yaml: leads outside the tree, to "
        f"{elsewhere}/d/cluster.yaml; hubs reads and writes only files inside {fleet.root}\n",
    )
    assert fleet.snapshot() == before


def test_the_chart_values_symlinked_outside_is_refused(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("chart") / "values.yaml"
    fleet.path("helm-charts/basehub/values.yaml").rename(elsewhere)
    fleet.path("helm-charts/basehub/values.yaml").symlink_to(elsewhere)
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        2,
        f"hubs: error: helm-charts/basehub/values.yaml: leads outside the tree, to {elsewhere}; "
        f"hubs reads and writes only files inside {fleet.root}\n",
    )


def test_a_cluster_folder_symlinked_inside_the_tree_is_written_through(fleet: Fleet) -> None:
    fleet.path("shared").mkdir()
    fleet.path("config/clusters/d").rename(fleet.path("shared/d"))
    fleet.path("config/clusters/d").symlink_to("../../shared/d")
    fleet.toml(replace=("[clusters.d.hubs.hub]\n", '[clusters.d.hubs.hub]\nimage = "a/d:1"\n'))
    result = fleet.run("compile")
    assert result.code == 0, result.err
    assert fleet.path("config/clusters/d").is_symlink()
    assert fleet.read("shared/d/hub.values.yaml") == (
        "basehub:\n  nfs:\n    enabled: true\n  jupyterhub:\n    singleuser:\n      image:\n"
        "        name: a/d\n        tag: '1'\ndask-gateway:\n  enabled: true\n"
    )
    assert fleet.run("check").code == 0


def test_inside_resolves_and_bounds(tmp_path: Path) -> None:
    from hubs.errors import Exit
    from hubs.files.paths import OutsideError, inside

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f").write_text("x")
    (tmp_path / "link").symlink_to("a/f")
    assert inside(tmp_path, "link", "link") == tmp_path / "a" / "f"
    assert inside(tmp_path, "a/../a/f", "f") == tmp_path / "a" / "f"
    (tmp_path / "top").write_text("y")
    (tmp_path / "a" / "up").symlink_to("../top")
    with pytest.raises(OutsideError) as out:
        inside(tmp_path / "a", "up", "here: 'up'")
    assert str(out.value) == (
        f"here: 'up': leads outside the tree, to {tmp_path}/top; hubs reads and writes only "
        f"files inside {tmp_path}/a"
    )
    assert out.value.exit_code == Exit.INPUT
    with pytest.raises(OutsideError, match=r"^f: leads outside the tree, to /etc/passwd;"):
        inside(tmp_path, "../" * 40 + "etc/passwd", "f")


def test_a_cluster_folder_that_cannot_be_looked_into_is_an_io_error(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a 0000 folder for a user other than root (root looks into any folder)."""
    real = os.stat
    folder = str(fleet.path("config/clusters/d"))

    def deny(path: StrOrBytesPath, *args: Any, **kwargs: Any) -> os.stat_result:
        if str(path).startswith(folder + "/"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr("os.stat", deny)
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        3,
        "hubs: error: config/clusters/d: cannot read the folder: Permission denied\n",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root looks into a 0000 folder")
def test_a_mode_0000_cluster_folder_is_an_io_error(fleet: Fleet) -> None:  # pragma: no cover
    folder = fleet.path("config/clusters/d")
    folder.chmod(0)
    try:
        result = fleet.run("compile")
    finally:
        folder.chmod(0o755)
    assert (result.code, result.err) == (
        3,
        "hubs: error: config/clusters/d: cannot read the folder: Permission denied\n",
    )
