"""Syslog: RFC 5424 (UTC, with year and milliseconds) or RFC 3164 (local time, no year).

The message part is logfmt, as applications that log to syslog commonly write it. Syslog
messages are single lines, so stack traces are left out (the exception type and message stay).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warroom.simulate.world import World
from warroom.simulate.writers.sql import MESSAGE, REQUEST_FIELDS, logfmt_pairs
from warroom.simulate.writers.table import write_per_host

FACILITY_LOCAL0 = 16
SEVERITY = (
    "CASE level WHEN 'debug' THEN 7 WHEN 'info' THEN 6 WHEN 'warn' THEN 4 "
    "WHEN 'error' THEN 3 ELSE 2 END"
)
APP = "CASE service WHEN 'cron' THEN 'CRON' ELSE service END"
PROCID = "(1000 + host_code * 37 + length(service))::VARCHAR"


def _header(rfc: int) -> str:
    pri = f"'<' || ({FACILITY_LOCAL0 * 8} + {SEVERITY})::VARCHAR || '>'"
    if rfc == 5424:
        return (
            f"{pri} || '1 ' || strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') || ' ' || host || ' ' "
            f"|| {APP} || ' ' || {PROCID} || ' - - '"
        )
    day = "lpad(day(local_ts)::VARCHAR, 2, ' ')"
    return (
        f"{pri} || strftime(local_ts, '%b') || ' ' || {day} || strftime(local_ts, ' %H:%M:%S')"
        f" || ' ' || host || ' ' || {APP} || '[' || {PROCID} || ']: '"
    )


def write_syslog(
    con: duckdb.DuckDBPyConnection, *, out: Path, world: World, rfc: int
) -> list[Path]:
    """logs/syslog/<host>.log for every host, in the given RFC's format."""
    body = logfmt_pairs([("msg", MESSAGE), *REQUEST_FIELDS])
    sql = f"SELECT host_code, row_id, {_header(rfc)} || {body} || chr(10) AS line FROM ev "
    paths = {h: out / "logs" / "syslog" / f"{h}.log" for h in world.hosts}
    return write_per_host(con, sql, world=world, path_for=paths)
