"""Checks of compiled output: the image keys against what the chart accepts.

``CHART_IMAGES_SCHEMA`` (also written to ``schema/chart-images.schema.json`` by
``hubs schema``) describes the user-image keys of a values file; the tree's own
``helm-charts/basehub/values.schema.yaml`` is applied to the chart's values when it changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hubs.compile.plan import FileEdit
from hubs.errors import InputError
from hubs.files.fileio import read_regular
from hubs.files.paths import inside
from hubs.policy import imageref
from hubs.tree import locations, yamldoc
from hubs.tree.clusters import CHART_SCHEMA
from hubs.tree.yamldoc import YamlPath

_REF = imageref.REFERENCE_PATTERN
_TAG = imageref.VERSION_PATTERN

CHART_IMAGES_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "User-image keys of a basehub/daskhub values file",
    "type": "object",
    "properties": {
        "singleuser": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "pattern": _REF},
                "tag": {"type": "string", "pattern": _TAG},
                "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never", None, ""]},
                "pullSecrets": {"type": "array"},
            },
        },
        "profiles": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^(?:\{value\}|" + _REF[1:-1] + r")$"},
        },
    },
}


def image_keys(data: object, prefix: YamlPath) -> dict[str, Any]:
    """The user-image keys of loaded values data, shaped for ``CHART_IMAGES_SCHEMA``, found
    by the rows of :mod:`hubs.tree.locations` (the managed ones: user-controlled images are not
    ours)."""
    singleuser = next(locations.values_at(data, (*map(str, prefix), *locations.SINGLEUSER)), None)
    out: dict[str, Any] = {}
    if not isinstance(singleuser, dict):
        return out
    for image in locations.values_at(singleuser, locations.SINGLEUSER_IMAGE.path):
        out["singleuser"] = image
    profiles = singleuser.get(locations.PROFILE_LIST)
    images = [
        image
        for profile in (profiles if isinstance(profiles, list) else [])
        for location in locations.PROFILE_LOCATIONS
        if location.managed
        for image in locations.values_at(profile, location.path)
    ]
    if images:
        out["profiles"] = images
    return out


def check_edits(root: Any, edits: tuple[FileEdit, ...], prefixes: dict[str, YamlPath]) -> list[str]:
    """One message per violation an edit introduces (empty when all is well).

    The image keys must fit ``CHART_IMAGES_SCHEMA``, and the chart's values the tree's
    ``values.schema.yaml``.  Only what an edit *introduces* is reported: a broken image the
    tree already holds is kept as written, and no single file satisfies the chart's schema
    alone.
    """
    if not edits:
        return []
    import jsonschema  # heavy (50 ms and more): only a run that edits validates

    validator = jsonschema.Draft202012Validator(CHART_IMAGES_SCHEMA)
    chart = _chart_validator(root)
    errors: list[str] = []
    for edit in edits:
        prefix = prefixes.get(edit.path, ())
        old, data = edit.data  # loaded by the edit check
        known = {m for _, m in _violations(validator, image_keys(old, prefix))}
        for where, message in sorted(_violations(validator, image_keys(data, prefix))):
            if message not in known:
                errors.append(f"{edit.path}: compiled {where}: {message}")
        if chart is not None:
            before = _violations(chart, _unnest(old, prefix))
            for where, message in sorted(_violations(chart, _unnest(data, prefix)) - before):
                errors.append(
                    f"{edit.path}: compiled values fail {CHART_SCHEMA} at {where}: {message}"
                )
    return errors


def _chart_validator(root: Path) -> Any:
    """The tree's chart schema (through the guards every read of the tree takes), or None
    when the tree has none."""
    import jsonschema  # heavy: only check_edits, a run that edits, gets here

    path = inside(root, CHART_SCHEMA, CHART_SCHEMA)
    if not path.exists():
        return None
    schema = yamldoc.load_data(read_regular(path, CHART_SCHEMA), CHART_SCHEMA)
    if not isinstance(schema, dict):
        kind = type(schema).__name__
        raise InputError(f"{CHART_SCHEMA}: a JSON Schema is a mapping, not a {kind}")
    return jsonschema.Draft7Validator(schema)


def _unnest(data: Any, prefix: YamlPath) -> Any:
    for key in prefix:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _violations(validator: Any, data: Any) -> set[tuple[str, str]]:
    return {
        ("/".join(str(p) for p in err.absolute_path) or "(top)", err.message)
        for err in validator.iter_errors(data)
    }
