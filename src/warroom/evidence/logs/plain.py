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

from warroom.evidence.logs.attrs import AttrSources, events_select
from warroom.evidence.logs.levels import normalise_level
from warroom.evidence.logs.paths import query_text, target_path
from warroom.evidence.logs.reading import Scratch
from warroom.evidence.logs.records import (
    Parsed,
    collect_rejected,
    literal,
    regex_struct,
    text_or_null,
)
from warroom.evidence.logs.stacks import attach_continuations, exception_type
from warroom.evidence.logs.timestamps import iso_to_utc, local_to_utc
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
# Groups: time, words before the level, level (bracketed, capitals, with a colon); the
# message is the rest of the line.
RECORD_START: Final = (
    rf"^\[?({TIMESTAMP})\]?\s+(?:((?:\S+\s+){{0,3}}?)"
    rf"(?:{_BRACKETED_LEVEL}|{_BARE_LEVEL}|{_COLON_LEVEL}):?(?:\s+|$)(?:[-|:]\s+)?)?"
)
_GROUPS: Final = ("time", "prefix", "bracketed", "bare", "colon")
# The start of most records of Python `logging` and Spring Boot logs: a time with
# milliseconds and no offset, a level in capitals and a message that starts with no `-|:`.
# `_plain_start` reads such a line by string positions, as RECORD_START would.
_PLAIN_START: Final = (
    rf"^\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}[.,]\d{{3}} +{_BARE_LEVEL} +[^\s\-|:]"
)
RECORD_START_RE: Final = re.compile(RECORD_START)
# Only a line starting with a digit or `[` can match RECORD_START: the others (continuation
# lines) skip the expression.
_MAY_START: Final = "(left(raw, 1) BETWEEN '0' AND '9' OR starts_with(raw, '['))"
# NGINX error log: `1895#1895: *1 message, client: 10.0.0.1, request: "GET / HTTP/1.1"`.
_NGINX_PROCESS = r"^(\d+)#(\d+): (?:\*(\d+) )?"
_NGINX_DETAILS: Final = ("client", "server", "request", "upstream", "host", "referrer")
_NGINX_DETAIL_NAME = rf", (?:{'|'.join(_NGINX_DETAILS)}): "
_NGINX_DETAIL = rf'{_NGINX_DETAIL_NAME}(?:"[^"]*"|[^,]*)'
_NGINX_METHOD = r'request: "([A-Z]+) '
_NGINX_TARGET = r'request: "[A-Z]+ ([^" ]+)'


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
    # Plain starts (most lines) are read by string positions; the rest by the expression.
    general_ts = iso_to_utc("m.time", timezone=ctx.timezone)
    ts = f"CASE WHEN plain THEN {_plain_time(ctx)} ELSE {general_ts} END"
    general = regex_struct("raw", RECORD_START, _GROUPS, rest="message")
    con.execute(
        f"CREATE TEMP TABLE {parsed} AS SELECT line, raw, m, is_start, "
        f"CASE WHEN is_start THEN {ts} END AS ts FROM ("
        "SELECT line, raw, m, plain, m IS NOT NULL AS is_start FROM ("
        f"SELECT line, raw, plain, CASE WHEN plain THEN {_plain_start()} "
        f"WHEN {_MAY_START} THEN {general} END AS m "
        f"FROM (SELECT line, raw, regexp_matches(raw, {literal(_PLAIN_START)}) AS plain "
        f"FROM {lines})))"
    )
    scratch.release(lines)
    stacks = attach_continuations(con, parsed=parsed, scratch=scratch)
    rejected = collect_rejected(
        con, table=parsed, where="is_start AND ts IS NULL", reason="time not understood"
    )
    rejected.add(stacks.rejected)
    records = scratch.table("plain_records")
    con.execute(f"CREATE TEMP TABLE {records} AS {_records_sql(parsed, stacks.table)}")
    sources = AttrSources(columns=_attr_columns(), query="target")
    select = events_select(con, table=records, where="true", sources=sources, columns=_columns(ctx))
    return Parsed(select, rejected)


