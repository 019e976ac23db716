"""`hubs verify` against a real registry: synthetic images with real layers, each check."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from imagebuild import push_image, push_index
from registry_fakes import (
    PASSWORD,
    USER,
    MakeServer,
    Pusher,
    Registry,
    Reply,
    TokenServer,
    free_port,
)

from hubs.cli.main import main

pytestmark = pytest.mark.needs_registry

PATH_ENV = "PATH=/usr/local/bin:/usr/bin:/bin"
SU = {"usr/local/bin/jupyterhub-singleuser": b"#!/usr/bin/python3\n"}
PASSWD = {
    "etc/passwd": b"root:x:0:0:root:/root:/bin/bash\njovyan:x:1000:100::/home/jovyan:/bin/bash\n"
}
HOME = {"home/jovyan/.bashrc": b"# hi\n"}
CREATED = datetime(2025, 1, 1, tzinfo=UTC)
VALUES = "config/clusters/c/{hub}.values.yaml"
ROOT = Path(__file__).resolve().parents[2]
HELPER = """\
import json, sys
server = sys.stdin.read().strip()
answers = {answers}
if server not in answers:
    print("credentials not found in native keychain")
    sys.exit(1)
print(json.dumps(answers[server]))
"""


def days() -> int:
    return (datetime.now(UTC) - CREATED).days


@pytest.fixture(autouse=True)
def no_docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The host's ~/.docker never leaks in."""
    (tmp_path / "docker").mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))


@pytest.fixture(scope="module")
def images(pusher: Pusher, registry: Registry) -> dict[str, str]:
    """name -> image reference on the test registry."""
    host = registry.host
    su_config = {"User": "1000", "Env": [PATH_ENV]}
    made: dict[str, tuple[list[Mapping[str, Any]], dict[str, Any]]] = {
        "root": ([HOME], {"User": "root"}),
        "unset": ([HOME], {}),
        "zero": ([HOME], {"User": "0:0"}),
        "uid": ([HOME], {"User": "1000"}),
        "name": ([PASSWD, SU], {"User": "jovyan", "Env": [PATH_ENV]}),
        "lower": ([SU, HOME], su_config),
        "absent": ([{"usr/bin/python3": b"\x7fELF"}, HOME], su_config),
        "whiteout": ([SU, {"usr/local/bin/.wh.jupyterhub-singleuser": b""}], su_config),
        "opaque": ([SU, {"usr/local/bin/.wh..wh..opq": b"", "usr/local/bin/x": b""}], su_config),
    }
    out = {}
    for name, (layers, config) in made.items():
        push_image(pusher, "verify/app", name, layers, config=config)
        out[name] = f"{host}/verify/app:{name}"
    push_image(pusher, "verify/app", "zstd", [SU, HOME], config=su_config, compression="zstd")
    out["zstd"] = f"{host}/verify/app:zstd"
    history = {**su_config, "Cmd": ["start-notebook.sh"]}
    push_image(pusher, "verify/app", "history", [HOME], config=history)
    out["history"] = f"{host}/verify/app:history"
    children = {
        arch: push_image(pusher, "verify/multi", None, [HOME], config=su_config, arch=arch).digest
        for arch in ("amd64", "arm64")
    }
    push_index(pusher, "verify/multi", "v1", children)
    out["multi"] = f"{host}/verify/multi:v1"
    return out


def fleet(
    root: Path,
    hubs: Mapping[str, str],
    extra: Mapping[str, str] | None = None,
    toml: str = "",
) -> Path:
    """A tree with cluster ``c`` whose hubs (name -> image) set ``extra`` singleuser lines."""
    (root / "schema").mkdir(exist_ok=True)
    folder = root / "tree" / "config" / "clusters" / "c"
    folder.mkdir(parents=True)
    cluster = ["name: c", "hubs:"]
    text = ['tree = "tree"', toml]
    for hub, image in hubs.items():
        cluster += [f"- name: {hub}", "  helm_chart: basehub", "  helm_chart_values_files:",
                    f"  - {hub}.values.yaml"]  # fmt: skip
        name, tag = image.rsplit(":", 1)
        values = ["jupyterhub:", "  singleuser:", *(extra or {}).get(hub, "").splitlines(),
                  "    image:", f"      name: {name}", f"      tag: {tag}"]  # fmt: skip
        (folder / f"{hub}.values.yaml").write_text("\n".join(values) + "\n")
        text += [f"[clusters.c.hubs.{hub}]", f'image = "{image}"']
    (folder / "cluster.yaml").write_text("\n".join(cluster) + "\n")
    (root / "hubs.toml").write_text("\n".join(text) + "\n")
    return root


