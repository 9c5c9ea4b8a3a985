"""Plain application logs: a timestamp, a level word, a message, and continuation lines.

Covers the Python `logging` formats (`2026-03-04 14:02:11,123 - app.db - ERROR - msg`,
`[2026-03-04 14:02:11,123] ERROR in app: msg`), log4j / logback / Spring Boot, zap's console
encoder, winston (`2026-03-04T14:02:11.731Z error: msg`), Go's `log` default (`2026/03/04
14:02:11 msg`, no level) and NGINX error logs (`2026/04/22 17:11:02 [error] 1895#1895: *1
connect() failed ..., client: ..., request: "GET /api HTTP/1.1"`, whose process, connection
and details go to `attrs`, and whose request gives the method and path).

The level is the first level word among the first four tokens after the time: in capitals
(`ERROR`), in any case inside brackets (`[error]`) or before a colon (`error:`). Words before
it (a logger name, a thread) are kept in `attrs` as `prefix`. A line that does not start
with a timestamp continues the record above it (see `stacks`).
"""

from __future__ import annotations

import re
from typing import Final

import duckdb

from warroom.evidence.logs.levels import normalise_level
from warroom.evidence.logs.paths import query_entries, target_path
from warroom.evidence.logs.reading import Scratch
from warroom.evidence.logs.records import (
    EMPTY_ATTRS,
    Parsed,
    attrs_from_entries,
    collect_rejected,
    entry,
    literal,
    text_or_null,
)
from warroom.evidence.logs.stacks import attach_continuations, exception_type
from warroom.evidence.logs.timestamps import iso_to_utc
from warroom.evidence.types import LoadContext

TIMESTAMP: Final = (
    r"\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
)
_BRACKETED_LEVEL = (
    r"\[\s*((?i:trace|debug|info|notice|warn|warning|error|err|crit|critical|alert|emerg|fatal"
    r"|severe))\s*\]"
)
_BARE_LEVEL = (
    r"(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|CRITICAL|CRIT|FATAL|ALERT|EMERG"
    r"|PANIC|DPANIC)"
)
_COLON_LEVEL = r"((?i:trace|debug|info|notice|warn|warning|error|fatal|critical)):"
# Groups: time, words before the level, level (bracketed, capitals, with a colon), message.
RECORD_START: Final = (
    rf"(?s)^\[?({TIMESTAMP})\]?\s+(?:((?:\S+\s+){{0,3}}?)"
    rf"(?:{_BRACKETED_LEVEL}|{_BARE_LEVEL}|{_COLON_LEVEL}):?(?:\s+|$)(?:[-|:]\s+)?)?"
    r"(.*)$"
)
_GROUPS = "['time', 'prefix', 'bracketed', 'bare', 'colon', 'message']"
RECORD_START_RE: Final = re.compile(RECORD_START)
# NGINX error log: `1895#1895: *1 message, client: 10.0.0.1, request: "GET / HTTP/1.1"`.
_NGINX_PROCESS = r"^(\d+)#(\d+): (?:\*(\d+) )?"
_NGINX_DETAIL = r', (client|server|request|upstream|host|referrer): ("[^"]*"|[^,]*)'
_NGINX_REQUEST = r'request: "([A-Z]+) ([^" ]+)'


def is_record_start(line: str) -> bool:
    """Whether a line starts a plain log record (used by the sniffer)."""
    return RECORD_START_RE.match(line) is not None


def has_level(line: str) -> bool:
    """Whether a record start names its level."""
    match = RECORD_START_RE.match(line)
    return match is not None and any(match.group(group) for group in (3, 4, 5))


def parse_plain(
    con: duckdb.DuckDBPyConnection, *, lines: str, ctx: LoadContext, scratch: Scratch
) -> Parsed:
    """Parse the raw lines of a plain log; records with an unreadable time are rejected."""
    parsed = scratch.table("plain")
    ts = iso_to_utc("m.time", timezone=ctx.timezone)
    con.execute(
        f"CREATE TEMP TABLE {parsed} AS SELECT line, raw, m, is_start, "
        f"CASE WHEN is_start THEN {ts} END AS ts FROM ("
        f"SELECT line, raw, m, coalesce(m.time <> '', false) AS is_start FROM ("
        f"SELECT line, raw, regexp_extract(raw, {literal(RECORD_START)}, {_GROUPS}) AS m "
        f"FROM {lines}))"
    )
    stacks = attach_continuations(con, parsed=parsed, scratch=scratch)
    rejected = collect_rejected(
        con, table=parsed, where="is_start AND ts IS NULL", reason="time not understood"
    )
    rejected.add(stacks.rejected.count, stacks.rejected.examples)
    records = (
        f"SELECT p.line, p.ts, p.m, s.stack FROM {parsed} p "
        f"LEFT JOIN {stacks.table} s USING (line) WHERE p.is_start AND p.ts IS NOT NULL"
    )
    return Parsed(_events_select(records, ctx=ctx), rejected)


def _events_select(records: str, *, ctx: LoadContext) -> str:
    fields = (
        f"SELECT line, ts, stack, nullif(trim(m.prefix, ' -:|'), '') AS prefix, "
        "coalesce(nullif(m.bracketed, ''), nullif(m.bare, ''), nullif(m.colon, '')) AS level_text, "
        "nullif(trim(m.message), '') AS message, "
        f"regexp_matches(m.message, {literal(_NGINX_PROCESS)}) AS is_nginx FROM ({records})"
    )
    nginx = (
        "SELECT *, "
        f"CASE WHEN is_nginx THEN regexp_extract(message, {literal(_NGINX_PROCESS)}, "
        "['pid', 'tid', 'conn']) END AS process, "
        f"CASE WHEN is_nginx THEN regexp_extract(message, {literal(_NGINX_REQUEST)}, "
        "['method', 'target']) END AS request, "
        f"CASE WHEN is_nginx THEN regexp_extract_all(message, {literal(_NGINX_DETAIL)}) "
        f"END AS details FROM ({fields})"
    )
    return (
        f"SELECT ts, {text_or_null(ctx.host)} AS host, NULL AS container, "
        f"{text_or_null(ctx.default_service)} AS service, "
        f"{normalise_level('level_text')} AS level, "
        "NULL AS status, nullif(request.method, '') AS method, "
        f"{target_path('request.target')} AS path, NULL AS duration_ms, "
        f"CASE WHEN is_nginx THEN regexp_replace(message, {literal(_NGINX_PROCESS)}, '') "
        "ELSE message END AS message, "
        f"{exception_type('stack', message_sql='message')} AS exception_type, stack, "
        f"NULL AS user, {_attrs()} AS attrs, line FROM ({nginx})"
    )


def _attrs() -> str:
    details = (
        "list_transform(details, lambda d: struct_pack("
        r"k := regexp_extract(d, '^, (\w+)', 1), "
        """v := trim(regexp_extract(d, ': (.*)$', 1), '"')))"""
    )
    process = ", ".join(
        entry(literal(key), f"nullif(process.{part}, '')")
        for key, part in (("pid", "pid"), ("tid", "tid"), ("connection", "conn"))
    )
    prefix = attrs_from_entries(f"[{entry(literal('prefix'), 'prefix')}]")
    nginx = f"list_concat([{process}], {details}, {query_entries('request.target')})"
    return (
        f"CASE WHEN is_nginx THEN {attrs_from_entries(nginx)} "
        f"WHEN prefix IS NULL THEN {EMPTY_ATTRS} ELSE {prefix} END"
    )
