"""The command line: one table of commands, typed options, help with examples that parse."""

from __future__ import annotations

import argparse
import json
import shlex
import textwrap
from pathlib import Path

import pytest

from fleetfixture import Fleet
from hubs.cli import main as cli
from hubs.cli.commands import check
from hubs.cli.commands.check import CheckOptions
from hubs.cli.commands.set_ import SetOptions
from hubs.cli.commands.update import UpdateOptions
from hubs.policy.tagorder import ORDERS
from hubs.report import reporters as report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # help lines unwrapped, whatever the terminal


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        cli.main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def _examples(text: str) -> list[str]:
    _, found, rest = text.partition("\nexamples:\n")
    assert found, "no examples: section"
    return [line.strip() for line in rest.splitlines() if line.startswith("  hubs ")]


@pytest.mark.parametrize("command", [c.name for c in cli.TABLE])
def test_every_help_has_a_paragraph_and_examples_the_parser_accepts(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = cli._BY_NAME[command]
    text = _help(capsys, command)
    assert textwrap.fill(spec.description, 88) in text
    examples = _examples(text)
    assert examples == list(spec.examples)
    for example in examples:
        words = shlex.split(example)
        assert words[0] == "hubs"
        assert cli._parser().parse_args(words[1:]).command == command, example


def test_the_example_check_rejects_a_line_the_parser_refuses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli._parser().parse_args(shlex.split("set alpha/staging:image --pin a:1 --inherit"))
    assert exited.value.code == 2
    assert "argument --inherit: not allowed with argument --pin" in capsys.readouterr().err


def test_top_help_lists_the_table_in_order_with_schema_last_as_maintenance(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _help(capsys)
    rows = [line for line in text.splitlines() if line[:4] == "    " and line[4] != " "]
    listed = [row.split()[0] for row in rows]
    assert listed == [c.name for c in cli.TABLE]
    assert listed[-1] == "schema"
    assert "    schema       (maintenance) write the JSON schemas under schema/\n" in text


def test_explain_address_has_a_help_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        "  address               a hub (CLUSTER/HUB) or a slot, as `hubs list` prints it "
        "(e.g. CLUSTER/HUB:image)\n"
    ) in _help(capsys, "explain")


def _choices(command: str, dest: str) -> tuple[str, ...]:
    parser = cli._parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices[command]._actions if a.dest == dest)
    assert action.choices is not None
    return tuple(action.choices)


def test_formats_and_orders_are_written_once() -> None:
    for command in ("compile", "check", "diff", "update"):
        assert _choices(command, "format") == tuple(report.REPORTERS)
    assert tuple(report.REPORTERS) == ("text", "markdown", "json", "github")
    assert _choices("set", "order") == ORDERS
    schema = json.loads((ROOT / "schema/hubs.schema.json").read_text())
    assert tuple(schema["$defs"]["Follow"]["properties"]["order"]["enum"]) == ORDERS
    readme = (ROOT / "README.md").read_text()
    assert f"(`--format {'|'.join(report.REPORTERS)}`)" in readme
    assert f"`order` one of {', '.join(f'`{o}`' for o in ORDERS)}." in readme


def test_a_registered_reporter_is_a_format_choice(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        report.REPORTERS, "count", lambda found, stream: f"{found.command}: {found.slots}\n"
    )
    result = fleet.run("check", "--format", "count")
    assert (result.code, result.out, result.err) == (0, "check: 7\n", "")


