"""Requests with their fields: one row per request, one row per request x field, in the engine.

The inputs and clients analyzers compare failing with succeeding requests field by field. A
request's fields are its `attrs` (JSON keys flattened with dots, query-string parameters as
`query.<name>`) and, for records whose structured fields stayed inside the message (syslog and
plain lines with a logfmt body: `method=POST status=500 params.quantity=1.5`), the key=value
pairs of the message. Such a message also gives the request its status, method and path when
the record itself has none.

A request fails when the server failed it: a 5xx status, an error/fatal level or an exception
(the definition of `signals.py`, applied to the effective status). Routes are `METHOD /path`
with ids as `{id}`, normalised once per distinct coarse path (`paths.py`), never per row.

Everything is raw SQL on the DuckDB connection: map and list functions (unnest a map, pull every
key=value pair out of a message with one regular expression) have no Ibis spelling yet.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa  # type: ignore[import-untyped]

from warroom.analysis.context import AnalysisContext
from warroom.analysis.paths import DIGIT_RUN_RE, route_of
from warroom.analysis.windows import Window

# key=value or key="quoted value" (logfmt, and most key=value bodies in syslog lines)
KEY_VALUE_RE = r"""(?:^|\s)([A-Za-z_][\w.\-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"']*)"""
MAX_MESSAGE_CHARS = 4000  # key=value pairs are read from the start of a message
_numbers = itertools.count(1)


@dataclass(frozen=True)
class RequestTables:
    """Names of the two temporary tables (see `request_tables`)."""

    requests: str  # rid, period, failed, route
    fields: str  # rid, period, failed, route, key, value


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def period_sql(periods: dict[str, tuple[Window, ...]]) -> tuple[str, list[datetime]]:
    """CASE expression naming each row's period; its bounds are parameters $1, $2, ..."""
    cases: list[str] = []
    bounds: list[datetime] = []
    for name, windows in periods.items():
        spans = []
        for window in windows:
            bounds += [_naive(window.start), _naive(window.end)]
            spans.append(f"(ts >= ${len(bounds) - 1} AND ts < ${len(bounds)})")
        if spans:
            cases.append(f"WHEN {' OR '.join(spans)} THEN '{name}'")
    return (f"CASE {' '.join(cases)} END" if cases else "NULL"), bounds


def _decoded(expr: str) -> str:
    """%-decoding that keeps the raw text when it is not valid UTF-8 ("%ff") instead of failing."""
    return f"coalesce(try(url_decode({expr})), {expr})"


_STAGE_SQL = """
CREATE TEMP TABLE "{stage}" AS
WITH src AS (
  SELECT ts, status, method, path, level, exception_type, attrs, message,
         {period} AS period
  FROM events
), timed AS (
  SELECT *, CASE WHEN status IS NULL AND method IS NULL AND message LIKE '%=%' THEN
      list_transform(regexp_extract_all(left(message, {max_chars}), {kv}, 0),
        lambda x: {{'key': regexp_extract(x, {kv}, 1),
                   'value': regexp_replace(regexp_extract(x, {kv}, 2), '^["'']|["'']$', '', 'g')}})
    END AS kvs
  FROM src WHERE period IS NOT NULL
), effective AS (
  SELECT *,
    coalesce(status, try_cast(list_filter(kvs, lambda p: p.key = 'status')[1].value AS SMALLINT))
      AS st,
    upper(coalesce(method, list_filter(kvs, lambda p: p.key = 'method')[1].value)) AS verb,
    coalesce(path, list_filter(kvs, lambda p: p.key = 'path')[1].value) AS target
  FROM timed
)
-- rid only ties a request to its fields: any unique number will do, so no sort
SELECT row_number() OVER () AS rid, period,
  (coalesce(st, 0) >= 500 OR coalesce(level, '') IN ('error', 'fatal')
    OR exception_type IS NOT NULL) AS failed,
  verb, target, regexp_replace(regexp_replace(target, '[?#].*$', ''), '{digits}', '0000', 'g')
    AS coarse,
  list_concat(
    coalesce(list_transform(map_entries(attrs), lambda e: {{'key': e.key, 'value': e.value}}), []),
    coalesce(kvs, []),
    CASE WHEN target LIKE '%?%' THEN
      list_transform(regexp_extract_all(target, '[?&][^=&#]+=[^&#]*'), lambda x: {{
        'key': 'query.' || {query_key}, 'value': {query_value}}})
    ELSE [] END) AS pairs,
  -- only attrs, whose keys a MAP keeps unique: such a request's pairs need no de-duplication
  (coalesce(len(kvs), 0) = 0 AND NOT coalesce(target LIKE '%?%', false)) AS unique_keys
FROM effective
WHERE st IS NOT NULL OR verb IS NOT NULL
"""


@contextmanager
def request_tables(
    ctx: AnalysisContext, periods: dict[str, tuple[Window, ...]]
) -> Iterator[RequestTables]:
    """Requests of the given periods and their fields as temp tables.

    The inputs and clients analyzers ask for the same periods, so the tables are built once per
    investigation (kept in `ctx.memo`, living as long as its connection); the staging tables are
    dropped at once, and everything is dropped if building fails.
    """
    key = "request_tables:" + ";".join(
        f"{name}=" + ",".join(f"{w.start.isoformat()}/{w.end.isoformat()}" for w in windows)
        for name, windows in sorted(periods.items())
    )
    yield ctx.remember(key, lambda: _build(ctx, periods))


def _build(ctx: AnalysisContext, periods: dict[str, tuple[Window, ...]]) -> RequestTables:
    n = next(_numbers)
    stage, routes = f"_warroom_req_stage_{n}", f"_warroom_req_routes_{n}"
    tables = RequestTables(f"_warroom_requests_{n}", f"_warroom_request_fields_{n}")
    period, bounds = period_sql(periods)
    con = ctx.con
    try:
        sql = _STAGE_SQL.format(
            stage=stage,
            period=period,
            max_chars=MAX_MESSAGE_CHARS,
            digits=DIGIT_RUN_RE,
            kv=f"${len(bounds) + 1}",
            query_key=_decoded("regexp_extract(x, '^[?&]([^=]+)=', 1)"),
            query_value=_decoded("regexp_extract(x, '=(.*)$', 1)"),
        )
        con.execute(sql, [*bounds, KEY_VALUE_RE])
        _route_table(ctx, stage, routes)
        con.execute(
            f'CREATE TEMP TABLE "{tables.requests}" AS SELECT s.rid, s.period, s.failed, '
            f'r.route FROM "{stage}" s LEFT JOIN "{routes}" r '
            "ON s.verb IS NOT DISTINCT FROM r.verb AND s.coarse IS NOT DISTINCT FROM r.coarse"
        )
        # one value per request and key (a key both in attrs and in the message counts once);
        # a NULL value (JSON null) counts as the field missing. Only requests whose pairs may
        # repeat a key go through the sort that keeps the first (most requests have attrs only).
        # The route comes from the small route table (the same join as for the requests), not
        # from a join with the requests on rid, which would hash every request.
        kept = "WHERE coalesce(u.p.key, '') <> '' AND u.p.value IS NOT NULL"
        route = (
            f'LEFT JOIN "{routes}" r '
            "ON u.verb IS NOT DISTINCT FROM r.verb AND u.coarse IS NOT DISTINCT FROM r.coarse"
        )
        con.execute(
            f'CREATE TEMP TABLE "{tables.fields}" AS SELECT u.rid, u.period, u.failed, r.route, '
            "u.p.key AS key, u.p.value AS value FROM "
            "(SELECT rid, period, failed, verb, coarse, unnest(pairs) AS p "
            f'FROM "{stage}" WHERE unique_keys) u {route} {kept} '
            "UNION ALL SELECT * FROM (SELECT DISTINCT ON (u.rid, u.p.key) u.rid, "
            "u.period, u.failed, r.route, u.p.key AS key, u.p.value AS value FROM "
            "(SELECT rid, period, failed, verb, coarse, unnest(pairs) AS p, "
            f'generate_subscripts(pairs, 1) AS i FROM "{stage}" WHERE NOT unique_keys) u '
            f"{route} {kept} ORDER BY u.rid, u.p.key, u.i)"
        )
    except BaseException:
        for name in (tables.requests, tables.fields):
            con.execute(f'DROP TABLE IF EXISTS temp."{name}"')
        raise
    finally:
        for name in (stage, routes):
            con.execute(f'DROP TABLE IF EXISTS temp."{name}"')
    return tables


def _route_table(ctx: AnalysisContext, stage: str, name: str) -> None:
    """Route per distinct (method, coarse path): a few hundred strings normalised in Python."""
    distinct = ctx.con.execute(f'SELECT DISTINCT verb, coarse FROM "{stage}"').fetchall()
    verbs = [verb for verb, _ in distinct]
    coarse = [path for _, path in distinct]
    routes = [
        route_of(verb, path) if path else f"{verb or 'ANY'} (no path)" for verb, path in distinct
    ]
    frame = pa.table(
        {
            "verb": pa.array(verbs, pa.string()),
            "coarse": pa.array(coarse, pa.string()),
            "route": pa.array(routes, pa.string()),
        }
    )
    view = f"{name}_in"
    ctx.con.register(view, frame)
    try:
        ctx.con.execute(f'CREATE TEMP TABLE "{name}" AS SELECT * FROM "{view}"')
    finally:
        ctx.con.unregister(view)
