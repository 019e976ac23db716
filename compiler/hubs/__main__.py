"""``python -m hubs``: the ``hubs`` command, for when the console script is not on PATH."""

from .cli import main

raise SystemExit(main())
