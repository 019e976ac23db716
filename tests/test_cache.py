"""The scan cache cannot change a result: the same bytes out with it, without it, and with
a stale, foreign, corrupt or truncated cache file; and a cache that cannot be written is
no cache, never an error."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import hubs
import spawnerfleet
from fleetfixture import COMMON_A, HUB_D, Fleet, Result
from hubs.report.reporters import REPORTERS, Report
from hubs.tree import cache, valuesfile
from hubs.tree.scan import scan

COMMON = "config/clusters/a/common.values.yaml"
# a warning (daskhub values outside basehub:) and a value with spaces, both kept by the cache
HUB_D_WARNS = HUB_D + "jupyterhub:\n  singleuser:\n    image:\n      name: ' a/b'\n      tag: '1'\n"
DRIFT = ('image = "quay.io/org/small:1.0.0"', 'image = "quay.io/org/small:1.1.0"')


def outputs(fleet: Fleet, *flags: str) -> list[Result]:
    """What every reporting command prints, in every format."""
    runs = [fleet.run(*flags, "check", "--format", f) for f in REPORTERS]
    runs += [fleet.run(*flags, "diff", "--format", f) for f in REPORTERS]
    runs += [fleet.run(*flags, "list", "--format", f) for f in ("text", "json")]
    runs.append(fleet.run(*flags, "explain", "a/staging"))
    return runs


@pytest.fixture(autouse=True)
def cache_on(monkeypatch: pytest.MonkeyPatch, fleet: Fleet) -> None:
    """These tests are about the cache: on, whatever the suite runs with, on a fleet whose
    check has nothing to report (the small fleet's one lint finding turned off)."""
    monkeypatch.delenv("HUBS_CACHE", raising=False)
    fleet.toml('\n[lint]\noff = ["unused-image"]\n')


def entry_data(path: Path, name: str) -> object:
    """The data a cache file keeps under ``name`` (each entry is its own JSON text)."""
    return json.loads(json.loads(path.read_bytes())["files"][name][1])


def rewrite_entry(path: Path, name: str, change: Callable[[str], str]) -> None:
    """Rewrite the entry ``name`` of a cache file, its digest kept: ``change`` takes and
    gives its data as JSON text (with spaces after commas and colons)."""
    body = json.loads(path.read_bytes())
    entry = body["files"][name]
    entry[1] = json.dumps(json.loads(change(json.dumps(json.loads(entry[1])))))
    path.write_text(json.dumps(body), encoding="utf-8")


def cache_file(fleet: Fleet) -> Path:
    return cache.Store(fleet.root).path


def check_file(fleet: Fleet) -> Path:
    """The clean-check record's own small file."""
    return cache.Store(fleet.root, cache.CHECK).path


@pytest.fixture
def warned(fleet: Fleet) -> Fleet:
    fleet.write("config/clusters/d/hub.values.yaml", HUB_D_WARNS)
    fleet.toml(replace=DRIFT)
    return fleet


def test_every_report_is_the_same_without_the_cache_cold_and_warm(
    warned: Fleet, scan_cache_home: Path
) -> None:
    without = outputs(warned, "--no-cache")
    assert not cache_file(warned).exists()  # --no-cache writes none either
    cold = outputs(warned)
    assert cache_file(warned).parent == scan_cache_home / "hubs"
    entries = json.loads(cache_file(warned).read_bytes())["files"]
    assert sorted(entries) == [
        "scan::config/clusters/a/common.values.yaml",
        "scan::config/clusters/a/prod.values.yaml",  # no image, parsed once all the same
        "scan::config/clusters/a/staging.values.yaml",
        "scan::helm-charts/basehub/values.yaml",
        "scan:basehub:config/clusters/d/hub.values.yaml",
    ]
    written = cache_file(warned).stat().st_mtime_ns
    warm = outputs(warned)
    assert cold == without and warm == without
    assert cache_file(warned).stat().st_mtime_ns == written  # all hits: nothing to write
    assert "hubs: warning: config/clusters/d/hub.values.yaml:6: top-level jupyterhub:" in (
        without[0].err
    )
    assert without[0].code == 1 and "small:1.0.0 -> quay.io/org/small:1.1.0" in without[0].out


def test_hubs_cache_off_reads_and_writes_none(
    warned: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBS_CACHE", "off")
    assert outputs(warned) == outputs(warned, "--no-cache")
    assert not cache_file(warned).exists()


def test_the_cache_is_read_and_an_edit_is_seen(fleet: Fleet) -> None:
    assert fleet.run("check").code == 0
    path = cache_file(fleet)
    # poison the entry (digest kept): a hit would now report a tag the file does not hold
    rewrite_entry(
        path,
        "scan::" + COMMON,
        lambda text: text.replace("quay.io/org/image:abc1234", "quay.io/org/image:poison"),
    )
    assert "quay.io/org/image:poison" in fleet.run("diff").out  # the scan cache is used
    # an edit of the file changes its digest: the poisoned entry is no longer used
    fleet.write(COMMON, COMMON_A.replace("tag: abc1234", "tag: abc9999"))
    edited = fleet.run("check")
    assert edited == fleet.run("--no-cache", "check")
    assert "quay.io/org/image:abc9999 -> quay.io/org/image:abc1234" in edited.out
    assert "poison" not in path.read_text(encoding="utf-8")


def test_another_tool_version_ignores_the_cache(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet.run("check")
    path = cache_file(fleet)
    path.write_text(path.read_text(encoding="utf-8").replace("abc1234", "poison"), "utf-8")
    monkeypatch.setattr(hubs, "__version__", "99.0.0")
    assert fleet.run("check") == fleet.run("--no-cache", "check")
    assert fleet.run("check").out == "hubs check: clean (7 slots, 3 hubs)\n"
    assert json.loads(path.read_bytes())["tool"].startswith("99.0.0 ")


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "\x00garbage{",  # corrupt
        lambda text: "[]",  # foreign shape
        lambda text: text.replace('"format":2', '"format":1'),  # another format
        lambda text: text.replace('"folder":"', '"folder":"/elsewhere'),  # another hubs.toml
        lambda text: text.replace("[true,", "[1,"),  # an entry of the wrong types
        lambda text: text.replace('[\\"unlisted\\",', '[\\"mystery\\",'),  # an unknown kind
        lambda text: "[" * 100_000,  # nested too deep for the parser
    ],
    ids=["truncated", "corrupt", "foreign", "format", "folder", "types", "kind", "deep"],
)
def test_a_damaged_cache_file_is_ignored_and_rebuilt(warned: Fleet, damage: object) -> None:
    without = outputs(warned, "--no-cache")
    outputs(warned)
    path = cache_file(warned)
    good = path.read_text(encoding="utf-8")
    assert callable(damage)
    broken = damage(good)
    assert broken != good
    path.write_text(broken, encoding="utf-8")
    assert outputs(warned) == without
    assert path.read_text(encoding="utf-8") == good  # rebuilt as it was


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge", "folder"])
def test_a_cache_file_that_is_not_a_file_is_ignored_and_rebuilt(warned: Fleet, kind: str) -> None:
    """Read as every file is, bounded: never a hang or a MemoryError; replaced when it can
    be (a folder cannot: then there is no cache)."""
    without = outputs(warned, "--no-cache")
    outputs(warned)
    path = cache_file(warned)
    good = path.read_bytes()
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "huge":
        with path.open("wb") as handle:
            handle.truncate(cache.LIMIT + 1)  # sparse: no disk used
    else:
        path.mkdir()
    assert outputs(warned) == without
    if kind == "folder":
        assert path.is_dir()
    else:
        assert not path.is_symlink() and path.read_bytes() == good


def test_a_cache_that_cannot_be_written_is_no_cache(
    warned: Fleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))
    assert outputs(warned) == outputs(warned, "--no-cache")
    assert blocker.read_text(encoding="utf-8") == ""


