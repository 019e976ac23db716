"""The commands of ``hubs``, one module each.

Each module holds a frozen dataclass of its options (extending :class:`_common.Where`), a
``run(options) -> int`` that loads what it needs, computes everything, then writes and
reports, and a :class:`_common.Command` named ``COMMAND`` that gives its help, examples and
flags to :mod:`hubs.cli`.  Adding a command is one module here and one line in
``hubs.cli.TABLE``.
"""
