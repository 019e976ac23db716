"""hubs verify offline: pod settings from the tree, the rules, and the four reporters."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubs.images.imagechecks import Check
from hubs.images.verdicts import (
    Passwd,
    age_verdict,
    evidence,
    is_root,
    parse_passwd,
    parse_platform,
    search_paths,
    singleuser_path,
    user_verdict,
)
from hubs.registry import ImageConfig, Platform
from hubs.report.verifyreport import REPORTERS, render_github, render_markdown, render_text
from hubs.tree.layering import load_fleet
from hubs.tree.podspec import PodSpec, Setting

CLUSTER = """\
name: c
hubs:
- name: a
  helm_chart: basehub
  helm_chart_values_files: [common.values.yaml, a.values.yaml]
- name: d
  helm_chart: daskhub
  helm_chart_values_files: [d.values.yaml]
"""
COMMON = """\
jupyterhub:
  singleuser:
    uid: 1001
    cmd: [/mnt/wrap, jupyterhub-singleuser]
    profileList:
    - slug: root
      kubespawner_override:
        uid: 0
        image: quay.io/x/root:1
    - slug: pick
      kubespawner_override:
        uid: 2000
      profile_options:
        image:
          choices:
            own:
              kubespawner_override:
                uid: null
                image: quay.io/x/own:1
            plain:
              kubespawner_override:
                image: quay.io/x/plain:1
