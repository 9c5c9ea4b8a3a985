"""NGINX / Apache access logs: `common` and `combined`, with optional trailing fields.

    10.1.2.3 - alice [04/Mar/2026:14:02:11 +0100] "GET /api/orders?page=2 HTTP/1.1" 500 1234
        "https://shop.example/" "Mozilla/5.0 ..." 0.153

After the `combined` fields a line may carry more: a bare number is `$request_time` in
seconds; `key=value` pairs (`rt=0.153 uct="0.001"`) go to `attrs` by key (`rt`,
`request_time` and `upstream_response_time` also give the duration); other quoted fields go
to `attrs` as `extra.1`, `extra.2`... The host is the file's (`LoadContext.host`): an access
log line does not say which server wrote it.
"""

from __future__ import annotations

import re
from typing import Final

import duckdb

from warroom.evidence.logs.paths import query_entries, target_path
from warroom.evidence.logs.reading import Scratch
from warroom.evidence.logs.records import (
    Parsed,
    attrs_from_entries,
    collect_rejected,
    entry,
    literal,
    text_or_null,
)
from warroom.evidence.logs.timestamps import shift_to_utc
from warroom.evidence.types import LoadContext

_QUOTED = r'"((?:[^"\\]|\\.)*)"'
# Groups: client, ident, user, time, request, status, bytes, referer, user agent, the rest.
ACCESS_LINE: Final = (
    rf"^(\S+) (\S+) (\S+) \[([^\]]+)\] {_QUOTED} (\d{{3}}|-) (\d+|-)"
    rf"(?: {_QUOTED} {_QUOTED})?(.*)$"
)
ACCESS_LINE_RE: Final = re.compile(ACCESS_LINE)
_GROUPS = (
    "['client', 'ident', 'user', 'time', 'request', 'status', 'bytes', 'referer', 'agent', 'rest']"
)
_REQUEST = r"^([A-Za-z]+) (\S+)(?: (\S+))?$"
_CLF_TIME = r"^(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2})(?:\.\d+)?(?: ([+-]\d{4}))?$"
_REST_NUMBER = r"^\s+(\d+(?:\.\d+)?)(?:\s|$)"
_REST_PAIR = r'([A-Za-z_][\w.]*)=("[^"]*"|[^\s"]*)'
_DURATION_KEYS: Final = ("rt", "request_time", "upstream_response_time")


def is_access_line(line: str) -> bool:
    """Whether a line is an access log line (used by the sniffer)."""
    return ACCESS_LINE_RE.match(line) is not None


def parse_access(
    con: duckdb.DuckDBPyConnection, *, lines: str, ctx: LoadContext, scratch: Scratch
) -> Parsed:
    """Parse the raw lines of an access log; lines of another shape are rejected."""
    parsed = scratch.table("access")
    con.execute(
        f"CREATE TEMP TABLE {parsed} AS SELECT line, raw, m, {_timestamp(ctx)} AS ts FROM ("
        f"SELECT line, raw, regexp_extract(raw, {literal(ACCESS_LINE)}, {_GROUPS}) AS m "
        f"FROM {lines} WHERE raw IS NOT NULL AND trim(raw) <> '')"
    )
    rejected = collect_rejected(
        con, table=parsed, where="m.client = ''", reason="not an access log line"
    )
    bad_time = collect_rejected(
        con, table=parsed, where="m.client <> '' AND ts IS NULL", reason="time not understood"
    )
    rejected.add(bad_time.count, bad_time.examples)
    return Parsed(_events_select(parsed, ctx=ctx), rejected)


def _timestamp(ctx: LoadContext) -> str:
    parts = f"regexp_extract(m.time, {literal(_CLF_TIME)}, ['local', 'offset'])"
    naive = f"try_strptime({parts}.local, '%d/%b/%Y:%H:%M:%S')"
    return shift_to_utc(naive, f"{parts}.offset", timezone=ctx.timezone)


def _events_select(parsed: str, *, ctx: LoadContext) -> str:
    fields = (
        "SELECT line, ts, m, "
        f"regexp_extract(m.request, {literal(_REQUEST)}, ['method', 'target', 'protocol']) AS req, "
        f"regexp_extract_all(m.rest, {literal(_REST_PAIR)}) AS pairs, "
        f"TRY_CAST(nullif(regexp_extract(m.rest, {literal(_REST_NUMBER)}, 1), '') AS DOUBLE) "
        f"AS request_seconds FROM {parsed} WHERE m.client <> '' AND ts IS NOT NULL"
    )
    split = (
        "SELECT *, list_transform(pairs, lambda p: struct_pack(k := split_part(p, '=', 1), "
        "v := trim(substr(p, strpos(p, '=') + 1), '\"'))) AS rest_entries "
        f"FROM ({fields})"
    )
    seconds = " ".join(
        f"WHEN list_position(list_transform(rest_entries, lambda e: e.k), {literal(key)}) > 0 "
        f"THEN TRY_CAST(list_filter(rest_entries, lambda e: e.k = {literal(key)})[1].v AS DOUBLE)"
        for key in _DURATION_KEYS
    )
    return (
        f"SELECT ts, {text_or_null(ctx.host)} AS host, NULL AS container, "
        f"{text_or_null(ctx.default_service)} AS service, NULL AS level, "
        "TRY_CAST(nullif(m.status, '-') AS SMALLINT) AS status, "
        "nullif(upper(req.method), '') AS method, "
        f"{target_path('req.target')} AS path, "
        f"coalesce(request_seconds, CASE {seconds} END) * 1000 AS duration_ms, "
        "m.request AS message, NULL AS exception_type, NULL AS stack, "
        "nullif(m.user, '-') AS user, "
        f"{attrs_from_entries(_entries())} AS attrs, line FROM ({split})"
    )


def _entries() -> str:
    named = [
        entry("'client_ip'", "m.client"),
        entry("'bytes'", "nullif(m.bytes, '-')"),
        entry("'protocol'", "nullif(req.protocol, '')"),
        entry("'referer'", "nullif(nullif(m.referer, ''), '-')"),
        entry("'user_agent'", "nullif(nullif(m.agent, ''), '-')"),
    ]
    unpaired = f"regexp_replace(m.rest, {literal(_REST_PAIR)}, '', 'g')"
    extra = (
        f"list_transform(regexp_extract_all({unpaired}, {literal(_QUOTED)}, 1), "
        "lambda v, i: struct_pack(k := 'extra.' || i, v := nullif(v, '-')))"
    )
    return (
        f"list_concat([{', '.join(named)}], {query_entries('req.target')}, rest_entries, {extra})"
    )
