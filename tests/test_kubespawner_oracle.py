"""hubs' answer to what each hub runs, against KubeSpawner 7's own profile loading
(``spawneroracle``): on the real sample, and on small fleets of the cases that differed."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubernetes_asyncio.config import kube_config

from hubs.layering import load_fleet
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


SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "infrastructure"


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/realworld is absent")
def test_every_real_profile_and_choice_runs_what_hubs_says() -> None:
    found = compare(load_fleet(SAMPLE))
    assert found.disagree == []
    assert found.agree == 215
