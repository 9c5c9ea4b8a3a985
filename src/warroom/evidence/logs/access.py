"""NGINX / Apache access logs: `common` and `combined`, with optional trailing fields.

    10.1.2.3 - alice [04/Mar/2026:14:02:11 +0100] "GET /api/orders?page=2 HTTP/1.1" 500 1234
        "https://shop.example/" "Mozilla/5.0 ..." 0.153

After the `combined` fields a line may carry more: a bare number is `$request_time` in
seconds; `key=value` pairs (`rt=0.153 uct="0.001"`) go to `attrs` by key (`rt`,
`request_time` and `upstream_response_time` also give the duration); other quoted fields go
to `attrs` as `extra.1`, `extra.2`... The host is the file's (`LoadContext.host`): an access
log line does not say which server wrote it. The request line is the message.
"""

from __future__ import annotations

import re
from typing import Final

import duckdb

from warroom.evidence.logs.attrs import AttrSources, events_select
from warroom.evidence.logs.paths import query_text, target_path
from warroom.evidence.logs.reading import Scratch
from warroom.evidence.logs.records import (
    NOT_BLANK,
    Parsed,
    collect_rejected,
    literal,
    regex_struct,
    text_or_null,
)
from warroom.evidence.logs.timestamps import local_to_utc
from warroom.evidence.types import LoadContext

_QUOTED = r'"((?:[^"\\]|\\.)*)"'
ACCESS_LINE: Final = (
    rf"^(\S+) \S+ (\S+) \[([^\]]+)\] {_QUOTED} (\d{{3}}|-) (\d+|-)"
    rf"(?: {_QUOTED} {_QUOTED})?(.*)$"
)
ACCESS_LINE_RE: Final = re.compile(ACCESS_LINE)
# The same shape without captures: RE2 checks it with its fast automaton.
_SHAPE: Final = (
    r'^\S+ \S+ \S+ \[[^\]]+\] "(?:[^"\\]|\\.)*" (?:\d{3}|-) (?:\d+|-)'
    r'(?: "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*")?'
)
# The parts of _SHAPE before the request's opening quote and after its closing one.
_HEAD_SHAPE: Final = r"^\S+ \S+ \S+ \[[^\]]+\] $"
_NUMBERS_SHAPE: Final = r"^ (?:\d{3}|-) (?:\d+|-)"
_GROUPS: Final = (
    "client", "user", "time", "request", "status", "bytes", "referer", "agent", "rest",
)  # fmt: skip
_REST_PAIR = r'([A-Za-z_][\w.]*)=("[^"]*"|[^\s"]*)'
_REST_SECONDS = r"(?:^|\s)(?:rt|request_time|upstream_response_time)=\"?([0-9.]+)"
_CLF = "%d/%b/%Y:%H:%M:%S"


def is_access_line(line: str) -> bool:
    """Whether a line is an access log line (used by the sniffer)."""
    return ACCESS_LINE_RE.match(line) is not None


def parse_access(
    con: duckdb.DuckDBPyConnection, *, lines: str, ctx: LoadContext, scratch: Scratch
) -> Parsed:
    """Parse the raw lines of an access log; lines of another shape are rejected."""
    parsed = scratch.table("access")
    # One pass: the line's fields, its time and its request; the raw line is kept only for
    # the examples of rejected lines.
    con.execute(
        f"CREATE TEMP TABLE {parsed} AS SELECT *, {query_text('req.target')} AS _q FROM ("
        "SELECT line, CASE WHEN m IS NULL OR ts IS NULL THEN raw END AS raw, m, ts, "
        f"CASE WHEN ts IS NOT NULL THEN {_request()} END AS req, "
        "CASE WHEN ts IS NOT NULL AND (contains(m.rest, '=') OR contains(m.rest, '\"')) "
        "THEN m.rest END AS tail FROM ("
        f"SELECT line, raw, m, {_timestamp(ctx)} AS ts, string_split(m.request, ' ') AS rq FROM ("
        f"SELECT line, raw, {_fields()} AS m FROM ("
        f"SELECT line, raw, string_split(raw, '\"') AS q FROM {lines} WHERE {NOT_BLANK}))))"
    )
    scratch.release(lines)
    rejected = collect_rejected(
        con, table=parsed, where="m IS NULL", reason="not an access log line"
    )
    bad_time = collect_rejected(
        con, table=parsed, where="m IS NOT NULL AND ts IS NULL", reason="time not understood"
    )
    rejected.add(bad_time)
    return Parsed(_events_select(con, parsed, ctx=ctx), rejected)


