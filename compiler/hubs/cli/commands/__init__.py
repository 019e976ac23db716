"""The commands of ``hubs``, one module each.

Each module holds a frozen dataclass of its options (extending :class:`_common.Where`), a
``run(options) -> int`` that loads what it needs, computes everything, then writes and
reports, and a :class:`_common.Command` named ``COMMAND`` that gives its help, examples and
flags to :mod:`hubs.cli.parser`.  Adding a command is one module here and one line in
:data:`MODULES`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubs.cli.parser import Command

    TABLE: tuple[Command[Any], ...]  # every command, built on first use by __getattr__

# The commands, in the order `hubs --help` lists them; maintenance commands last: each
# name with the module that holds it, imported only when that command runs (or is listed).
MODULES: dict[str, str] = {
    "compile": "compile",
    "check": "check",
    "diff": "diff",
    "update": "update",
    "verify": "verify",
    "lint": "lint",
    "import": "import_",
    "adopt": "adopt",
    "reconcile": "reconcile",
    "list": "list_",
    "explain": "explain",
    "set": "set_",
    "promote": "promote",
    "extract-image": "extract_image",
    "docs": "docs",
    "completion": "completion",
    "schema": "schema",
}


def load(name: str) -> Command[Any]:
    """The command ``name``, importing its module and no other."""
    command: Command[Any] = importlib.import_module(f"{__name__}.{MODULES[name]}").COMMAND
    return command


def __getattr__(name: str) -> Any:
    """``TABLE``: every command, in the order of :data:`MODULES` (imports them all)."""
    if name != "TABLE":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    table = tuple(load(command) for command in MODULES)
    globals()["TABLE"] = table
    return table
