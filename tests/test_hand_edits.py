"""Living beside hand edits: nothing is removed unless hubs.toml says so, adopt takes what
people add, and every drift line offers the fix that fits."""

from __future__ import annotations

from fleetfixture import CLUSTER_A, COMMON_A, TOML, UNUSED_A, Fleet
from hubs.cli import main as cli

COMMON = "config/clusters/a/common.values.yaml"
PANGEO = (
    "            02-pangeo:\n"
    "              display_name: Pangeo\n"
    "              kubespawner_override:\n"
    "                image: pangeo/pangeo-notebook:2025.06.02\n"
)
WITH_PANGEO = COMMON_A.replace(
    "                image: ghcr.io/org/r:2024.01.01\n",
    "                image: ghcr.io/org/r:2024.01.01\n" + PANGEO,
    1,
)


def test_a_choice_added_by_hand_is_kept_reported_and_adopted(fleet: Fleet) -> None:
    fleet.write(COMMON, WITH_PANGEO)
    before = fleet.snapshot()
    compiled = fleet.run("compile")
    assert compiled.code == 0
    assert compiled.out.splitlines()[0] == (
        "hubs compile: nothing to change; 1 not stated in hubs.toml left as the tree has them"
    )
    assert fleet.snapshot() == before  # the image is not stripped
    check = fleet.run("check")
    assert check.code == 1
    assert check.out.startswith(
        "hubs check: 1 not stated in hubs.toml, 2 lint findings (docker-hub, unused-image); "
        "see the fix under each\n"
        "  a/common.values.yaml:profiles/Choose/choices/02-pangeo\n"
        "    pangeo/pangeo-notebook:2025.06.02 is in the tree but not in hubs.toml (compile "
        "leaves it alone; also a/common.values.yaml:profiles/big/choices/02-pangeo, the same "
        "YAML node)\n"
        "    config/clusters/a/common.values.yaml:32 · unstated\n"
        "    `hubs adopt 'a/common.values.yaml:profiles/Choose/choices/02-pangeo'` states it; "
        "`hubs set 'a/common.values.yaml:profiles/Choose/choices/02-pangeo' --inherit` asks "
        "for its removal\n"
        "  a/common.values.yaml:profiles/Choose/choices/02-pangeo\n"
        "    pangeo/pangeo-notebook:2025.06.02 is pulled from Docker Hub"
    )
    assert check.out.endswith(UNUSED_A)
    adopted = fleet.run("adopt")
    assert (adopted.code, adopted.out) == (
        0,
        "adopted a/common.values.yaml:profiles/Choose/choices/02-pangeo: "
        "pangeo/pangeo-notebook:2025.06.02\n"
        "adopted a/common.values.yaml:profiles/big/choices/02-pangeo: "
        "pangeo/pangeo-notebook:2025.06.02\n",
    )
    assert fleet.read("hubs.toml") == TOML.replace(
        'r = "ghcr.io/org/r:2024.01.01"\n',
        'r = "ghcr.io/org/r:2024.01.01"\n02-pangeo = "pangeo/pangeo-notebook:2025.06.02"\n',
    )
    assert fleet.run("check").code == 0
    untouched = fleet.snapshot()
    assert fleet.run("compile").code == 0
    assert fleet.snapshot() == untouched


def test_a_line_deleted_from_hubs_toml_leaves_the_image_alone(fleet: Fleet) -> None:
    fleet.toml(replace=('r = "ghcr.io/org/r:2024.01.01"\n', ""))
    before = fleet.snapshot()
    assert fleet.run("compile").code == 0
    assert fleet.snapshot() == before
    check = fleet.run("check")
    assert check.code == 1
    assert check.out.splitlines()[0] == (
        "hubs check: 1 not stated in hubs.toml, 1 lint finding (unused-image); see the fix "
        "under each"
    )
    assert fleet.run("adopt").code == 0
    assert fleet.read("hubs.toml") == TOML


