"""hubs' answer to what each hub runs, against KubeSpawner 7's own profile loading
(``spawneroracle``): on the real sample, and on small fleets of the cases that differed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kubernetes_asyncio.config import kube_config

import spawnerfleet
from fleetfixture import Fleet
from hubs.tree.clusters import LayoutError
from hubs.tree.layering import load_fleet
from hubs.tree.scan import scan
from hubs.tree.valuesfile import Option, OptionImage
from spawnerfleet import NULLED
from spawneroracle import compare

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: none
  cluster: {server: "https://127.0.0.1:9"}
users:
- name: none
  user: {token: none}
contexts:
- name: none
  context: {cluster: none, user: none}
current-context: none
"""


@pytest.fixture(autouse=True)
def kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """KubeSpawner loads a kubeconfig when it is made (the client reads where from
    $KUBECONFIG at import); it never connects here."""
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(path))


OPTIONS = "config/clusters/k/options.values.yaml"
SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "infrastructure"


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/realworld is absent")
def test_every_real_profile_and_choice_runs_what_hubs_says() -> None:
    found = compare(load_fleet(SAMPLE))
    assert found.disagree == []
    assert found.agree == 215


@pytest.fixture
def cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Fleet:
    """The fleet of the five cases, stated by ``hubs import``."""
    for rel, text in spawnerfleet.FILES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    fleet = Fleet(tmp_path, capsys)
    (tmp_path / "hubs.toml").unlink()
    result = fleet.run("import")
    assert result.code == 0, result.err
    return fleet


def test_the_five_cases_run_what_hubs_says(cases: Fleet) -> None:
    found = compare(load_fleet(cases.root))
    assert "\n".join(found.disagree) == ""
    assert found.agree == 17


def test_a_null_image_then_a_tag_takes_the_chart_name(cases: Fleet) -> None:
    """Helm merges the files first (the later map replaces the null, and the null has
    dropped full.values.yaml's name), then the chart fills the name."""
    assert cases.run("list", "--hubs", "--hub", "k/nulled").out == (
        "HUB       IMAGES  RUNS\nk/nulled  1       quay.io/jupyter/scipy-notebook:9\n"
    )
    assert 'nulled.image = "quay.io/jupyter/scipy-notebook:9"  # K nulled\n' in cases.read(
        "hubs.toml"
    )
    assert cases.run("set", "k/nulled:image", "--pin", ":10", "--compile").code == 0
    assert cases.read("config/clusters/k/nulled.values.yaml") == NULLED.replace('"9"', '"10"')
    assert cases.read("config/clusters/k/null.values.yaml") == spawnerfleet.NULL


def test_binderhub_supplies_the_image_of_a_hub_without_auth(cases: Fleet) -> None:
    assert cases.run("list", "--hubs", "--cluster", "k").out.splitlines()[1:3] == [
        "k/binder       1       (the image BinderHub builds from a repository)",
        "k/binder-auth  1       quay.io/jupyter/scipy-notebook:2024-03-18",
    ]
    assert cases.run("explain", "k/binder").out == (
        "k/binder (K binder, basehub)\n"
        "  singleuser.image: quay.io/jupyter/scipy-notebook:2024-03-18\n"
        "  => helm-charts/basehub/values.yaml:6: quay.io/jupyter/scipy-notebook:2024-03-18 [pinned]\n"
        "     config/clusters/k/binder.values.yaml: - [inherit]\n"
        "  BinderHub supplies the image: custom.binderhubUI.enabled and "
        "BinderSpawnerMixin.auth_enabled false: every server runs the image BinderHub builds "
        "from a repository, never these\n"
    )
    explained = cases.run("explain", "defaults:image").out.splitlines()
    assert explained[3] == (  # k/options: every profile and choice sets an image
        "  reaches 1 hub: k/binder-auth; overridden in k/dupes, k/options (no profile or "
        "choice there falls back to it)"
    )
    assert explained[4] == "  BinderHub supplies the image in k/binder"


