"""Did-you-mean stays in scope: the same cluster, the same hub; set and explain agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetfixture import CHART, Fleet


def _cluster(name: str, hubs: dict[str, list[str]]) -> str:
    lines = [f"name: {name}", "hubs:"]
    for hub, files in hubs.items():
        lines += [f"- name: {hub}", f"  display_name: {hub}", "  helm_chart: basehub"]
        lines += ["  helm_chart_values_files:", *(f"  - {f}" for f in files)]
    return "\n".join(lines) + "\n"


IMAGE = "jupyterhub:\n  singleuser:\n    image:\n      name: org/{0}\n      tag: '1'\n"
GPU = (
    "jupyterhub:\n  singleuser:\n    profileList:\n    - display_name: GPU\n      slug: gpu\n"
    "      profile_options:\n        image:\n          display_name: Image\n"
    "          choices:\n            pytorch:\n              display_name: PyTorch\n"
    "              kubespawner_override:\n                image: org/pytorch:1\n"
)
NOTHING = "jupyterhub:\n  ingress:\n    hosts: [x]\n"

FILES = {
    "helm-charts/basehub/values.yaml": CHART,
    # leap: the profileList is in a shared file; leap has no common.values.yaml
    "config/clusters/leap/cluster.yaml": _cluster(
        "leap",
        {
            "staging": ["shared.values.yaml", "staging.values.yaml"],
            "prod": ["shared.values.yaml", "prod.values.yaml"],
        },
    ),
    "config/clusters/leap/shared.values.yaml": GPU,
    "config/clusters/leap/staging.values.yaml": NOTHING,
    "config/clusters/leap/prod.values.yaml": NOTHING,
    # maap: a common.values.yaml with an image; staging has its own profileList
    "config/clusters/maap/cluster.yaml": _cluster(
        "maap",
        {
            "staging": ["common.values.yaml", "staging.values.yaml"],
            "prod": ["common.values.yaml", "prod.values.yaml"],
        },
    ),
    "config/clusters/maap/common.values.yaml": IMAGE.format("maap"),
    "config/clusters/maap/staging.values.yaml": GPU,
    "config/clusters/maap/prod.values.yaml": NOTHING,
    # cloudbank: nicc sets an image, bcc does not, nor does the file they share
    "config/clusters/cloudbank/cluster.yaml": _cluster(
        "cloudbank",
        {
            "bcc": ["base.values.yaml", "bcc.values.yaml"],
            "nicc": ["base.values.yaml", "nicc.values.yaml"],
        },
    ),
    "config/clusters/cloudbank/base.values.yaml": NOTHING,
    "config/clusters/cloudbank/bcc.values.yaml": NOTHING,
    "config/clusters/cloudbank/nicc.values.yaml": IMAGE.format("nicc"),
}


@pytest.fixture
def three(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Fleet:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    fleet = Fleet(tmp_path, capsys)
    assert fleet.run("import").code == 0
    return fleet


def _both(fleet: Fleet, address: str) -> str:
    """The error of explain, checked to be set's too."""
    explain = fleet.run("explain", address)
    change = fleet.run("set", address, "--pin", "org/x:1")
    assert explain.code == change.code == 2
    assert explain.err == change.err
    return explain.err


def test_a_hub_that_sets_no_image_is_not_offered_another_hub(three: Fleet) -> None:
    result = three.run("explain", "cloudbank/bcc:image")
    assert (result.code, result.err) == (
        2,
        "hubs: error: cloudbank/bcc:image: no file holds an image here yet (`hubs set` can "
        "give it one); `hubs explain cloudbank/bcc` shows what runs\n",
    )
    assert three.run("set", "cloudbank/bcc:image", "--pin", "org/x:1").code == 0
    result = three.run("explain", "cloudbank/base.values.yaml:image")
    assert (result.code, result.err) == (
        2,
        "hubs: error: cloudbank/base.values.yaml:image: no file holds an image here yet (`hubs "
        "set` can give it one); `hubs list` shows what runs\n",
    )


def test_a_profile_of_a_shared_profilelist_names_its_file(three: Fleet) -> None:
    assert _both(three, "leap/staging:profiles/gpu/choices/pytorch") == (
        "hubs: error: leap/staging:profiles/gpu/choices/pytorch: leap/staging takes its "
        "profileList from config/clusters/leap/shared.values.yaml (Helm replaces lists, the "
        "last file wins): set profile images on that file's scope "
        "(leap/shared.values.yaml:profiles/gpu/choices/pytorch)\n"
    )


def test_a_file_of_another_cluster_is_never_offered(three: Fleet) -> None:
    assert _both(three, "leap/common.values.yaml:image") == (
        "hubs: error: leap/common.values.yaml:image: no such slot (did you mean "
        "'leap/shared.values.yaml:image'?)\n"
    )


def test_a_mistyped_profile_on_a_hub_with_its_own_list_gets_a_did_you_mean(
    three: Fleet,
) -> None:
    assert _both(three, "maap/staging:profiles/gpx/choices/pytorch") == (
        "hubs: error: maap/staging:profiles/gpx/choices/pytorch: no such slot (did you mean "
        "'maap/staging:profiles/gpu/choices/pytorch'?)\n"
    )


def test_a_hub_level_typo_stays_in_its_hub(three: Fleet) -> None:
    assert _both(three, "maap/prod:profiles/gpu/choices/pytorch") == (
        "hubs: error: maap/prod:profiles/gpu/choices/pytorch: maap/prod takes its profileList "
        "from no file (Helm replaces lists, the last file wins): set profile images on that "
        "file's scope\n"
    )
    assert _both(three, "cloudbank/nicc:profiles/x/image") == (
        "hubs: error: cloudbank/nicc:profiles/x/image: cloudbank/nicc takes its profileList "
        "from no file (Helm replaces lists, the last file wins): set profile images on that "
        "file's scope\n"
    )


def test_a_mistyped_cluster_is_matched_across_clusters(three: Fleet) -> None:
    assert _both(three, "lep/shared.values.yaml:image") == (
        "hubs: error: lep/shared.values.yaml:image: no such slot (did you mean "
        "'leap/shared.values.yaml:image'?)\n"
    )


@pytest.mark.parametrize("file", ["maap/common.values.yaml", "cloudbank/base.values.yaml"])
def test_a_file_named_as_a_hub_is_offered_its_image_address(three: Fleet, file: str) -> None:
    result = three.run("explain", file)
    assert (result.code, result.err) == (
        2,
        f"hubs: error: {file}: a values file, not a hub (did you mean '{file}:image'?); "
        f"`hubs list --cluster {file.partition('/')[0]}` lists its slots\n",
    )