def test_removal_needs_the_inherit_marker(fleet: Fleet) -> None:
    fleet.toml(replace=('r = "ghcr.io/org/r:2024.01.01"\n', 'r = "inherit"\n'))
    assert fleet.run("compile").code == 0
    assert fleet.read(COMMON) == COMMON_A.replace(
        "            r:\n"
        "              display_name: R\n"
        "              kubespawner_override:\n"
        "                image: ghcr.io/org/r:2024.01.01\n",
        "            r:\n              display_name: R\n",
    )
    assert fleet.run("check").code == 0


NEW_HUB = CLUSTER_A + (
    "- name: newu\n"
    "  display_name: New U\n"
    "  helm_chart: basehub\n"
    "  helm_chart_values_files:\n"
    "  - common.values.yaml\n"
    "  - newu.values.yaml\n"
)
ONLY_IMAGE = (
    "jupyterhub:\n  singleuser:\n    image:\n      name: quay.io/org/newu\n      tag: '1.0'\n"
)


def test_a_new_hub_whose_file_holds_only_an_image(fleet: Fleet) -> None:
    fleet.write("config/clusters/a/cluster.yaml", NEW_HUB)
    fleet.write("config/clusters/a/newu.values.yaml", ONLY_IMAGE)
    check = fleet.run("check")
    assert check.code == 1
    assert check.out.startswith(
        "hubs check: 2 not stated in hubs.toml, 2 lint findings (unused-image); see the fix "
        "under each\n"
        "  clusters.a.hubs.newu\n"
        "    hub a/newu of config/clusters/a/cluster.yaml is not in hubs.toml\n"
        "    config/clusters/a/cluster.yaml:16 · new-hub\n"
        "    `hubs adopt a/newu` adds it\n"
        "  a/newu:image\n"
        "    quay.io/org/newu:1.0 is in the tree but not in hubs.toml (compile leaves it "
        "alone)\n"
        "    config/clusters/a/newu.values.yaml:5 · unstated\n"
        "    `hubs adopt 'a/newu:image'` states it; `hubs set 'a/newu:image' --inherit` asks "
        "for its removal\n"
        "  a/common.values.yaml:image\n"
    )
    adopted = fleet.run("adopt", "a/newu")
    assert (adopted.code, adopted.out) == (0, "adopted a/newu: hub added\n")
    assert fleet.read("hubs.toml") == TOML.replace(
        "[clusters.a.hubs.prod]\n",
        '[clusters.a.hubs.prod]\n\n[clusters.a.hubs.newu]  # New U\nimage = "quay.io/org/newu:1.0"\n',
    )
    assert fleet.run("check").code == 0
    # asking for the image's removal empties the file: no internal check failure
    gone = fleet.run("set", "a/newu:image", "--inherit", "--compile")
    assert gone.code == 0, gone.err
    assert fleet.read("config/clusters/a/newu.values.yaml") == ""
    assert fleet.run("check").code == 0


def test_set_creates_the_table_of_a_hub_hubs_toml_lacks(fleet: Fleet) -> None:
    fleet.write("config/clusters/a/cluster.yaml", NEW_HUB)
    fleet.write("config/clusters/a/newu.values.yaml", "jupyterhub: {}\n")
    result = fleet.run("set", "a/newu:image", "--pin", "quay.io/org/newu:2.0")
    assert result.code == 0, result.err
    assert fleet.read("hubs.toml") == TOML.replace(
        "[clusters.a.hubs.prod]\n",
        '[clusters.a.hubs.prod]\n\n[clusters.a.hubs.newu]\nimage = "quay.io/org/newu:2.0"\n',
    )


