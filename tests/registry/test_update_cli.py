"""`hubs update` end to end: the bundled example and small fleets against a real registry."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from registry_fakes import MakeProxy, MakeServer, Pusher, Registry, Reply, free_port

from hubs.cli.main import main
from hubs.policy.load import load_config
from hubs.policy.model import Follow

pytestmark = pytest.mark.needs_registry

ROOT = Path(__file__).resolve().parents[2]
COMMON = "generated/config/clusters/beta/daskhub-common.values.yaml"
PANGEO = "beta/daskhub-common.values.yaml:profiles/cpu/choices/pangeo"


def hubs(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def example(tmp_path: Path) -> Iterator[Path]:
    """A copy of the bundled example (hubs.toml, hubs.lock, generated/)."""
    for name in ("hubs.toml", "hubs.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "generated", tmp_path / "generated")
    (tmp_path / "schema").mkdir()
    yield tmp_path


def mirror(root: Path, host: str, upstream: str = "docker.io") -> None:
    path = root / "hubs.toml"
    path.write_text(path.read_text() + f'\n[registries.mirrors]\n"{upstream}" = "{host}"\n')


@pytest.fixture(scope="module")
def pangeo(pusher: Pusher) -> dict[str, str]:
    """pangeo/pangeo-notebook with calver tags, a suffixed one and `latest`: tag -> digest."""
    return {
        tag: pusher.image("pangeo/pangeo-notebook", tag, created="2025-01-01T00:00:00Z")
        for tag in ("2025.06.02", "2025.07.01", "2025.08.15", "2025.08.15-rc1", "latest")
    }


def test_update_resolves_the_bundled_example(
    example: Path, registry: Registry, pangeo: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    mirror(example, registry.host)
    before = (example / COMMON).read_text()
    code, out, err = hubs(capsys, "-C", str(example), "update")
    assert code == 0, err
    assert (example / COMMON).read_text() == before.replace(
        "image: pangeo/pangeo-notebook:2025.06.02", "image: pangeo/pangeo-notebook:2025.08.15"
    )
    lock = tomllib.loads((example / "hubs.lock").read_text())["slots"][PANGEO]
    policy = (
        load_config(example / "hubs.toml")
        .config.clusters["beta"]
        .files["daskhub-common.values.yaml"]
        .profiles["cpu"]
        .choices["pangeo"]
    )
    assert isinstance(policy, Follow)
    assert {k: v for k, v in lock.items() if k != "resolved"} == {
        "image": "pangeo/pangeo-notebook",
        "tag": "2025.08.15",
        "policy": policy.fingerprint(),
    }
    assert out.splitlines()[:4] == [
        "hubs update: changed 1 slot in 1 file",
        f"  {PANGEO}",
        "    pangeo/pangeo-notebook:2025.06.02 -> pangeo/pangeo-notebook:2025.08.15",
        "    generated/config/clusters/beta/daskhub-common.values.yaml:15 · reaches 2 hubs: "
        "beta/staging, beta/prod",
    ]
    assert out.splitlines()[4].startswith(f"  note: {PANGEO}: 2025.06.02 -> 2025.08.15; ")
    assert out.splitlines()[5] == "  note: hubs.lock updated"
    # a second run with no new tags changes nothing, not even hubs.lock's timestamps
    after = snapshot(example)
    code, out, _ = hubs(capsys, "-C", str(example), "update")
    assert (code, out.splitlines()[0]) == (0, "hubs update: nothing to change (10 slots, 5 hubs)")
    assert snapshot(example) == after
    assert hubs(capsys, "-C", str(example), "check")[0] == 0


def test_check_stays_offline(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mirror(example, f"127.0.0.1:{free_port()}")  # nothing listens there
    code, out = hubs(capsys, "-C", str(example), "check")[:2]
    assert (code, out.splitlines()[0]) == (
        0,
        "hubs check: clean (10 slots, 5 hubs); 5 lint findings (docker-hub, unused-image)",
    )


def test_dry_run_writes_nothing(
    example: Path, registry: Registry, pangeo: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    mirror(example, registry.host)
    before = snapshot(example)
    code, out, _ = hubs(capsys, "-C", str(example), "update", "--dry-run")
    assert code == 0
    assert out.splitlines()[:4] == [
        "hubs update: would change 1 slot in 1 file",
        f"  {PANGEO}",
        "    pangeo/pangeo-notebook:2025.06.02 -> pangeo/pangeo-notebook:2025.08.15",
        "    generated/config/clusters/beta/daskhub-common.values.yaml:15 · reaches 2 hubs: "
        "beta/staging, beta/prod",
    ]  # and no `hubs compile restores ...`: compile would leave it, hubs.lock is not written
    assert "hubs compile" not in out
    assert out.splitlines()[-1] == "  note: hubs.lock would change"
    assert snapshot(example) == before


def test_registry_gone_is_exit_3_and_nothing_written(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    mirror(example, f"127.0.0.1:{port}")
    before = snapshot(example)
    code, out, err = hubs(capsys, "-C", str(example), "update")
    assert (code, out) == (3, "")
    lines = err.splitlines()
    assert lines[0] == "hubs: error: 1 image policy failed:"
    assert lines[1].startswith(f"hubs: error: {PANGEO}: 127.0.0.1:{port}/pangeo/pangeo-notebook")
    assert len(lines) == 2
    assert snapshot(example) == before


def test_unknown_address(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = hubs(capsys, "-C", str(example), "update", PANGEO.replace("pangeo", "pangeu"))
    assert (code, err) == (
        2,
        "hubs: error: beta/daskhub-common.values.yaml:profiles/cpu/choices/pangeu: not a "
        f"follow-latest or promote slot (did you mean '{PANGEO}'?)\n",
    )


def test_digest_policy_writes_tag_and_digest(
    example: Path, registry: Registry, pangeo: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    mirror(example, registry.host)
    toml = example / "hubs.toml"
    toml.write_text(
        toml.read_text().replace('order = "calver" }', 'order = "calver", digest = true }')
    )
    code, _, err = hubs(capsys, "-C", str(example), "update")
    assert code == 0, err
    lock = tomllib.loads((example / "hubs.lock").read_text())["slots"][PANGEO]
    assert lock["digest"].startswith("sha256:") and len(lock["digest"]) == 71
    assert (
        f"image: pangeo/pangeo-notebook:2025.08.15@{lock['digest']}"
        in (example / COMMON).read_text()
    )


FLEET_CLUSTER = """\
name: big
hubs:
- name: one
  display_name: One
  helm_chart: basehub
  helm_chart_values_files:
  - common.values.yaml
  - one.values.yaml