def test_encode_and_decode_are_inverse_and_decode_refuses_other_shapes(fleet: Fleet) -> None:
    fleet.write("config/clusters/d/hub.values.yaml", HUB_D_WARNS)
    fleet.write("config/clusters/d/options.values.yaml", spawnerfleet.OPTIONS)
    fleet.write(
        "config/clusters/d/spawner.values.yaml",
        "basehub:\n  jupyterhub:\n    custom:\n      binderhubUI:\n        enabled: true\n"
        "    hub:\n      config:\n        KubeSpawner:\n          image: 'quay.io/o/i:1'\n",
    )
    for rel, prefix in (
        (COMMON, ()),
        ("config/clusters/d/hub.values.yaml", ("basehub",)),
        ("config/clusters/d/options.values.yaml", ()),
        ("config/clusters/d/spawner.values.yaml", ("basehub",)),
    ):
        found = scan(fleet.root, rel, prefix)
        data = json.loads(json.dumps(valuesfile.encode(found)))
        assert valuesfile.decode(data, rel, prefix, found.digest) == found
    assert found.settings == {
        ("jupyterhub", "custom", "binderhubUI", "enabled"): valuesfile.Setting("true", 5),
        ("jupyterhub", "hub", "config", "KubeSpawner", "image"): valuesfile.Setting(
            "quay.io/o/i:1", 9, plain=False
        ),
    }
    with pytest.raises(ValueError):
        valuesfile.decode([True, [], []], COMMON, (), "")
    with pytest.raises(TypeError):
        valuesfile.decode([True, [["small", "0"]], [], [], [], [], [], []], COMMON, (), "")
    with pytest.raises(TypeError):
        valuesfile.decode(
            [True, [], [], [["m", None, 1, 0, None, "warning", None, None, [1]]], [], [], [], []],
            "",
            (),
            "",
        )
    with pytest.raises(ValueError):  # a note of an unknown kind
        note: list[object] = ["x", None, None, [], [], 1, "v"]
        valuesfile.decode([True, [], [], [], [note], [], [], []], "", (), "")
    with pytest.raises(TypeError):  # a shadowed profile that is not a name
        valuesfile.decode([True, [], [], [], [], [1], [], []], "", (), "")
    with pytest.raises(TypeError):  # an option image's line that is not a number
        option = ["p", "o", [], [["x", "1", "i"]]]
        valuesfile.decode([True, [], [], [], [], [], [option], []], "", (), "")
    with pytest.raises(TypeError):  # a spawner setting's plain that is not a bool
        setting = [["jupyterhub", "hub"], "x", 3, 1]
        valuesfile.decode([True, [], [], [], [], [], [], [setting]], "", (), "")
    with pytest.raises(ValueError):  # the shape before spawner settings were kept
        valuesfile.decode([True, [], [], [], [], [], []], "", (), "")