def test_a_tag_edited_by_hand_offers_both_fixes_and_adopt_keeps_it(fleet: Fleet) -> None:
    fleet.write(COMMON, COMMON_A.replace("small:1.0.0", "small:1.0.1"))
    check = fleet.run("check")
    assert check.code == 1
    assert check.out.removesuffix(UNUSED_A).splitlines()[1:] == [
        "  a/common.values.yaml:profiles/small/image",
        "    quay.io/org/small:1.0.1 -> quay.io/org/small:1.0.0",
        "    config/clusters/a/common.values.yaml:11 · reaches 2 hubs: a/staging, a/prod",
        "    `hubs compile` writes hubs.toml's quay.io/org/small:1.0.0; "
        "`hubs adopt 'a/common.values.yaml:profiles/small/image'` takes the file's "
        "quay.io/org/small:1.0.1 into hubs.toml instead",
    ]
    nothing = fleet.run("adopt")  # values edited by hand need --all or their address
    assert (nothing.code, nothing.out) == (0, "")
    kept = fleet.run("adopt", "a/common.values.yaml:profiles/small/image")
    assert (kept.code, kept.out) == (
        0,
        "adopted a/common.values.yaml:profiles/small/image: quay.io/org/small:1.0.1\n",
    )
    assert fleet.read("hubs.toml") == TOML.replace("small:1.0.0", "small:1.0.1")
    assert fleet.run("check").code == 0


def test_a_follow_slot_edited_by_hand_is_reported_not_adopted(fleet: Fleet) -> None:
    from hubs.policy import schema
    from hubs.policy.model import Follow
    from hubs.policy.schema import inside

    table = {"follow": "quay.io/org/small", "order": "semver"}
    policy = inside(schema.Follow.model_validate(table))
    assert isinstance(policy, Follow)
    fleet.toml(
        replace=(
            'image = "quay.io/org/small:1.0.0"',
            'image = { follow = "quay.io/org/small", order = "semver" }',
        )
    )
    fleet.write(
        "hubs.lock",
        'version = 1\n\n[slots."a/common.values.yaml:profiles/small/image"]\n'
        'image = "quay.io/org/small"\ntag = "1.0.0"\nresolved = "2026-01-01T00:00:00Z"\n'
        f'policy = "{policy.fingerprint()}"\n',
    )
    fleet.write(COMMON, COMMON_A.replace("small:1.0.0", "small:1.0.1"))
    toml = fleet.read("hubs.toml")
    check = fleet.run("check")
    assert check.out.removesuffix(UNUSED_A).splitlines()[-1] == (
        "    `hubs compile` writes hubs.lock's quay.io/org/small:1.0.0; to keep "
        "quay.io/org/small:1.0.1: `hubs set 'a/common.values.yaml:profiles/small/image' --pin "
        "quay.io/org/small:1.0.1`"
    )
    result = fleet.run("adopt", "--all")
    assert (result.code, result.out) == (
        0,
        "not adopted: a/common.values.yaml:profiles/small/image: follows quay.io/org/small "
        "(hubs.lock: quay.io/org/small:1.0.0); a hand edit to quay.io/org/small:1.0.1 is not "
        "adopted: to keep it, `hubs set 'a/common.values.yaml:profiles/small/image' --pin "
        "quay.io/org/small:1.0.1`\n",
    )
    assert fleet.read("hubs.toml") == toml


MISPLACED = COMMON_A.replace(
    "          choices:\n            py:",
    "          choices:\n"
    "            unlisted_choice:\n"
    "              enabled: true\n"
    "              kubespawner_override:\n"
    "                image: '{value}'\n"
    "            py:",
)


def test_a_template_outside_unlisted_choice_is_kept_and_named(fleet: Fleet) -> None:
    fleet.write(COMMON, MISPLACED)
    (fleet.root / "hubs.toml").unlink()
    assert fleet.run("import").code == 0
    assert (
        'unlisted_choice = { broken = "{value}" }  # not an image reference: repository '
        "'{value}' must be lowercase components separated by '/'\n"
    ) in fleet.read("hubs.toml")
    check = fleet.run("check")
    assert check.code == 1
    assert check.out.splitlines()[:5] == [
        "hubs check: 1 broken image, 1 lint finding (unused-image); see the fix under each",
        "  a/common.values.yaml:profiles/Choose/choices/unlisted_choice",
        "    the `{value}` template only works in `unlisted_choice`; this block is a choice "
        "named `unlisted_choice`, indented one level too deep",
        "    config/clusters/a/common.values.yaml:24 · misplaced-template",
        "    `hubs set 'a/common.values.yaml:profiles/Choose/choices/unlisted_choice' --pin "
        "IMAGE:TAG` replaces it",
    ]


