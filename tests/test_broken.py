"""Broken images in the tree: imported as written, kept by compile, replaced by set."""

from __future__ import annotations

from fleetfixture import COMMON_A, Fleet

PASTE = "▼ Pushing ghcr.io/org/r:2024.01.01"


def _broken_tree(fleet: Fleet) -> None:
    fleet.write(
        "config/clusters/a/common.values.yaml",
        COMMON_A.replace("image: ghcr.io/org/r:2024.01.01", f"image: {PASTE}"),
    )
    (fleet.root / "hubs.toml").unlink()
    assert fleet.run("import").code == 0


def test_import_states_a_broken_image_as_written(fleet: Fleet) -> None:
    _broken_tree(fleet)
    text = fleet.read("hubs.toml")
    assert (
        '[clusters.a.files."common.values.yaml".profiles.Choose.choices]  # also big (the '
        "same YAML node, an anchor)\n"
        'py = "ghcr.io/org/python:7b7bb16"\n'
        f"r = {{ broken = \"{PASTE}\" }}  # not an image reference: starts with '▼ Pushing '\n"
    ) in text


def test_compile_writes_the_other_slots_of_a_file_holding_a_broken_image(fleet: Fleet) -> None:
    _broken_tree(fleet)
    fleet.toml(replace=('image = "quay.io/org/small:1.0.0"', 'image = "quay.io/org/small:2.0.0"'))
    result = fleet.run("compile")
    assert result.code == 0, result.err
    assert fleet.read("config/clusters/a/common.values.yaml") == COMMON_A.replace(
        "image: ghcr.io/org/r:2024.01.01", f"image: {PASTE}"
    ).replace("quay.io/org/small:1.0.0", "quay.io/org/small:2.0.0")


def test_set_replaces_a_broken_image(fleet: Fleet) -> None:
    _broken_tree(fleet)
    result = fleet.run(
        "set",
        "a/common.values.yaml:profiles/Choose/choices/r",
        "--pin",
        "ghcr.io/org/r:2024.02.01",
        "--compile",
    )
    assert result.code == 0, result.err
    assert fleet.read("config/clusters/a/common.values.yaml") == COMMON_A.replace(
        "ghcr.io/org/r:2024.01.01", "ghcr.io/org/r:2024.02.01"
    )
    assert fleet.run("check").code == 0
