"""Terminal manners: --version, colour only on a TTY without NO_COLOR, progress on stderr,
and shell completion made from the parser."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from fleetfixture import Fleet
from hubs.cli import main as cli

RED, GREEN, DIM, RESET = "\033[31m", "\033[32m", "\033[2m", "\033[0m"
PLAIN = (
    "hubs diff: would change 1 slot in 1 file\n"
    "  a/common.values.yaml:image\n"
    "    quay.io/org/image:abc1234 -> quay.io/org/image:new\n"
    "    config/clusters/a/common.values.yaml:6 · reaches no hub (overridden everywhere)\n"
    "    `hubs compile` writes hubs.toml's quay.io/org/image:new; "
    "`hubs adopt 'a/common.values.yaml:image'` takes the file's quay.io/org/image:abc1234 into "
    "hubs.toml instead\n"
)
COLOURED = (
    "hubs diff: would change 1 slot in 1 file\n"
    "  a/common.values.yaml:image\n"
    f"    {RED}quay.io/org/image:abc1234{RESET} -> {GREEN}quay.io/org/image:new{RESET}\n"
    f"    {DIM}config/clusters/a/common.values.yaml:6 · reaches no hub (overridden everywhere){RESET}\n"
    f"    {DIM}`hubs compile` writes hubs.toml's quay.io/org/image:new; `hubs adopt "
    f"'a/common.values.yaml:image'` takes the file's quay.io/org/image:abc1234 into hubs.toml "
    f"instead{RESET}\n"
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _diff(fleet: Fleet, monkeypatch: pytest.MonkeyPatch, stdout: io.StringIO) -> str:
    fleet.toml(replace=('image = "quay.io/org/image:abc1234"', 'image = "quay.io/org/image:new"'))
    monkeypatch.setattr(sys, "stdout", stdout)
    assert cli.main(["-C", str(fleet.root), "diff"]) == 0
    return stdout.getvalue()


def test_colour_on_a_terminal(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _diff(fleet, monkeypatch, _Terminal()) == COLOURED


def test_no_colour_with_no_color_set(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert _diff(fleet, monkeypatch, _Terminal()) == PLAIN


def test_an_empty_no_color_is_not_set(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value counts
    assert _diff(fleet, monkeypatch, _Terminal()) == COLOURED


def test_no_colour_on_a_dumb_terminal(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "dumb")
    assert _diff(fleet, monkeypatch, _Terminal()) == PLAIN


def test_no_colour_when_not_a_terminal(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _diff(fleet, monkeypatch, io.StringIO()) == PLAIN


def test_version_in_a_real_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hubs.cli.main", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "hubs 0.1.0\n", "")


def test_progress_goes_to_stderr_and_ends_its_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubs.cli.commands._common import progress

    assert progress("hubs update: resolved") is None  # not a terminal: no counter
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    show = progress("hubs update: resolved")
    assert show is not None
    show(1, 2)
    show(2, 2)
    out, err = capsys.readouterr()
    assert (out, err) == ("", "\rhubs update: resolved 1/2\rhubs update: resolved 2/2\n")


def _bash_complete(script: Path, *words: str) -> str:
    line = " ".join(words)
    program = (
        f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
        'COMP_LINE="' + line + '"; COMP_POINT=' + str(len(line)) + "; "
        '_shtab_hubs; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bash_completion_knows_commands_and_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["completion", "bash"]) == 0
    script = tmp_path / "hubs.bash"
    script.write_text(capsys.readouterr().out)
    assert _bash_complete(script, "hubs", "ex") == "explain\nextract-image\n"
    assert _bash_complete(script, "hubs", "diff", "--f") == "--format\n"
    assert _bash_complete(script, "hubs", "completion", "") == "bash\nzsh\ntcsh\n"


def test_completion_without_shtab_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "shtab", None)
    assert cli.main(["completion", "zsh"]) == 2
    assert capsys.readouterr() == (
        "",
        "hubs: error: hubs completion needs the optional shtab library: "
        "pip install shtab, beside hubs\n",
    )