- name: two
  display_name: Two
  helm_chart: basehub
  helm_chart_values_files:
  - common.values.yaml
  - two.values.yaml
"""


def fleet_of_50(root: Path, upstream: str) -> None:
    """10 profiles x 5 choices; choice k of every profile follows repository org/img-k."""
    lines = ["jupyterhub:", "  singleuser:", "    profileList:"]
    toml = ['tree = "."', "", "[registries.mirrors]", f'"quay.io" = "{upstream}"', ""]
    for p in range(10):
        lines += [
            f"    - display_name: P{p}",
            f"      slug: p{p}",
            "      profile_options:",
            "        image:",
            "          choices:",
        ]
        toml.append(f'[clusters.big.files."common.values.yaml".profiles.p{p}.choices]')
        for k in range(5):
            lines += [
                f"            c{k}:",
                "              kubespawner_override:",
                f"                image: quay.io/org/img-{k}:1.0.0",
            ]
            toml.append(f'c{k} = {{ follow = "quay.io/org/img-{k}", order = "semver" }}')
        toml.append("")
    toml += ["[clusters.big.hubs.one]", "[clusters.big.hubs.two]"]
    folder = root / "config/clusters/big"
    folder.mkdir(parents=True)
    (folder / "cluster.yaml").write_text(FLEET_CLUSTER)
    (folder / "common.values.yaml").write_text("\n".join(lines) + "\n")
    (folder / "one.values.yaml").write_text("jupyterhub: {}\n")
    (folder / "two.values.yaml").write_text("jupyterhub: {}\n")
    (root / "hubs.toml").write_text("\n".join(toml) + "\n")


@pytest.mark.parametrize("page_size", [100, 2])
def test_fifty_slots_on_five_repositories_list_each_once(
    tmp_path: Path,
    pusher: Pusher,
    paging_proxy: MakeProxy,
    page_size: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for k in range(5):
        for tag in ("1.0.0", "1.1.0", "v1.2.0", "2.0.0-rc1", "latest"):
            pusher.image(f"org/img-{k}", tag)
    proxy = paging_proxy(page_size)
    fleet_of_50(tmp_path, proxy.host)
    code, out, err = hubs(capsys, "-C", str(tmp_path), "update")
    assert code == 0, err
    assert out.splitlines()[0] == "hubs update: changed 50 slots in 1 file"
    text = (tmp_path / "config/clusters/big/common.values.yaml").read_text()
    assert text.count(":v1.2.0\n") == 50 and ":1.0.0" not in text
    listings = {path: n for path, n in proxy.hits.items() if path.endswith("/tags/list")}
    pages = 1 if page_size == 100 else 3  # 5 tags, 2 a page
    assert listings == {f"GET /v2/org/img-{k}/tags/list": pages for k in range(5)}


def test_tags_that_are_not_oci_tags_are_noted_not_a_traceback(
    example: Path, fake_server: MakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server = fake_server()
    tags = ["2025.06.02", "2025.08.15", "zz: y", "x" * 3_000_000]
    server.routes["GET /v2/pangeo/pangeo-notebook/tags/list"] = Reply(body={"tags": tags})
    mirror(example, server.host)
    toml = example / "hubs.toml"
    calver = """match = '^\\d{4}\\.\\d{2}\\.\\d{2}$', order = "calver" }"""
    assert calver in toml.read_text()
    toml.write_text(toml.read_text().replace(calver, 'match = ".*", order = "alphabetical" }'))
    code, out, err = hubs(capsys, "-C", str(example), "update")
    assert (code, err) == (0, "")
    assert out.splitlines()[4] == (
        f"  note: {PANGEO}: 2025.06.02 -> 2025.08.15; 2 candidates, 2 skipped; "
        "newest of 2 alphabetical tags matching .*"
    )
