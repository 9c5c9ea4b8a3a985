"""logfmt: `key=value` lines (Go slog / logrus style), one file per host, times in UTC."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warroom.simulate.world import World
from warroom.simulate.writers.sql import MESSAGE, REQUEST_FIELDS, logfmt_pairs
from warroom.simulate.writers.table import write_per_host

HEAD = [
    ("time", "strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ')"),
    ("level", "level"),
    ("host", "host"),
    ("service", "service"),
    ("msg", MESSAGE),
]


def write_logfmt(con: duckdb.DuckDBPyConnection, *, out: Path, world: World) -> list[Path]:
    """logs/<host>.log for every host; stack traces ride along with escaped newlines."""
    line = logfmt_pairs([*HEAD, *REQUEST_FIELDS, ("stack", "stack")])
    sql = f"SELECT host_code, row_id, {line} || chr(10) AS line FROM ev"
    paths = {h: out / "logs" / f"{h}.log" for h in world.hosts}
    return write_per_host(con, sql, world=world, path_for=paths)
