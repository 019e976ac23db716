"""The commands of ``hubs``, one module each.

Each module holds a frozen dataclass of its options (extending :class:`_common.Where`), a
``run(options) -> int`` that loads what it needs, computes everything, then writes and
reports, and a :class:`_common.Command` named ``COMMAND`` that gives its help, examples and
flags to :mod:`hubs.parser`.  Adding a command is one module here and one line in
:data:`TABLE`.
"""

from __future__ import annotations

from typing import Any

from . import (
    adopt,
    check,
    compile,
    completion,
    diff,
    docs,
    explain,
    extract_image,
    import_,
    lint,
    list_,
    promote,
    reconcile,
    schema,
    set_,
    update,
    verify,
)
from ._common import Command

# The commands, in the order `hubs --help` lists them; maintenance commands last.
TABLE: tuple[Command[Any], ...] = (
    compile.COMMAND,
    check.COMMAND,
    diff.COMMAND,
    update.COMMAND,
    verify.COMMAND,
    lint.COMMAND,
    import_.COMMAND,
    adopt.COMMAND,
    reconcile.COMMAND,
    list_.COMMAND,
    explain.COMMAND,
    set_.COMMAND,
    promote.COMMAND,
    extract_image.COMMAND,
    docs.COMMAND,
    completion.COMMAND,
    schema.COMMAND,
)
