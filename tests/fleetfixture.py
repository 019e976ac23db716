"""Shared helpers: a small fleet written into a temp folder, and running the CLI in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hubs.cli.main import main

CHART = """\
jupyterhub:
  singleuser:
    defaultUrl: /tree
    image:
      name: quay.io/jupyter/scipy-notebook
      tag: "2024-03-18"
    storage:
      type: static
"""

CLUSTER_A = """\
name: a
hubs:
- name: staging
  display_name: A staging
  helm_chart: basehub
  helm_chart_values_files:
  - common.values.yaml
  - staging.values.yaml
  - enc-staging.secret.values.yaml
- name: prod
  display_name: A prod
  helm_chart: basehub
  helm_chart_values_files:
  - common.values.yaml
  - prod.values.yaml
"""

COMMON_A = """\
jupyterhub:
  singleuser:
    # shared image
    image:
      name: quay.io/org/image
      tag: abc1234
    profileList:
    - display_name: Small
      slug: small
      kubespawner_override:
        image: quay.io/org/small:1.0.0
    - display_name: Choose
      profile_options:
        image: &opts
          display_name: Image
          unlisted_choice:
            enabled: true
            kubespawner_override:
              image: '{value}'
          choices:
            py:
              display_name: Python
              kubespawner_override:
                image: "ghcr.io/org/python:7b7bb16"
            r:
              display_name: R
              kubespawner_override:
                image: ghcr.io/org/r:2024.01.01
    - display_name: Big
      slug: big
      profile_options:
        image: *opts
"""

STAGING_A = """\
jupyterhub:
  ingress:
    hosts: [staging.a.org]
"""

PROD_A = """\
jupyterhub:
  ingress:
    hosts: [a.org]
"""

SECRET = (
    "jupyterhub:\n  hub:\n    secret: ENC[AES256_GCM,data:x,type:str]\nsops:\n  version: 3.9.0\n"
)

CLUSTER_D = """\
name: d
hubs:
- name: hub
  display_name: D hub
  helm_chart: daskhub
  helm_chart_values_files:
  - hub.values.yaml
"""

HUB_D = """\
basehub:
  nfs:
    enabled: true
dask-gateway:
  enabled: true
"""

TOML = """\
tree = "."

[defaults]
image = "quay.io/jupyter/scipy-notebook:2024-03-18"

[clusters.a.files."common.values.yaml"]
image = "quay.io/org/image:abc1234"

[clusters.a.files."common.values.yaml".profiles.small]
image = "quay.io/org/small:1.0.0"

[clusters.a.files."common.values.yaml".profiles.Choose.choices]
py = "ghcr.io/org/python:7b7bb16"
r = "ghcr.io/org/r:2024.01.01"

[clusters.a.files."common.values.yaml".profiles.big.choices]
py = "ghcr.io/org/python:7b7bb16"
r = "ghcr.io/org/r:2024.01.01"

[clusters.a.hubs.staging]

[clusters.a.hubs.prod]

[clusters.d.hubs.hub]
"""

# What `hubs check` adds, as a warning, for the fleet above: every profile sets an image.
UNUSED_HEAD = "1 lint finding (unused-image)"
UNUSED_A = (
    "  a/common.values.yaml:image\n"
    "    singleuser.image quay.io/org/image:abc1234 is never used: every profile of a/staging, "
    "a/prod sets its own image\n"
    "    config/clusters/a/common.values.yaml:6 · unused-image · warning\n"
    "    `hubs set 'a/common.values.yaml:image' --inherit` removes it; or leave one profile "
    "without an image\n"
)
UNUSED_GITHUB = (
    "::warning file=config/clusters/a/common.values.yaml,line=6,title=hubs check%3A "
    "unused-image::a/common.values.yaml:image: singleuser.image quay.io/org/image:abc1234 is "
    "never used: every profile of a/staging, a/prod sets its own image; `hubs set "
    "'a/common.values.yaml:image' --inherit` removes it; or leave one profile without an "
    "image\n"
)

FILES = {
    "helm-charts/basehub/values.yaml": CHART,
    "config/clusters/a/cluster.yaml": CLUSTER_A,
    "config/clusters/a/common.values.yaml": COMMON_A,
    "config/clusters/a/staging.values.yaml": STAGING_A,
    "config/clusters/a/prod.values.yaml": PROD_A,
    "config/clusters/a/enc-staging.secret.values.yaml": SECRET,
    "config/clusters/d/cluster.yaml": CLUSTER_D,
    "config/clusters/d/hub.values.yaml": HUB_D,
    "hubs.toml": TOML,
}


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Fleet:
    root: Path
    capsys: pytest.CaptureFixture[str]

    def path(self, rel: str) -> Path:
        return self.root / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_bytes().decode()

    def write(self, rel: str, text: str) -> None:
        self.path(rel).parent.mkdir(parents=True, exist_ok=True)
        self.path(rel).write_bytes(text.encode())

    def toml(self, extra: str = "", replace: tuple[str, str] | None = None) -> None:
        text = self.read("hubs.toml")
        if replace:
            assert replace[0] in text, replace[0]
            text = text.replace(*replace)
        self.write("hubs.toml", text + textwrap.dedent(extra))

    def run(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = main(["-C", str(self.root), *args])
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def snapshot(self) -> dict[str, tuple[bytes, int]]:
        return {
            p.relative_to(self.root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(self.root.rglob("*"))
            if p.is_file()
        }


@pytest.fixture
def fleet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Fleet:
    for rel, text in FILES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    return Fleet(tmp_path, capsys)


@pytest.fixture
def unchanged(fleet: Fleet) -> Callable[[], None]:
    """Assert afterwards that no file of the fleet changed (bytes and mtime)."""
    before = fleet.snapshot()

    def check() -> None:
        assert fleet.snapshot() == before

    return check


@pytest.fixture(autouse=True)
def scan_cache_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test's scan cache in one folder of this session, never the user's."""
    home = tmp_path_factory.getbasetemp() / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home
