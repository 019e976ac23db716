"""hubs list, explain, set and import on the small fleet."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from fleetfixture import COMMON_A, PROD_A, STAGING_A, TOML, UNUSED_GITHUB, Fleet


def test_list_json_has_every_slot_with_its_place(fleet: Fleet) -> None:
    result = fleet.run("list", "--format", "json")
    rows = json.loads(result.out)
    assert [r["address"] for r in rows] == [
        "defaults:image",
        "a/common.values.yaml:image",
        "a/common.values.yaml:profiles/small/image",
        "a/common.values.yaml:profiles/Choose/choices/py",
        "a/common.values.yaml:profiles/Choose/choices/r",
        "a/common.values.yaml:profiles/Choose/unlisted",
        "a/common.values.yaml:profiles/big/choices/py",
        "a/common.values.yaml:profiles/big/choices/r",
        "a/common.values.yaml:profiles/big/unlisted",
    ]
    assert rows[3] == {
        "address": "a/common.values.yaml:profiles/Choose/choices/py",
        "file": "config/clusters/a/common.values.yaml",
        "line": 24,
        "path": [
            "jupyterhub",
            "singleuser",
            "profileList",
            1,
            "profile_options",
            "image",
            "choices",
            "py",
            "kubespawner_override",
            "image",
        ],
        "image": "ghcr.io/org/python:7b7bb16",
        "registry": "ghcr.io",
        "policy": "pinned",
        "hubs": ["a/staging", "a/prod"],
        "overridden_in": [],
    }
    assert rows[0]["hubs"] == ["d/hub"]
    assert rows[5]["policy"] == "user-controlled" and rows[5]["image"] == "{value}"
    assert rows[6]["line"] == 24  # the alias reports the anchored node's line


def test_explain_hub_shows_layers_and_winner(fleet: Fleet) -> None:
    result = fleet.run("explain", "a/prod")
    assert result.out == (
        "a/prod (A prod, basehub)\n"
        "  singleuser.image: quay.io/org/image:abc1234\n"
        "     helm-charts/basehub/values.yaml:6: quay.io/jupyter/scipy-notebook:2024-03-18 [pinned]\n"
        "  => config/clusters/a/common.values.yaml:6: quay.io/org/image:abc1234 [pinned]\n"
        "     config/clusters/a/prod.values.yaml: - [inherit]\n"
        "  profileList from config/clusters/a/common.values.yaml:\n"
        "     a/common.values.yaml:profiles/small/image: quay.io/org/small:1.0.0 [pinned]\n"
        "     a/common.values.yaml:profiles/Choose/choices/py: ghcr.io/org/python:7b7bb16 [pinned]\n"
        "     a/common.values.yaml:profiles/Choose/choices/r: ghcr.io/org/r:2024.01.01 [pinned]\n"
        "     a/common.values.yaml:profiles/Choose/unlisted: {value} [user-controlled]\n"
        "     a/common.values.yaml:profiles/big/choices/py: ghcr.io/org/python:7b7bb16 [pinned]\n"
        "     a/common.values.yaml:profiles/big/choices/r: ghcr.io/org/r:2024.01.01 [pinned]\n"
        "     a/common.values.yaml:profiles/big/unlisted: {value} [user-controlled]\n"
        "  default: profile small (first)\n"
        "  note: every profile and choice sets its own image, so singleuser.image is not used\n"
    )


def test_explain_daskhub_runs_chart_default(fleet: Fleet) -> None:
    data = json.loads(fleet.run("explain", "d/hub", "--format", "json").out)
    assert data["singleuser_image"] == "quay.io/jupyter/scipy-notebook:2024-03-18"
    assert [layer["wins"] for layer in data["layers"]] == [True, False]
    assert data["profile_list_from"] is None


def test_explain_slot_and_alias(fleet: Fleet) -> None:
    result = fleet.run("explain", "a/common.values.yaml:profiles/big/choices/py")
    assert result.out == (
        "a/common.values.yaml:profiles/big/choices/py: ghcr.io/org/python:7b7bb16\n"
        "  config/clusters/a/common.values.yaml:24\n"
        "  policy: pinned\n"
        "  shared through &opts: an edit changes every alias\n"
        "  reaches 2 hubs: a/staging, a/prod\n"
    )


def test_explain_unknown_suggests(fleet: Fleet) -> None:
    result = fleet.run("explain", "a/prd")
    assert (result.code, result.err) == (
        2,
        "hubs: error: a/prd: no such hub or slot (did you mean 'a/prod'?)\n",
    )


def test_set_pin_changes_one_line_of_hubs_toml(fleet: Fleet) -> None:
    result = fleet.run(
        "set", "a/common.values.yaml:profiles/small/image", "--pin", "quay.io/org/small:1.1.0"
    )
    assert result.code == 0
    assert fleet.read("hubs.toml") == TOML.replace("small:1.0.0", "small:1.1.0")
    assert result.err == (
        "a/common.values.yaml:profiles/small/image: pinned to quay.io/org/small:1.1.0\n"
        "run `hubs compile` to write it into the tree\n"
    )


def test_set_on_a_hub_adds_a_line_and_compiles(fleet: Fleet) -> None:
    result = fleet.run("set", "a/prod:image", "--pin", "quay.io/org/image:2.0", "--compile")
    assert result.code == 0
    assert fleet.read("hubs.toml") == TOML.replace(
        "[clusters.a.hubs.prod]\n", '[clusters.a.hubs.prod]\nimage = "quay.io/org/image:2.0"\n'
    )
    assert "hubs compile: changed 1 slot in 1 file" in result.out
    assert fleet.run("check").code == 0


def test_set_inherit_writes_the_inherit_marker_and_compile_removes_the_image(
    fleet: Fleet,
) -> None:
    fleet.run("set", "a/common.values.yaml:profiles/small/image", "--inherit")
    assert fleet.read("hubs.toml") == TOML.replace(
        '[clusters.a.files."common.values.yaml".profiles.small]\n'
        'image = "quay.io/org/small:1.0.0"\n',
        '[clusters.a.files."common.values.yaml".profiles.small]\nimage = "inherit"\n',
    )
    assert fleet.run("compile").code == 0
    assert fleet.read("config/clusters/a/common.values.yaml") == COMMON_A.replace(
        "      kubespawner_override:\n        image: quay.io/org/small:1.0.0\n", ""
    )


def test_set_follow_writes_an_inline_table(fleet: Fleet) -> None:
    result = fleet.run(
        "set",
        "a/common.values.yaml:image",
        "--follow",
        "quay.io/org/image",
        "--match",
        r"^[0-9a-f]{7}$",
        "--order",
        "pushed",
    )
    assert (result.code, result.err) == (
        0,
        'a/common.values.yaml:image: follows {follow = "quay.io/org/image", match = '
        '"^[0-9a-f]{7}$", order = "pushed"}\n'
        "run `hubs update 'a/common.values.yaml:image'` to resolve it into hubs.lock and the "
        "tree (`hubs compile` leaves a follow slot as it is until then)\n",
    )
    assert fleet.read("hubs.toml") == TOML.replace(
        'image = "quay.io/org/image:abc1234"',
        'image = {follow = "quay.io/org/image", match = "^[0-9a-f]{7}$", order = "pushed"}',
    )
    check = fleet.run("check")  # pending until `hubs update`: everything else still checked
    assert (check.code, check.err) == (1, "")
    assert check.out.splitlines()[:5] == [
        "hubs check: 1 waiting for `hubs update`, 1 lint finding (unused-image); see the fix "
        "under each",
        "  a/common.values.yaml:image",
        "    follows quay.io/org/image but hubs.lock has no entry for it (compile leaves the "
        "slot as it is)",
        "    config/clusters/a/common.values.yaml:6 · pending",
        "    `hubs update 'a/common.values.yaml:image'` resolves it",
    ]


def test_set_errors_write_nothing(fleet: Fleet, unchanged: Callable[[], None]) -> None:
    cases = [
        (
            ["a/common.values.yaml:profiles/smal/image", "--pin", "a/b:1"],
            "hubs: error: a/common.values.yaml:profiles/smal/image: no such slot (did you mean "
            "'a/common.values.yaml:profiles/small/image'?)\n",
        ),
        (
            ["a/prod:image", "--pin", "Bad/Ref:1"],
            "hubs: error: invalid image reference 'Bad/Ref:1': repository 'Bad/Ref' must be "
            "lowercase components separated by '/'\n",
        ),
        (
            ["a/prod:image", "--pin", "quay.io/org/image"],
            "hubs: error: --pin quay.io/org/image: give a tag or a digest (name:tag)\n",
        ),
        (
            ["a/prod", "--pin", "a/b:1"],
            "hubs: error: a/prod: a slot address looks like CLUSTER/HUB:image or "
            "CLUSTER/FILE:profiles/NAME/choices/KEY\n",
        ),
        (
            ["a/prod:image", "--follow", "a/b"],
            "hubs: error: --follow needs --match REGEX: the tags to consider, e.g. "
            "'^\\d{4}\\.\\d{2}\\.\\d{2}$'\n",
        ),
        (
            ["a/prod:image", "--follow", "a/b", "--match", ".*"],
            "hubs: error: --follow needs --order (semver, calver, numeric, alphabetical, pushed)\n",
        ),
        (
            [
                "a/prod:image",
                "--follow",
                "a/b",
                "--match",
                ".*",
                "--order",
                "calver",
                "--range",
                ">=1",
            ],
            "hubs: error: --follow: range only applies to order 'semver', not 'calver'\n",
        ),
        (
            [
                "a/prod:image",
                "--follow",
                "a/b",
                "--match",
                ".*",
                "--order",
                "semver",
                "--range",
                "banana",
            ],
            "hubs: error: --follow: invalid range clause 'banana': 'banana' is not semver\n",
        ),
        (
            ["a/prod:image", "--hold"],
            "hubs: error: a/prod:image: --hold and --release apply to follow-latest slots only\n",
        ),
        (
            ["a/prod:image"],
            "hubs: error: say what to set: --pin, --follow, --inherit, --hold or --release\n",
        ),
        (
            ["--image", "quay.io/org/nope", "--pin", "2"],
            "hubs: error: --image quay.io/org/nope: no slot is pinned to it (did you mean "
            "'quay.io/org/image'?)\n",
        ),
    ]
    for args, err in cases:
        result = fleet.run("set", *args)
        assert (result.code, result.err) == (2, err), args
    unchanged()


def test_set_that_layering_cannot_express(fleet: Fleet) -> None:
    fleet.write(
        "config/clusters/a/cluster.yaml",
        fleet.read("config/clusters/a/cluster.yaml").replace(
            "  - prod.values.yaml\n", "  - staging.values.yaml\n"
        ),
    )
    before = fleet.read("hubs.toml")
    result = fleet.run("set", "a/prod:image", "--pin", "a/b:1")
    assert (result.code, result.err) == (
        2,
        "hubs: error: a/prod:image: hub a/prod has no values file of its own (each of its files "
        "is shared with other hubs), so a hub-level image cannot be written; add a file for it "
        "to cluster.yaml, or set the image on the shared file\n",
    )
    assert fleet.read("hubs.toml") == before


def test_import_roundtrip_on_small_fleet(fleet: Fleet) -> None:
    (fleet.root / "hubs.toml").unlink()
    assert fleet.run("import").code == 0
    assert fleet.read("hubs.toml") == (
        "# Source of truth for the user images of this fleet; `hubs compile` writes them\n"
        "# into the values files. A hub with nothing below it inherits every image.\n"
        'tree = "."\n'
        "\n"
        "[defaults]\n"
        'image = "quay.io/jupyter/scipy-notebook:2024-03-18"\n'
        "\n"
        "# ---- a (config/clusters/a/cluster.yaml)\n"
        '[clusters.a.files."common.values.yaml"]  # shared by staging, prod\n'
        'image = "quay.io/org/image:abc1234"\n'
        "# users may also type any image in: Choose, big (hubs never edits it)\n"
        "\n"
        '[clusters.a.files."common.values.yaml".profiles.small]\n'
        'image = "quay.io/org/small:1.0.0"\n'
        "\n"
        '[clusters.a.files."common.values.yaml".profiles.Choose.choices]  # also big (the same '
        "YAML node, an anchor)\n"
        'py = "ghcr.io/org/python:7b7bb16"\n'
        'r = "ghcr.io/org/r:2024.01.01"\n'
        "\n"
        "[clusters.a.hubs]\n"
        "staging = {}  # A staging\n"
        "prod = {}  # A prod\n"
        "\n"
        "# ---- d (config/clusters/d/cluster.yaml)\n"
        "[clusters.d.hubs]\n"
        "hub = {}  # D hub\n"
    )
    assert fleet.run("check").code == 0


def test_set_profile_on_a_hub_whose_profiles_come_from_a_shared_file(fleet: Fleet) -> None:
    result = fleet.run("set", "a/prod:profiles/small/image", "--pin", "a/b:1")
    assert (result.code, result.err) == (
        2,
        "hubs: error: a/prod:profiles/small/image: a/prod takes its profileList from "
        "config/clusters/a/common.values.yaml (Helm replaces lists, the last file wins): set "
        "profile images on that file's scope (a/common.values.yaml:profiles/small/image)\n",
    )


def test_set_the_chart_default_and_templates_folder_is_ignored(fleet: Fleet) -> None:
    fleet.write("config/clusters/templates/cluster.yaml", "name: {{ cluster_name }}\nhubs: [\n")
    result = fleet.run(
        "set", "defaults:image", "--pin", "quay.io/jupyter/scipy-notebook:2025-01-01", "--compile"
    )
    assert result.code == 0, result.err
    assert fleet.read("hubs.toml") == TOML.replace(
        "scipy-notebook:2024-03-18", "scipy-notebook:2025-01-01"
    )
    assert 'tag: "2025-01-01"' in fleet.read("helm-charts/basehub/values.yaml")
    assert "reaches 1 hub: d/hub" in result.out


def test_set_on_an_aliased_choice_sets_every_alias(fleet: Fleet) -> None:
    result = fleet.run(
        "set",
        "a/common.values.yaml:profiles/big/choices/py",
        "--pin",
        "ghcr.io/org/python:4059588",
        "--compile",
    )
    assert result.code == 0, result.err
    assert result.err == (
        "a/common.values.yaml:profiles/big/choices/py: pinned to ghcr.io/org/python:4059588\n"
        "a/common.values.yaml:profiles/Choose/choices/py: pinned to ghcr.io/org/python:4059588 "
        "too (the same YAML node, through an anchor)\n"
    )
    assert fleet.read("hubs.toml") == TOML.replace(
        'py = "ghcr.io/org/python:7b7bb16"', 'py = "ghcr.io/org/python:4059588"'
    )
    assert "changed 1 slot in 1 file" in result.out


def test_import_marks_images_no_hub_runs(fleet: Fleet) -> None:
    fleet.write(
        "config/clusters/a/prod.values.yaml",
        PROD_A
        + ("  singleuser:\n    profileList: []\n    image:\n      name: a/b\n      tag: '1'\n"),
    )
    fleet.write(
        "config/clusters/a/staging.values.yaml",
        STAGING_A
        + ("  singleuser:\n    profileList: []\n    image:\n      name: a/c\n      tag: '2'\n"),
    )
    (fleet.root / "hubs.toml").unlink()
    assert fleet.run("import").code == 0
    text = fleet.read("hubs.toml")
    assert (
        '[clusters.a.files."common.values.yaml"]  # shared by staging, prod\n'
        'image = "quay.io/org/image:abc1234"  # no hub runs it: later files override it\n'
        "# no hub takes its profileList from this file (a later file replaces it)\n"
    ) in text
    assert fleet.run("check").code == 0
    assert fleet.run("explain", "a/prod").out.splitlines()[-2:] == [
        "  profileList from config/clusters/a/prod.values.yaml:",
        "     (no profile sets an image: the hub runs singleuser.image)",
    ]


def test_spaces_are_a_broken_image_and_daskhub_keys_outside_basehub_a_warning(fleet: Fleet) -> None:
    fleet.write(
        "config/clusters/a/common.values.yaml",
        COMMON_A.replace("image: quay.io/org/small:1.0.0", 'image: "quay.io/org/small:1.0.0 "'),
    )
    fleet.write("config/clusters/d/hub.values.yaml", "jupyterhub:\n  singleuser:\n    image: {}\n")
    (fleet.root / "hubs.toml").unlink()
    result = fleet.run("import")
    assert result.code == 0
    assert result.err == (
        "hubs: warning: config/clusters/d/hub.values.yaml:1: top-level jupyterhub: is ignored in a "
        "daskhub values file (daskhub nests every value under basehub:)\n"
        "wrote hubs.toml\n"
    )
    assert (
        'image = { broken = "quay.io/org/small:1.0.0 " }  # not an image reference: '
        "surrounded by spaces\n"
    ) in fleet.read("hubs.toml")
    check = fleet.run("check", "--format", "github")
    assert check.code == 1  # a broken image fails the check until it is pinned
    assert check.out == (
        "::error file=config/clusters/a/common.values.yaml,line=11,title=hubs check%3A "
        "not-a-reference::a/common.values.yaml:profiles/small/image: not an image reference: "
        "surrounded by spaces; `hubs set 'a/common.values.yaml:profiles/small/image' --pin "
        "IMAGE:TAG` replaces it\n"
        + UNUSED_GITHUB
        + "::warning file=config/clusters/d/hub.values.yaml,line=1::top-level jupyterhub: is "
        "ignored in a daskhub values file (daskhub nests every value under basehub:)\n"
        "hubs check: 1 broken image, 1 lint finding (unused-image); see the fix under each\n"
    )
    fleet.run(
        "set",
        "a/common.values.yaml:profiles/small/image",
        "--pin",
        "quay.io/org/small:1.0.0",
        "--compile",
    )
    assert 'image: "quay.io/org/small:1.0.0"\n' in fleet.read(
        "config/clusters/a/common.values.yaml"
    )


def test_import_refuses_to_write_what_would_not_compile_clean(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hubs.authoring.importer

    real = hubs.authoring.importer.render
    monkeypatch.setattr(
        hubs.authoring.importer,
        "render",
        lambda *a, **k: real(*a, **k).replace("small:1.0.0", "small:9.9.9"),
    )
    (fleet.root / "hubs.toml").unlink()
    result = fleet.run("import")
    assert (result.code, result.err) == (
        2,
        "hubs: error: import cannot state this tree exactly: a/common.values.yaml:profiles/small/"
        "image would change (quay.io/org/small:1.0.0 -> quay.io/org/small:9.9.9); nothing "
        "written (please report it)\n",
    )
    assert not (fleet.root / "hubs.toml").exists()


def test_follow_options_need_follow(fleet: Fleet, unchanged: Callable[[], None]) -> None:
    result = fleet.run("set", "a/prod:image", "--pin", "a/b:1", "--order", "semver")
    assert (result.code, result.err) == (
        2,
        "hubs: error: --match, --order, --range and --digest go with --follow\n",
    )
    unchanged()


def _imported_with_prod(fleet: Fleet, singleuser: str) -> str:
    """hubs.toml as import writes it when a/prod's own file adds ``singleuser``."""
    fleet.write("config/clusters/a/prod.values.yaml", PROD_A + "  singleuser:\n" + singleuser)
    (fleet.root / "hubs.toml").unlink()
    assert fleet.run("import").code == 0
    return fleet.read("hubs.toml")