def test_commands_get_typed_options_not_the_namespace(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    got: list[object] = []

    def record(options: object) -> int:
        got.append(options)
        return 0

    monkeypatch.setitem(cli._COMMANDS, "update", record)
    monkeypatch.setitem(cli._COMMANDS, "set", record)
    base = str(fleet.root)
    assert cli.main(["-C", base, "update", "a/prod:image", "b/x:image", "--dry-run"]) == 0
    assert cli.main(["-C", base, "set", "a/prod:image", "--config", "h.toml", "--inherit"]) == 0
    assert got == [
        UpdateOptions(
            base=fleet.root.resolve(), addresses=("a/prod:image", "b/x:image"), dry_run=True
        ),
        SetOptions(
            base=fleet.root.resolve(), config="h.toml", address="a/prod:image", inherit=True
        ),
    ]


def test_a_command_runs_from_its_options_alone(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check.run(CheckOptions(base=fleet.root, format="json")) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["command"], out["clean"], out["slots"]) == ("check", True, 7)


def test_set_says_to_compile_only_when_it_did_not(fleet: Fleet) -> None:
    hint = "run `hubs compile` to write it into the tree\n"
    result = fleet.run("set", "a/prod:image", "--pin", "quay.io/org/image:2.0")
    assert (result.code, result.err) == (
        0,
        "a/prod:image: pinned to quay.io/org/image:2.0\n" + hint,
    )
    assert fleet.run("check").code == 1
    result = fleet.run("set", "a/prod:image", "--pin", "quay.io/org/image:3.0", "--compile")
    assert (result.code, result.err) == (0, "a/prod:image: pinned to quay.io/org/image:3.0\n")
    assert fleet.run("check").code == 0


def test_version_is_the_same_answered_early_or_by_the_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from importlib.metadata import version

    import hubs

    assert cli.main(["--version"]) == 0  # before argparse and the commands are imported
    early = capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        cli.main(["--traceback", "--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == early == f"hubs {hubs.__version__}\n"
    assert version("hubs") == hubs.__version__  # pyproject.toml reads it


def test_python_dash_m_hubs_is_the_hubs_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    import hubs

    done = subprocess.run(
        [sys.executable, "-m", "hubs", "--version"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"hubs {hubs.__version__}\n", "")
    done = subprocess.run(
        [sys.executable, "-m", "hubs", "-C", str(tmp_path), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    missing = f"hubs: error: {tmp_path.resolve()}: no hubs.toml here or in any folder above\n"
    assert (done.returncode, done.stdout, done.stderr) == (2, "", missing)


@pytest.mark.parametrize(
    ("words", "chosen"),
    [
        (["check"], "check"),
        (["-C", "list", "--no-cache", "check", "--strict"], "check"),
        (["-Cdir", "--config", "x.toml", "list", "--hubs"], "list"),
        (["--conf", "compile", "check"], "check"),  # an abbreviated --config takes a value
        (["--config=compile", "diff"], "diff"),
        (["extract-image", "folder"], "extract-image"),
        (["--help", "check"], None),
        (["-h"], None),
        (["--", "check"], None),
        (["nosuch", "check"], None),
        (["--traceback"], None),
    ],
)
def test_the_command_is_found_before_the_parser_is_built(
    words: list[str], chosen: str | None
) -> None:
    from hubs.cli.commands import MODULES

    assert cli._chosen(words, MODULES) == chosen


def _imported_commands(*argv: str) -> tuple[int, list[str]]:
    import subprocess
    import sys

    code = (
        "import sys; from hubs.cli.main import main; code = main(sys.argv[1:]); "
        "print(sorted(m for m in sys.modules if m.startswith('hubs.cli.commands.')"
        " and m != 'hubs.cli.commands._common'), file=sys.stderr); sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False
    )
    return done.returncode, done.stderr.splitlines()[-1:]


def test_only_the_chosen_command_module_is_imported(tmp_path: Path) -> None:
    assert _imported_commands("-C", str(tmp_path), "list") == (2, ["['hubs.cli.commands.list_']"])
    assert _imported_commands("-C", str(tmp_path), "--no-cache", "check", "--strict") == (
        2,
        ["['hubs.cli.commands.check']"],
    )


def test_the_whole_table_answers_help_and_a_wrong_guess(capsys: pytest.CaptureFixture[str]) -> None:
    listed = _help(capsys)
    assert "\n    extract-image\n                 move a user-image folder, with its" in listed
    with pytest.raises(SystemExit) as exited:  # --conf takes "check": the command is list
        cli.main(["--conf", "check", "list", "--hubs", "--format", "bogus"])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "hubs list: error: argument --format: invalid choice: 'bogus' (choose from 'text', 'json')"
    )


def test_the_console_script_flushes_and_leaves_without_teardown(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = Path(sys.executable).parent / "hubs"
    assert "from hubs.cli.main import entry\n" in script.read_text()
    done = subprocess.run(
        [str(script), "-C", str(tmp_path), "check"], capture_output=True, text=True, check=False
    )
    missing = f"hubs: error: {tmp_path.resolve()}: no hubs.toml here or in any folder above\n"
    assert (done.returncode, done.stdout, done.stderr) == (2, "", missing)
    piped = subprocess.run(
        f"{script} --help | head -c 5", shell=True, capture_output=True, text=True, check=False
    )
    assert (piped.returncode, piped.stdout) == (0, "usage")
