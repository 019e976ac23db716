"""`hubs diff --packages` and `hubs update --packages` against a real registry: images whose
layers carry conda-meta and dist-info entries, an upper layer's whiteouts removing packages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from imagebuild import Entry, push_image
from registry_fakes import Pusher, Registry

from hubs.cli.main import main
from hubs.images import pkgcache

pytestmark = pytest.mark.needs_registry

META = "opt/conda/conda-meta/"
SITE = "opt/conda/lib/python3.12/site-packages/"
BASE: dict[str, Entry] = {
    "opt/conda/conda-meta/": None,
    META + "history": b"==> 2025-01-01 <==\n",
    META + "python-3.11.9-h1_0.json": b"{}",
    META + "numpy-1.26.4-py311_0.json": b"{}",
    META + "scipy-1.13.0-py311_0.json": b"{}",
    META + "attrs-23.1.0-pyh_0.json": b"{}",
    SITE + "numpy-1.26.4.dist-info/METADATA": b"Name: numpy\n",  # conda's own: left to conda
    SITE + "requests-2.31.0.dist-info/METADATA": b"Name: requests\n",
    "usr/lib/python3/dist-packages/": None,
}
BUMP: dict[str, Entry] = {
    META + ".wh.python-3.11.9-h1_0.json": b"",
    META + "python-3.12.4-h1_0.json": b"{}",
    META + ".wh.numpy-1.26.4-py311_0.json": b"",
    META + "numpy-2.0.1-py312_0.json": b"{}",
    SITE + ".wh.numpy-1.26.4.dist-info": b"",
    SITE + "numpy-2.0.1.dist-info/METADATA": b"Name: numpy\n",
    META + ".wh.scipy-1.13.0-py311_0.json": b"",  # removed in the upper layer
    META + ".wh.attrs-23.1.0-pyh_0.json": b"",
    META + "attrs-23.1.0-pyh_1.json": b"{}",
    META + "pandas-2.2.2-py312_0.json": b"{}",
    SITE + "nbgitpuller-1.2.1.dist-info/RECORD": b"",
}
SUMMARY = "python 3.11.9 → 3.12.4; 2 added, 1 removed, 3 changed"
# The markdown table of the six package changes, as every markdown report folds it
DETAILS = (
    "<details><summary>6 packages</summary>\n"
    "\n"
    "| package | old | new |\n"
    "|---|---|---|\n"
    "| `nbgitpuller` |  | `1.2.1` |\n"
    "| `pandas` |  | `2.2.2` |\n"
    "| `scipy` | `1.13.0` |  |\n"
    "| `attrs` | `23.1.0 pyh_0` | `23.1.0 pyh_1` |\n"
    "| `numpy` | `1.26.4` | `2.0.1` |\n"
    "| `python` | `3.11.9` | `3.12.4` |\n"
    "\n"
    "</details>\n"
    "\n"
)


@pytest.fixture(autouse=True)
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own package cache and no docker config of the host."""
    (tmp_path / "docker").mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    monkeypatch.delenv("HUBS_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def images(pusher: Pusher, registry: Registry) -> dict[str, str]:
    """v1: the base layer alone; v2: the same base layer under a layer that bumps,
    removes (whiteouts) and adds packages; same: v2's packages in another image."""
    push_image(pusher, "pk/app", "v1", [BASE])
    push_image(pusher, "pk/app", "v2", [BASE, BUMP], compression="zstd")
    push_image(pusher, "pk/app", "same", [BASE, BUMP, {"home/jovyan/.bashrc": b"#\n"}])
    return {tag: f"{registry.host}/pk/app:{tag}" for tag in ("v1", "v2", "same")}


def fleet(root: Path, tree: Mapping[str, str], toml: Mapping[str, str]) -> Path:
    """Cluster ``c`` whose hubs run ``tree`` (hub -> image) and hubs.toml pins ``toml``."""
    folder = root / "tree" / "config" / "clusters" / "c"
    folder.mkdir(parents=True)
    cluster = ["name: c", "hubs:"]
    text = ['tree = "tree"']
    for hub, image in tree.items():
        cluster += [f"- name: {hub}", "  helm_chart: basehub", "  helm_chart_values_files:",
                    f"  - {hub}.values.yaml"]  # fmt: skip
        name, tag = image.rsplit(":", 1)
        values = ["jupyterhub:", "  singleuser:", "    image:", f"      name: {name}",
                  f"      tag: {tag}"]  # fmt: skip
        (folder / f"{hub}.values.yaml").write_text("\n".join(values) + "\n")
        text += [f"[clusters.c.hubs.{hub}]", f'image = "{toml[hub]}"']
    (folder / "cluster.yaml").write_text("\n".join(cluster) + "\n")
    (root / "hubs.toml").write_text("\n".join(text) + "\n")
    return root


def diff(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["-C", str(root), "diff", "--packages", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_lists_added_removed_changed_under_whiteouts(
    tmp_path: Path, images: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    v1, v2 = images["v1"], images["v2"]
    root = fleet(tmp_path, {"prod": v1, "staging": v1}, {"prod": v2, "staging": v2})
    code, out, err = diff(capsys, root)
    values = "tree/config/clusters/c/{}.values.yaml:5"
    assert (code, err) == (0, "")
    assert out == (
        "hubs diff: would change 2 slots in 2 files\n"
        "  c/prod:image\n"
        f"    {v1} -> {v2}\n"
        f"    {values.format('prod')} · reaches 1 hub: c/prod\n"
        f"    `hubs compile` writes hubs.toml's {v2}; `hubs adopt 'c/prod:image'` takes the file's {v1} into hubs.toml instead\n"
        "  c/staging:image\n"
        f"    {v1} -> {v2}\n"
        f"    {values.format('staging')} · reaches 1 hub: c/staging\n"
        f"    `hubs compile` writes hubs.toml's {v2}; `hubs adopt 'c/staging:image'` takes the file's {v1} into hubs.toml instead\n"
        f"  packages: {v1} -> {v2} (c/prod:image, c/staging:image)\n"
        f"    {SUMMARY}\n"
        "    + nbgitpuller 1.2.1\n"
        "    + pandas 2.2.2\n"
        "    - scipy 1.13.0\n"
        "    ~ attrs 23.1.0 pyh_0 → 23.1.0 pyh_1\n"
        "    ~ numpy 1.26.4 → 2.0.1\n"
        "    ~ python 3.11.9 → 3.12.4\n"
    )


def test_markdown_report(
    tmp_path: Path, images: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    v1, v2 = images["v1"], images["v2"]
    root = fleet(tmp_path, {"prod": v1}, {"prod": v2})
    code, out, _ = diff(capsys, root, "--format", "markdown")
    assert code == 0
    assert out == (
        "### `hubs diff`: would change 1 slot in 1 file\n"
        "\n"
        "| slot | old | new | where | hubs |\n"
        "|---|---|---|---|---|\n"
        f"| `c/prod:image` | `{v1}` | `{v2}` | `tree/config/clusters/c/prod.values.yaml:5` "
        "| 1: c/prod |\n"
        "\n"
        "#### Packages\n"
        "\n"
        f"`{v1}` → `{v2}` (c/prod:image): {SUMMARY}\n"
        "\n" + DETAILS
    )


def test_notable_from_hubs_toml_and_json(
    tmp_path: Path, images: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    v1, v2 = images["v1"], images["v2"]
    root = fleet(tmp_path, {"prod": v1}, {"prod": v2})
    with (root / "hubs.toml").open("a") as toml:
        toml.write('[packages]\nnotable = ["NumPy"]\n')
    code, out, _ = diff(capsys, root, "--format", "json")
    assert code == 0
    [found] = json.loads(out)["packages"]
    assert found["summary"] == "numpy 1.26.4 → 2.0.1; 2 added, 1 removed, 3 changed"
    assert (found["error"], found["removed"]) == (
        None,
        [{"name": "scipy", "old": "1.13.0", "new": None}],
    )


def test_no_package_changes_and_the_list_kept_by_digest(
    tmp_path: Path, images: dict[str, str], capsys: pytest.CaptureFixture[str], homes: Path
) -> None:
    v2, same = images["v2"], images["same"]
    root = fleet(tmp_path, {"prod": v2}, {"prod": same})
    code, out, _ = diff(capsys, root)
    assert code == 0
    assert out.endswith(f"  packages: {v2} -> {same} (c/prod:image)\n    no package changes\n")
    kept = sorted(p.name for p in (homes / "hubs" / "packages").iterdir())
    assert len(kept) == 2 and all(k.startswith("sha256-") for k in kept)
    # a kept list is used as it is (a digest never changes): write one and see it shown
    digest = "sha256:" + kept[0][len("sha256-") : -len(".json")]
    path = pkgcache.path_of(digest)
    assert path is not None
    body = json.loads(path.read_text())
    body["packages"].append(["/opt/conda", "kept", "1.0", "0", "conda"])
    path.write_text(json.dumps(body))
    _, again, _ = diff(capsys, root)
    assert ("+ kept 1.0" in again) != ("- kept 1.0" in again)
    # --no-cache reads the layers; so does a kept file that is not ours
    _, fresh, _ = diff(capsys, root, "--no-cache")
    assert fresh == out
    path.write_text('{"format": 1, "reader": 1, "digest": "' + digest + '", "packages": [[1]]}')
    _, fresh, _ = diff(capsys, root)
    assert fresh == out


def test_a_registry_failure_is_a_note_and_the_exit_code_stays(
    tmp_path: Path, images: dict[str, str], capsys: pytest.CaptureFixture[str], registry: Registry
) -> None:
    v1 = images["v1"]
    gone = f"{registry.host}/pk/app:gone"
    root = fleet(tmp_path, {"prod": v1}, {"prod": gone})
    code, out, err = diff(capsys, root)
    assert (code, err) == (0, "")
    assert out.endswith(
        f"  packages: {v1} -> {gone} (c/prod:image)\n"
        f"    package list not read: {registry.host}/pk/app: manifest gone: not found (HTTP 404 MANIFEST_UNKNOWN: manifest unknown)\n"
    )
    code, out, _ = diff(capsys, root, "--format", "markdown")
    assert code == 0
    assert out.endswith(
        f"`{v1}` → `{gone}` (c/prod:image): package list not read: "
        f"{registry.host}/pk/app: manifest gone: not found (HTTP 404 MANIFEST_UNKNOWN: manifest unknown)\n"
    )


def test_a_budget_too_small_is_said(
    tmp_path: Path, images: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    v1, v2 = images["v1"], images["v2"]
    root = fleet(tmp_path, {"prod": v1}, {"prod": v2})
    code, out, _ = diff(capsys, root, "--packages-budget", "100B")
    assert code == 0
    assert out.endswith(
        f"    package list not read: {v1}: stopped after 0 of 1 layer: "
        "the budget of 100 bytes is spent\n"
    )


def test_update_packages_in_the_pull_request_body(
    tmp_path: Path, images: dict[str, str], capsys: pytest.CaptureFixture[str], registry: Registry
) -> None:
    v1, v2 = images["v1"], images["v2"]
    root = fleet(tmp_path, {"prod": v1}, {"prod": v1})
    policy = f'{{ follow = "{registry.host}/pk/app", match = "^v\\\\d+$", order = "alphabetical" }}'
    toml = (root / "hubs.toml").read_text().replace(f'"{v1}"', policy)
    (root / "hubs.toml").write_text(toml)
    capsys.readouterr()
    code = main(["-C", str(root), "update", "--dry-run", "--packages", "--format", "markdown"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.endswith(
        f"`{v1}` → `{v2}` (c/prod:image): {SUMMARY}\n"
        "\n"
        + DETAILS
        + "- c/prod:image: (none) -> v2; 2 candidates; newest of 2 alphabetical tags matching "
        "^v\\d+$\n"
        "- hubs.lock would change\n"
    )


def test_the_readme_example_is_this_output(
    tmp_path: Path, images: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    v1, v2 = images["v1"], images["v2"]
    root = fleet(tmp_path, {"prod": v1}, {"prod": v2})
    _, out, _ = diff(capsys, root)
    for ours, shown in (
        (v1, "quay.io/example/image:2025.06.02"),
        (v2, "quay.io/example/image:2025.08.14"),
        ("tree/config/clusters/c/", "config/clusters/alpha/"),
        ("c/prod", "alpha/prod"),
    ):
        out = out.replace(ours, shown)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"$ hubs diff --packages\n{out}```\n" in readme