def test_hub_config_kubespawner_image_is_run_under_the_profiles(cases: Fleet) -> None:
    listed = json.loads(cases.run("list", "--hubs", "--hub", "k/hubconfig", "--format", "json").out)
    assert [
        (r["profile"], r["from"], r["address"], r["image"], r["policy"])
        for r in listed[0]["images"]
    ] == [
        (
            "plain",
            "hub-config",
            "config/clusters/k/hubconfig.values.yaml",
            "org/hubconfig:1",
            "unmanaged",
        ),
        ("own", "profile", "k/hubconfig:profiles/own/image", "org/own:1", "pinned"),
    ]
    assert cases.run("explain", "k/hubconfig").out.splitlines()[4:] == [
        "  hub.config.KubeSpawner.image: org/hubconfig:1 (config/clusters/k/hubconfig.values.yaml:5), over singleuser.image [not managed]",
        "  profileList from config/clusters/k/hubconfig.values.yaml:",
        "     k/hubconfig:profiles/own/image: org/own:1 [pinned]",
        "  default: profile plain (first)",
        "  note: profiles without an image run hub.config.KubeSpawner.image",
    ]
    assert cases.run("list", "--hub", "k/hubconfig").out.splitlines()[1] == (
        "k/hubconfig:image               pinned  docker.io  org/single:1  0"
    )


def test_a_profile_with_an_earlier_ones_slug_is_never_loaded(cases: Fleet) -> None:
    """Two profiles named Same, no slug: KubeSpawner slugifies both to 'same' and loads the
    first for either."""
    assert cases.run("list", "--hubs", "--hub", "k/dupes").out == (
        "HUB      IMAGES  RUNS\nk/dupes  1       org/first:1\n"
    )
    assert cases.run("list", "--hub", "k/dupes").out.splitlines()[1:] == [
        "k/dupes:profiles/Same/image      pinned  docker.io  org/first:1   1",
        "k/dupes:profiles/Same (2)/image  pinned  docker.io  org/second:1  0",
    ]


def test_the_scan_lists_the_options_that_set_the_image_in_order(cases: Fleet) -> None:
    found = scan(cases.root, "config/clusters/k/options.values.yaml")
    assert found.options == [
        Option("late", "image", ("a", "b")),
        Option("late", "flavor", ("x", "y"), (OptionImage("x", 24, "org/x:1"),)),
        Option("early", "early", ("e",), (OptionImage("e", 38, "org/e:1"),)),
        Option("early", "image", ("c", "d")),
        Option("typed", "image", ("f", "n")),
        Option("typed", "other", ("g",), (OptionImage(None, 67, "{value}"),)),
    ]
    assert scan(cases.root, "config/clusters/k/hubconfig.values.yaml").options == []


def test_the_last_option_applied_that_sets_the_image_wins(cases: Fleet) -> None:
    hub = next(h for h in load_fleet(cases.root).hubs() if h.name == "options")
    offers = load_fleet(cases.root).offers(hub)
    assert [(o.profile, o.picks, o.how, o.image or o.source) for o in offers] == [
        ("late", (("image", "a"), ("flavor", "x")), "option", "org/x:1"),
        ("late", (("image", "a"), ("flavor", "y")), "choice", (OPTIONS, "choice", "late", "a")),
        ("late", (("image", "b"), ("flavor", "x")), "option", "org/x:1"),
        ("late", (("image", "b"), ("flavor", "y")), "choice", (OPTIONS, "choice", "late", "b")),
        ("early", (("early", "e"), ("image", "c")), "choice", (OPTIONS, "choice", "early", "c")),
        ("early", (("early", "e"), ("image", "d")), "option", "org/e:1"),
        ("typed", (("image", "f"), ("other", "g")), "choice", (OPTIONS, "choice", "typed", "f")),
        ("typed", (("image", "f"), ("other", None)), "unlisted", "{value}"),
        ("typed", (("image", "n"), ("other", "g")), "profile", (OPTIONS, "profile", "typed", None)),
        ("typed", (("image", "n"), ("other", None)), "unlisted", "{value}"),
    ]


