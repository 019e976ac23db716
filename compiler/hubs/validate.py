"""Checks of compiled output: the image keys against what the chart accepts.

``CHART_IMAGES_SCHEMA`` (also written to ``schema/chart-images.schema.json`` by
``hubs schema``) describes the user-image keys of a values file; the tree's own
``helm-charts/basehub/values.schema.yaml`` is applied to the chart's values when it changes.
"""

from __future__ import annotations

from typing import Any

from . import imageref, yamldoc
from .clusters import CHART_SCHEMA
from .plan import FileEdit
from .yamldoc import YamlPath

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
    """The user-image keys of loaded values data, shaped for ``CHART_IMAGES_SCHEMA``."""
    node: Any = data
    for key in (*prefix, "jupyterhub", "singleuser"):
        node = node.get(key) if isinstance(node, dict) else None
    out: dict[str, Any] = {}
    if not isinstance(node, dict):
        return out
    if "image" in node:
        out["singleuser"] = node["image"]
    images: list[Any] = []
    for profile in node.get("profileList") or []:
        if not isinstance(profile, dict):
            continue
        kso = profile.get("kubespawner_override") or {}
        if isinstance(kso, dict) and "image" in kso:
            images.append(kso["image"])
        option = (profile.get("profile_options") or {}).get("image") or {}
        for choice in (option.get("choices") or {}).values():
            kso = (choice or {}).get("kubespawner_override") or {}
            if isinstance(kso, dict) and "image" in kso:
                images.append(kso["image"])
    if images:
        out["profiles"] = images
    return out


def check_edits(
    root: Any, edits: tuple[FileEdit, ...], prefixes: dict[str, YamlPath]
) -> list[str]:
    """One message per violation in the edited files (empty when all is well).

    The image keys must fit ``CHART_IMAGES_SCHEMA``.  The tree's ``values.schema.yaml``
    describes whole merged values, which no single file satisfies alone, so only the
    violations an edit *introduces* are reported.
    """
    if not edits:
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(CHART_IMAGES_SCHEMA)
    chart = _chart_validator(root)
    errors: list[str] = []
    for edit in edits:
        prefix = prefixes.get(edit.path, ())
        data = yamldoc.load_data(edit.new)
        for err in validator.iter_errors(image_keys(data, prefix)):
            where = "/".join(str(p) for p in err.absolute_path)
            errors.append(f"{edit.path}: compiled {where}: {err.message}")
        if chart is not None:
            before = _violations(chart, _unnest(yamldoc.load_data(edit.old), prefix))
            for where, message in sorted(_violations(chart, _unnest(data, prefix)) - before):
                errors.append(
                    f"{edit.path}: compiled values fail {CHART_SCHEMA} at {where}: {message}"
                )
    return errors


def _chart_validator(root: Any) -> Any:
    import jsonschema

    path = root / CHART_SCHEMA
    if not path.is_file():
        return None
    return jsonschema.Draft7Validator(yamldoc.load_data(path.read_text(encoding="utf-8")))


def _unnest(data: Any, prefix: YamlPath) -> Any:
    for key in prefix:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _violations(validator: Any, data: Any) -> set[tuple[str, str]]:
    return {
        ("/".join(str(p) for p in err.absolute_path) or "(top)", err.message)
        for err in validator.iter_errors(data)
    }
