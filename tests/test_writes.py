"""Writes: all files or none, one writer at a time, modes kept, stale temp files cleared."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fleetfixture import Fleet
from hubs.files.transaction import FileWrite

UNCHANGED = "nothing written, the tree is unchanged"
FIVE = (  # five files to change: the chart, the shared file and three hub files
    ("scipy-notebook:2024-03-18", "scipy-notebook:2025-01-01"),
    ('"quay.io/org/image:abc1234"', '"quay.io/org/image:def5678"'),
    ("[clusters.a.hubs.staging]\n", '[clusters.a.hubs.staging]\nimage = "a/s:1"\n'),
    ("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nimage = "a/p:1"\n'),
    ("[clusters.d.hubs.hub]\n", '[clusters.d.hubs.hub]\nimage = "a/d:1"\n'),
)


def change_five(fleet: Fleet) -> None:
    for old, new in FIVE:
        fleet.toml(replace=(old, new))


def contents(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and symlink under ``root``: bytes and mode (not mtime: a restored file
    has its old bytes and mode, but is a new inode)."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def temps(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*.tmp"))


def failing_at(call: int, real: Callable[..., object]) -> tuple[Callable[..., object], list[str]]:
    """``real`` (os.replace, os.fsync), failing with ENOSPC at its ``call``-th use."""
    seen: list[str] = []

    def fake(*args: object) -> object:
        seen.append(str(args[-1]))
        if len(seen) == call + 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    return fake, seen


def renaming_failing_at(
    call: int, real: Callable[..., object], error: int = errno.ENOSPC
) -> tuple[Callable[..., object], list[str]]:
    """os.replace failing at its ``call``-th rename of a temp file over a target (renames
    relative to a folder's descriptor; the journal's rename passes); ``seen`` holds each
    target's full path."""
    seen: list[str] = []

    def fake(*args: Any, **kwargs: Any) -> object:
        if "dst_dir_fd" not in kwargs:
            return real(*args, **kwargs)
        folder = os.readlink(f"/proc/self/fd/{kwargs['dst_dir_fd']}")
        seen.append(f"{folder}/{args[1]}")
        if len(seen) == call + 1:
            raise OSError(error, os.strerror(error))
        return real(*args, **kwargs)

    return fake, seen


# ---------------------------------------------------------------- all or none


