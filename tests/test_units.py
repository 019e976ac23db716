"""Unit tests of the small modules: image references, YAML splicing, schemas, the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hubs.compile import yamledit
from hubs.policy import imageref
from hubs.policy.imageref import BadReference
from hubs.tree import yamldoc

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        (
            "pangeo/pangeo-notebook:2024.10.01",
            "docker.io",
            "pangeo/pangeo-notebook",
            "2024.10.01",
            None,
        ),
        ("ubuntu", "docker.io", "library/ubuntu", None, None),
        ("docker.io/library/ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", None),
        ("index.docker.io/rocker/rstudio:4.4", "docker.io", "rocker/rstudio", "4.4", None),
        ("localhost:5000/a/b:1", "localhost:5000", "a/b", "1", None),
        ("127.0.0.1:5000/x", "127.0.0.1:5000", "x", None, None),
        (
            "us-central1-docker.pkg.dev/p/r/img:6d61d3c15d47",
            "us-central1-docker.pkg.dev",
            "p/r/img",
            "6d61d3c15d47",
            None,
        ),
        ("ghcr.io/o/i:1.0@sha256:" + "a" * 64, "ghcr.io", "o/i", "1.0", "sha256:" + "a" * 64),
        ("quay.io/o/i@sha256:" + "b" * 64, "quay.io", "o/i", None, "sha256:" + "b" * 64),
        ("public.ecr.aws/n/app:v2", "public.ecr.aws", "n/app", "v2", None),
        (
            "mas.maap-project.org/root/maap-workspaces/base:v6.0.0",
            "mas.maap-project.org",
            "root/maap-workspaces/base",
            "v6.0.0",
            None,
        ),
        # the distribution spec's limits, at the edge: a name of 255, a tag of 128
        ("q.io/" + "n" * 250, "q.io", "n" * 250, None, None),
        ("a/b:" + "T" * 128, "docker.io", "a/b", "T" * 128, None),
    ],
)
def test_reference_parsing(
    text: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    ref = imageref.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        registry,
        repository,
        tag,
        digest,
    )
    assert str(ref) == text


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty or surrounded by spaces"),
        ("Pangeo/x:1", "repository 'Pangeo/x' must be lowercase"),
        ("a/b:bad tag", "bad tag 'bad tag'"),
        ("a/b:-x", "bad tag '-x'"),
        ("a/b@sha256:zz", "bad digest 'sha256:zz'"),
        ("bad_host.io:x/y", "bad registry host 'bad_host.io:x'"),
        ("q.io/" + "n" * 251, "a repository name of 256 characters; at most 255"),
        ("a/b:" + "T" * 129, "bad tag"),
        ("a/b:\u0661", "bad tag '\u0661'"),  # a digit, but not an ASCII one
    ],
)
def test_reference_errors(text: str, why: str) -> None:
    with pytest.raises(BadReference, match="invalid image reference") as info:
        imageref.parse(text)
    assert why in str(info.value)


def test_splice_keeps_every_other_byte() -> None:
    text = "a:\n  b: 'x'   # note\n  c: [1, {d: e}]\n"
    doc = yamldoc.parse(text)
    node = yamldoc.find(doc.root, ["a", "b"])
    assert isinstance(node, yaml.ScalarNode)
    assert yamledit.apply(text, [yamledit.set_scalar(doc, node, "it's")]) == (
        "a:\n  b: it's   # note\n  c: [1, {d: e}]\n"
    )
    assert yamledit.apply(text, [yamledit.set_scalar(doc, node, "it's: #1")]) == (
        "a:\n  b: 'it''s: #1'   # note\n  c: [1, {d: e}]\n"
    )
    flow = yamldoc.find(doc.root, ["a", "c", 1, "d"])
    assert isinstance(flow, yaml.ScalarNode)
    assert yamledit.apply(text, [yamledit.set_scalar(doc, flow, "x,y")]) == (
        "a:\n  b: 'x'   # note\n  c: [1, {d: 'x,y'}]\n"
    )


def test_refusals() -> None:
    with pytest.raises(yamldoc.YamlError, match="holds 2 YAML documents"):
        yamldoc.parse("a: 1\n---\nb: 2\n", "f.yaml")
    doc = yamldoc.parse("a: &x v\nb: |\n  block\n")
    for key, why in (("a", "anchored or tagged scalar"), ("b", "block scalar")):
        node = yamldoc.find(doc.root, [key])
        assert isinstance(node, yaml.ScalarNode)
        with pytest.raises(yamldoc.YamlError, match=why):
            yamledit.set_scalar(doc, node, "new")
    with pytest.raises(yamldoc.YamlError, match="overlapping edits"):
        yamledit.apply("abc", [yamledit.Splice(0, 2, "x"), yamledit.Splice(1, 3, "y")])


def test_insert_into_empty_file_and_under_empty_key() -> None:
    doc = yamldoc.parse("")
    assert yamledit.apply("", [yamledit.insert(doc, ["a", "b"], {"tag": "1.0"})]) == (
        "a:\n  b:\n    tag: '1.0'\n"
    )
    text = "a:\n  kso:\n  other: 1\n"
    doc = yamldoc.parse(text)
    assert yamledit.apply(text, [yamledit.insert(doc, ["a", "kso"], {"image": "x:y"})]) == (
        "a:\n  kso:\n    image: x:y\n  other: 1\n"
    )


def test_insert_uses_the_files_indent_and_no_final_newline() -> None:
    text = "root:\n    child:\n        x: 1"
    doc = yamldoc.parse(text)
    assert yamledit.apply(text, [yamledit.insert(doc, ["root", "new"], {"k": "v"})]) == (
        "root:\n    child:\n        x: 1\n    new:\n        k: v\n"
    )


def test_remove_keeps_comments_of_the_next_key() -> None:
    text = "a:\n  # about b\n  b:\n    c: 1\n    # inner\n  # about d\n  d: 2\n"
    doc = yamldoc.parse(text)
    assert yamledit.apply(text, [yamledit.remove(doc, ["a", "b"])]) == ("a:\n  # about d\n  d: 2\n")


def test_schemas_in_repo_are_current() -> None:
    from hubs.cli.schemas import rendered

    for rel, text in rendered().items():
        assert (ROOT / rel).read_text() == text, f"{rel} is stale: run `hubs schema`"


def test_schema_validates_the_bundled_hubs_toml() -> None:
    import json
    import tomllib

    import jsonschema

    schema = json.loads((ROOT / "schema/hubs.schema.json").read_text())
    data = tomllib.loads((ROOT / "hubs.toml").read_text())
    jsonschema.validate(data, schema)
    data["clusters"]["alpha"]["hubs"]["prod"]["imgae"] = "x"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    assert (ROOT / "hubs.toml").read_text().startswith("#:schema ./schema/hubs.schema.json\n")


def test_bundled_example_is_compiled(capsys: pytest.CaptureFixture[str]) -> None:
    from hubs.cli.main import main

    assert main(["-C", str(ROOT), "check"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "hubs check: clean (10 slots, 5 hubs); 5 lint findings (docker-hub, unused-image)"
    )


def test_insert_below_an_empty_flow_map() -> None:
    text = "jupyterhub:\n  singleuser: {}  # none yet\n  hub: {}\n"
    doc = yamldoc.parse(text)
    path = ["jupyterhub", "singleuser", "image"]
    assert yamledit.apply(text, [yamledit.insert(doc, path, {"name": "a/b", "tag": "1"})]) == (
        "jupyterhub:\n  singleuser:  # none yet\n    image:\n      name: a/b\n      tag: '1'\n"
        "  hub: {}\n"
    )
    text = "basehub: {}"
    doc = yamldoc.parse(text)
    assert yamledit.apply(text, [yamledit.insert(doc, ["basehub", "x"], {"k": "v"})]) == (
        "basehub:\n  x:\n    k: v"
    )


@pytest.mark.parametrize(
    ("last", "after"),
    [
        ("    b: *x\n", "    b: *x\n"),  # a mapping ending in an alias
        ("    b:\n    - *x\n", "    b:\n    - *x\n"),  # a list ending in an alias
        ("    b:\n    - &y 1\n    - *y\n", "    b:\n    - &y 1\n    - *y\n"),  # of its own item
    ],
)
def test_insert_after_a_block_ending_in_an_alias_goes_after_the_alias(
    last: str, after: str
) -> None:
    """The alias's node is its anchor's: its end is not where the block ends."""
    text = "top:\n  a: &x\n    deep:\n      k: 1\n  s:\n" + last + "other: 1\n"
    doc = yamldoc.parse(text)
    new = yamledit.apply(text, [yamledit.insert(doc, ["top", "s", "image"], {"tag": "1"})])
    assert (
        new
        == "top:\n  a: &x\n    deep:\n      k: 1\n  s:\n"
        + after
        + "    image:\n      tag: '1'\nother: 1\n"
    )


def test_yaml_loaded_as_data_names_the_line_of_an_error() -> None:
    with pytest.raises(yamldoc.YamlError) as bad:
        yamldoc.load_data("a: 1\nb: [\n", "f.yaml")
    assert str(bad.value) == "f.yaml:3:1: invalid YAML: did not find expected node content"


def test_yaml_nested_deeper_than_the_limit_is_refused_at_its_line() -> None:
    """The mapping, the map under ``a`` and 98 lists are 100 levels: the limit."""
    deep: list[object] = []
    for _ in range(97):
        deep = [deep]
    at_limit = "a:\n  b: " + "[" * 98 + "]" * 98 + "\n"
    assert yamldoc.load_data(at_limit, "f.yaml") == {"a": {"b": deep}}
    with pytest.raises(yamldoc.YamlError) as bad:
        yamldoc.load_data("a:\n  b: " + "[" * 99 + "]" * 99 + "\n", "f.yaml")
    assert str(bad.value) == "f.yaml:2: nested deeper than 100 levels"


def test_no_close_match_is_looked_for_a_huge_word() -> None:
    from hubs.errors import close_match

    assert close_match("b" * 200, ["b" * 199]) == f" (did you mean {'b' * 199!r}?)"
    assert close_match("b" * 201, ["b" * 200]) == ""


def test_child_finds_in_a_large_mapping_as_in_a_small_one() -> None:
    keys = [f"k{i}" for i in range(12)]
    text = "base: &b {k0: from-merge}\nbig:\n  <<: *b\n" + "".join(f"  {k}: {k}\n" for k in keys)
    text += "  k3: second\n"  # a repeated key: the first is found, as in a small mapping
    root = yamldoc.parse(text).root
    big = yamldoc.child(root, "big")
    assert isinstance(big, yaml.MappingNode) and len(big.value) > yamldoc.INDEX_FROM
    found = [getattr(yamldoc.child(big, k), "value", None) for k in [*keys, "<<", "none"]]
    assert found == [*keys, None, None]
    assert yamldoc.child(big, 0) is None
    big.value.pop(0)  # a mapping changed after its index was built is indexed again
    big.value.pop(0)
    assert yamldoc.child(big, "k0") is None
    assert getattr(yamldoc.child(big, "k1"), "value", None) == "k1"


def test_inside_checks_each_folder_once_a_run_and_again_after_forget(tmp_path: Path) -> None:
    from hubs.files import paths

    root = tmp_path / "tree"
    (root / "a/b").mkdir(parents=True)
    (root / "a/b/f.yaml").write_text("x: 1\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/f.yaml").write_text("x: 2\n")
    paths.forget()
    assert paths.inside(root, "a/b/f.yaml", "f") == root.resolve() / "a/b/f.yaml"
    (root / "a/b").rename(root / "a/c")
    (root / "a/b").symlink_to(tmp_path / "elsewhere")
    paths.forget()
    with pytest.raises(paths.OutsideError, match=r"^f: leads outside the tree, to "):
        paths.inside(root, "a/b/f.yaml", "f")
