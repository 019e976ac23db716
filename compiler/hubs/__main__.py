"""``python -m hubs``: the ``hubs`` command, for when the console script is not on PATH."""

from hubs.cli.main import main

raise SystemExit(main())
