"""Change events as JSON lines, a JSON array or CSV (the contract's three change formats)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from warroom.simulate.model import Change
from warroom.simulate.timeline import iso

CHANGE_FORMATS = ("jsonl", "json", "csv")
FIELDS = (
    "id",
    "timestamp",
    "type",
    "service",
    "version",
    "hosts",
    "author",
    "description",
    "commit",
)


def _record(change: Change) -> dict[str, Any]:
    return {
        "id": change.id,
        "timestamp": iso(change.ts_us),
        "type": change.type,
        "service": change.service,
        "version": change.version,
        "hosts": list(change.hosts),
        "author": change.author,
        "description": change.description,
        "commit": change.commit,
    }


def write_changes(*, out: Path, changes: list[Change], fmt: str) -> Path:
    """changes/deploys.jsonl, changes/changes.json or changes/changes.csv, oldest first."""
    records = [_record(c) for c in sorted(changes, key=lambda c: (c.ts_us, c.id))]
    folder = out / "changes"
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        path = folder / "deploys.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    elif fmt == "json":
        path = folder / "changes.json"
        path.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    else:
        path = folder / "changes.csv"
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({**record, "hosts": ",".join(record["hosts"])})
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
