"""The slot scan refuses shapes it cannot edit safely; the edit check is independent."""

from __future__ import annotations

import pytest

from fleetfixture import COMMON_A, Fleet
from hubs.compile import editcheck, plan, yamledit
from hubs.compile.editcheck import Expected

SINGLEUSER = ("jupyterhub", "singleuser", "image")
CHOICE = ("a", "kso", "image")


def test_a_correct_edit_passes_the_check() -> None:
    old = "a:\n  kso:\n    image: x:1\n  other: 1\n"
    new = "a:\n  kso:\n    image: x:2\n  other: 1\n"
    assert editcheck.problems(old, new, [Expected(CHOICE, False, "x:2")]) == []


def test_a_removed_choice_image_may_take_its_empty_parent_along() -> None:
    old = "a:\n  kso:\n    image: x:1\n  other: 1\n"
    new = "a:\n  other: 1\n"
    assert editcheck.problems(old, new, [Expected(CHOICE, False, None)]) == []


def test_an_edit_that_misses_its_value_is_named() -> None:
    old = "a:\n  kso:\n    image: x:1\n"
    assert editcheck.problems(old, old, [Expected(CHOICE, False, "x:2")]) == [
        "would make a/kso/image 'x:1'"
    ]
    assert editcheck.problems(old, old, [Expected(CHOICE, False, None)]) == [
        "would leave a/kso/image set"
    ]


def test_an_edit_that_moves_another_value_is_named() -> None:
    old = "a:\n  kso:\n    image: x:1\n  other: 1\n"
    new = "a:\n  kso:\n    image: x:2\n  other: 2\n"
    assert editcheck.problems(old, new, [Expected(CHOICE, False, "x:2")]) == [
        "would also change Value of root['a']['other'] changed from 1 to 2"
    ]


def test_singleuser_is_checked_as_helm_sees_it() -> None:
    old = "jupyterhub:\n  singleuser:\n    image:\n      tag: '1'\n      pullPolicy: Always\n"
    new = "jupyterhub:\n  singleuser:\n    image:\n      tag: '2'\n      pullPolicy: Always\n"
    below = ("a/b", None)  # the file sets a tag only; the name comes from below
    right = Expected(SINGLEUSER, True, "a/b:2", "a/b", "2", below)
    assert editcheck.problems(old, new, [right]) == []
    wrong = Expected(SINGLEUSER, True, "c/d:2", "c/d", "2", below)
    assert editcheck.problems(old, new, [wrong]) == ["would make jupyterhub/singleuser/image a/b:2"]
    gone = "jupyterhub:\n  singleuser:\n    image:\n      pullPolicy: Always\n"
    assert editcheck.problems(old, gone, [Expected(SINGLEUSER, True, None)]) == []
    assert editcheck.problems(old, new, [Expected(SINGLEUSER, True, None)]) == [
        "would leave jupyterhub/singleuser/image setting tag"
    ]


def test_a_wrong_splice_rule_is_caught_end_to_end(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check does not share the splice rules: a broken rule cannot pass its own check."""
    real = yamledit.set_scalar

    def off_by_one(doc: object, node: object, value: str) -> yamledit.Splice:
        return real(doc, node, value + "-x")  # type: ignore[arg-type]

    monkeypatch.setattr(yamledit, "set_scalar", off_by_one)
    fleet.toml(replace=('image = "quay.io/org/small:1.0.0"', 'image = "quay.io/org/small:2.0.0"'))
    before = fleet.snapshot()
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        2,
        "hubs: error: config/clusters/a/common.values.yaml: internal check failed: the edit "
        "would make jupyterhub/singleuser/profileList/0/kubespawner_override/image "
        "'quay.io/org/small:2.0.0-x'; nothing written (please report this)\n",
    )
    assert fleet.snapshot() == before


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        (
            "jupyterhub:\n  singleuser:\n    image:\n      name: a/b\n      tag: [x, y]\n",
            5,
            "singleuser.image.tag is not a string; write a tag as a string, or remove the key",
        ),
        (
            "jupyterhub:\n  singleuser:\n    image:\n      name: a/b\n      tag: !custom [x]\n",
            5,
            "singleuser.image.tag is not a string; write a tag as a string, or remove the key",
        ),
        (
            "jupyterhub:\n  singleuser:\n    image:\n      name: a/b\n      tag:\n",
            5,
            "singleuser.image.tag is empty (null); write a tag as a string, or remove the key",
        ),
        (
            "base: &b\n  image:\n    name: a/b\n    tag: '1'\n"
            "jupyterhub:\n  singleuser:\n    <<: *b\n",
            7,
            "a merge key (<<) here may supply image keys, which hubs cannot edit in place; "
            "write the keys out instead",
        ),
        (
            "k: &k\n  image: a/b:1\njupyterhub:\n  singleuser:\n    profileList:\n"
            "    - slug: x\n      kubespawner_override:\n        <<: *k\n",
            8,
            "a merge key (<<) here may supply image keys, which hubs cannot edit in place; "
            "write the keys out instead",
        ),
    ],
)
def test_shapes_hubs_cannot_edit_are_refused_naming_the_line(
    fleet: Fleet, yaml_text: str, line: int, message: str
) -> None:
    fleet.write("config/clusters/a/prod.values.yaml", yaml_text)
    for command in ("check", "import", "list"):
        before = fleet.snapshot()
        result = fleet.run(command, *(("--force",) if command == "import" else ()))
        assert (result.code, result.out, result.err) == (
            2,
            "",
            f"hubs: error: config/clusters/a/prod.values.yaml:{line}: {message}\n",
        ), command
        assert fleet.snapshot() == before


def test_a_file_changed_between_scan_and_edit_stops_the_run(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = plan._reparse

    def meddle(fleet_: object, values: object) -> object:
        path = fleet.path("config/clusters/a/common.values.yaml")
        path.write_text(COMMON_A + "# someone else\n")
        return real(fleet_, values)  # type: ignore[arg-type]

    monkeypatch.setattr(plan, "_reparse", meddle)
    fleet.toml(replace=('image = "quay.io/org/small:1.0.0"', 'image = "quay.io/org/small:2.0.0"'))
    result = fleet.run("compile")
    assert (result.code, result.err) == (
        3,
        "hubs: error: config/clusters/a/common.values.yaml: changed on disk while hubs ran; "
        "nothing written\n",
    )
    assert fleet.read("config/clusters/a/common.values.yaml") == COMMON_A + "# someone else\n"


def test_a_scan_leaves_no_cycle_holding_its_node_tree(fleet: Fleet) -> None:
    """``hubs`` runs with the cyclic collector off, so a cycle through the scanner would
    keep every file's node tree until exit (630 MiB at 10,000 hubs, not 105)."""
    import gc

    import yaml

    from hubs.tree import scan

    gc.collect()
    gc.disable()
    try:
        found = scan.scan(fleet.root, "config/clusters/a/common.values.yaml")
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        kept = [type(o).__name__ for o in gc.garbage if isinstance(o, yaml.Node | scan._Scanner)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert found.slots and kept == []
