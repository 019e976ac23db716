"""hubs explain says when a hub's admins can change its image through the configurator."""

from __future__ import annotations

import json

import pytest

from fleetfixture import CHART, COMMON_A, HUB_D, PROD_A, Fleet

NOTE = (
    "  note: the configurator is enabled: hub admins can override the image at run time; "
    "git does not show it\n"
)
ON = "  custom:\n    jupyterhubConfigurator:\n      enabled: true\n"
OFF = "  custom:\n    jupyterhubConfigurator:\n      enabled: false\n"
CHART_FILE = "helm-charts/basehub/values.yaml"
COMMON = "config/clusters/a/common.values.yaml"
PROD = "config/clusters/a/prod.values.yaml"


def _explain(fleet: Fleet, hub: str) -> tuple[str, bool]:
    text = fleet.run("explain", hub)
    data = json.loads(fleet.run("explain", hub, "--format", "json").out)
    assert text.code == 0 and text.err == ""
    return text.out, data["configurator"]


def test_off_when_no_file_sets_it(fleet: Fleet) -> None:
    out, on = _explain(fleet, "a/prod")
    assert on is False
    assert "configurator" not in out


def test_the_chart_default_turns_it_on(fleet: Fleet) -> None:
    fleet.write(CHART_FILE, CHART + ON)
    out, on = _explain(fleet, "a/prod")
    assert on is True
    assert out.endswith(
        "  note: every profile and choice sets its own image, so singleuser.image is not used\n"
        + NOTE
    )


def test_the_last_file_that_sets_it_wins(fleet: Fleet) -> None:
    fleet.write(CHART_FILE, CHART + ON)
    fleet.write(COMMON, COMMON_A + OFF)
    assert _explain(fleet, "a/prod")[1] is False
    fleet.write(PROD, PROD_A + ON)
    assert _explain(fleet, "a/prod")[1] is True
    assert _explain(fleet, "a/staging")[1] is False  # prod's file is not staging's


def test_a_daskhub_hub_reads_it_under_basehub(fleet: Fleet) -> None:
    nested = "basehub:\n  jupyterhub:\n    custom:\n      jupyterhubConfigurator:\n        enabled: true\n"
    fleet.write("config/clusters/d/hub.values.yaml", nested)
    out, on = _explain(fleet, "d/hub")
    assert on is True
    assert out == (
        "d/hub (D hub, daskhub)\n"
        "  singleuser.image: quay.io/jupyter/scipy-notebook:2024-03-18\n"
        "  => helm-charts/basehub/values.yaml:6: quay.io/jupyter/scipy-notebook:2024-03-18 [pinned]\n"
        "     config/clusters/d/hub.values.yaml: - [inherit]\n" + NOTE
    )
    fleet.write("config/clusters/d/hub.values.yaml", HUB_D + "jupyterhub:\n" + ON)
    assert _explain(fleet, "d/hub")[1] is False  # a top-level jupyterhub: is not basehub's


@pytest.mark.parametrize(
    ("value", "expected"),
    [("True", True), ("yes", True), ("off", False), ('"true"', False), ("{}", False)],
)
def test_only_a_plain_yaml_boolean_counts(fleet: Fleet, value: str, expected: bool) -> None:
    fleet.write(PROD, PROD_A + ON.replace("true", value))
    assert _explain(fleet, "a/prod")[1] is expected


def test_a_slot_explanation_does_not_mention_it(fleet: Fleet) -> None:
    fleet.write(CHART_FILE, CHART + ON)
    data = json.loads(fleet.run("explain", "a/common.values.yaml:image", "--format", "json").out)
    assert "configurator" not in data