def same(data: object) -> object:
    return data


def test_a_store_puts_and_gets_by_digest(tmp_path: Path, scan_cache_home: Path) -> None:
    store = cache.Store(tmp_path)
    store.put("x", "d1", [1, "a"])
    assert store.get("x", "d1", same) == [1, "a"]
    assert store.get("x", "d2", same) is None
    store.save()
    again = cache.Store(tmp_path)
    assert again.get("x", "d1", same) == [1, "a"]
    assert cache.Store(tmp_path / "other").get("x", "d1", same) is None
    assert again.path.parent == scan_cache_home / "hubs"


def test_a_store_lets_a_decoded_entry_go_and_reads_it_back_to_save_or_get_again(
    tmp_path: Path,
) -> None:
    first = cache.Store(tmp_path)
    first.put("x", "d1", [1, "a"])
    first.put("y", "d1", [2, "b"])
    first.save()
    store = cache.Store(tmp_path)
    assert store.get("x", "d1", same) == [1, "a"]
    assert "x" not in store._entries  # decoded: the run holds its objects only
    assert store.get("x", "d1", same) == [1, "a"]  # asked again: read back from the file
    store.put("z", "d2", [3])
    store.save()
    entries = {"x": ["d1", '[1,"a"]'], "y": ["d1", '[2,"b"]'], "z": ["d2", "[3]"]}
    whole = {"format": cache.FORMAT, "tool": store.tool, "folder": store.folder, "files": entries}
    assert store.path.read_text(encoding="utf-8") == json.dumps(whole, separators=(",", ":"))
    # the file changed under a store whose entry was decoded: that entry is left out
    late = cache.Store(tmp_path)
    assert late.get("y", "d1", same) == [2, "b"]
    other = cache.Store(tmp_path)
    other.put("y", "d9", [9])
    other.save()
    late.put("w", "d3", [4])
    late.save()
    entries = json.loads(late.path.read_bytes())["files"]
    assert sorted(entries) == ["w", "x", "z"]


