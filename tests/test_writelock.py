"""One writer per hubs.toml at a time, with real processes and a real flock."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fleetfixture import Fleet

LOCK = ".hubs-writer.lock"
HOLDER = """\
import sys, time
from pathlib import Path
from hubs.files.treelock import hold
with hold(Path(sys.argv[1]), sys.argv[2]) as lock:
    print(lock.path.read_text().split()[1], flush=True)
    time.sleep(float(sys.argv[3]))
"""


SLOW_SET = """\
import sys, time
import hubs.authoring.tomledit
real = hubs.authoring.tomledit.set_policy
def slow(*args):  # widen the read-modify-write window of `hubs set`
    time.sleep(0.3)
    return real(*args)
hubs.authoring.tomledit.set_policy = slow
from hubs.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def hubs(root: Path, *args: str, wait: str = "5", slow: bool = False) -> subprocess.Popen[str]:
    run = ["-c", SLOW_SET] if slow else ["-m", "hubs.cli.main"]
    return subprocess.Popen(
        [sys.executable, *run, "-C", str(root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HUBS_LOCK_WAIT": wait},
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


class Holder:
    """A process holding the lock of ``folder`` as ``hubs COMMAND`` for ``seconds``."""

    def __init__(self, folder: Path, command: str, seconds: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(folder), command, str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.since = self.proc.stdout.readline().strip()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        holder.stop()


def test_a_held_lock_fails_after_the_wait_naming_its_holder(
    fleet: Fleet, holders: list[Holder]
) -> None:
    holders.append(holder := Holder(fleet.root, "set", 60))
    assert len(holder.since) == len("2026-01-01T00:00:00Z") and holder.since.endswith("Z")
    before = fleet.snapshot()
    start = time.monotonic()
    code, err = finish(hubs(fleet.root, "compile", wait="0.5"))
    assert time.monotonic() - start >= 0.5
    assert (code, err) == (
        3,
        f"hubs: error: another hubs run holds the lock: pid {holder.proc.pid} (hubs set) since "
        f"{holder.since}; try again when it has finished\n",
    )
    assert fleet.snapshot() == before
    assert finish(hubs(fleet.root, "check", wait="0")) == (0, "")  # readers do not lock


def test_every_writing_command_takes_the_lock(fleet: Fleet, holders: list[Holder]) -> None:
    holders.append(holder := Holder(fleet.root, "update", 60))
    said = (
        f"hubs: error: another hubs run holds the lock: pid {holder.proc.pid} (hubs update) "
        f"since {holder.since}; try again when it has finished\n"
    )
    for args in (
        ("compile",),
        ("set", "a/prod:image", "--pin", "a/b:1"),
        ("update",),
        ("import", "--force"),
    ):
        assert finish(hubs(fleet.root, *args, wait="0")) == (3, said), args


def test_a_second_writer_waits_for_the_first(fleet: Fleet, holders: list[Holder]) -> None:
    holders.append(Holder(fleet.root, "compile", 1.0))
    start = time.monotonic()
    code, err = finish(hubs(fleet.root, "set", "a/prod:image", "--pin", "a/b:1", wait="30"))
    assert (code, err) == (
        0,
        "a/prod:image: pinned to a/b:1\nrun `hubs compile` to write it into the tree\n",
    )
    assert time.monotonic() - start >= 0.5
    assert not fleet.path(LOCK).exists()


def test_a_killed_holder_leaves_no_lock_behind(fleet: Fleet, holders: list[Holder]) -> None:
    holders.append(holder := Holder(fleet.root, "set", 60))
    holder.proc.send_signal(signal.SIGKILL)
    holder.proc.wait(timeout=30)
    assert fleet.path(LOCK).exists()  # the file stays, the flock went with the process
    assert finish(hubs(fleet.root, "compile", wait="0")) == (0, "")
    assert not fleet.path(LOCK).exists()


def test_two_sets_at_once_never_lose_a_change(fleet: Fleet) -> None:
    for round_ in range(5):  # each set reads, waits 0.3 s, then writes: they overlap
        first = hubs(fleet.root, "set", "a/staging:image", "--pin", f"a/s:{round_}", slow=True)
        second = hubs(fleet.root, "set", "a/prod:image", "--pin", f"a/p:{round_}", slow=True)
        hint = "run `hubs compile` to write it into the tree\n"
        assert finish(first) == (0, f"a/staging:image: pinned to a/s:{round_}\n{hint}")
        assert finish(second) == (0, f"a/prod:image: pinned to a/p:{round_}\n{hint}")
        text = fleet.read("hubs.toml")
        assert f'[clusters.a.hubs.staging]\nimage = "a/s:{round_}"\n' in text, round_
        assert f'[clusters.a.hubs.prod]\nimage = "a/p:{round_}"\n' in text, round_
    assert not fleet.path(LOCK).exists()


def test_the_lock_file_is_gone_after_a_run_and_made_with_the_umask(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubs.files.treelock import hold

    old = os.umask(0o027)
    try:
        with hold(fleet.root, "compile") as held:
            assert held.path == fleet.root / LOCK
            assert oct(held.path.stat().st_mode & 0o777) == oct(0o640)
            assert held.path.read_text().split()[::2] == [str(os.getpid()), "compile"]
    finally:
        os.umask(old)
    assert not (fleet.root / LOCK).exists()
    assert fleet.run("compile").code == 0
    assert not (fleet.root / LOCK).exists()


def test_a_bad_wait_setting_is_a_usage_error(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBS_LOCK_WAIT", "soon")
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        2,
        "hubs: error: HUBS_LOCK_WAIT='soon': give a number of seconds (0 or more)\n",
    )


def test_a_folder_where_no_lock_can_be_made_is_exit_3(fleet: Fleet) -> None:
    try:
        subprocess.run(["chattr", "+i", str(fleet.root)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("chattr +i does not work here")
    try:
        result = fleet.run("compile")
    finally:
        subprocess.run(["chattr", "-i", str(fleet.root)], check=True)
    assert (result.code, result.err) == (
        3,
        f"hubs: error: {fleet.root}/{LOCK}: cannot take the writer lock: Operation not permitted\n",
    )


def test_a_full_disk_names_the_lock_file_and_leaves_none(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.pwrite", full)
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        3,
        f"hubs: error: {fleet.root}/{LOCK}: cannot write the writer lock: No space left on "
        "device\n",
    )
    assert not (fleet.root / LOCK).exists()
