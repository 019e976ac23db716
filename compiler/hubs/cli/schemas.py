"""The JSON Schemas hubs publishes in ``schema/``: hubs.toml, and the chart's image keys."""

from __future__ import annotations

import json
from pathlib import Path

HUBS_SCHEMA = "schema/hubs.schema.json"
CHART_IMAGES_SCHEMA = "schema/chart-images.schema.json"


def rendered() -> dict[str, str]:
    """File path (relative to the project root) -> exact JSON text."""
    from hubs.compile.validate import CHART_IMAGES_SCHEMA as images
    from hubs.policy.schema import json_schema

    def dump(data: object) -> str:
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    return {HUBS_SCHEMA: dump(json_schema()), CHART_IMAGES_SCHEMA: dump(images)}


def write_schemas(root: Path) -> list[Path]:
    """Write the schemas under ``root``; files already up to date are left alone."""
    from hubs.files.transaction import write_changed

    return write_changed(root, rendered())
