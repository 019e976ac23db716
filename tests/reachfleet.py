"""A hand-worked fleet where profiles and choices override the default image.

Cluster ``r``: ``plain`` takes the profileList of ``common.values.yaml``, ``own`` has its
own (and its own singleuser.image), ``bare`` has no profiles and runs the chart default.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetfixture import CHART, Fleet

CLUSTER = """\
name: r
hubs:
- name: plain
  display_name: R plain
  helm_chart: basehub
  helm_chart_values_files:
  - common.values.yaml
  - plain.values.yaml
- name: own
  display_name: R own
  helm_chart: basehub
  helm_chart_values_files:
  - common.values.yaml
  - own.values.yaml
- name: bare
  display_name: R bare
  helm_chart: basehub
  helm_chart_values_files:
  - bare.values.yaml
"""

# set: its own image. mixed: choice a has one, b falls back to the profile's image.
# shadow: its only choice sets an image, so the profile's image is never run.
# Nothing falls back to singleuser.image: org/common reaches no hub.
COMMON = """\
jupyterhub:
  singleuser:
    image:
      name: org/common
      tag: "1"
    profileList:
    - display_name: Set
      slug: set
      kubespawner_override:
        image: org/set:1
    - display_name: Mixed
      slug: mixed
      default: true
      kubespawner_override:
        image: org/mixed:1
      profile_options:
        image:
          display_name: Image
          choices:
            a:
              display_name: A
              kubespawner_override:
                image: org/a:1
            b:
              display_name: B
              default: true
              kubespawner_override:
                mem_limit: 2G
    - display_name: Shadow
      slug: shadow
      kubespawner_override:
        image: org/shadow:1
      profile_options:
        image:
          display_name: Image
          choices:
            c:
              display_name: C
              kubespawner_override:
                image: org/c:1
"""

# custom: a choice and an unlisted choice. fallback: choice z has no image, so it runs
# singleuser.image (org/own). typed: only an unlisted choice, which uses no fallback.
OWN = """\
jupyterhub:
  singleuser:
    image:
      name: org/own
      tag: "2"
    profileList:
    - display_name: Custom
      slug: custom
      profile_options:
        image:
          display_name: Image
          unlisted_choice:
            enabled: true
            kubespawner_override:
              image: "{value}"
          choices:
            x:
              display_name: X
              kubespawner_override:
                image: quay.io/org/x:1
    - display_name: Fallback
      slug: fallback
      profile_options:
        image:
          display_name: Image
          choices:
            y:
              display_name: Y
              kubespawner_override:
                image: docker.io/org/y:1
            z:
              display_name: Z
    - display_name: Typed
      slug: typed
      profile_options:
        image:
          display_name: Image
          unlisted_choice:
            enabled: true
            kubespawner_override:
              image: "{value}"
"""

FILES = {
    "helm-charts/basehub/values.yaml": CHART,
    "config/clusters/r/cluster.yaml": CLUSTER,
    "config/clusters/r/common.values.yaml": COMMON,
    "config/clusters/r/plain.values.yaml": "jupyterhub:\n  ingress:\n    hosts: [plain.r]\n",
    "config/clusters/r/own.values.yaml": OWN,
    "config/clusters/r/bare.values.yaml": "jupyterhub:\n  ingress:\n    hosts: [bare.r]\n",
    "hubs.toml": 'tree = "."\n',
}


@pytest.fixture
def reach_fleet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Fleet:
    """The fleet above, stated by ``hubs import``."""
    for rel, text in FILES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    fleet = Fleet(tmp_path, capsys)
    (tmp_path / "hubs.toml").unlink()
    result = fleet.run("import")
    assert result.code == 0, result.err
    return fleet