# ---------------------------------------------------------------- a clean check replayed

CLEAN = "hubs check: clean (7 slots, 3 hubs)\n"


def poisoned(fleet: Fleet) -> None:
    """A clean check recorded, then its entry made to say 70 slots: seen only on a replay."""
    assert fleet.run("check").out == CLEAN
    path = check_file(fleet)
    entry = entry_data(path, "check:hubs.toml")
    assert isinstance(entry, list) and entry[5:7] == [7, 3]
    rewrite_entry(path, "check:hubs.toml", lambda text: text.replace(", 7, 3, ", ", 70, 3, "))
    assert fleet.run("check").out == "hubs check: clean (70 slots, 3 hubs)\n"


def test_a_clean_check_with_warnings_replays_the_same_bytes_in_every_format(
    fleet: Fleet,
) -> None:
    fleet.write("config/clusters/d/hub.values.yaml", HUB_D_WARNS)
    without = [fleet.run("--no-cache", "check", "--format", f) for f in REPORTERS]
    recorded = fleet.run("check")
    assert "check:hubs.toml" in json.loads(check_file(fleet).read_bytes())["files"]
    replayed = [fleet.run("check", "--format", f) for f in REPORTERS]
    assert [recorded, *replayed[1:]] == without and replayed == without
    assert "top-level jupyterhub: is ignored" in replayed[0].err
    # from another folder the paths shown are relative to it, replayed or not
    assert fleet.run("-C", str(fleet.root / "config"), "check") == fleet.run(
        "-C", str(fleet.root / "config"), "--no-cache", "check"
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.write(COMMON, COMMON_A + "# a comment\n"),
        lambda f: f.write("config/clusters/a/prod.values.yaml", "jupyterhub: {}\n"),
        lambda f: f.write(
            "config/clusters/a/cluster.yaml", f.read("config/clusters/a/cluster.yaml") + "\n"
        ),
        lambda f: f.write("config/clusters/e/cluster.yaml", "name: e\nhubs: []\n"),
        lambda f: f.write("hubs.lock", "version = 1\n"),
        lambda f: f.path("helm-charts/basehub/values.yaml").unlink(),
        lambda f: f.toml("\n# a comment\n"),
    ],
    ids=["values", "unread-values", "cluster", "new-cluster", "lock", "chart", "config"],
)
def test_any_changed_input_is_checked_again(fleet: Fleet, change: object) -> None:
    poisoned(fleet)
    assert callable(change)
    change(fleet)
    assert fleet.run("check") == fleet.run("--no-cache", "check")
    assert "70 slots" not in fleet.run("check").out


