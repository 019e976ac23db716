"""The import graph follows the module table of docs/design.md: no import runs back up."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "compiler" / "hubs"
ROW = re.compile(r"^\| (\d+) \| `([\w.]+)` \| .+ \|$")
# The folders of the package: a unit is one of their modules (or packages), named folder.module
FOLDERS = frozenset(
    p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name not in ("registry", "__pycache__")
)


def layers() -> dict[str, int]:
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    return {m[2]: int(m[1]) for line in text.splitlines() if (m := ROW.match(line))}


def units() -> dict[str, list[Path]]:
    """Each unit of ``hubs`` (a top-level module or package, or a folder's module or
    package) with its files; a folder's own ``__init__`` (a docstring) is no unit."""
    out: dict[str, list[Path]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) <= (2 if parts[0] in FOLDERS else 1):
            continue
        out.setdefault(unit_of(parts), []).append(path)
    return out


def unit_of(parts: tuple[str, ...] | list[str]) -> str:
    """The unit a module path (below ``hubs``) belongs to."""
    return ".".join(parts[:2]) if parts[0] in FOLDERS else parts[0]


def _type_only(tree: ast.Module) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:``."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            skip.update(id(sub) for sub in ast.walk(node))
    return skip


def imports(path: Path) -> set[str]:
    """The units of ``hubs`` that a file imports at run time (lazy imports included)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return imports_of(path.read_text(encoding="utf-8"), parts)


def imports_of(source: str, parts: tuple[str, ...]) -> set[str]:
    package = ["hubs", *parts[:-1]]
    tree = ast.parse(source)
    skip = _type_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or id(node) in skip:
            continue
        if node.level:
            base = package[: len(package) - node.level + 1]
            module = ".".join([*base, node.module] if node.module else base)
        elif node.module and node.module.split(".")[0] == "hubs":
            module = node.module
        else:
            continue
        names = [f"{module}.{a.name}" for a in node.names] if module.count(".") < 2 else [module]
        for name in names:
            below = name.split(".")[1:]
            if below and not below[0].startswith("__") and (below[0] not in FOLDERS or below[1:]):
                found.add(unit_of(below))
    return found


def test_every_module_has_a_row_in_the_design_table() -> None:
    assert sorted(units()) == sorted(layers())


def test_no_import_runs_back_up() -> None:
    table = layers()
    wrong = [
        f"{path.relative_to(ROOT)}: {unit} (layer {table[unit]}) imports {other} "
        f"(layer {table[other]})"
        for unit, paths in units().items()
        for path in paths
        for other in sorted(imports(path))
        if other != unit and table[other] >= table[unit]
    ]
    assert wrong == []


def test_the_check_sees_lazy_and_package_imports_but_not_type_only_ones() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from hubs.report.reporters import Report\n"
        "def _f() -> None:\n    from hubs.cli.main import main\n"
        "    from hubs.compile import plan\n    from ..parser import build\n"
        "from hubs.registry.oci import RegistryClient\n"
    )
    assert imports_of(source, ("cli", "commands", "check")) == {
        "cli.main",
        "cli.parser",
        "compile.plan",
        "registry",
    }
