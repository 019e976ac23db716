"""Bad input: one clear line per problem pointing at the place, exit 2, nothing written."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import pytest

from fleetfixture import PROD_A, UNUSED_A, Fleet
from hubs.policy import model


def expect_error(
    fleet: Fleet, *lines: str, command: str = "compile", args: tuple[str, ...] = ()
) -> None:
    """``command`` (with ``args``) exits 2 with exactly ``lines`` and changes no file
    (bytes and mtime).

    The snapshot is taken here, after the test has written its hubs.toml."""
    before = fleet.snapshot()
    result = fleet.run(command, *args)
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [f"hubs: error: {line}" for line in lines]
    assert "Traceback" not in result.err
    assert fleet.snapshot() == before


def test_toml_syntax_error_points_at_line_and_column(fleet: Fleet) -> None:
    fleet.toml('image = "a/b:1\n')
    expect_error(fleet, "hubs.toml:25:15: Illegal character '\\n'")


def test_unknown_key_points_at_it(fleet: Fleet) -> None:
    fleet.toml(replace=("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nimgae = "a/b:1"\n'))
    expect_error(fleet, "hubs.toml:23:1: clusters.a.hubs.prod.imgae: unknown key")


def test_invalid_reference(fleet: Fleet) -> None:
    fleet.toml(
        replace=('image = "quay.io/org/image:abc1234"', 'image = "quay.io/Org/image:abc1234"')
    )
    expect_error(
        fleet,
        'hubs.toml:7:1: clusters.a.files."common.values.yaml".image: invalid image reference '
        "'quay.io/Org/image:abc1234': repository 'Org/image' must be lowercase components "
        "separated by '/'",
    )


def test_singleuser_image_needs_a_tag(fleet: Fleet) -> None:
    fleet.toml(replace=('image = "quay.io/org/image:abc1234"', 'image = "quay.io/org/image"'))
    expect_error(
        fleet,
        "hubs.toml:7:1: a/common.values.yaml:image: singleuser.image needs a tag (name:tag[@digest])",
    )


def test_follow_policy_errors(fleet: Fleet) -> None:
    fleet.toml(
        replace=(
            'image = "quay.io/org/small:1.0.0"',
            'image = { follow = "quay.io/org/small:1", order = "lexical", match = "(" }',
        )
    )
    result = fleet.run("check")
    assert result.code == 2
    assert result.err.splitlines() == [
        'hubs: error: hubs.toml:10:11: clusters.a.files."common.values.yaml".profiles.small.'
        "image.follow: follow takes a repository without tag or digest, not 'quay.io/org/small:1'",
        'hubs: error: hubs.toml:10:62: clusters.a.files."common.values.yaml".profiles.small.'
        "image.match: invalid regular expression '(': missing ) at position 1",
        'hubs: error: hubs.toml:10:43: clusters.a.files."common.values.yaml".profiles.small.'
        "image.order: Input should be 'semver', 'calver', 'numeric', 'alphabetical' or 'pushed'",
    ]


def test_unknown_cluster_and_hub_with_suggestions(fleet: Fleet) -> None:
    fleet.toml(replace=("[clusters.a.hubs.prod]\n", "[clusters.a.hubs.prd]\n"))
    fleet.toml("\n[clusters.dd.hubs.hub]\n")
    expect_error(
        fleet,
        "hubs.toml:26:1: clusters.dd: no such cluster in the tree (did you mean 'd'?)",
        "hubs.toml:22:1: clusters.a.hubs.prd: no such hub in config/clusters/a/cluster.yaml (did you mean 'prod'?)",
    )


def test_a_cluster_missing_from_hubs_toml_is_drift_and_compile_leaves_it_alone(
    fleet: Fleet,
) -> None:
    fleet.write(
        "config/clusters/d/hub.values.yaml",
        "basehub:\n  jupyterhub:\n    singleuser:\n      image:\n        name: a/b\n        tag: '1'\n",
    )
    fleet.toml(replace=("[clusters.d.hubs.hub]\n", ""))
    before = fleet.snapshot()
    compiled = fleet.run("compile")
    assert (compiled.code, compiled.err) == (0, "")
    assert compiled.out.splitlines()[0] == (
        "hubs compile: nothing to change; 2 not stated in hubs.toml left as the tree has them"
    )
    assert fleet.snapshot() == before
    check = fleet.run("check")
    assert (check.code, check.err) == (1, "")
    assert check.out == (
        "hubs check: 2 not stated in hubs.toml, 2 lint findings (docker-hub, unused-image); "
        "see the fix under each\n"
        "  clusters.d\n"
        "    cluster 'd' of config/clusters/d/cluster.yaml is not in hubs.toml\n"
        "    config/clusters/d/cluster.yaml · new-cluster\n"
        "    `hubs adopt` adds it\n"
        "  d/hub:image\n"
        "    a/b:1 is in the tree but not in hubs.toml (compile leaves it alone)\n"
        "    config/clusters/d/hub.values.yaml:6 · unstated\n"
        "    `hubs adopt 'd/hub:image'` states it; `hubs set 'd/hub:image' --inherit` asks for "
        "its removal\n"
        "  d/hub:image\n"
        "    a/b:1 is pulled from Docker Hub, whose pull limits can keep a hub from starting "
        "servers\n"
        "    config/clusters/d/hub.values.yaml:6 · docker-hub · warning\n"
        "    push it to quay.io, GitHub's registry (ghcr.io) or the cloud's own registry "
        "(Artifact Registry, ECR) and pin it from there\n" + UNUSED_A
    )


def test_unknown_profile_and_choice(fleet: Fleet) -> None:
    fleet.toml(replace=("profiles.small]", "profiles.smal]"))
    fleet.toml(
        replace=(
            'py = "ghcr.io/org/python:7b7bb16"\nr =',
            'pyy = "ghcr.io/org/python:7b7bb16"\nr =',
        )
    )
    expect_error(
        fleet,
        'hubs.toml:9:1: clusters.a.files."common.values.yaml".profiles.smal: no profile with this slug or '
        "display name in config/clusters/a/common.values.yaml (did you mean 'small'?)",
        'hubs.toml:13:1: clusters.a.files."common.values.yaml".profiles.Choose.choices.pyy: no such image '
        "choice in config/clusters/a/common.values.yaml (did you mean 'py'?)",
        'hubs.toml:17:1: clusters.a.files."common.values.yaml".profiles.big.choices.pyy: no such image '
        "choice in config/clusters/a/common.values.yaml (did you mean 'py'?)",
    )


def test_profile_set_where_the_hub_does_not_take_its_profile_list(fleet: Fleet) -> None:
    fleet.toml(
        replace=(
            "[clusters.a.hubs.prod]\n",
            '[clusters.a.hubs.prod.profiles.small]\nimage = "a/b:1"\n',
        )
    )
    expect_error(
        fleet,
        "hubs.toml:22:1: clusters.a.hubs.prod.profiles.small: config/clusters/a/prod.values.yaml has no "
        "profileList (Helm takes a hub's whole profileList from the last file that sets it: set "
        "profile images in that file's scope)",
    )


def test_hub_without_a_file_of_its_own(fleet: Fleet) -> None:
    fleet.write(
        "config/clusters/a/cluster.yaml",
        fleet.read("config/clusters/a/cluster.yaml").replace(
            "  - prod.values.yaml\n", "  - staging.values.yaml\n"
        ),
    )
    fleet.toml(replace=("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nimage = "a/b:1"\n'))
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert result.code == 2
    assert result.err == (
        "hubs: error: hubs.toml:22:1: clusters.a.hubs.prod: this hub has no values file of its own (each of its "
        "files is shared with other hubs), so a hub-level image cannot be written; add a file "
        "for it to cluster.yaml, or set the image on the shared file\n"
    )
    assert fleet.snapshot() == before


def test_file_scope_for_a_hubs_own_file(fleet: Fleet) -> None:
    fleet.toml('\n[clusters.a.files."prod.values.yaml"]\nimage = "a/b:1"\n')
    expect_error(
        fleet,
        'hubs.toml:26:1: clusters.a.files."prod.values.yaml": this file is used only '
        "by hub 'prod'; write its images under [clusters.a.hubs.prod]",
    )


def test_invalid_values_yaml_names_file_and_line(fleet: Fleet) -> None:
    fleet.write("config/clusters/a/prod.values.yaml", "jupyterhub:\n  image: [a\n  x: 1\n")
    before = fleet.snapshot()
    result = fleet.run("check")
    assert result.code == 2
    assert result.err == (
        "hubs: error: config/clusters/a/prod.values.yaml:3:4: invalid YAML: "
        "did not find expected ',' or ']'\n"
    )
    assert fleet.snapshot() == before


def test_duplicate_keys_are_refused(fleet: Fleet) -> None:
    fleet.write(
        "config/clusters/a/prod.values.yaml",
        "jupyterhub:\n  singleuser:\n    image: {name: a, tag: b}\n  singleuser: {}\n",
    )
    result = fleet.run("check")
    assert (result.code, result.err) == (
        2,
        "hubs: error: config/clusters/a/prod.values.yaml:4: duplicate key 'singleuser'\n",
    )


# Every command that reads the fleet, with what it needs to get that far.
FLEET_READERS = (
    ("check",),
    ("compile",),
    ("diff",),
    ("list",),
    ("list", "--hubs"),
    ("list", "--hub", "a/staging"),
    ("explain", "a/staging"),
    ("lint",),
    ("import", "--force"),
    ("adopt",),
    ("set", "a/common.values.yaml:profiles/small/image", "--pin", "quay.io/org/small:1.0.1"),
    ("update",),
    ("verify",),
)
PROD = "config/clusters/a/prod.values.yaml"
COMMON = "config/clusters/a/common.values.yaml"
# Invalid YAML where no image is: (file, text appended to it or replacing it, the error).
BROKEN_ELSEWHERE = {
    "unclosed-flow-no-image": (
        PROD,
        "jupyterhub:\n  ingress:\n    hosts: [a.org\n",
        f"{PROD}:4:1: invalid YAML: did not find expected ',' or ']'",
    ),
    "duplicate-top-level-key-no-image": (
        PROD,
        "jupyterhub:\n  ingress:\n    hosts: [a.org]\njupyterhub: {}\n",
        f"{PROD}:4: duplicate key 'jupyterhub'",
    ),
    "tab-indent-no-image": (
        PROD,
        "jupyterhub:\n  ingress:\n\thosts: [a.org]\n",
        f"{PROD}:3:1: invalid YAML: found character that cannot start any token",
    ),
    "unclosed-flow-with-images": (
        COMMON,
        "nfs:\n  hosts: [a\n",
        f"{COMMON}:35:1: invalid YAML: did not find expected ',' or ']'",
    ),
    "duplicate-top-level-key-with-images": (
        COMMON,
        "nfs:\n  enabled: true\nnfs: {}\n",
        f"{COMMON}:35: duplicate key 'nfs'",
    ),
    "duplicate-nested-key-with-images": (
        COMMON,
        "nfs:\n  enabled: true\n  enabled: false\n",
        f"{COMMON}:35: duplicate key 'enabled'",
    ),
    "tab-indent-with-images": (
        COMMON,
        "nfs:\n\tenabled: true\n",
        f"{COMMON}:34:1: invalid YAML: found character that cannot start any token",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_ELSEWHERE))
@pytest.mark.parametrize("command", FLEET_READERS, ids=" ".join)
def test_invalid_yaml_anywhere_in_a_values_file_is_an_error(
    fleet: Fleet, case: str, command: tuple[str, ...]
) -> None:
    """Helm cannot read the file, so no command may call the fleet clean."""
    rel, text, line = BROKEN_ELSEWHERE[case]
    fleet.write(rel, (fleet.read(rel) if rel == COMMON else "") + text)
    expect_error(fleet, line, command=command[0], args=command[1:])


def test_a_sops_file_is_never_parsed(fleet: Fleet) -> None:
    """Encrypted files are not plaintext values: not YAML we may judge, never read."""
    fleet.write("config/clusters/a/enc-staging.secret.values.yaml", "a: [\n\tb: 1\na: 2\n")
    assert fleet.run("check").code == 0


def test_a_file_broken_after_a_clean_check_is_an_error(fleet: Fleet) -> None:
    """Neither the scan cache nor a replayed clean check hides a file broken since."""
    assert fleet.run("check").code == 0
    rel, text, line = BROKEN_ELSEWHERE["duplicate-top-level-key-no-image"]
    fleet.write(rel, text)
    expect_error(fleet, line, command="check")
    expect_error(fleet, line, command="check")  # not remembered as clean either


def test_follow_without_lock_entry_or_with_a_stale_one_is_pending(fleet: Fleet) -> None:
    policy = 'image = { follow = "quay.io/org/small", order = "semver" }'
    fleet.toml(replace=('image = "quay.io/org/small:1.0.0"', policy))
    address = "a/common.values.yaml:profiles/small/image"
    before = fleet.snapshot()
    result = fleet.run("check")
    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[2] == (
        "    follows quay.io/org/small but hubs.lock has no entry for it (compile leaves the "
        "slot as it is)"
    )
    compiled = fleet.run("compile")  # the rest compiles; the pending slot stays as it is
    assert (compiled.code, compiled.out.splitlines()[0]) == (
        0,
        "hubs compile: nothing to change; 1 waiting for `hubs update` left as the tree has them",
    )
    assert fleet.snapshot() == before
    fleet.write(
        "hubs.lock",
        f'version = 1\n[slots."{address}"]\nimage = "quay.io/org/small"\n'
        'tag = "1.0.0"\nresolved = "2026-01-01T00:00:00Z"\npolicy = "sha256:0000"\n',
    )
    result = fleet.run("check")
    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[1:5] == [
        f"  {address}",
        "    the policy changed since hubs.lock was written (compile leaves the slot as it is)",
        "    config/clusters/a/common.values.yaml:11 · pending",
        f"    `hubs update '{address}'` resolves it",
    ]


def test_follow_with_fresh_lock_compiles(fleet: Fleet) -> None:
    from hubs.policy.schema import Follow, inside

    policy = inside(Follow(follow="quay.io/org/small", order="semver"))
    assert isinstance(policy, model.Follow)
    fleet.toml(
        replace=(
            'image = "quay.io/org/small:1.0.0"',
            'image = { follow = "quay.io/org/small", order = "semver" }',
        )
    )
    address = "a/common.values.yaml:profiles/small/image"
    fleet.write(
        "hubs.lock",
        f'version = 1\n[slots."{address}"]\nimage = "quay.io/org/small"\n'
        f'tag = "1.2.0"\ndigest = "sha256:{"a" * 64}"\nresolved = "2026-01-01T00:00:00Z"\n'
        f'policy = "{policy.fingerprint()}"\n',
    )
    result = fleet.run("compile")
    assert result.code == 0
    assert "quay.io/org/small:1.0.0 -> quay.io/org/small:1.2.0" in result.out


def test_no_config_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hubs.cli.main import main

    assert main(["-C", str(tmp_path), "check"]) == 2
    assert capsys.readouterr().err == (
        f"hubs: error: {tmp_path}: no hubs.toml here or in any folder above\n"
    )


def test_traceback_flag_shows_the_exception_and_keeps_the_exit_code(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet.toml("\n[broken\n")
    from hubs.cli.main import main

    assert main(["-C", str(fleet.root), "check", "--traceback"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert (
        "hubs.policy.locate.ConfigError: hubs.toml:26:8: Expected ']' at the end of a table declaration\n"
        in err
    )
    assert err.endswith(
        "hubs: error: hubs.toml:26:8: Expected ']' at the end of a table declaration\n"
    )


def test_an_unexpected_exception_exits_3_and_asks_for_a_report(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hubs.cli import main as cli
    from hubs.cli.main import main

    def boom(*args: object) -> int:
        raise KeyError("surprise")

    monkeypatch.setitem(cli._COMMANDS, "check", boom)
    assert main(["-C", str(fleet.root), "check"]) == 3
    assert capsys.readouterr().err == (
        "hubs: error: unexpected KeyError: 'surprise' "
        "(please report this; run with --traceback for the details)\n"
    )
    assert main(["-C", str(fleet.root), "check", "--traceback"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert "KeyError: 'surprise'\n" in err


def test_write_failure_is_exit_3_and_nothing_half_written(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet.toml(replace=('image = "quay.io/org/small:1.0.0"', 'image = "quay.io/org/small:2.0.0"'))
    before = fleet.snapshot()

    def fail(*args: object, **kwargs: object) -> NoReturn:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", fail)
    result = fleet.run("compile")
    assert result.code == 3
    assert result.err == (
        f"hubs: error: {fleet.root}/config/clusters/a/common.values.yaml: "
        "cannot write: No space left on device; nothing written, the tree is unchanged\n"
    )
    assert fleet.snapshot() == before
    assert not [p for p in fleet.root.rglob(".*.tmp")]


def test_interrupt_is_exit_130(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object, **kwargs: object) -> NoReturn:
        raise KeyboardInterrupt

    monkeypatch.setattr("hubs.compile.run.build", interrupt)
    result = fleet.run("compile")
    assert (result.code, result.err) == (130, "hubs: interrupted\n")


def test_output_checked_against_the_trees_values_schema(fleet: Fleet) -> None:
    fleet.write(
        "helm-charts/basehub/values.schema.yaml",
        (
            "type: object\n"
            "required: [userServiceAccount]\n"  # not met by the file alone: never reported
            "properties:\n"
            "  jupyterhub:\n"
            "    properties:\n"
            "      singleuser:\n"
            "        properties:\n"
            "          image:\n"
            "            properties:\n"
            "              tag: {type: string, pattern: '^[0-9]'}\n"
        ),
    )
    fleet.toml(replace=("scipy-notebook:2024-03-18", "scipy-notebook:2025-01-01"))
    assert fleet.run("compile").code == 0
    fleet.toml(replace=("scipy-notebook:2025-01-01", "scipy-notebook:latest"))
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        2,
        "hubs: error: helm-charts/basehub/values.yaml: compiled values fail "
        "helm-charts/basehub/values.schema.yaml at jupyterhub/singleuser/image/tag: 'latest' "
        "does not match '^[0-9]'\n",
    )
    assert fleet.snapshot() == before


def test_set_compile_writes_nothing_when_compile_fails(fleet: Fleet) -> None:
    fleet.write("config/clusters/a/prod.values.yaml", "jupyterhub:\n  singleuser: {image: x}\n")
    before = fleet.snapshot()
    result = fleet.run("set", "a/common.values.yaml:image", "--pin", "a/b:2", "--compile")
    assert result.code == 2
    assert result.err == (
        "hubs: error: config/clusters/a/prod.values.yaml:2: image must be a name/tag map\n"
    )
    assert fleet.snapshot() == before


def test_an_edit_that_would_change_other_data_is_refused(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubs.compile import yamledit

    real_apply = yamledit.apply

    def sloppy(text: str, splices: Iterable[yamledit.Splice]) -> str:
        return real_apply(text, splices).replace("defaultUrl: /tree", "defaultUrl: /lab")

    monkeypatch.setattr(yamledit, "apply", sloppy)
    fleet.toml(replace=("scipy-notebook:2024-03-18", "scipy-notebook:2025-01-01"))
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        2,
        "hubs: error: helm-charts/basehub/values.yaml: internal check failed: the edit would "
        "also change Value of root['jupyterhub']['singleuser']['defaultUrl'] changed from "
        '"/tree" to "/lab"; nothing written (please report this)\n',
    )
    assert fleet.snapshot() == before


def test_tree_without_clusters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hubs.cli.main import main

    (tmp_path / "config/clusters/x").mkdir(parents=True)
    assert main(["-C", str(tmp_path), "import"]) == 2
    assert capsys.readouterr().err == (
        f"hubs: error: {tmp_path}: no config/clusters/<cluster>/cluster.yaml found\n"
    )
    assert not (tmp_path / "hubs.toml").exists()
    (tmp_path / "config").rename(tmp_path / "conf")
    assert main(["-C", str(tmp_path), "import"]) == 2
    assert capsys.readouterr().err == (
        f"hubs: error: {tmp_path}: no config/clusters/ folder (is this the tree root?)\n"
    )


def test_missing_values_file_is_named(fleet: Fleet) -> None:
    (fleet.root / "config/clusters/a/prod.values.yaml").unlink()
    result = fleet.run("check")
    assert (result.code, result.err) == (
        2,
        "hubs: error: config/clusters/a/prod.values.yaml (listed in cluster.yaml): file not "
        "found\n",
    )


def test_foreign_tags_are_kept_and_never_run(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    marker = tmp_path_factory.mktemp("m") / "ran"
    text = (
        f'jupyterhub:\n  x: !!python/object/apply:os.system ["touch {marker}"]\n'
        "  y: !reference [a, b]\n  z: !custom {k: v}\n"
    )
    fleet.write("config/clusters/a/prod.values.yaml", text)
    fleet.toml(replace=("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nimage = "a/b:1"\n'))
    result = fleet.run("compile")
    assert result.code == 0, result.err
    assert fleet.read("config/clusters/a/prod.values.yaml") == text + (
        "  singleuser:\n    image:\n      name: a/b\n      tag: '1'\n"
    )
    assert not marker.exists()


def test_a_symlinked_values_file_is_written_through(fleet: Fleet) -> None:
    real = fleet.path("config/clusters/a/shared/prod.values.yaml")
    real.parent.mkdir()
    fleet.path("config/clusters/a/prod.values.yaml").rename(real)
    fleet.path("config/clusters/a/prod.values.yaml").symlink_to("shared/prod.values.yaml")
    fleet.toml(replace=("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nimage = "a/b:1"\n'))
    assert fleet.run("compile").code == 0
    assert fleet.path("config/clusters/a/prod.values.yaml").is_symlink()
    assert real.read_text().endswith("  singleuser:\n    image:\n      name: a/b\n      tag: '1'\n")
    assert fleet.run("check").code == 0


def test_a_symlink_to_a_secret_file_is_refused(tmp_path: Path) -> None:
    from hubs.files.fileio import WriteError
    from hubs.files.transaction import write_atomic

    (tmp_path / "enc-x.secret.values.yaml").write_text("a: 1\n")
    (tmp_path / "x.values.yaml").symlink_to("enc-x.secret.values.yaml")
    with pytest.raises(WriteError, match="refusing to write a secret file"):
        write_atomic(tmp_path / "x.values.yaml", "b: 2\n")
    assert (tmp_path / "enc-x.secret.values.yaml").read_text() == "a: 1\n"


def list_prod_file_first(fleet: Fleet) -> None:
    """a/prod's own file before the shared one in cluster.yaml: the shared file wins."""
    fleet.write(
        "config/clusters/a/cluster.yaml",
        fleet.read("config/clusters/a/cluster.yaml").replace(
            "  - common.values.yaml\n  - prod.values.yaml\n",
            "  - prod.values.yaml\n  - common.values.yaml\n",
        ),
    )