def test_a_listed_file_that_now_leads_outside_the_tree_is_refused_as_before(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    poisoned(fleet)
    outside = tmp_path_factory.mktemp("outside") / "staging.values.yaml"
    outside.write_text("jupyterhub: {}\n", encoding="utf-8")
    staging = fleet.path("config/clusters/a/staging.values.yaml")
    staging.unlink()
    staging.symlink_to(outside)
    refused = fleet.run("check")
    assert refused == fleet.run("--no-cache", "check")
    assert (refused.code, refused.out) == (2, "")
    assert "leads outside the tree" in refused.err


def test_a_check_with_drift_is_not_recorded(fleet: Fleet) -> None:
    fleet.toml(replace=DRIFT)
    assert fleet.run("check").code == 1
    assert not check_file(fleet).exists()


def test_a_changed_source_file_is_another_tool(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "sub" / "b.py").write_text("y = 2\n", encoding="utf-8")
    first = cache.sources(tmp_path)
    assert cache.sources(tmp_path) == first
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.pyc").write_bytes(b"compiled")
    assert cache.sources(tmp_path) == first  # byte code is not the source
    (tmp_path / "sub" / "b.py").write_text("y = 3\n", encoding="utf-8")
    os.utime(tmp_path / "sub" / "b.py", ns=(0, 0))
    assert cache.sources(tmp_path) != first


def test_the_codec_knows_every_field_it_must_keep() -> None:
    """A field added to a scan result must be added to valuesfile.encode/decode too, or the
    cache would drop it: this fails first."""
    from dataclasses import fields

    from hubs.errors import Diagnostic

    assert [f.name for f in fields(valuesfile.Slot)] == [
        *("file", "kind", "profile", "choice", "path", "physical", "line", "image"),
        *("anchor", "inherited_name", "inherited_tag", "partial", "nulled"),
    ]
    assert [f.name for f in fields(valuesfile.ValuesFile)] == [
        *("path", "prefix", "digest", "slots", "profiles", "has_profile_list", "warnings"),
        "notes",
        "shadowed",
        "options",
        "settings",
    ]
    assert [f.name for f in fields(valuesfile.Setting)] == ["value", "line", "plain"]
    assert [f.name for f in fields(valuesfile.Option)] == ["profile", "name", "choices", "images"]
    assert [f.name for f in fields(valuesfile.OptionImage)] == ["choice", "line", "image"]
    assert [f.name for f in fields(valuesfile.Note)] == [
        *("kind", "profile", "choice", "path", "physical", "line", "value"),
    ]
    # a replayed clean check rebuilds its Report from slots, hubs, prefix and warnings
    assert [f.name for f in fields(Report)] == [
        *("command", "changes", "applied", "slots", "hubs", "prefix", "notes", "warnings"),
        "findings",  # a check with findings is never replayed
        "lint_counts",  # a flag of the run, not of the tree: passed to the replay too
        "packages",  # only diff and update --packages set it; check never does
    ]
    assert [f.name for f in fields(Diagnostic)] == [
        *("message", "file", "line", "column", "key", "severity", "rule", "fix", "keys"),
    ]


def test_a_check_with_lint_warnings_replays_them_and_strict_is_its_own_record(
    fleet: Fleet,
) -> None:
    """A replay gives the same report, lint warnings included; a --strict run, for which
    they fail the check, never takes the record of a run without it."""
    fleet.toml(replace=('\n[lint]\noff = ["unused-image"]\n', ""))
    first = fleet.run("check")
    assert "check:hubs.toml" in json.loads(check_file(fleet).read_bytes())["files"]
    again = fleet.run("check")
    assert first == again
    assert first.out.startswith("hubs check: clean (7 slots, 3 hubs); 1 lint finding")
    strict = fleet.run("check", "--strict")
    assert strict.code == 1
    assert strict.out.startswith("hubs check: 1 lint finding (unused-image); see the fix")


def test_the_clean_check_record_is_a_file_of_its_own_and_a_replay_reads_no_scan(
    fleet: Fleet,
) -> None:
    assert fleet.run("check").out == CLEAN
    scans = json.loads(cache_file(fleet).read_bytes())["files"]
    checks = json.loads(check_file(fleet).read_bytes())["files"]
    assert list(checks) == ["check:hubs.toml"]
    assert scans and not any(name.startswith("check:") for name in scans)
    cache_file(fleet).write_text("not json", encoding="utf-8")  # a replay never reads it
    assert fleet.run("check").out == CLEAN
    assert cache_file(fleet).read_text(encoding="utf-8") == "not json"


def test_lint_reads_the_scan_cache(fleet: Fleet) -> None:
    without = fleet.run("--no-cache", "lint")
    assert fleet.run("lint") == without  # the scans recorded
    path = cache_file(fleet)
    data = json.loads(path.read_bytes())
    assert any(name.startswith("scan:") for name in data["files"])
    path.write_text(json.dumps(data), encoding="utf-8")
    stamp = path.stat().st_mtime_ns
    assert fleet.run("lint") == without  # read, nothing new to write
    assert path.stat().st_mtime_ns == stamp


def model_file(fleet: Fleet) -> Path:
    """The model cache: hubs.toml and hubs.lock as they validated, by their digest."""
    return cache.Store(fleet.root, cache.MODEL).path


FOLLOW_TOML = (
    'image = "quay.io/org/small:1.0.0"',
    'image = { follow = "quay.io/org/small", order = "semver", hold_until = 2026-12-31 }',
)


def test_a_run_with_the_same_hubs_toml_takes_its_model_from_the_cache_without_pydantic(
    fleet: Fleet, scan_cache_home: Path
) -> None:
    import subprocess
    import sys

    assert fleet.run("check").code == 0
    assert sorted(json.loads(model_file(fleet).read_bytes())["files"]) == ["hubs.toml"]
    # a values file changed (a comment): the check is made again, hubs.toml is not
    fleet.write(COMMON, COMMON_A + "# a comment\n")
    probe = (
        "import sys\nfrom hubs.cli.main import main\n"
        f"code = main(['-C', {str(fleet.root)!r}, 'check'])\n"
        "print(code, 'pydantic' in sys.modules, 'hubs.policy.schema' in sys.modules)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(scan_cache_home)}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert run.stdout.splitlines()[-1] == "0 False False"
    assert run.stdout.splitlines()[:-1] == fleet.run("--no-cache", "check").out.splitlines()


def test_the_model_cache_is_used_and_a_changed_hubs_toml_is_validated_again(
    fleet: Fleet,
) -> None:
    assert fleet.run("list", "--format", "json").code == 0
    path = model_file(fleet)
    # poison the entry (digest kept): a hit now states a tag hubs.toml does not hold
    rewrite_entry(path, "hubs.toml", lambda text: text.replace('"tag": "1.0.0"', '"tag": "6.6.6"'))
    assert "quay.io/org/small:6.6.6" in fleet.run("diff").out  # the model cache is used
    fleet.toml("\n# a comment changes the digest\n")
    assert fleet.run("diff") == fleet.run("--no-cache", "diff")
    assert "6.6.6" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [
        ('"$": "Config"', '"$": "system"'),  # a class the cache does not know
        ('"$": "Follow"', '"$": "Broken"'),  # fields of another class
        ('"order": "semver"', '"ordre": "semver"'),  # a field missing
        ('"$": "date", "v": "2026-12-31"', '"$": "date", "v": "soon"'),  # not a day
        ('"$": "map", "v": [', '"$": "map", "v": [[1, 2, 3]], "w": ['),  # not a pair
    ],
)
def test_a_model_entry_of_another_shape_is_a_miss_and_validated_again(
    fleet: Fleet, damage: tuple[str, str]
) -> None:
    fleet.toml(replace=FOLLOW_TOML)
    expected = fleet.run("--no-cache", "list", "--format", "json")
    assert fleet.run("list", "--format", "json") == expected
    path = model_file(fleet)
    kept = json.loads(path.read_bytes())
    assert damage[0] in json.dumps(entry_data(path, "hubs.toml"))
    rewrite_entry(path, "hubs.toml", lambda text: text.replace(damage[0], damage[1], 1))
    assert fleet.run("list", "--format", "json") == expected
    assert json.loads(path.read_bytes()) == kept  # validated again and kept again


def test_an_invalid_hubs_toml_is_refused_every_time_and_never_kept(fleet: Fleet) -> None:
    fleet.toml('\n[packages]\nnotable = "numpy"\n')
    first = fleet.run("check")
    assert (first.code, first.err) == (
        2,
        "hubs: error: hubs.toml:30:1: packages.notable: Input should be a valid list\n",
    )
    assert fleet.run("check") == first
    assert not model_file(fleet).exists()


def test_the_model_codec_round_trips_every_class_and_any_key() -> None:
    from hubs.policy import stored
    from hubs.policy.load import parse_config, parse_lock
    from hubs.policy.model import Config, Lock

    config = parse_config(
        'tree = "."\n[defaults]\nimage = "inherit"\n[registries]\ninsecure = ["r.test"]\n'
        '[registries.mirrors]\n"docker.io" = "m.test:5000"\n'
        '[clusters.a.files."x.yaml".profiles."$".choices]\n'
        '"" = { broken = "not an image " }\n"$" = "quay.io/o/i:1@sha256:' + "a" * 64 + '"\n'
        "[clusters.a.hubs.h.profiles.p]\n"
        'image = { follow = "quay.io/o/i", order = "calver", hold_until = 2026-12-31 }\n'
        '[clusters.a.hubs.i]\nimage = { promote = "a/h", after = "7d" }\n'
        '[lint]\noff = ["docker-hub"]\n[lint.ignore]\n"a/h" = ["mutable-tag"]\n'
        '[sync]\nlabels = ["a/h"]\n[packages]\nnotable = ["numpy"]\n'
    )
    data = json.loads(json.dumps(stored.encode(config)))
    assert stored.decode(data, Config) == config
    lock = parse_lock(
        'version = 1\n[slots."a/h:profiles/p/image"]\nimage = "quay.io/o/i"\ntag = "2026.1"\n'
        'resolved = "2026-01-01T00:00:00Z"\npolicy = "sha256:0"\nsource = "a/x"\n'
    )
    assert stored.decode(json.loads(json.dumps(stored.encode(lock))), Lock) == lock
    with pytest.raises(TypeError):
        stored.decode(stored.encode(lock), Config)


def test_a_run_reads_each_file_once_and_a_caller_after_it_reads_afresh(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections import Counter

    from hubs.files import fileio
    from hubs.tree.layering import load_fleet

    reads: Counter[str] = Counter()
    real = fileio.read_bytes

    def counted(path: Path, shown: str, limit: int = fileio.LIMIT) -> bytes:
        reads[Path(path).relative_to(fleet.root).as_posix()] += 1
        return real(path, shown, limit)

    monkeypatch.setattr(fileio, "read_bytes", counted)
    assert fleet.run("--no-cache", "list", "--format", "json").code == 0  # every hub's reach
    assert reads == Counter(
        {
            "hubs.toml": 1,
            "helm-charts/basehub/values.yaml": 1,
            "config/clusters/a/cluster.yaml": 1,
            "config/clusters/a/common.values.yaml": 1,
            "config/clusters/a/staging.values.yaml": 1,
            "config/clusters/a/prod.values.yaml": 1,
            "config/clusters/d/cluster.yaml": 1,
            "config/clusters/d/hub.values.yaml": 1,
        }
    )
    fleet.write(COMMON, COMMON_A.replace("tag: abc1234", "tag: abc9999"))
    slot = load_fleet(fleet.root).file(COMMON).slot("singleuser")
    assert slot is not None and slot.image == "quay.io/org/image:abc9999"


def test_a_replayed_check_imports_no_parser_and_no_loader(
    fleet: Fleet, scan_cache_home: Path
) -> None:
    import subprocess
    import sys

    assert fleet.run("check").out == CLEAN  # recorded
    probe = (
        "import sys\nfrom hubs.cli.main import main\n"
        f"code = main(['-C', {str(fleet.root)!r}, 'check'])\n"
        "heavy = ('yaml', 'tomllib', 'tomlkit', 'pydantic', 'hubs.policy.load', 'hubs.tree.scan')\n"
        "print(code, sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(scan_cache_home)}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert (run.stdout, run.stderr) == (CLEAN + "0 []\n", "")


def test_the_tool_version_covers_every_folder_and_for_models_what_validates() -> None:
    """A module changed anywhere in the package (an editable install) is another tool, and
    for the model cache so is another Pydantic or another library its rules call."""
    from importlib.util import find_spec

    package = Path(hubs.__file__).parent
    assert f" {cache.sources(package)} " in cache.version()
    spec = find_spec("pydantic")
    assert spec is not None and spec.submodule_search_locations is not None
    pydantic = cache.sources(Path(next(iter(spec.submodule_search_locations))))
    assert f"pydantic:{pydantic}" in cache.version(cache.MODEL)
    assert "pydantic" not in cache.version(cache.SCAN)
    assert cache.version(cache.CHECK) == cache.version(cache.SCAN)