def test_a_failed_rename_at_any_position_leaves_every_file_as_it_was(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    change_five(fleet)
    before = contents(fleet.root)
    real = os.replace
    for call in range(5):
        fake, seen = renaming_failing_at(call, real)
        monkeypatch.setattr("os.replace", fake)
        result = fleet.run("compile")
        monkeypatch.setattr("os.replace", real)
        assert result.code == 3, call
        assert result.err == (
            f"hubs: error: {seen[call]}: cannot write: No space left on device; {UNCHANGED}\n"
        )
        assert ".tmp" not in result.err
        assert contents(fleet.root) == before, call
        assert temps(fleet.root) == []
    fake, seen = renaming_failing_at(99, real)
    monkeypatch.setattr("os.replace", fake)
    assert fleet.run("compile").code == 0
    assert len(seen) == 5  # the five files, one rename each
    assert fleet.run("check").code == 0


def test_a_failed_stage_at_any_position_leaves_every_file_as_it_was(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    change_five(fleet)
    before = contents(fleet.root)
    real = os.fsync
    for call in range(5):
        fake, _ = failing_at(call, real)
        staged: list[str] = []

        def fsync(fd: int, fake: Callable[..., object] = fake, staged: list[str] = staged) -> None:
            staged.append(os.readlink(f"/proc/self/fd/{fd}"))  # .NAME.hubs-XXXXXX.tmp
            fake(fd)

        monkeypatch.setattr("os.fsync", fsync)
        result = fleet.run("compile")
        monkeypatch.setattr("os.fsync", real)
        temp = Path(staged[call])
        target = temp.with_name(re.sub(r"^\.(.+)\.hubs-[0-9a-f]{6}\.tmp$", r"\1", temp.name))
        assert (result.code, result.err) == (
            3,
            f"hubs: error: {target}: cannot write: No space left on device; {UNCHANGED}\n",
        ), call
        assert contents(fleet.root) == before, call
        assert temps(fleet.root) == []


def test_an_interrupt_between_renames_puts_the_renamed_files_back(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    change_five(fleet)
    before = contents(fleet.root)
    real, seen = os.replace, []

    def interrupted(src: str, dst: str, **kwargs: Any) -> None:
        seen.append(dst)
        if len(seen) == 3 and kwargs:
            raise KeyboardInterrupt
        real(src, dst, **kwargs)

    monkeypatch.setattr("os.replace", interrupted)
    assert fleet.run("compile").code == 130
    assert contents(fleet.root) == before
    assert temps(fleet.root) == []


@pytest.fixture
def immutable() -> Iterator[Callable[[Path], None]]:
    """``chattr +i`` a path (undone afterwards); skips where chattr does not work."""
    done: list[Path] = []

    def make(path: Path) -> None:
        try:
            subprocess.run(["chattr", "+i", str(path)], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            pytest.skip("chattr +i does not work here")
        done.append(path)

    yield make
    for path in done:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_an_immutable_folder_stops_the_write_before_anything_changes(
    fleet: Fleet, immutable: Callable[[Path], None]
) -> None:
    change_five(fleet)
    before = contents(fleet.root)
    immutable(fleet.path("config/clusters/d"))
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        3,
        f"hubs: error: {fleet.root}/config/clusters/d/hub.values.yaml: cannot write: "
        f"Operation not permitted; {UNCHANGED}\n",
    )
    assert contents(fleet.root) == before
    assert temps(fleet.root) == []


def test_an_immutable_file_puts_back_the_files_already_replaced(
    fleet: Fleet, immutable: Callable[[Path], None]
) -> None:
    change_five(fleet)
    before = contents(fleet.root)
    immutable(fleet.path("config/clusters/d/hub.values.yaml"))  # renamed over last
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        3,
        f"hubs: error: {fleet.root}/config/clusters/d/hub.values.yaml: cannot write: "
        f"Operation not permitted; {UNCHANGED}\n",
    )
    assert contents(fleet.root) == before
    assert temps(fleet.root) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a 0555 folder")
def test_a_read_only_folder_stops_the_write(fleet: Fleet) -> None:  # pragma: no cover - not root
    change_five(fleet)
    before = contents(fleet.root)
    folder = fleet.path("config/clusters/d")
    folder.chmod(0o555)
    try:
        result = fleet.run("compile")
    finally:
        folder.chmod(0o755)
    assert (result.code, result.err) == (
        3,
        f"hubs: error: {fleet.root}/config/clusters/d/hub.values.yaml: cannot write: "
        f"Permission denied; {UNCHANGED}\n",
    )
    assert contents(fleet.root) == before


def test_set_compile_keeps_hubs_toml_when_the_compile_write_fails(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = contents(fleet.root)
    real = os.replace

    def fail_on_values(src: str, dst: str, **kwargs: Any) -> None:
        if str(dst).endswith("prod.values.yaml"):
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst, **kwargs)

    monkeypatch.setattr("os.replace", fail_on_values)
    result = fleet.run("set", "a/prod:image", "--pin", "a/b:1", "--compile")
    assert (result.code, result.err) == (
        3,
        f"hubs: error: {fleet.root}/config/clusters/a/prod.values.yaml: cannot write: "
        f"Input/output error; {UNCHANGED}\n",
    )
    assert contents(fleet.root) == before
    monkeypatch.setattr("os.replace", real)
    result = fleet.run("set", "a/prod:image", "--pin", "a/b:1", "--compile")
    assert result.code == 0
    assert fleet.read("hubs.toml").endswith(
        '[clusters.a.hubs.prod]\nimage = "a/b:1"\n\n[clusters.d.hubs.hub]\n'
    )
    assert fleet.read("config/clusters/a/prod.values.yaml").endswith(
        "    image:\n      name: a/b\n      tag: '1'\n"
    )


def test_a_file_edited_while_compiling_stops_the_write(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hubs.compile.run

    change_five(fleet)
    real = hubs.compile.run.build

    def build_then_edit(*args: Any) -> hubs.compile.run.Compiled:
        compiled = real(*args)
        fleet.write("config/clusters/a/prod.values.yaml", "jupyterhub: {}\n")
        return compiled

    monkeypatch.setattr(hubs.compile.run, "build", build_then_edit)
    before = contents(fleet.root)
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        3,
        f"hubs: error: {fleet.root}/config/clusters/a/prod.values.yaml: changed on disk while "
        f"hubs ran; {UNCHANGED}\n",
    )
    before["config/clusters/a/prod.values.yaml"] = (b"jupyterhub: {}\n", 0o644)
    assert contents(fleet.root) == before


# ---------------------------------------------------------------- modes


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    old = os.umask(0o022)

    def set_umask(mask: int) -> None:
        os.umask(mask)

    yield set_umask
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_hubs_toml_follows_the_umask(
    fleet: Fleet, umask: Callable[[int], None], mask: int, mode: int
) -> None:
    fleet.path("hubs.toml").unlink()
    umask(mask)
    result = fleet.run("import")
    assert (result.code, result.err) == (0, "wrote hubs.toml\n")
    assert stat.S_IMODE(fleet.path("hubs.toml").stat().st_mode) == mode


def test_a_new_lock_file_follows_the_umask(tmp_path: Path, umask: Callable[[int], None]) -> None:
    from hubs.compile.run import write

    umask(0o022)
    write(None, None, also=[FileWrite(tmp_path / "hubs.lock", "version = 1\n")])
    assert (tmp_path / "hubs.lock").read_bytes() == b"version = 1\n"
    assert stat.S_IMODE((tmp_path / "hubs.lock").stat().st_mode) == 0o644


def test_a_replaced_file_keeps_its_mode(fleet: Fleet, umask: Callable[[int], None]) -> None:
    umask(0o077)
    fleet.path("hubs.toml").chmod(0o664)
    fleet.path("config/clusters/a/prod.values.yaml").chmod(0o604)
    result = fleet.run("set", "a/prod:image", "--pin", "a/b:1", "--compile")
    assert result.code == 0
    assert 'image = "a/b:1"' in fleet.read("hubs.toml")
    assert stat.S_IMODE(fleet.path("hubs.toml").stat().st_mode) == 0o664
    assert stat.S_IMODE(fleet.path("config/clusters/a/prod.values.yaml").stat().st_mode) == 0o604


# ---------------------------------------------------------------- stale temp files


def test_stale_temp_files_of_ours_are_removed_and_nothing_else(fleet: Fleet) -> None:
    old = time.time() - 60
    ours = [
        "config/clusters/a/.common.values.yaml.hubs-0a1b2c.tmp",
        "config/clusters/d/.hub.values.yaml.hubs-ffffff.tmp",
        ".hubs.toml.hubs-123456.tmp",
    ]
    others = [
        "config/clusters/a/.common.values.yaml.hubs-0a1b2c.tmp.keep",
        "config/clusters/a/.common.values.yaml.hubs-zzzzzz.tmp",
        "config/clusters/a/common.values.yaml.hubs-0a1b2c.tmp",
        "config/clusters/a/.common.values.yaml.k3j4l5m6.tmp",
        "config/clusters/a/.x.hubs-abcdef.tmp.d/file",
        "config/clusters/a/notes.txt",
    ]
    for rel in ours + others:
        fleet.write(rel, "left over\n")
        os.utime(fleet.path(rel), (old, old))
    young = "config/clusters/a/.prod.values.yaml.hubs-abcdef.tmp"  # newer than the lock
    fleet.write(young, "another run's\n")
    os.utime(fleet.path(young), (time.time() + 60, time.time() + 60))
    os.symlink("notes.txt", fleet.path("config/clusters/a/.link.hubs-abcdef.tmp"))
    assert fleet.run("compile").code == 0  # nothing to change: it still sweeps
    for rel in ours:
        assert not fleet.path(rel).exists(), rel
    for rel in [*others, young]:
        assert fleet.path(rel).exists(), rel
    assert fleet.path("config/clusters/a/.link.hubs-abcdef.tmp").is_symlink()


def test_one_file_reached_by_two_names_with_different_texts_is_refused(tmp_path: Path) -> None:
    from hubs.errors import Exit, InputError
    from hubs.files.transaction import Transaction

    (tmp_path / "a.yaml").write_text("a: 1\n")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    txn = Transaction()
    txn.put(tmp_path / "a.yaml", "a: 2\n", shown="a.yaml")
    txn.put(tmp_path / "b.yaml", "a: 2\n", shown="b.yaml")  # the same text: fine
    with pytest.raises(InputError) as bad:
        txn.put(tmp_path / "b.yaml", "a: 3\n", shown="b.yaml")
    assert str(bad.value) == "b.yaml: the same file as a.yaml (a symlink); list it once"
    assert bad.value.exit_code == Exit.INPUT
    assert txn.commit() == [tmp_path / "a.yaml"]
    assert (tmp_path / "a.yaml").read_text() == "a: 2\n"
    assert (tmp_path / "b.yaml").is_symlink()
    assert txn.commit() == []  # already right: nothing touched


# ---------------------------------------------------------------- killed mid-write

# Runs ``hubs ARGS`` in a child that SIGKILLs itself just before its N-th call of one
# os function: no handler runs, nothing is rolled back, as with the OOM killer or a
# power cut (short of the disk itself).
KILLED_AT = """
import os, signal, sys
from hubs.cli.main import main
name, at = sys.argv[1], int(sys.argv[2])
real, calls = getattr(os, name), [0]
def hooked(*args, **kwargs):
    if calls[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    calls[0] += 1
    return real(*args, **kwargs)
setattr(os, name, hooked)
sys.exit(main(sys.argv[3:]))
"""


def killed_at(root: Path, name: str, at: int) -> int:
    command = [sys.executable, "-c", KILLED_AT, name, str(at), "-C", str(root), "compile"]
    return subprocess.run(command, capture_output=True, timeout=60, check=False).returncode


def test_a_compile_killed_at_any_write_leaves_each_file_old_or_new_and_a_rerun_completes(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    change_five(fleet)
    old = contents(fleet.root)
    done = tmp_path_factory.mktemp("done")
    shutil.copytree(fleet.root, done, dirs_exist_ok=True)
    assert Fleet(done, fleet.capsys).run("compile").code == 0
    new = contents(done)
    changed = sorted(rel for rel in old if old[rel] != new[rel])
    assert len(changed) == 5
    kills, left = 0, set[str]()
    for name in ("write", "fsync", "replace"):
        at = 0
        while True:
            work = tmp_path_factory.mktemp(f"{name}{at}")
            shutil.copytree(fleet.root, work, dirs_exist_ok=True)
            code = killed_at(work, name, at)
            now = contents(work)
            if code == 0:  # past the last call: the run completed
                assert {rel: now[rel] for rel in new} == new
                break
            assert code == -signal.SIGKILL, (name, at, code)
            kills += 1
            for rel in changed:
                assert now[rel] in (old[rel], new[rel]), (name, at, rel)
            left.update(re.sub(r"hubs-[0-9a-f]{6}", "hubs-*", temp) for temp in temps(work))
            again = Fleet(work, fleet.capsys).run("compile")
            assert again.code == 0, (name, at, again)
            assert {rel: contents(work)[rel] for rel in new} == new, (name, at)
            assert temps(work) == [], (name, at)
            assert not (work / ".hubs-writer.lock").exists(), (name, at)
            at += 1
    assert kills >= 15  # five files: written, synced and renamed each
    assert len(left) == 5  # each file's temp file was left behind by some kill


# ---------------------------------------------------------------- links and folders


def test_update_never_creates_the_file_a_dangling_lock_link_points_to(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "hubs.lock"
    fleet.path("hubs.lock").symlink_to(outside)
    for command in ("update", "compile"):
        result = fleet.run(command)
        assert (result.code, result.err) == (
            2,
            f"hubs: error: {fleet.root}/hubs.lock: a symlink to a missing file; hubs will not "
            "create a file through it\n",
        ), command
    assert not outside.exists()


# ---------------------------------------------------------------- a folder swapped mid-commit


def test_a_cluster_folder_swapped_for_a_link_mid_commit_is_never_written_through(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """When the first temp file appears, the cluster folder is moved away and a link to a
    copy outside the tree put in its place: nothing outside changes, nor the moved folder."""
    from hubs.files.transaction import TEMP

    change_five(fleet)
    folder = fleet.path("config/clusters/a")
    outside, moved = tmp_path_factory.mktemp("outside"), tmp_path_factory.mktemp("moved")
    shutil.copytree(folder, outside / "a")
    original = contents(folder)
    real, swapped = os.open, list[str]()

    def swap_at_first_temp(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        fd = real(path, flags, *args, **kwargs)
        if not swapped and TEMP.fullmatch(os.path.basename(str(path))):
            swapped.append(str(path))
            folder.rename(moved / "a")
            folder.symlink_to(outside / "a")
        return fd

    monkeypatch.setattr("os.open", swap_at_first_temp)
    result = fleet.run("compile")
    monkeypatch.setattr("os.open", real)
    assert swapped, result
    assert (result.code, result.err) == (
        3,
        f"hubs: error: {folder}/common.values.yaml: its folder {folder} was replaced while "
        f"hubs ran (Not a directory); {UNCHANGED}\n",
    )
    assert contents(outside / "a") == original
    assert contents(moved / "a") == original
    assert temps(outside) == temps(moved) == temps(fleet.root) == []


# ---------------------------------------------------------------- interrupted mid-rename

# Runs ``hubs compile`` in a child that sends itself SIGNAL at the N-th rename of a temp
# file over its target, just BEFORE or AFTER it: AFTER is the moment where os.replace has
# returned and the rename is not yet recorded.
SIGNALLED_AT = """
import os, signal, sys
from hubs.cli.main import main
name, at, when = sys.argv[1], int(sys.argv[2]), sys.argv[3]
signal.signal(signal.SIGINT, signal.default_int_handler)  # a background job ignores it
real, calls = os.replace, [0]
def hooked(*args, **kwargs):
    if "dst_dir_fd" not in kwargs:
        return real(*args, **kwargs)
    calls[0] += 1
    if calls[0] - 1 == at and when == "before":
        os.kill(os.getpid(), getattr(signal, name))
    real(*args, **kwargs)
    if calls[0] - 1 == at and when == "after":
        os.kill(os.getpid(), getattr(signal, name))
os.replace = hooked
sys.exit(main(sys.argv[4:]))
"""


def signalled_at(root: Path, name: str, at: int, when: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", SIGNALLED_AT, name, str(at), when, "-C", str(root)]
    return subprocess.run(
        [*command, "compile"], capture_output=True, text=True, timeout=60, check=False
    )


def test_sigint_or_sigterm_at_any_rename_exits_130_with_every_file_old(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    change_five(fleet)
    old = contents(fleet.root)
    runs = 0
    for name in ("SIGINT", "SIGTERM"):
        for at in range(5):
            work = tmp_path_factory.mktemp(f"{name}{at}")
            shutil.copytree(fleet.root, work, dirs_exist_ok=True)
            done = signalled_at(work, name, at, "after")
            assert (done.returncode, done.stderr) == (130, "hubs: interrupted\n"), (name, at)
            assert contents(work) == old, (name, at)
            assert temps(work) == [], (name, at)
            assert sorted(p.name for p in work.glob(".hubs-*")) == [], (name, at)
            runs += 1
    assert runs == 10


def test_a_kill_at_any_rename_is_undone_by_the_next_check(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import json

    change_five(fleet)
    old = contents(fleet.root)
    undone = 0
    for at in range(5):
        for when in ("before", "after"):
            work = tmp_path_factory.mktemp(f"kill{at}{when}")
            shutil.copytree(fleet.root, work, dirs_exist_ok=True)
            assert signalled_at(work, "SIGKILL", at, when).returncode == -signal.SIGKILL
            journal = json.loads((work / ".hubs-journal").read_text())
            renamed = [entry["shown"] for entry in journal["files"]][: at + (when == "after")]
            mixed = {rel: data for rel, data in contents(work).items() if ".hubs-" not in rel}
            assert (mixed != old) == bool(renamed), (at, when)
            checked = Fleet(work, fleet.capsys).run("check")
            said = [line for line in checked.err.splitlines() if "killed" in line]
            files = "file" if len(renamed) == 1 else "files"
            want = [
                f"hubs: warning: a hubs run was killed while writing; put back the old {files} "
                + ", ".join(reversed(renamed))
            ]
            assert said == (want if renamed else []), (at, when)
            assert checked.code == 1  # the drift compile was asked for, all of it
            assert contents(work) == old, (at, when)
            assert not (work / ".hubs-journal").exists()
            undone += bool(renamed)
    assert undone == 9


def test_an_append_only_folder_names_the_rename_that_failed_and_leaves_no_lock(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As ``chattr +a`` on config/clusters/d: files may be made there, but no name removed
    or replaced (renamed over last, so four files are put back first)."""
    change_five(fleet)
    before = contents(fleet.root)
    folder = str(fleet.path("config/clusters/d"))
    fake, _ = renaming_failing_at(4, os.replace, errno.EPERM)
    real_unlink = os.unlink

    def append_only(path: Any, *args: Any, **kwargs: Any) -> None:
        fd = kwargs.get("dir_fd")
        if fd is not None and os.readlink(f"/proc/self/fd/{fd}") == folder:
            raise PermissionError(errno.EPERM, "Operation not permitted")
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr("os.replace", fake)
    monkeypatch.setattr("os.unlink", append_only)
    result = fleet.run("compile")
    monkeypatch.undo()
    shown = f"{folder}/hub.values.yaml"
    assert (result.code, result.err) == (
        3,
        f"hubs: error: {shown}: cannot write: Operation not permitted; {UNCHANGED}; temp "
        f"files of hubs are left beside {shown}\n",
    )
    left = {rel: data for rel, data in contents(fleet.root).items() if ".hubs-" not in rel}
    assert left == before
    assert [name.split(".hubs-")[0] for name in temps(fleet.root)] == [".hub.values.yaml"] * 2
    assert not (fleet.root / ".hubs-writer.lock").exists()
    assert not (fleet.root / ".hubs-journal").exists()
    assert fleet.run("compile").code == 0  # the folder writable again: swept, written
    assert temps(fleet.root) == []


def test_an_append_only_hubs_toml_folder_still_writes_and_leaves_nothing_to_undo(
    fleet: Fleet,
) -> None:
    """Real ``chattr +a`` on the folder of hubs.toml (the lock and the journal's folder)."""
    change_five(fleet)
    try:
        subprocess.run(["chattr", "+a", str(fleet.root)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("chattr +a does not work here")
    try:
        result = fleet.run("compile")
        again = fleet.run("check")
    finally:
        subprocess.run(["chattr", "-a", str(fleet.root)], check=True)
    assert (result.code, again.code, again.err) == (0, 0, "")
    assert (fleet.root / ".hubs-journal").read_bytes() == b""  # emptied: nothing to undo


@pytest.mark.parametrize("command", ["diff", "list", "lint", "explain a/prod"])
def test_a_kill_mid_rename_is_undone_by_a_command_that_only_reads(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory, command: str
) -> None:
    change_five(fleet)
    old = contents(fleet.root)
    work = tmp_path_factory.mktemp("kill")
    shutil.copytree(fleet.root, work, dirs_exist_ok=True)
    assert signalled_at(work, "SIGKILL", 2, "after").returncode == -signal.SIGKILL
    assert {r: d for r, d in contents(work).items() if ".hubs-" not in r} != old  # mixed
    ran = Fleet(work, fleet.capsys).run(*command.split())
    assert [line for line in ran.err.splitlines() if "killed" in line] != []
    assert contents(work) == old
    assert not (work / ".hubs-journal").exists()
