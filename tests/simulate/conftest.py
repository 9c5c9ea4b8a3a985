"""Shared fixtures: bundles generated once per test session, and a reader for their JSON logs."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from warroom.simulate import Truth, generate

SMALL = 20_000  # lines: enough for the statistics below, quick to write
Bundle = tuple[Path, Truth]
MakeBundle = Callable[..., Bundle]

# The contract's aliases for the fields the tests look at (JSON lines, after flattening).
ALIASES = {
    "ts": ("timestamp", "@timestamp", "ts", "time"),
    "host": ("host", "host.name", "hostname", "node"),
    "status": ("status", "http.response.status_code", "status_code"),
    "path": ("path", "url.path", "url"),
    "method": ("method", "http.request.method"),
    "level": ("level", "log.level", "lvl", "severity"),
    "user_agent": ("user_agent",),
    "exception": ("exception", "error.type", "error", "exception.type"),
}


@pytest.fixture(scope="session")
def make_bundle(tmp_path_factory: pytest.TempPathFactory) -> MakeBundle:
    """make_bundle(scenario, fmt="jsonl", seed=11, lines=SMALL) -> (directory, truth), cached."""
    made: dict[tuple[str, str, int, int], Bundle] = {}

    def make(scenario: str, fmt: str = "jsonl", seed: int = 11, lines: int = SMALL) -> Bundle:
        key = (scenario, fmt, seed, lines)
        if key not in made:
            out = tmp_path_factory.mktemp(f"{scenario}-{fmt}-{seed}")
            made[key] = (out, generate(scenario, seed=seed, out=out, fmt=fmt, lines=lines))
        return made[key]

    return make


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys, the way the contract matches JSON keys."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if type(value) is dict:
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def _instant(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value) / 1000.0  # the web tier logs epoch milliseconds
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def normalise(record: dict[str, Any]) -> dict[str, Any]:
    """One JSON log record in canonical field names (ts as epoch seconds, path without query)."""
    flat = flatten(record)
    row: dict[str, Any] = {"attrs": flat}
    for field, keys in ALIASES.items():
        row[field] = next((flat[k] for k in keys if k in flat), None)
    row["ts"] = _instant(row["ts"])
    if row["path"] is not None:
        row["path"] = str(row["path"]).split("?")[0]
    return row


def read_jsonl(out: Path) -> list[dict[str, Any]]:
    """Every record of a JSON-lines bundle, normalised and sorted by time."""
    rows = []
    for path in sorted((out / "logs").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows += [normalise(json.loads(line)) for line in handle]
    return sorted(rows, key=lambda r: r["ts"])


def epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def error_rate(rows: list[dict[str, Any]]) -> float:
    requests = [r for r in rows if r["status"] is not None]
    failed = [r for r in requests if int(r["status"]) >= 500]
    return len(failed) / max(len(requests), 1)


Rows = list[dict[str, Any]]


@pytest.fixture(scope="session")
def rows_of(make_bundle: MakeBundle) -> Callable[[str], tuple[Rows, Truth, Path]]:
    """rows_of(scenario) -> (normalised JSON-lines records, truth, bundle directory), cached."""
    read: dict[str, tuple[Rows, Truth, Path]] = {}

    def rows(scenario: str) -> tuple[Rows, Truth, Path]:
        if scenario not in read:
            out, truth = make_bundle(scenario)
            read[scenario] = (read_jsonl(out), truth, out)
        return read[scenario]

    return rows