def test_hub_image_overridden_by_a_later_shared_file_is_warned_about(fleet: Fleet) -> None:
    list_prod_file_first(fleet)
    fleet.toml(replace=("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nimage = "a/b:1"\n'))
    result = fleet.run("compile")
    assert result.code == 0
    assert result.err == (
        "hubs: warning: config/clusters/a/prod.values.yaml:1: clusters.a.hubs.prod.image has no "
        "effect: config/clusters/a/common.values.yaml comes later in the values files of a/prod "
        "and sets singleuser.image too\n"
    )
    assert "reaches no hub (overridden everywhere)" in result.out


def test_hub_profiles_replaced_by_a_later_file_are_warned_about(fleet: Fleet) -> None:
    list_prod_file_first(fleet)
    fleet.write(
        "config/clusters/a/prod.values.yaml",
        PROD_A
        + (
            "  singleuser:\n    profileList:\n    - display_name: Mine\n"
            "      kubespawner_override:\n        image: a/mine:1\n"
        ),
    )
    fleet.toml(
        replace=(
            "[clusters.a.hubs.prod]\n",
            '[clusters.a.hubs.prod.profiles.Mine]\nimage = "a/mine:1"\n',
        )
    )
    result = fleet.run("check")
    assert (result.code, result.err) == (
        0,
        "hubs: warning: config/clusters/a/prod.values.yaml:1: clusters.a.hubs.prod.profiles have "
        "no effect: a/prod takes its profileList from config/clusters/a/common.values.yaml, a "
        "later file (Helm replaces lists)\n",
    )


def test_pin_with_spaces_is_refused_at_load_naming_the_place(fleet: Fleet) -> None:
    fleet.toml(replace=('image = "quay.io/org/small:1.0.0"', 'image = "quay.io/org/small:1.0.0 "'))
    expect_error(
        fleet,
        'hubs.toml:10:1: clusters.a.files."common.values.yaml".profiles.small.image: spaces '
        "around the image reference 'quay.io/org/small:1.0.0 '; write 'quay.io/org/small:1.0.0'",
        command="check",
    )


@pytest.mark.parametrize(
    ("tag", "shown"),
    [
        ("Bad Tag", "'Bad Tag'"),
        ("x: y", "'x: y'"),
        ("x#y", "'x#y'"),
        ("a" * 300, "'" + "a" * 200 + "... (300 characters)'"),
    ],
)
def test_bad_tag_in_the_lock_is_bad_input_naming_its_line(
    fleet: Fleet, tag: str, shown: str
) -> None:
    from hubs.policy.schema import Follow, inside

    policy = inside(Follow(follow="quay.io/org/small", match=".*", order="semver"))
    assert isinstance(policy, model.Follow)
    fingerprint = policy.fingerprint()
    fleet.toml(
        replace=(
            'image = "quay.io/org/small:1.0.0"',
            'image = { follow = "quay.io/org/small", order = "semver" }',
        )
    )
    fleet.write(
        "hubs.lock",
        'version = 1\n\n[slots."a/common.values.yaml:profiles/small/image"]\n'
        f'image = "quay.io/org/small"\ntag = "{tag}"\nresolved = "2026-01-01T00:00:00Z"\n'
        f'policy = "{fingerprint}"\n',
    )
    expect_error(
        fleet,
        f'hubs.lock:5:1: slots."a/common.values.yaml:profiles/small/image".tag: invalid tag '
        f"{shown}: up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-'",
        command="check",
    )


SCHEMA_TAG_DIGITS = (
    "properties:\n  jupyterhub:\n    properties:\n      singleuser:\n        properties:\n"
    "          image:\n            properties:\n"
    "              tag: {type: string, pattern: '^[0-9]'}\n"
)


def test_a_values_schema_that_leads_outside_the_tree_is_refused(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "values.schema.yaml"
    outside.write_text(SCHEMA_TAG_DIGITS)
    (fleet.root / "helm-charts/basehub/values.schema.yaml").symlink_to(outside)
    fleet.toml(replace=("scipy-notebook:2024-03-18", "scipy-notebook:latest"))
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "hubs: error: helm-charts/basehub/values.schema.yaml: leads outside the tree, to "
        f"{outside}; hubs reads and writes only files inside {fleet.root.resolve()}\n"
    )
    assert fleet.snapshot() == before


def test_a_values_schema_that_is_not_a_mapping_is_bad_input(fleet: Fleet) -> None:
    fleet.write("helm-charts/basehub/values.schema.yaml", "just a string\n")
    fleet.toml(replace=("scipy-notebook:2024-03-18", "scipy-notebook:2025-01-01"))
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "hubs: error: helm-charts/basehub/values.schema.yaml: a JSON Schema is a mapping, "
        "not a str\n"
    )
    assert fleet.snapshot() == before


def test_an_unknown_key_is_shown_as_toml_writes_it(fleet: Fleet) -> None:
    fleet.toml(
        replace=("[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\n"im\\"age" = "a/b:1"\n')
    )
    expect_error(fleet, 'hubs.toml:23:1: clusters.a.hubs.prod."im\\"age": unknown key')
