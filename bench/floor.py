"""The floor: parse every plaintext values file of a tree with libyaml, and nothing else.

    python bench/floor.py TREE

No tool that reads this tree's values files can do less work in one Python process:
``helm-charts/basehub/values.yaml`` and every ``config/clusters/*/*.values.yaml`` that is not
an ``enc-*`` / ``*.secret.*`` file (support files and orphans included), each loaded with
PyYAML's C loader.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def values_files(root: Path) -> list[Path]:
    found = sorted(root.glob("config/clusters/*/*.values.yaml"))
    plain = [p for p in found if not p.name.startswith("enc-") and ".secret." not in p.name]
    return [root / "helm-charts/basehub/values.yaml", *plain]


def main() -> None:
    for path in values_files(Path(sys.argv[1])):
        with path.open(encoding="utf-8") as handle:
            yaml.load(handle, Loader=yaml.CSafeLoader)


if __name__ == "__main__":
    main()