def test_more_combinations_than_hubs_works_through_are_refused(cases: Fleet) -> None:
    choices = "".join(
        f"            c{i}:\n              kubespawner_override:\n"
        f"                image: org/c:{i}\n"
        for i in range(17)
    )
    cases.write(
        OPTIONS,
        "jupyterhub:\n  singleuser:\n    profileList:\n    - display_name: Many\n"
        "      profile_options:\n"
        + "".join(f"        {name}:\n          choices:\n{choices}" for name in ("image", "more")),
    )
    hub = next(h for h in load_fleet(cases.root).hubs() if h.name == "options")
    with pytest.raises(LayoutError) as raised:
        load_fleet(cases.root).offers(hub)
    assert str(raised.value) == (
        "config/clusters/k/options.values.yaml: profile Many: its options that set the image "
        "make 289 combinations of choices, more than the 256 hubs works through"
    )


def test_list_hubs_gives_the_image_of_each_combination_of_choices(cases: Fleet) -> None:
    listed = json.loads(cases.run("list", "--hubs", "--hub", "k/options", "--format", "json").out)
    rows = [
        (r["picks"], r["from"], r["address"], r["image"], r["policy"]) for r in listed[0]["images"]
    ]
    assert rows[:2] == [
        ({"image": "a", "flavor": "x"}, "option", f"{OPTIONS}:24", "org/x:1", "unmanaged"),
        (
            {"image": "a", "flavor": "y"},
            "choice",
            "k/options:profiles/late/choices/a",
            "org/a:1",
            "pinned",
        ),
    ]
    assert rows[7] == (
        {"image": "f", "other": None},
        "unlisted",
        f"{OPTIONS}:67",
        "{value}",
        "user-controlled",
    )
    assert (
        cases.run("list", "--hubs", "--hub", "k/hubconfig", "--format", "json").out.count(
            '"picks": {}'
        )
        == 2
    )


def test_explain_gives_the_image_of_each_combination_of_choices(cases: Fleet) -> None:
    assert cases.run("explain", "k/options").out.splitlines()[4:] == [
        "  profileList from config/clusters/k/options.values.yaml:",
        "     k/options:profiles/late/choices/a: org/a:1 [pinned]",
        "     k/options:profiles/late/choices/b: org/b:1 [pinned]",
        "     k/options:profiles/early/choices/c: org/c:1 [pinned]",
        "     k/options:profiles/typed/image: org/typed:1 [pinned]",
        "     k/options:profiles/typed/choices/f: org/f:1 [pinned]",
        "  profile late, options applied in this order, the last image wins:",
        f"     image a, flavor x: org/x:1 ({OPTIONS}:24) [unmanaged]",
        "     image a, flavor y: org/a:1 (k/options:profiles/late/choices/a) [pinned]",
        f"     image b, flavor x: org/x:1 ({OPTIONS}:24) [unmanaged]",
        "     image b, flavor y: org/b:1 (k/options:profiles/late/choices/b) [pinned]",
        "  profile early, options applied in this order, the last image wins:",
        "     early e, image c: org/c:1 (k/options:profiles/early/choices/c) [pinned]",
        f"     early e, image d: org/e:1 ({OPTIONS}:38) [unmanaged]",
        "  profile typed, options applied in this order, the last image wins:",
        "     image f, other g: org/f:1 (k/options:profiles/typed/choices/f) [pinned]",
        f"     image f, other (typed): (any image users type) ({OPTIONS}:67) [user-controlled]",
        "     image n, other g: org/typed:1 (k/options:profiles/typed/image) [pinned]",
        f"     image n, other (typed): (any image users type) ({OPTIONS}:67) [user-controlled]",
        "  default: profile late (first), choice a (first)",
        "  note: every profile and choice sets its own image, so singleuser.image is not used",
    ]