def _plain_start() -> str:
    """The fields of a plain start (`_PLAIN_START`), as `RECORD_START` reads them: the time
    is its first 23 characters, the level the next word, the message starts after the spaces
    that follow it; there are no words before the level."""
    after_time = "ltrim(substr(raw, 24))"
    level = f"split_part({after_time}, ' ', 1)"
    return (
        "struct_pack(time := left(raw, 23), prefix := '', bracketed := '', "
        f"bare := {level}, colon := '', "
        f"message := ltrim(substr({after_time}, length({level}) + 1)))"
    )


def _plain_time(ctx: LoadContext) -> str:
    """The time of a plain start: it has no offset, and reads as a TIMESTAMP once its comma
    is a dot (what `iso_to_utc` gives it, without looking for an offset)."""
    return local_to_utc("TRY_CAST(replace(m.time, ',', '.') AS TIMESTAMP)", timezone=ctx.timezone)


def _records_sql(parsed: str, stacks: str) -> str:
    """One row per record: its fields, its stack, and what an NGINX error line adds."""
    starts = (
        "SELECT p.line, p.ts, s.stack, nullif(trim(p.m.prefix, ' -:|'), '') AS prefix, "
        "coalesce(nullif(p.m.bracketed, ''), nullif(p.m.bare, ''), nullif(p.m.colon, '')) "
        "AS level_text, nullif(trim(p.m.message), '') AS message, "
        f"regexp_matches(p.m.message, {literal(_NGINX_PROCESS)}) AS is_nginx "
        f"FROM {parsed} p LEFT JOIN {stacks} s USING (line) "
        "WHERE p.is_start AND p.ts IS NOT NULL"
    )
    process = regex_struct("message", _NGINX_PROCESS, ("pid", "tid", "conn"), rest="text")
    # The expressions below run only on messages that hold what they look for (a cheap test
    # first): most messages are not NGINX's and name no request.
    no_detail = f"NOT regexp_matches(message, {literal(_NGINX_DETAIL_NAME)})"
    details = (
        f"CASE WHEN {no_detail} THEN []::VARCHAR[] ELSE "
        f"list_transform(regexp_extract_all(message, {literal(_NGINX_DETAIL)}), "
        "lambda d: split_part(d, ': ', 1)[3:]) END AS detail_names, "
        f"CASE WHEN {no_detail} THEN []::VARCHAR[] ELSE "
        f"list_transform(regexp_extract_all(message, {literal(_NGINX_DETAIL)}), "
        """lambda d: trim(substr(d, strpos(d, ': ') + 2), '"')) END AS detail_values"""
    )
    names_request = """contains(message, 'request: "')"""
    nginx = (
        f"SELECT *, CASE WHEN is_nginx THEN {process} END AS process, "
        f"CASE WHEN {names_request} "
        f"THEN nullif(regexp_extract(message, {literal(_NGINX_METHOD)}, 1), '') END AS method, "
        f"CASE WHEN {names_request} "
        f"THEN nullif(regexp_extract(message, {literal(_NGINX_TARGET)}, 1), '') END AS target, "
        f"{details} FROM ({starts})"
    )
    return f"SELECT *, {query_text('target')} AS _q FROM ({nginx})"


def _columns(ctx: LoadContext) -> list[str]:
    return [
        "ts",
        f"{text_or_null(ctx.host)} AS host",
        "NULL AS container",
        f"{text_or_null(ctx.default_service)} AS service",
        f"{normalise_level('level_text')} AS level",
        "NULL AS status",
        "method",
        f"{target_path('target')} AS path",
        "NULL AS duration_ms",
        "CASE WHEN is_nginx THEN process.text ELSE message END AS message",
        f"{exception_type('stack', message_sql='message')} AS exception_type",
        "stack",
        "NULL AS user",
        "line",
    ]


def _attr_columns() -> dict[str, str]:
    columns = {"prefix": "CASE WHEN NOT is_nginx THEN prefix END"}
    for key, part in (("pid", "pid"), ("tid", "tid"), ("connection", "conn")):
        columns[key] = f"nullif(process.{part}, '')"
    for name in _NGINX_DETAILS:
        columns[name] = f"detail_values[list_position(detail_names, {literal(name)})]"
    return columns