def test_a_hub_image_holding_a_comment_marker_imports_on_one_line(fleet: Fleet) -> None:
    """A terminal paste may hold ``  # ``: the one-line form must not split the value there."""
    text = _imported_with_prod(
        fleet, '    image:\n      name: "docker pull quay.io/x  # paste"\n      tag: "1"\n'
    )
    assert (
        "[clusters.a.hubs]\n"
        "staging = {}  # A staging\n"
        'prod.image = { broken = "docker pull quay.io/x  # paste:1" }  # A prod; '
        "not an image reference: starts with 'docker pull quay.io/x  # '\n"
    ) in text
    assert fleet.run("check").out.startswith("hubs check: 1 broken image, ")


def test_a_profile_name_holding_a_comment_marker_keeps_its_table_name(fleet: Fleet) -> None:
    """The hub's comment goes after the first profile table's name, whole: the name itself
    may hold ``  # ``."""
    text = _imported_with_prod(
        fleet,
        "    profileList:\n      - display_name: 'Small  # fast'\n"
        "        kubespawner_override:\n          image: quay.io/org/x:1\n",
    )
    assert (
        '[clusters.a.hubs.prod.profiles."Small  # fast"]  # A prod\nimage = "quay.io/org/x:1"\n'
    ) in text
    assert fleet.run("check").code == 0