"""
A = "jupyterhub:\n  singleuser:\n    uid: 1002\n"
D = "basehub:\n  jupyterhub:\n    singleuser:\n      cmd: null\n"
CHART = "jupyterhub:\n  singleuser:\n    uid: 3000\n    image: {name: x, tag: '1'}\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    folder = tmp_path / "config" / "clusters" / "c"
    folder.mkdir(parents=True)
    for name, text in {"cluster.yaml": CLUSTER, "common.values.yaml": COMMON,
                       "a.values.yaml": A, "d.values.yaml": D}.items():  # fmt: skip
        (folder / name).write_text(text)
    return tmp_path


def test_pod_settings_follow_overrides_then_files_then_the_chart(tree: Path) -> None:
    fleet = load_fleet(tree)
    a, d = fleet.clusters["c"].hubs
    common = "config/clusters/c/common.values.yaml"
    slots = {(s.profile, s.choice): s for s in fleet.file(common).slots if s.kind != "singleuser"}
    spec = PodSpec(tree)
    assert spec.setting(a, None, "uid") == Setting(1002, "config/clusters/c/a.values.yaml:3")
    assert spec.setting(a, slots["root", None], "uid") == Setting(0, f"{common}:8")
    assert spec.setting(a, slots["pick", "own"], "uid") == Setting(None, f"{common}:18")
    assert spec.setting(a, slots["pick", "plain"], "uid") == Setting(2000, f"{common}:12")
    assert spec.setting(a, None, "cmd") == Setting(
        ["/mnt/wrap", "jupyterhub-singleuser"], f"{common}:4"
    )
    default = "the zero-to-jupyterhub default"
    assert spec.setting(d, None, "uid") == Setting(1000, default)
    assert spec.setting(d, None, "cmd") == Setting(None, "config/clusters/c/d.values.yaml:4")
    chart = tree / "helm-charts" / "basehub"
    chart.mkdir(parents=True)
    (chart / "values.yaml").write_text(CHART)
    assert PodSpec(tree).setting(d, None, "uid") == Setting(
        3000, "helm-charts/basehub/values.yaml:3"
    )


@pytest.mark.parametrize(
    ("user", "root"),
    [("", True), ("root", True), ("0", True), ("0:0", True), ("0:100", True), ("00", True),
     ("1000", False), ("1000:0", False), ("jovyan", False), ("root:100", True)],
)  # fmt: skip
def test_root_users(user: str, root: bool) -> None:
    assert is_root(user) is root


def test_user_verdicts() -> None:
    passwd = Passwd(
        parse_passwd(b"root:x:0:0::/:/bin/sh\nbad line\njovyan:x:1000:100::/:/\n"), "layer 1 of 1"
    )
    assert user_verdict(None, "f:3", "jovyan", passwd) == (
        True, "uid is null at f:3; image User 'jovyan': uid 1000 in /etc/passwd (layer 1 of 1)",
    )  # fmt: skip
    assert user_verdict(None, "f:3", "nobody", passwd) == (
        False, "uid is null at f:3; image User 'nobody': not in /etc/passwd (layer 1 of 1)",
    )  # fmt: skip
    assert user_verdict(None, "f:3", "jovyan", Passwd(None, "")) == (
        False, "uid is null at f:3; image User 'jovyan': the image has no /etc/passwd",
    )  # fmt: skip
    assert user_verdict("0", "f:3", "1000", None) == (False, "uid '0' at f:3: root")
    assert user_verdict(True, "f:3", None, None) == (False, "uid True at f:3 is not a number")
    assert user_verdict(None, "f:3", "x\u2028y", None)[1] == (
        "uid is null at f:3; image User 'x\\\\u2028y' is a name: unverified "
        "(--deep resolves it via /etc/passwd)"
    )


def test_where_jupyterhub_singleuser_is_looked_for() -> None:
    config = ImageConfig(None, None, entrypoint=("tini", "--"), cmd=("start.sh",),
                         env=("PATH=/opt/conda/bin:relative:/usr/bin/",))  # fmt: skip
    assert singleuser_path(None, config) == (None, "tini -- start.sh")
    assert singleuser_path(("/mnt/wrap", "jupyterhub-singleuser"), config) == (
        "jupyterhub-singleuser", "tini -- /mnt/wrap jupyterhub-singleuser",
    )  # fmt: skip
    assert search_paths("jupyterhub-singleuser", config) == (
        "/opt/conda/bin/jupyterhub-singleuser", "/usr/bin/jupyterhub-singleuser",
    )  # fmt: skip
    assert search_paths("/opt/x/../bin/jupyterhub-singleuser", config) == (
        "/opt/bin/jupyterhub-singleuser",
    )
    history = ImageConfig(None, None, history=("COPY . /srv", "RUN pip install jupyterhub-x"))
    assert evidence(history) == []  # jupyterhub-x is another package
    history = ImageConfig(None, None, history=("RUN mamba install jupyterhub=5", "CMD x"))
    assert evidence(history) == ["history: RUN mamba install jupyterhub=5"]
    history = ImageConfig(None, None, history=('CMD ["jupyterhub-singleuser"]',))
    assert evidence(history) == ['history: CMD ["jupyterhub-singleuser"]']


def test_platforms_and_age() -> None:
    assert parse_platform("linux/arm64/v8") == Platform("linux", "arm64", "v8")
    with pytest.raises(ValueError, match="not os/architecture"):
        parse_platform("arm64")
    now = datetime(2026, 1, 2, tzinfo=UTC)
    assert age_verdict(datetime(2026, 1, 1, tzinfo=UTC), now, None) == (
        True, "created 2026-01-01, 1 day ago",
    )  # fmt: skip
    assert age_verdict(None, now, 3) == (None, "the image config does not say when it was created")


CHECKS = [
    Check("quay.io/a/b:1", "exists", True, "tag 1 exists", ("c/h",), "hubs.toml", 4),
    Check("quay.io/a/b:1", "non-root", False, "runs as uid 0 | root", ("c/h",), "hubs.toml", 4),
    Check("x/y:2", "exists", None, "x: refused\nagain", ("c/h", "c/i"), "v.yaml", 9, True),
    Check("x/z:3", "age", None, "unknown", (), None, 0),
]


def test_text_is_a_table() -> None:
    assert render_text(CHECKS) == (
        "hubs verify: 3 images, 4 checks: 1 ok, 1 failed, 1 unverified, 1 not reached\n"
        "IMAGE          CHECK     RESULT      DETAIL\n"
        "quay.io/a/b:1  exists    ok          tag 1 exists\n"
        "               non-root  FAIL        runs as uid 0 | root\n"
        "x/y:2          exists    error       x: refused\\nagain\n"
        "x/z:3          age       unverified  unknown\n"
    )


def test_markdown_escapes_cells() -> None:
    assert render_markdown(CHECKS).splitlines()[4:7] == [
        "| `quay.io/a/b:1` | exists | ok | tag 1 exists | c/h |",
        "| `quay.io/a/b:1` | non-root | **FAIL** | runs as uid 0 \\| root | c/h |",
        "| `x/y:2` | exists | **error** | x: refused\\nagain | c/h, c/i |",
    ]


def test_json_is_a_list_of_checks() -> None:
    data = json.loads(REPORTERS["json"](CHECKS))
    assert data[2] == {
        "image": "x/y:2", "check": "exists", "ok": None, "result": "error",
        "detail": "x: refused\nagain", "hubs": ["c/h", "c/i"], "file": "v.yaml", "line": 9,
    }  # fmt: skip
    assert [d["ok"] for d in data] == [True, False, None, None]


def test_github_annotates_failures_first() -> None:
    assert render_github(CHECKS) == (
        "::error file=hubs.toml,line=4,title=hubs verify%3A non-root::"
        "quay.io/a/b:1: runs as uid 0 | root\n"
        "::error file=v.yaml,line=9,title=hubs verify%3A exists::x/y:2: x: refused\\nagain\n"
        "::warning file=hubs.toml,line=1,title=hubs verify%3A age::x/z:3: unknown\n"
        "hubs verify: 3 images, 4 checks: 1 ok, 1 failed, 1 unverified, 1 not reached\n"
    )


def test_every_report_format_has_a_verify_reporter() -> None:
    from hubs.report.reporters import REPORTERS as CHANGE_REPORTERS

    assert list(REPORTERS) == list(CHANGE_REPORTERS)
