"""Metrics files in three formats: CSV long, CSV wide (one file per service), OpenMetrics.

The OpenMetrics text keeps each metric family together and each series in time order, with
timestamps in seconds and a closing `# EOF`, as `promtool tsdb create-blocks-from openmetrics`
requires.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from warroom import duck
from warroom.simulate.metrics import MetricSet
from warroom.simulate.world import World
from warroom.simulate.writers.table import write_lines

METRIC_FORMATS = ("csv_long", "csv_wide", "openmetrics")
TS = "strftime(make_timestamp(ts_us), '%Y-%m-%dT%H:%M:%SZ')"
VALUE = "round(value, 3)::VARCHAR"
LABELLED = "upstream_latency_ms"  # the one metric with a label besides host


def _samples(metrics: MetricSet, world: World) -> pa.Table:
    """One row per sample, series after series (a loop over series, not over samples)."""
    keys = sorted(metrics.series, key=lambda k: (k[1], world.host_index(k[0])))
    size = metrics.ts_us.size
    names = metrics.metric_names()
    hosts = np.array([world.host_index(host) for host, _ in keys])
    services = sorted(set(world.host_service))
    host_service = np.array([services.index(s) for s in world.host_service])

    def labels(codes: np.ndarray, values: list[str] | tuple[str, ...]) -> pa.DictionaryArray:
        indices = pa.array(np.repeat(codes, size).astype(np.int32))
        return pa.DictionaryArray.from_arrays(indices, pa.array(list(values), pa.string()))

    return pa.table(
        {
            "series": np.repeat(np.arange(len(keys)), size),
            "ts_us": np.tile(metrics.ts_us, len(keys)),
            "metric": labels(np.array([names.index(m) for _, m in keys]), names),
            "host": labels(hosts, world.hosts),
            "host_code": np.repeat(hosts, size),
            "service": labels(host_service[hosts], services),
            "value": np.concatenate([metrics.series[key] for key in keys]),
        }
    )


def _write(
    con: duckdb.DuckDBPyConnection, path: Path, sql: str, *, header: str = "", footer: str = ""
) -> Path:
    write_lines(path, con.sql(sql).to_arrow_table().column("line"), header=header, footer=footer)
    return path


def write_metrics(*, out: Path, metrics: MetricSet, world: World, fmt: str) -> list[Path]:
    """metrics/hosts.csv + upstreams.csv, metrics/<service>.csv, or metrics/hosts.om."""
    con = duck.connect()
    con.register("samples", _samples(metrics, world))
    folder = out / "metrics"
    upstream = metrics.labels.get(LABELLED, {}).get("upstream", "")
    if fmt == "csv_wide":
        return [_write_wide(con, folder, service) for service in dict.fromkeys(world.host_service)]
    if fmt == "openmetrics":
        return [_write_openmetrics(con, folder / "hosts.om", upstream)]
    line = f"{TS} || ',' || metric || ',' || {VALUE} || ',' || host"
    return [
        _write(
            con,
            folder / "hosts.csv",
            f"SELECT {line} || chr(10) AS line FROM samples "
            f"WHERE metric <> '{LABELLED}' ORDER BY ts_us, series",
            header="timestamp,metric,value,host\n",
        ),
        _write(
            con,
            folder / "upstreams.csv",
            f"SELECT {line} || ',{upstream}' || chr(10) AS line "
            f"FROM samples WHERE metric = '{LABELLED}' ORDER BY ts_us, series",
            header="timestamp,metric,value,host,upstream\n",
        ),
    ]


def _write_wide(con: duckdb.DuckDBPyConnection, folder: Path, service: str) -> Path:
    names = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT metric FROM samples WHERE service = ? ORDER BY metric", [service]
        ).fetchall()
    ]
    cells = " || ',' || ".join(
        f"coalesce(max(CASE WHEN metric = '{m}' THEN {VALUE} END), '')" for m in names
    )
    sql = f"""SELECT {TS} || ',' || host || ',' || {cells} || chr(10) AS line FROM samples
      WHERE service = '{service}' GROUP BY ts_us, host, host_code ORDER BY ts_us, host_code"""
    header = ",".join(["timestamp", "host", *names]) + "\n"
    return _write(con, folder / f"{service}.csv", sql, header=header)


def _write_openmetrics(con: duckdb.DuckDBPyConnection, path: Path, upstream: str) -> Path:
    labels = f"""'{{host="' || host || '"' || CASE WHEN metric = '{LABELLED}'
      THEN ',upstream="{upstream}"' ELSE '' END || '}}'"""
    sample = f"metric || {labels} || ' ' || {VALUE} || ' ' || (ts_us // 1000000)::VARCHAR"
    sql = f"""SELECT line FROM (
        SELECT metric, -1 AS series, 0 AS ts_us, '# TYPE ' || metric || ' gauge' || chr(10) AS line
        FROM samples GROUP BY metric
        UNION ALL
        SELECT metric, series, ts_us, {sample} || chr(10) FROM samples)
      ORDER BY metric, series, ts_us"""
    return _write(con, path, sql, footer="# EOF\n")
