"""The GitHub Action running `update` (the scheduled workflow) against a real registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from registry_fakes import Pusher, Registry

from actionrunner import DRIFTED, fleet, run_action

pytestmark = pytest.mark.needs_registry

PANGEO = "beta/daskhub-common.values.yaml:profiles/cpu/choices/pangeo"


def test_update_annotates_and_writes_the_pull_request_body(
    tmp_path: Path, registry: Registry, pusher: Pusher
) -> None:
    for tag in ("2025.06.02", "2025.07.01", "2025.08.15"):
        pusher.image("pangeo/pangeo-notebook", tag, created="2025-01-01T00:00:00Z")
    workspace = fleet(tmp_path / "ws", drift=False)
    with open(workspace / "hubs.toml", "a") as toml:
        toml.write(f'\n[registries.mirrors]\n"docker.io" = "{registry.host}"\n')
    before = (workspace / DRIFTED).read_text()
    code, log, tmp = run_action({"command": "update"}, workspace, tmp_path)
    assert code == 0
    assert log.splitlines()[1:3] == [
        "hubs update --format json",
        f"::notice file={DRIFTED},line=15,title=hubs update::{PANGEO}: "
        "pangeo/pangeo-notebook:2025.06.02 -> pangeo/pangeo-notebook:2025.08.15; "
        "reaches 2 hubs: beta/staging, beta/prod",
    ]
    assert log.splitlines()[-1] == "hubs update: changed 1 slot in 1 file"
    assert (workspace / DRIFTED).read_text() == before.replace(
        "pangeo-notebook:2025.06.02", "pangeo-notebook:2025.08.15"
    )
    body = (tmp / "hubs-report.md").read_text()
    assert body.startswith(
        "### `hubs update`: changed 1 slot in 1 file\n"
        "\n"
        "| slot | old | new | where | hubs |\n"
        "|---|---|---|---|---|\n"
        f"| `{PANGEO}` | `pangeo/pangeo-notebook:2025.06.02` | "
        f"`pangeo/pangeo-notebook:2025.08.15` | `{DRIFTED}:15` | 2: beta/staging, beta/prod |\n"
        f"- {PANGEO}: 2025.06.02 -> 2025.08.15; "
    )
    assert body.endswith("\n- hubs.lock updated\n")
    assert (tmp / "summary.md").read_text() == body
    assert (tmp / "output").read_text() == (
        f"exit-code=0\nchanged=true\nreport={tmp / 'hubs-report.md'}\n"
    )