# A combined line with a plain head (`client ident user [time] `, no brackets but the time's),
# a three-digit status and nothing quoted inside its quoted fields: most lines of most logs.
_PLAIN_HEAD: Final = r"[^\s\[\]]+ [^\s\[\]]+ [^\s\[\]]+ \[[^\[\]]+\] "
_PLAIN_NUMBERS: Final = r" \d{3} (?:\d+|-) "


def _fields() -> str:
    """The fields of a line: plain combined lines by string positions, every other line as
    `_general_fields` reads it (the same fields: the plain path is a shortcut, never a rule)."""
    # The head has exactly three spaces before its only `[`, and ends with `] `.
    opening = "strpos(q[1], '[')"
    fields = (
        "struct_pack(client := left(q[1], strpos(q[1], ' ') - 1), "
        "user := CASE WHEN contains(q[1], ' - - [') THEN '-' ELSE split_part(q[1], ' ', 3) END, "
        f"time := substr(q[1], {opening} + 1, length(q[1]) - {opening} - 2), request := q[2], "
        "status := substr(q[3], 2, 3), bytes := substr(q[3], 6, length(q[3]) - 6), "
        "referer := q[4], agent := q[6], rest := q[7])"
    )
    return f"CASE WHEN {_plain_line()} THEN {fields} ELSE {_general_fields()} END"


def _plain_line() -> str:
    """Whether a line (split at double quotes: `q`) is a plain combined line."""
    return (
        "len(q) = 7 AND q[5] = ' ' AND NOT contains(raw, '\\\"') "
        f"AND regexp_full_match(q[3], {literal(_PLAIN_NUMBERS)}) "
        f"AND regexp_full_match(q[1], {literal(_PLAIN_HEAD)})"
    )


def _general_fields() -> str:
    """The fields of a line that has the access log shape.

    Splitting at the double quotes is several times cheaper than capturing with a regular
    expression (RE2 captures cost about 40 ns a byte); a line whose quoted fields hold an
    escaped quote, or whose quotes do not fall in place, is captured by the expression.
    """
    head = "q[1]"
    numbers = "trim(q[3])"
    combined = "len(q) >= 7 AND q[5] = ' '"
    split = (
        f"struct_pack(client := split_part({head}, ' ', 1), user := split_part({head}, ' ', 3), "
        f"time := split_part(split_part({head}, '[', 2), ']', 1), request := q[2], "
        f"status := split_part({numbers}, ' ', 1), bytes := split_part({numbers}, ' ', 2), "
        f"referer := CASE WHEN {combined} THEN q[4] ELSE '' END, "
        f"agent := CASE WHEN {combined} THEN q[6] ELSE '' END, "
        f"rest := CASE WHEN {combined} THEN array_to_string(q[7:], '\"') "
        f"ELSE substr(q[3], length(split_part(q[3], ' ', 1)) + length(split_part(q[3], ' ', 2)) "
        f"+ length(split_part(q[3], ' ', 3)) + 3) END)"
    )
    simple = f"NOT contains(raw, '\\\"') AND ({combined} OR len(q) = 3)"
    # Checked on the short parts before and after the request, the shape costs a fraction of
    # the whole-line expression; a simple line whose parts pass has the shape (its request,
    # free of quotes, is a valid quoted field). Every other line is judged on the whole line.
    parts_shaped = (
        f"len(q) >= 3 AND regexp_matches(q[1], {literal(_HEAD_SHAPE)}) "
        f"AND regexp_matches(q[3], {literal(_NUMBERS_SHAPE)})"
    )
    return (
        f"CASE WHEN {simple} AND {parts_shaped} THEN {split} "
        f"WHEN NOT regexp_matches(raw, {literal(_SHAPE)}) THEN NULL WHEN {simple} THEN {split} "
        f"ELSE {regex_struct('raw', ACCESS_LINE, _GROUPS)} END"
    )


