"""JSON Schemas shipped with warroom (the investigation contract)."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any


def investigation_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (files(__name__) / "investigation.schema.json").read_text("utf-8")
    )
    return loaded
