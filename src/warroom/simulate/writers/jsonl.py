"""JSON lines, one file per host, in the key style of the service that owns the host.

Each service logs the way its stack does, all within the contract's aliases: the api like
structlog (`timestamp`, `event`, `user_id`, nested `params`), checkout like a logstash encoder
(`@timestamp` with an offset, nested `host.name`, `http.*`, `error.*`), the web tier like pino
(`ts` in epoch milliseconds, `lvl`, `msg`), the workers with OpenTelemetry-style `exception.*`
and `duration` in seconds. Absent fields are left out rather than written as null.

Lines are assembled with one SQL `concat` per line (which skips NULL arguments): an absent
value makes its whole `,"key":value` piece NULL, so it leaves no trace. Free text goes through
`to_json` for escaping; names, paths and numbers need none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

import duckdb

from warroom.simulate.world import World
from warroom.simulate.writers.sql import MESSAGE, offset_text
from warroom.simulate.writers.table import write_per_host

# (key, SQL expression, kind): kind is "name" (plain string), "text" (needs escaping),
# "number", "json" (already JSON) or a nested list of fields (an object).
Field = tuple[str, str, Union[str, "list[Field]"]]


def _value(expr: str, kind: str | list[Field]) -> str:
    """The JSON text of a value as a list of `concat` arguments."""
    if isinstance(kind, list):
        return f"'{{', ltrim(concat({_pieces(kind)}), ','), '}}'"
    if kind == "name":
        return f"'\"', {expr}, '\"'"
    if kind == "text":
        return f"to_json({expr})::VARCHAR"
    return f"({expr})::VARCHAR"


def _pieces(fields: list[Field], *, first: bool = False) -> str:
    """`concat` arguments: each field as `,"key":value`, or NULL (nothing) when it is absent.

    An object's guard is its own condition; any other field is absent when its value is NULL.
    With `first`, the first field is written without its comma (it must never be NULL).
    """
    parts = []
    for index, (key, expr, kind) in enumerate(fields):
        guard = expr if isinstance(kind, list) else f"({expr}) IS NOT NULL"
        comma = "" if first and index == 0 else ","
        parts.append(
            f"CASE WHEN {guard} THEN concat('{comma}\"{key}\":', {_value(expr, kind)}) END"
        )
    return ", ".join(parts)


def json_line(fields: list[Field]) -> str:
    """SQL for one JSON object per row from `fields` (the first one must never be NULL)."""
    return f"concat('{{', {_pieces(fields, first=True)}, '}}', chr(10))"


IS_REQUEST = "kind = 0"
HAS_ERROR = "exc_type IS NOT NULL"
PARAMS: list[Field] = [
    ("sku", "sku", "name"),
    ("quantity", "quantity", "number"),
    ("payment_method", "payment", "name"),
]
HAS_PARAMS = "(quantity IS NOT NULL OR payment IS NOT NULL)"


def api_style(offset: str) -> list[Field]:
    del offset  # the api logs in UTC
    return [
        ("timestamp", "strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ')", "name"),
        ("level", "level", "name"),
        ("event", MESSAGE, "text"),
        ("service", "service", "name"),
        ("host", "host", "name"),
        ("method", "method", "name"),
        ("path", "path", "name"),
        ("status", "status", "number"),
        ("duration_ms", "duration_ms", "number"),
        ("user_id", "user_name", "name"),
        ("user_agent", "user_agent", "text"),
        ("params", HAS_PARAMS, PARAMS),
        ("upstream", "upstream", "name"),
        ("exception", "exc_type", "name"),
        ("error_message", "exc_message", "text"),
        ("traceback", "stack", "text"),
    ]


def checkout_style(offset: str) -> list[Field]:
    return [
        ("@timestamp", f"strftime(local_ts, '%Y-%m-%dT%H:%M:%S.%g') || '{offset}'", "name"),
        ("log.level", "upper(level)", "name"),
        ("message", MESSAGE, "text"),
        ("service", "TRUE", [("name", "service", "name")]),
        ("host", "TRUE", [("name", "host", "name")]),
        (
            "http",
            IS_REQUEST,
            [
                ("request", "TRUE", [("method", "method", "name")]),
                ("response", "TRUE", [("status_code", "status", "number")]),
            ],
        ),
        ("url", IS_REQUEST, [("path", "path", "name")]),
        ("elapsed_ms", "duration_ms", "number"),
        ("user", "user_name IS NOT NULL", [("id", "user_name", "name")]),
        ("user_agent", "user_agent", "text"),
        ("params", HAS_PARAMS, PARAMS),
        ("peer.service", "upstream", "name"),
        (
            "error",
            HAS_ERROR,
            [
                ("type", "exc_type", "name"),
                ("message", "exc_message", "text"),
                ("stack_trace", "stack", "text"),
            ],
        ),
    ]


def web_style(offset: str) -> list[Field]:
    del offset  # epoch milliseconds carry no zone
    return [
        ("ts", "ts_us // 1000", "number"),
        ("lvl", "level", "name"),
        ("msg", MESSAGE, "text"),
        ("hostname", "host", "name"),
        ("app", "service", "name"),
        ("method", "method", "name"),
        ("url", "path || coalesce('?' || query, '')", "name"),
        ("status_code", "status", "number"),
        ("latency_ms", "duration_ms", "number"),
        ("customer_id", "user_name", "name"),
        ("user_agent", "user_agent", "text"),
        ("error", "exc_type", "name"),
        ("stack", "stack", "text"),
    ]


def worker_style(offset: str) -> list[Field]:
    return [
        ("time", f"strftime(local_ts, '%Y-%m-%dT%H:%M:%S.%f') || '{offset}'", "name"),
        ("severity", "upper(level)", "name"),
        ("message", MESSAGE, "text"),
        ("node", "host", "name"),
        ("application", "service", "name"),
        ("job", "job", "name"),
        ("job_id", "CASE WHEN job IS NOT NULL THEN obj END", "number"),
        ("duration", "round(duration_us / 1000000.0, 3)", "number"),
        ("peer.service", "upstream", "name"),
        (
            "exception",
            HAS_ERROR,
            [
                ("type", "exc_type", "name"),
                ("message", "exc_message", "text"),
                ("stacktrace", "stack", "text"),
            ],
        ),
    ]


STYLES = {"api": api_style, "checkout": checkout_style, "web": web_style, "worker": worker_style}


def write_jsonl(
    con: duckdb.DuckDBPyConnection, *, out: Path, world: World, offset_s: int
) -> list[Path]:
    """logs/<host>.jsonl for every host."""
    offset = offset_text(offset_s)
    written: list[Path] = []
    for service, style in STYLES.items():
        hosts = world.hosts_of(service)
        names = ", ".join(f"'{h}'" for h in hosts)
        line = json_line(style(offset))
        sql = f"SELECT host_code, row_id, {line} AS line FROM ev WHERE host IN ({names})"
        paths = {h: out / "logs" / f"{h}.jsonl" for h in hosts}
        written += write_per_host(con, sql, world=world, path_for=paths)
    return written