def _timestamp(ctx: LoadContext) -> str:
    with_offset = f"make_timestamp(epoch_us(try_strptime(m.time, '{_CLF} %z')))"
    local = local_to_utc(f"try_strptime(m.time, '{_CLF}')", timezone=ctx.timezone)
    return f"coalesce({with_offset}, {local})"


def _events_select(con: duckdb.DuckDBPyConnection, parsed: str, *, ctx: LoadContext) -> str:
    sources = AttrSources(
        columns={
            "client_ip": "m.client",
            "bytes": "nullif(m.bytes, '-')",
            "protocol": "req.protocol",
            "referer": "nullif(nullif(m.referer, ''), '-')",
            "user_agent": "nullif(nullif(m.agent, ''), '-')",
        },
        extra=_tail_entries(),
        query="req.target",
    )
    return events_select(
        con, table=parsed, where="ts IS NOT NULL", sources=sources, columns=_columns(ctx)
    )


def _seconds() -> str:
    """The request time in seconds: a bare number after the combined fields, else a pair."""
    # A bare number alone (most lines) is cast whole: what its first word gives, the cast
    # skipping the spaces around it.
    return (
        "coalesce(CASE WHEN m.rest[2] BETWEEN '0' AND '9' THEN TRY_CAST(m.rest AS DOUBLE) END, "
        f"{_general_seconds()})"
    )


def _general_seconds() -> str:
    return (
        "coalesce(CASE WHEN m.rest[2] BETWEEN '0' AND '9' "
        "THEN TRY_CAST(split_part(trim(m.rest), ' ', 1) AS DOUBLE) END, "
        f"TRY_CAST(nullif(regexp_extract(tail, {literal(_REST_SECONDS)}, 1), '') AS DOUBLE))"
    )


def _columns(ctx: LoadContext) -> list[str]:
    return [
        "ts",
        f"{text_or_null(ctx.host)} AS host",
        "NULL AS container",
        f"{text_or_null(ctx.default_service)} AS service",
        "NULL AS level",
        "TRY_CAST(nullif(m.status, '-') AS SMALLINT) AS status",
        "req.method AS method",
        f"{target_path('req.target')} AS path",
        f"{_seconds()} * 1000 AS duration_ms",
        "m.request AS message",
        "NULL AS exception_type",
        "NULL AS stack",
        "nullif(m.user, '-') AS user",
        "line",
    ]


def _request() -> str:
    """`GET /path?q HTTP/1.1` -> struct(method, target, protocol); NULLs for `-` or junk.

    Reads `rq`, the request split at spaces: a request of three words is read from it, which
    is what the general expression (from the first and the last space) gives it, cheaper.
    """
    words = (
        "len(rq) = 3 AND regexp_matches(rq[1], '^[A-Za-z]+$') THEN "
        "struct_pack(method := upper(rq[1]), target := rq[2], protocol := rq[3])"
    )
    first = "strpos(m.request, ' ')"
    after = f"substr(m.request, {first} + 1)"
    last = f"length({after}) - strpos(reverse({after}), ' ') + 1"
    has_protocol = f"contains({after}, ' ')"
    return (
        f"CASE WHEN {words} "
        f"WHEN {first} > 1 AND regexp_matches(left(m.request, {first} - 1), '^[A-Za-z]+$') "
        f"THEN struct_pack(method := upper(left(m.request, {first} - 1)), "
        f"target := CASE WHEN {has_protocol} THEN left({after}, {last} - 1) ELSE {after} END, "
        f"protocol := CASE WHEN {has_protocol} THEN substr({after}, {last} + 1) END) END"
    )


def _tail_entries() -> str:
    """`key=value` pairs after the combined fields by key, other quoted fields as extra.N."""
    pairs = (
        f"list_transform(regexp_extract_all(tail, {literal(_REST_PAIR)}), lambda p: "
        "struct_pack(k := split_part(p, '=', 1), v := trim(substr(p, strpos(p, '=') + 1), '\"')))"
    )
    unpaired = f"regexp_replace(tail, {literal(_REST_PAIR)}, '', 'g')"
    quoted = (
        f"list_transform(regexp_extract_all({unpaired}, {literal(_QUOTED)}, 1), "
        "lambda v, i: struct_pack(k := 'extra.' || i, v := nullif(v, '-')))"
    )
    return f"CASE WHEN tail IS NOT NULL THEN list_concat({pairs}, {quoted}) END"
