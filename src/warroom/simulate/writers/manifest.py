"""The optional `warroom.yaml`: the time zone, and sometimes the incident window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from warroom.simulate.timeline import iso


def write_manifest(*, out: Path, timezone: str, window_us: tuple[int, int] | None) -> Path | None:
    """warroom.yaml when there is something to say (a zone other than UTC, or a window)."""
    manifest: dict[str, Any] = {}
    if timezone != "UTC":
        manifest["timezone"] = timezone
    if window_us is not None:
        manifest["window"] = {"incident": [iso(window_us[0]), iso(window_us[1])]}
    if not manifest:
        return None
    path = out / "warroom.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return path
