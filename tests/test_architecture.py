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


# What a library module (outside cli/, the command boundary) may import inside a function:
# a heavy module that only some paths of the module need, with a comment on the import
# saying why (docs/design.md, "Import late").  Every other import is at the module's top.
LATE = {
    "deepdiff": "95 ms to import; the words of a failed edit check",
    "jinja2": "40 ms; --format markdown",
    "jsonschema": "50 ms and more; a run that edits",
    "pydantic": "35 ms; a hubs.toml or hubs.lock the model cache lacks, --follow",
    "hubs.policy.schema": "Pydantic's models",
    "regex": "13 ms; a selection of tags",
    "ruamel.yaml": "18 ms; a value written",
    "semver": "16 ms; the semver order",
    "tomlkit": "20 ms; an edit of hubs.toml, hubs.lock written",
    "zstandard": "9 ms; a zstd layer",
}
# Cheaper, but imported by the replayed check (compile.checkcache), which never needs
# them: late in these modules only.
REPLAYED = {
    ("errors", "difflib"): "1 ms; a did-you-mean",
    ("tree.cache", "tempfile"): "0.4 ms; writing a cache, which a replayed check does not",
    ("tree.valuesfile", "hubs.policy.imageref"): "1.7 ms; a slot's image, typed",
}


def late_imports(source: str, parts: tuple[str, ...]) -> list[tuple[int, list[str], bool]]:
    """Each import inside a function (not under ``TYPE_CHECKING``): its line, what it
    imports (``from hubs.policy import schema``: ``hubs.policy.schema``, which may be a
    module), and whether a comment says why (:func:`_said`)."""
    package = ["hubs", *parts[:-1]]
    tree = ast.parse(source)
    lines = source.splitlines()
    skip = _type_only(tree)
    found: dict[int, tuple[int, list[str], bool]] = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if id(node) in skip or not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join([*base, node.module] if node.module else base)
                names = [f"{module}.{a.name}" for a in node.names]
            found[id(node)] = (node.lineno, names, _said(lines, node.lineno))
    return sorted(found.values())


def _said(lines: list[str], line: int) -> bool:
    """A comment on the import's line, or above it (above the imports right above it)."""
    above = line - 1
    while above > 0 and lines[above - 1].lstrip().startswith(("import ", "from ")):
        above -= 1
    return "#" in lines[line - 1] or (above > 0 and lines[above - 1].lstrip().startswith("#"))


def _allowed(name: str, unit: str) -> bool:
    """Whether ``name`` (a module, or a name in one) may be imported late in ``unit``."""
    allowed = [*LATE, *(late for where, late in REPLAYED if where == unit)]
    return any(name == late or name.startswith(late + ".") for late in allowed)


def test_library_modules_import_at_the_top() -> None:
    wrong = []
    for unit, paths in units().items():
        if unit.split(".")[0] == "cli":
            continue  # the command boundary: a command imports what it runs when it runs
        for path in paths:
            parts = path.relative_to(PACKAGE).with_suffix("").parts
            for line, names, said in late_imports(path.read_text(encoding="utf-8"), parts):
                where = f"{path.relative_to(ROOT)}:{line}"
                late = [n for n in names if not _allowed(n, unit)]
                if late:
                    wrong.append(f"{where}: {', '.join(late)} imported in a function")
                elif not said:
                    wrong.append(f"{where}: a late import with no comment saying why")
    assert wrong == []


def test_the_check_sees_late_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "def f() -> None:\n"
        "    if TYPE_CHECKING:\n        import os\n"
        "    import json\n\n"
        "    # heavy\n    import tomlkit.items\n    from ..policy import schema\n\n"
        "    from pydantic import ValidationError  # heavy\n"
        "    import yaml\n"
    )
    found = late_imports(source, ("tree", "scan"))
    assert found == [
        (5, ["json"], False),
        (8, ["tomlkit.items"], True),
        (9, ["hubs.policy.schema"], True),
        (11, ["pydantic.ValidationError"], True),
        (12, ["yaml"], False),
    ]
    assert [_allowed(n, "tree.scan") for _, names, _ in found for n in names] == [
        False, True, True, True, False
    ]  # fmt: skip
    assert _allowed("tempfile", "tree.cache") and not _allowed("tempfile", "tree.scan")
