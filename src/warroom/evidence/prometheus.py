"""Live metrics from a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, Victoria...).

The manifest's `prometheus.url` is asked for range queries over the windows: a default set
(`up`, CPU busy, memory used, disk used, from the node exporter's metrics) plus the manifest's own
`queries`. Each query's series become samples of one metric named after the query, in the same
`metrics` table as the files' samples, with `host` lifted from the `host` or `instance` label.
A source that cannot be reached, or a query it rejects, is reported as skipped: the files of
the bundle are still investigated.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import httpx
import pyarrow as pa  # type: ignore[import-untyped]

from warroom.evidence.manifest import Interval, PrometheusSource
from warroom.evidence.metrics import insert_samples
from warroom.evidence.types import FileLoad
from warroom.timeutil import parse_duration

DEFAULT_QUERIES = {
    "up": "up",
    "cpu_busy_percent": (
        '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))'
    ),
    "memory_used_percent": (
        "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)"
    ),
    "disk_used_percent": (
        '100 * (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"}'
        ' / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"})'
    ),
}
MAX_POINTS = 10_000  # Prometheus refuses more than 11,000 points per series
MIN_STEP = timedelta(seconds=15)
TIMEOUT_S = 30.0
_views = itertools.count()
# label_key is the series' labels as a JSON object
_ENTRIES = "map_entries(CAST(CAST(label_key AS JSON) AS MAP(VARCHAR, VARCHAR)))"


@dataclass
class LiveResult:
    """What the live source gave: one load per query, and what could not be read, with why."""

    loads: list[FileLoad] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def choose_step(span: Interval, *, step: str | None) -> timedelta:
    """The manifest's step, else the smallest multiple of a second keeping under MAX_POINTS."""
    if step:
        return parse_duration(step)
    seconds = math.ceil((span[1] - span[0]).total_seconds() / MAX_POINTS)
    return max(MIN_STEP, timedelta(seconds=seconds))


def load_prometheus(
    con: duckdb.DuckDBPyConnection,
    source: PrometheusSource,
    *,
    span: Interval | None,
    transport: httpx.BaseTransport | None = None,
) -> LiveResult:
    """Run the default and the manifest's queries over `span`, into the `metrics` table."""
    result = LiveResult()
    if span is None:
        reason = "no incident window in the manifest, so there is no range to query"
        result.skipped.append((source.url, reason))
        return result
    step = choose_step(span, step=source.step)
    queries = {**DEFAULT_QUERIES, **source.queries}
    with httpx.Client(base_url=source.url, timeout=TIMEOUT_S, transport=transport) as client:
        for name, query in queries.items():
            label = f"prometheus:{name}"
            try:
                series = _query_range(client, query, span=span, step=step)
            except httpx.TransportError as exc:
                result.skipped.append((source.url, f"cannot be reached: {exc}"))
                return result
            except _QueryError as exc:
                result.skipped.append((label, str(exc)))
                continue
            result.loads.append(_insert_series(con, series, metric=name, source=label))
    return result


class _QueryError(Exception):
    """The server answered, but not with a range-query result for this query."""


def _query_range(
    client: httpx.Client, query: str, *, span: Interval, step: timedelta
) -> list[dict[str, Any]]:
    params = {
        "query": query,
        "start": f"{span[0].timestamp():.3f}",
        "end": f"{span[1].timestamp():.3f}",
        "step": f"{step.total_seconds():g}",
    }
    response = client.get("/api/v1/query_range", params=params)
    try:
        body = response.json()
    except ValueError as exc:
        raise _QueryError(f"answered HTTP {response.status_code} without JSON") from exc
    if body.get("status") != "success":
        raise _QueryError(f"query {query!r} failed: {body.get('error', response.status_code)}")
    data = body.get("data", {})
    if data.get("resultType") != "matrix":
        raise _QueryError(f"query {query!r} did not return a range (matrix) result")
    return list(data.get("result", []))


def _insert_series(
    con: duckdb.DuckDBPyConnection, series: list[dict[str, Any]], *, metric: str, source: str
) -> FileLoad:
    """The series of one query as samples (a few series of at most MAX_POINTS points each)."""
    times: list[datetime] = []
    raws: list[str] = []
    keys: list[str] = []
    examples: list[str] = []
    for one in series:
        found = {k: v for k, v in sorted(one.get("metric", {}).items()) if k != "__name__"}
        key = json.dumps(found)
        name = metric + "{" + ",".join(f'{k}="{v}"' for k, v in found.items()) + "}"
        for moment, raw in one.get("values", []):
            times.append(datetime.fromtimestamp(float(moment), UTC).replace(tzinfo=None))
            raws.append(str(raw))
            keys.append(key)
            examples.append(f"{name} {raw} {moment}")
    table = pa.table(
        {
            "n": pa.array(range(1, len(times) + 1), pa.int64()),
            "ts": pa.array(times, pa.timestamp("us")),
            "metric": pa.array([metric] * len(times), pa.string()),
            "raw": pa.array(raws, pa.string()),
            "label_key": pa.array(keys, pa.string()),
            "problem": pa.nulls(len(times), pa.string()),
            "example": pa.array(examples, pa.string()),
        }
    )
    view = f"warroom_live_{next(_views)}"
    con.register(view, table)
    try:
        return insert_samples(
            con,
            view,
            example="example",
            entries=_ENTRIES,
            source=source,
            fmt="prometheus_live",
            file_host=None,
        )
    finally:
        con.unregister(view)
