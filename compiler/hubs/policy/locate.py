"""Where hubs' own files are: hubs.toml, found from a folder upwards, and hubs.lock beside
it; reading hubs.toml's text.  Nothing here parses, so a replayed check needs no more."""

from __future__ import annotations

import os
from pathlib import Path

from hubs.errors import InputError
from hubs.files.fileio import read_regular

CONFIG_NAME = "hubs.toml"
LOCK_NAME = "hubs.lock"


class ConfigError(InputError):
    """Bad hubs.toml or hubs.lock; each diagnostic names the place."""


def find_config(start: Path) -> Path:
    """hubs.toml in ``start`` or the nearest folder above it.

    The nearest entry of that name counts whatever it is: a folder or a dangling link named
    hubs.toml is refused when read (exit 2), never passed over for a fleet further up."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if os.path.lexists(candidate):
            return candidate
    raise ConfigError([f"{start}: no {CONFIG_NAME} here or in any folder above"])


def read_text(path: Path) -> str:
    return read_regular(path, str(path))
