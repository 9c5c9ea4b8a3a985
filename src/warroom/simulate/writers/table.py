"""From event columns to a DuckDB view, and from a column of formatted lines to files.

Codes become dictionary-encoded Arrow columns (the strings exist once per distinct value), so
DuckDB formats millions of lines without Python touching each one. Formatted lines come back
as Arrow string arrays whose data buffer, with a newline appended to every line, already *is*
the file's content: it is written as one block.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from warroom import duck
from warroom.simulate.background import JOBS
from warroom.simulate.eventlog import LEVELS, Columns, EventLog
from warroom.simulate.timeline import US
from warroom.simulate.world import (
    BROWSERS,
    PAYMENT_METHODS,
    QUANTITIES,
    ROUTES,
    SERVICES,
    UPSTREAMS,
    World,
)


def _labels(codes: np.ndarray, values: Sequence[str]) -> pa.DictionaryArray:
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(values), pa.string()))


def event_table(*, events: Columns, world: World, log: EventLog, offset_s: int) -> pa.Table:
    """The events as an Arrow table of readable columns (NULL where a field is absent).

    Rows are grouped by host, in time order within each host, which is the order of every
    per-host file; `row_id` numbers them, so that formatted lines can be put back in that
    order with one cheap `take` instead of an SQL sort of millions of long strings.
    """
    seq = np.arange(events["ts"].size, dtype=np.int64)
    by_host = np.lexsort((seq, events["host"]))
    events = {name: column[by_host] for name, column in events.items()}
    route = events["route"]
    has_route = route >= 0
    method = np.where(
        has_route,
        np.array([0 if r.method == "GET" else 1 for r in ROUTES])[np.maximum(route, 0)],
        -1,
    )
    faults = log.faults
    return pa.table(
        {
            "seq": seq[by_host],
            "row_id": np.arange(seq.size, dtype=np.int64),
            "ts_us": events["ts"],
            "local_us": events["ts"] + offset_s * US,
            "host_code": events["host"].astype(np.int32),
            "host": _labels(events["host"], world.hosts),
            "service": _labels(events["service"], SERVICES),
            "kind": events["kind"],
            "level": _labels(events["level"], LEVELS),
            "method": _labels(method, ("GET", "POST")),
            "template": _labels(route, [r.template for r in ROUTES]),
            "obj": events["obj"],
            "status": pa.array(events["status"], mask=events["status"] == 0),
            "duration_us": pa.array(events["duration_us"], mask=events["duration_us"] < 0),
            "user_id": pa.array(events["user"], mask=events["user"] < 0),
            "user_agent": _labels(events["agent"], [b.user_agent for b in BROWSERS]),
            "quantity": _labels(events["quantity"], QUANTITIES),
            "payment": _labels(events["payment"], PAYMENT_METHODS),
            "upstream": _labels(events["upstream"], UPSTREAMS),
            "message": _labels(events["message"], log.messages),
            "exc_type": _labels(events["fault"], [f.exception_type for f in faults]),
            "exc_message": _labels(events["fault"], [f.message for f in faults]),
            "stack": _labels(events["fault"], [f.stack for f in faults]),
            "job": _labels(events["job"], JOBS),
        }
    )


# Derived columns every format uses: the path with its id, the query string, the user name.
EVENT_VIEW = """
CREATE OR REPLACE VIEW ev AS
SELECT *,
  make_timestamp(ts_us) AS ts,
  make_timestamp(local_us) AS local_ts,
  replace(template, '{id}', obj::VARCHAR) AS path,
  CASE WHEN quantity IS NOT NULL
       THEN 'sku=SKU-' || (obj % 9000 + 1000)::VARCHAR || '&quantity=' || quantity
       WHEN payment IS NOT NULL THEN 'payment_method=' || payment END AS query,
  CASE WHEN quantity IS NOT NULL THEN 'SKU-' || (obj % 9000 + 1000)::VARCHAR END AS sku,
  'u' || user_id::VARCHAR AS user_name,
  round(duration_us / 1000.0, 1) AS duration_ms
FROM events
"""


def connect(table: pa.Table) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the events registered and the `ev` view on top."""
    con = duck.connect()
    con.execute("SET preserve_insertion_order = true")
    con.register("events", table)
    con.execute(EVENT_VIEW)
    return con


def write_lines(
    path: Path, lines: pa.ChunkedArray | pa.Array, *, header: str = "", footer: str = ""
) -> None:
    """Write strings that already end in a newline, straight from the Arrow buffers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chunks = lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]
    with path.open("wb") as handle:
        handle.write(header.encode("utf-8"))
        for given in chunks:
            plain = pa.types.is_string(given.type) or pa.types.is_large_string(given.type)
            chunk = given if plain else given.cast(pa.large_string())
            width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            buffers = chunk.buffers()
            offsets = np.frombuffer(buffers[1], dtype=width)[chunk.offset :]
            if len(chunk) and buffers[2] is not None:
                handle.write(memoryview(buffers[2])[offsets[0] : offsets[len(chunk)]])
        handle.write(footer.encode("utf-8"))


def split_by_host(result: pa.Table) -> Iterator[tuple[int, pa.ChunkedArray]]:
    """(host code, lines) per host from a result with host_code, row_id and line columns.

    DuckDB scans in parallel and may hand rows back in any order: `row_id` restores the
    table's order (grouped by host, time-ordered within) before the split.
    """
    rows = result.column("row_id").to_numpy()
    if rows.size > 1 and np.any(np.diff(rows) < 0):
        result = result.take(pa.array(np.argsort(rows, kind="stable")))
    codes = result.column("host_code").to_numpy()
    if codes.size == 0:
        return
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(codes)) + 1, [codes.size]))
    lines = result.column("line")
    for start, stop in itertools.pairwise(bounds):
        yield int(codes[start]), lines.slice(int(start), int(stop - start))


def write_per_host(
    con: duckdb.DuckDBPyConnection, sql: str, *, world: World, path_for: dict[str, Path]
) -> list[Path]:
    """Run `sql` (columns host_code, row_id, line) and write one file per host.

    Hosts missing from `path_for` are not written.
    """
    written = []
    for code, lines in split_by_host(con.sql(sql).to_arrow_table()):
        path = path_for.get(world.hosts[code])
        if path is not None:
            write_lines(path, lines)
            written.append(path)
    return written
