"""The model cache's format: a validated hubs.toml or hubs.lock as plain JSON data, and back.

A run whose hubs.toml (or hubs.lock) holds bytes that validated before takes the model from
the cache instead of validating again, so it never imports Pydantic.  Only what
:mod:`hubs.policy.schema` validated is ever stored.  The data names only the classes of
:mod:`hubs.policy.model` (and image references and days): a dataclass is an object with its
class under ``"$"``, a mapping of hubs.toml (whose keys are the user's) is
``{"$": "map", "v": [[key, value], ...]}``, a day is ``{"$": "date", "v": "YYYY-MM-DD"}``.
Anything else (another class, a missing or unknown field) raises, and the cache counts that
as a miss; nothing read is ever run as code.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from typing import TypeVar

from hubs.policy import model
from hubs.policy.imageref import ImageRef

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        ImageRef,
        model.Follow,
        model.Promote,
        model.Broken,
        model.Profile,
        model.Scope,
        model.Cluster,
        model.Defaults,
        model.Registries,
        model.Packages,
        model.Lint,
        model.Sync,
        model.Config,
        model.LockEntry,
        model.Lock,
    )
}

T = TypeVar("T")


def encode(value: object) -> object:
    """``value`` (a model, or anything in one) as JSON data."""
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, object] = {"$": type(value).__name__}
        out.update((f.name, encode(getattr(value, f.name))) for f in fields(value))
        return out
    if isinstance(value, date):
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, dict):
        return {"$": "map", "v": [[key, encode(item)] for key, item in value.items()]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    return value


def decode(data: object, expected: type[T]) -> T:
    """What :func:`encode` made of an ``expected``; KeyError, TypeError or ValueError for
    anything else."""
    found = _decode(data)
    if not isinstance(found, expected):
        raise TypeError(f"not a {expected.__name__}")
    return found


def _decode(data: object) -> object:
    if isinstance(data, list):
        return [_decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    tag = data["$"]
    if tag == "map":
        return {str(key): _decode(item) for key, item in data["v"]}
    if tag == "date":
        return date.fromisoformat(data["v"])
    made = _CLASSES[tag]
    return made(**{key: _decode(item) for key, item in data.items() if key != "$"})