def test_import_never_overwrites_and_points_at_adopt(fleet: Fleet) -> None:
    toml = fleet.read("hubs.toml")
    refused = fleet.run("import")
    assert (refused.code, refused.err) == (
        2,
        "hubs: error: hubs.toml: exists already; `hubs adopt` takes what the tree has into it, "
        "keeping its policies and comments (`--force` rewrites it whole)\n",
    )
    fleet.toml(
        replace=(
            'image = "quay.io/org/small:1.0.0"',
            'image = { follow = "quay.io/org/small", order = "semver" }',
        )
    )
    toml = fleet.read("hubs.toml")
    forced = fleet.run("import", "--force")
    assert (forced.code, forced.err) == (
        2,
        "hubs: error: hubs.toml: --force would drop the follow-latest policies of "
        'clusters.a.files."common.values.yaml".profiles.small.image; `hubs adopt` takes what '
        "the tree has into it, keeping its policies and comments\n",
    )
    assert fleet.read("hubs.toml") == toml


def commands_in(text: str) -> list[str]:
    """Every `hubs ...` command a report suggests (in backticks), each parsed as a user would
    paste it: a suggestion the command line refuses fails here."""
    import re
    import shlex

    found = re.findall(r"`(hubs [^`]+)`", text)
    for line in found:
        cli._parser().parse_args(shlex.split(line)[1:])
    return found


def test_every_suggested_command_parses(fleet: Fleet) -> None:
    fleet.write(COMMON, WITH_PANGEO.replace("small:1.0.0", "small:1.0.1"))
    fleet.write("config/clusters/a/cluster.yaml", NEW_HUB)
    fleet.write("config/clusters/a/newu.values.yaml", ONLY_IMAGE)
    fleet.toml(replace=('image = "quay.io/org/image:abc1234"', 'image = "inherit"'))
    text = fleet.run("check").out
    # 2 changes, 3 findings and 2 lint findings with a command (unused-image): none refused
    assert len(commands_in(text)) == 10
    markdown = commands_in(fleet.run("check", "--format", "markdown").out)
    assert markdown == ["hubs check", *commands_in(text)[3:]]


def test_an_anchored_group_is_stated_once_and_set_on_an_alias_edits_that_table(
    fleet: Fleet,
) -> None:
    (fleet.root / "hubs.toml").unlink()
    assert fleet.run("import").code == 0
    text = fleet.read("hubs.toml")
    assert "profiles.big" not in text  # big aliases Choose's options: stated once, at Choose
    result = fleet.run(
        "set", "a/common.values.yaml:profiles/big/choices/r", "--pin", ":2024.02.01", "--compile"
    )
    assert result.err.splitlines()[0] == (
        "a/common.values.yaml:profiles/big/choices/r: pinned to ghcr.io/org/r:2024.02.01 (stated "
        "once, at a/common.values.yaml:profiles/Choose/choices/r: the same YAML node, through an "
        "anchor)"
    )
    assert fleet.read("hubs.toml") == text.replace(
        'r = "ghcr.io/org/r:2024.01.01"', 'r = "ghcr.io/org/r:2024.02.01"'
    )
    assert fleet.read(COMMON) == COMMON_A.replace("r:2024.01.01", "r:2024.02.01")
    import json

    rows = json.loads(fleet.run("list", "--format", "json").out)
    (big,) = [r for r in rows if r["address"] == "a/common.values.yaml:profiles/big/choices/r"]
    assert (big["policy"], big["image"]) == ("pinned", "ghcr.io/org/r:2024.02.01")