def verify(
    capsys: pytest.CaptureFixture[str], root: Path, *args: str, fmt: str = "json"
) -> tuple[int, Any, str]:
    """Run ``hubs -C root verify --format fmt ARGS``: exit code, parsed output, stderr."""
    capsys.readouterr()
    code = main(["-C", str(root), "verify", "--format", fmt, *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if fmt == "json" else out), err


def results(checks: list[dict[str, Any]], image: str | None = None) -> dict[str, tuple[Any, str]]:
    return {c["check"]: (c["ok"], c["detail"]) for c in checks if image in (None, c["image"])}


# ---------------------------------------------------------------- non-root


@pytest.mark.parametrize(
    ("name", "ok", "said"),
    [
        ("root", False, "image User 'root': root"),
        ("zero", False, "image User '0:0': root"),
        ("uid", True, "image User '1000': uid 1000"),
        (
            "name",
            None,
            "image User 'jovyan' is a name: unverified (--deep resolves it via /etc/passwd)",
        ),
    ],
)
def test_non_root_reads_the_image_user_when_the_uid_is_null(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    images: dict[str, str],
    name: str,
    ok: bool | None,
    said: str,
) -> None:
    root = fleet(tmp_path, {"h": images[name]}, {"h": "    uid: null"})
    code, checks, _ = verify(capsys, root)
    where = VALUES.format(hub="h") + ":3"
    assert results(checks)["non-root"] == (ok, f"uid is null at {where}; {said}")
    assert code == (1 if ok is False else 0)


def test_an_image_without_user_runs_as_root(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    root = fleet(tmp_path, {"h": images["unset"]}, {"h": "    uid: null"})
    code, checks, _ = verify(capsys, root)
    assert results(checks)["non-root"] == (
        False,
        "uid is null at config/clusters/c/h.values.yaml:3 and the image sets no User: runs as root",
    )
    assert code == 1


def test_a_user_name_is_resolved_through_etc_passwd_with_deep(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    root = fleet(tmp_path, {"h": images["name"]}, {"h": "    uid: null"})
    code, checks, _ = verify(capsys, root, "--deep")
    assert results(checks)["non-root"] == (
        True,
        "uid is null at config/clusters/c/h.values.yaml:3; image User 'jovyan': uid 1000 in "
        "/etc/passwd (layer 1 of 2)",
    )
    assert code == 0


def test_the_values_uid_wins_over_the_image_user(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    """The chart's default uid 1000 makes a root image run as 1000; a uid 0 fails."""
    root = fleet(tmp_path, {"a": images["root"], "b": images["uid"]}, {"b": "    uid: 0"})
    code, checks, _ = verify(capsys, root)
    assert results(checks, images["root"])["non-root"] == (
        True,
        "runs as uid 1000 (the zero-to-jupyterhub default)",
    )
    assert results(checks, images["uid"])["non-root"] == (
        False,
        "runs as uid 0 (root), set at config/clusters/c/b.values.yaml:3",
    )
    assert code == 1


def test_a_profile_override_of_the_uid_wins(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    image = images["uid"]
    profiles = (
        "    uid: null\n    profileList:\n    - slug: p\n      kubespawner_override:\n"
        f"        uid: 0\n        image: {image}\n    - slug: q"  # q runs singleuser.image
    )
    toml = f'[clusters.c.hubs.h.profiles.p]\nimage = "{image}"'
    root = fleet(tmp_path, {"h": images["zero"]}, {"h": profiles}, toml=toml)
    code, checks, _ = verify(capsys, root)
    assert results(checks, images["uid"])["non-root"] == (
        False,
        "runs as uid 0 (root), set at config/clusters/c/h.values.yaml:7",
    )
    assert results(checks, images["zero"])["non-root"] == (
        False,
        "uid is null at config/clusters/c/h.values.yaml:3; image User '0:0': root",
    )
    assert code == 1


# ---------------------------------------------------------------- jupyterhub-singleuser


@pytest.mark.parametrize(
    ("name", "ok", "said"),
    [
        (
            "lower",
            True,
            "/usr/local/bin/jupyterhub-singleuser is in layer 1 (read 2 of 2 layers, {n} bytes)",
        ),
        (
            "zstd",
            True,
            "/usr/local/bin/jupyterhub-singleuser is in layer 1 (read 2 of 2 layers, {n} bytes)",
        ),
        (
            "absent",
            False,
            "not in the image: none of /usr/local/bin/jupyterhub-singleuser, /usr/bin/jupyterhub-singleuser, /bin/jupyterhub-singleuser (read 2 of 2 layers, {n} bytes)",
        ),
        (
            "whiteout",
            False,
            "deleted by a whiteout of /usr/local/bin/jupyterhub-singleuser in layer 2 (read 2 of 2 layers, {n} bytes)",
        ),
        (
            "opaque",
            False,
            "deleted by a whiteout of /usr/local/bin in layer 2 (read 2 of 2 layers, {n} bytes)",
        ),
    ],
)
def test_deep_finds_jupyterhub_singleuser_in_the_layers(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    images: dict[str, str],
    name: str,
    ok: bool,
    said: str,
) -> None:
    root = fleet(tmp_path, {"h": images[name]})
    code, checks, _ = verify(capsys, root, "--deep")
    found_ok, detail = results(checks)["singleuser"]
    n = detail.rsplit(", ", 1)[1].split(" ")[0]
    assert (found_ok, detail) == (ok, said.format(n=n))
    assert int(n) > 0
    assert code == (0 if ok else 1)


def test_without_deep_the_config_is_the_evidence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    root = fleet(tmp_path, {"h": images["lower"], "w": images["history"]})
    code, checks, _ = verify(capsys, root)
    assert results(checks, images["lower"])["singleuser"] == (
        None,
        "no evidence in the image config (--deep looks in the layers)",
    )
    history = results(checks, images["history"])["singleuser"]
    assert history[0] is None  # the config has no history line naming jupyterhub
    assert code == 0


def test_the_wrapped_command_of_the_real_fleet_is_looked_through(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    cmd = "    cmd:\n    - /mnt/ghsa-w3vc-fx9p-wp4v/check-patch-run\n    - jupyterhub-singleuser"
    root = fleet(tmp_path, {"h": images["whiteout"]}, {"h": cmd})
    code, checks, _ = verify(capsys, root, "--deep")
    assert results(checks)["singleuser"][0] is False
    assert code == 1


def test_a_null_cmd_runs_the_image_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    root = fleet(tmp_path, {"h": images["history"]}, {"h": "    cmd: null"})
    code, checks, _ = verify(capsys, root, "--deep")
    assert results(checks)["singleuser"] == (
        None,
        "the pod runs start-notebook.sh, which does not name jupyterhub-singleuser",
    )
    assert code == 0


def test_the_deep_budget_stops_the_search(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    root = fleet(tmp_path, {"h": images["name"]}, {"h": "    uid: null"})
    code, checks, _ = verify(capsys, root, "--deep", "--deep-budget", "10")
    assert results(checks)["non-root"][0] is None
    assert (
        results(checks)["singleuser"][1].endswith(
            "(read 0 of 2 layers, 0 bytes; stopped: the budget of 10 bytes is spent)"
        )
        or "stopped: the budget of 10 bytes is spent" in results(checks)["singleuser"][1]
    )
    assert code == 0


# ---------------------------------------------------------------- platforms


def test_platforms_of_an_index_skip_the_attestation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    toml = '[clusters.c]\nplatforms = ["linux/amd64", "linux/arm64"]'
    root = fleet(tmp_path, {"m": images["multi"], "s": images["uid"]}, toml=toml)
    code, checks, _ = verify(capsys, root)
    assert results(checks, images["multi"])["platforms"] == (
        True,
        "has linux/amd64, linux/arm64 (of linux/amd64, linux/arm64)",
    )
    assert results(checks, images["uid"])["platforms"] == (
        False,
        "lacks linux/arm64 (has linux/amd64)",
    )
    assert code == 1


def test_the_default_platform_is_linux_amd64(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    root = fleet(tmp_path, {"s": images["uid"]})
    code, checks, _ = verify(capsys, root)
    assert results(checks)["platforms"] == (True, "has linux/amd64 (of linux/amd64)")
    assert code == 0


def test_a_bad_platform_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    root = fleet(tmp_path, {"s": images["uid"]}, toml='[clusters.c]\nplatforms = ["arm64"]')
    code, out, err = verify(capsys, root, fmt="text")
    assert (code, out) == (2, "")
    assert err.startswith("hubs: error: hubs.toml:3:")
    assert "clusters.c.platforms.0" in err


# ---------------------------------------------------------------- age


def test_age_is_reported_and_fails_over_max_age(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, images: dict[str, str]
) -> None:
    root = fleet(tmp_path, {"s": images["uid"]})
    code, checks, _ = verify(capsys, root)
    assert results(checks)["age"] == (True, f"created 2025-01-01, {days()} days ago")
    assert code == 0
    code, checks, _ = verify(capsys, root, "--max-age", "30")
    assert results(checks)["age"] == (
        False,
        f"created 2025-01-01, {days()} days ago: older than 30 days",
    )
    assert code == 1


# ---------------------------------------------------------------- exists


def test_a_missing_tag_fails_and_nothing_else_is_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, registry: Registry, images: dict[str, str]
) -> None:
    image = f"{registry.host}/verify/app:nope"
    root = fleet(tmp_path, {"h": image})
    code, checks, _ = verify(capsys, root)
    assert checks == [
        {
            "image": image,
            "check": "exists",
            "ok": False,
            "result": "FAIL",
            "detail": f"tag nope not found in {registry.host}/verify/app",
            "hubs": ["c/h"],
            "file": "hubs.toml",
            "line": 4,  # image = "..." of [clusters.c.hubs.h]
        }
    ]
    assert code == 1


def test_a_pinned_digest_is_checked_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, pusher: Pusher, images: dict[str, str]
) -> None:
    digest = pusher.retag("verify/app", "uid", "uid")
    good, bad = f"{images['uid']}@{digest}", f"{images['uid']}@sha256:{'0' * 64}"
    root = fleet(tmp_path, {"g": good, "b": bad})
    code, checks, _ = verify(capsys, root)
    assert results(checks, good)["exists"] == (True, f"tag uid exists, pinned digest {digest} too")
    assert results(checks, bad)["exists"] == (
        False,
        f"tag uid exists, but digest sha256:{'0' * 64} does not",
    )
    assert code == 1


def test_the_docker_hub_pull_budget_is_reported_and_a_failure_exits_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fake_server: MakeServer
) -> None:
    fake = fake_server()
    digest = "sha256:" + "a" * 64
    fake.routes["HEAD /v2/lib/app/manifests/v1"] = Reply(
        200, headers={"Docker-Content-Digest": digest, "ratelimit-remaining": "99;w=21600"}
    )
    root = fleet(tmp_path, {"h": f"{fake.host}/lib/app:v1"})
    code, checks, _ = verify(capsys, root)
    assert [(c["check"], c["ok"], c["result"]) for c in checks] == [
        ("exists", True, "ok"),
        ("platforms", None, "error"),
    ]
    assert checks[0]["detail"] == f"tag v1 exists ({digest}); Docker Hub pulls left: 99"
    assert checks[1]["detail"].startswith(f"{fake.host}/lib/app: ")
    assert [s.method for s in fake.seen] == ["HEAD", "GET"]  # one HEAD, then the manifest
    assert code == 3


def test_an_unreachable_registry_exits_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    host = f"127.0.0.1:{free_port()}"  # nothing listens there
    root = fleet(tmp_path, {"h": f"{host}/lib/app:v1"})
    code, out, _ = verify(capsys, root, fmt="text")
    assert code == 3
    assert out.splitlines()[0] == "hubs verify: 1 image, 1 check: 0 ok, 1 not reached"
    assert out.splitlines()[2].startswith(f"{host}/lib/app:v1  exists  error   {host}/lib/app: ")


# ---------------------------------------------------------------- credentials


def helper(folder: Path, monkeypatch: pytest.MonkeyPatch, host: str, secret: str) -> None:
    """docker-credential-verifytest on PATH answering for ``host``; config.json names it."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    answers = {host: {"ServerURL": host, "Username": USER, "Secret": secret}}
    script = bin_dir / "docker-credential-verifytest"
    script.write_text(f"#!{sys.executable}\n" + HELPER.format(answers=repr(answers)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    config = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    config.write_text(json.dumps({"credHelpers": {host: "verifytest"}}))


def test_a_private_repository_with_credentials_from_a_helper(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pusher: Pusher,
    token_registry: Registry,
    token_server: TokenServer,
) -> None:
    push_image(pusher, "private/verify", "v1", [HOME], config={"User": "1000"})
    image = f"{token_registry.host}/private/verify:v1"
    root = fleet(tmp_path, {"h": image})
    code, checks, _ = verify(capsys, root)  # anonymous: refused
    assert (code, [c["result"] for c in checks]) == (3, ["error"])
    assert "unauthorized" in checks[0]["detail"]
    helper(tmp_path, monkeypatch, token_registry.host, "wr0ng-Secret-1")
    code, out, err = verify(capsys, root, fmt="text")
    assert code == 3
    assert "wr0ng-Secret-1" not in out + err
    (tmp_path / "bin" / "docker-credential-verifytest").unlink()
    (tmp_path / "bin").rmdir()
    helper(tmp_path, monkeypatch, token_registry.host, PASSWORD)
    token_server.requests.clear()
    code, checks, _ = verify(capsys, root)
    assert [c["result"] for c in checks] == ["ok", "ok", "ok", "unverified", "ok"]
    assert {r.user for r in token_server.requests} == {USER}
    assert code == 0


# ---------------------------------------------------------------- the bundled example

EXAMPLE_IMAGES = (
    "quay.io/jupyter/scipy-notebook:2024-03-18",
    "quay.io/example/alpha-image:0a1b2c3d4e5f",
    "quay.io/jupyter/scipy-notebook:2025-06-02",
    "pangeo/pangeo-notebook:2025.06.02",
    "quay.io/example/alpha-image:9f8e7d6c5b4a",
    "pangeo/ml-notebook:2025.06.02",
    "pangeo/base-notebook:2025.06.02",
)
INSTALL = "RUN /bin/sh -c pip install jupyterhub==5.2.1"
# beta/prod's singleuser image: every choice of beta's profileList sets its own, so no hub runs it
RUN_IMAGES = [image for image in EXAMPLE_IMAGES if "base-notebook" not in image]


@pytest.fixture(scope="module")
def example_images(pusher: Pusher) -> None:
    for image in EXAMPLE_IMAGES:
        name, tag = image.rsplit(":", 1)
        repo = name.removeprefix("quay.io/")
        push_image(pusher, repo, tag, [HOME], config={"User": "1000"}, history=[INSTALL])


@pytest.fixture
def example(tmp_path: Path, registry: Registry, example_images: None) -> Path:
    """A copy of the bundled example whose docker.io and quay.io go to the test registry."""
    for name in ("hubs.toml", "hubs.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "generated", tmp_path / "generated")
    (tmp_path / "schema").mkdir()
    with (tmp_path / "hubs.toml").open("a") as toml:
        toml.write(
            f'\n[registries.mirrors]\n"docker.io" = "{registry.host}"\n'
            f'"quay.io" = "{registry.host}"\n'
        )
    return tmp_path


def test_the_bundled_example_verifies(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    code, checks, err = verify(capsys, example)
    assert (code, err) == (0, "")
    assert [c["image"] for c in checks[::5]] == RUN_IMAGES
    assert {c["result"] for c in checks} == {"ok"}
    scipy = results(checks, "quay.io/jupyter/scipy-notebook:2024-03-18")
    assert scipy["singleuser"] == (
        True,
        f"from the config: history: {INSTALL} (--deep looks in the layers)",
    )
    assert checks[0]["hubs"] == ["alpha/workshop"]  # the chart default; beta/staging has profiles
    pangeo = [c for c in checks if c["image"] == "pangeo/pangeo-notebook:2025.06.02"]
    assert pangeo[0]["hubs"] == ["alpha/staging", "alpha/prod", "beta/staging", "beta/prod"]
    assert (pangeo[0]["file"], pangeo[0]["line"]) == ("hubs.toml", 20)
    code, out, _ = verify(capsys, example, fmt="text")
    assert out.splitlines()[0] == "hubs verify: 6 images, 30 checks: 30 ok"


def test_addresses_narrow_the_images(capsys: pytest.CaptureFixture[str], example: Path) -> None:
    code, checks, _ = verify(capsys, example, "alpha/prod")
    assert list(dict.fromkeys(c["image"] for c in checks)) == [
        "quay.io/example/alpha-image:0a1b2c3d4e5f",
        "quay.io/jupyter/scipy-notebook:2025-06-02",
        "pangeo/pangeo-notebook:2025.06.02",
    ]
    code, checks, _ = verify(capsys, example, "beta/prod:image")
    assert checks == []  # its pin is set, but every choice of beta's profiles sets an image
    code, checks, _ = verify(capsys, example, "beta/prod")
    assert {c["image"] for c in checks} == {
        "pangeo/pangeo-notebook:2025.06.02",
        "pangeo/ml-notebook:2025.06.02",
    }
    code, out, err = verify(capsys, example, "alpha/prd", fmt="text")
    assert (code, out) == (2, "")
    assert err == (
        "hubs: error: alpha/prd: no image of the fleet is at this address "
        "(did you mean 'alpha/prod'?)\n"
    )


def test_github_annotations_are_capped_at_10(
    capsys: pytest.CaptureFixture[str], example: Path
) -> None:
    with (example / "hubs.toml").open("a") as toml:
        toml.write('\n[clusters.alpha]\nplatforms = ["linux/arm64"]\n')
    code, out, _ = verify(capsys, example, "--max-age", "1", fmt="github")
    lines = out.splitlines()
    assert code == 1
    assert len(lines) == 12
    assert all(line.startswith("::error file=hubs.toml,line=") for line in lines[:10])
    assert lines[0] == (
        "::error file=hubs.toml,line=8,title=hubs verify%3A platforms::"
        "quay.io/jupyter/scipy-notebook:2024-03-18: lacks linux/arm64 (has linux/amd64)"
    )
    assert lines[10:] == [
        "1 more not annotated: GitHub shows 10 per step",
        "hubs verify: 6 images, 30 checks: 19 ok, 11 failed",
    ]


# ---------------------------------------------------------------- the GitHub Action


def test_the_action_reports_a_passing_verify(example: Path) -> None:
    from actionrunner import run_action

    runner = example / "runner"
    runner.mkdir()
    code, log, tmp = run_action({"command": "verify"}, example, runner)
    headline = "hubs verify: 6 images, 30 checks: 30 ok"
    assert code == 0
    assert log == (
        "hubs: install skipped (HUBS_ACTION_SKIP_INSTALL=true)\n"
        f"hubs verify --format json\n{headline}\n"
    )
    summary = (tmp / "summary.md").read_text()
    assert summary.startswith(
        f"### {headline}\n\n| image | check | result | detail | hubs |\n| --- | --- | --- | --- | --- |\n"
        "| `quay.io/jupyter/scipy-notebook:2024-03-18` | exists | ok | "
    )
    assert summary.count("\n| `") == 30
    assert (tmp / "output").read_text() == (
        f"exit-code=0\nchanged=false\nreport={tmp / 'hubs-report.md'}\n"
    )


def test_the_action_reports_a_failing_verify(example: Path) -> None:
    from actionrunner import run_action

    with (example / "hubs.toml").open("a") as toml:
        toml.write('\n[clusters.alpha]\nplatforms = ["linux/arm64"]\n')
    runner = example / "runner"
    runner.mkdir()
    code, log, tmp = run_action({"command": "verify"}, example, runner)
    headline = "hubs verify: 6 images, 30 checks: 25 ok, 5 failed"
    lines = log.splitlines()
    assert code == 1
    assert lines[2] == (
        "::error file=hubs.toml,line=8,title=hubs verify%3A platforms::"
        "quay.io/jupyter/scipy-notebook:2024-03-18: lacks linux/arm64 (has linux/amd64)"
    )
    assert [line.split(" ", 1)[0] for line in lines[2:]] == ["::error"] * 5 + ["hubs"]
    assert lines[-1] == headline
    summary = (tmp / "summary.md").read_text()
    assert summary.startswith(f"### {headline}\n\n")
    assert summary.count("| platforms | **FAIL** | lacks linux/arm64 (has linux/amd64) |") == 5
    assert (tmp / "output").read_text() == (
        f"exit-code=1\nchanged=false\nreport={tmp / 'hubs-report.md'}\n"
    )
