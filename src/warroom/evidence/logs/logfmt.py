"""logfmt logs: `key=value key2="quoted value"` lines, as Go (logrus, go-kit, slog) and Heroku
write them, optionally after a timestamp and a `program[id]:` tag.

    time=2026-03-04T14:02:11Z level=error msg="charge failed" error="card declined" order=42
    2026-03-04T14:02:11.123456+00:00 app[web.1]: level=info msg="listening" port=8080
    2026-03-04T14:02:11.123456+00:00 heroku[router]: at=error code=H12 method=GET path="/"
        host=shop.herokuapp.com dyno=web.1 connect=1ms service=30001ms status=503

Keys map to event fields as in JSON lines (see `fields`; logfmt also knows `t` for the time
and `at` for the level). Quoted values are unescaped as JSON strings. Go durations (`12ms`,
`1m2s`) are understood wherever a duration is expected. Heroku's own tags (`app`, `heroku`)
name the dyno, which becomes the container; another tag names the service. On Heroku router
lines `service=` is the time the app took (a duration) and `host=` the request's Host header,
so they go to the duration and to `attrs`. A line with a leading time but no pair (a Heroku
app's own output) is a record whose message is its text; a line with neither is rejected,
and so is a record without a readable time.
"""

from __future__ import annotations

import re
from typing import Final

import duckdb

from warroom.evidence.logs.attrs import AttrSources, events_select
from warroom.evidence.logs.fields import logfmt_keys
from warroom.evidence.logs.keyed import (
    TYPED,
    field_values,
    shadowed_columns,
    source_columns,
    typed_columns,
)
from warroom.evidence.logs.plain import TIMESTAMP
from warroom.evidence.logs.reading import Scratch
from warroom.evidence.logs.records import (
    NOT_BLANK,
    Parsed,
    collect_rejected,
    literal,
    literal_list,
    regex_struct,
)
from warroom.evidence.types import LoadContext

# Groups: time, tag, the tag's [id]; the key=value body is the rest of the line.
LOGFMT_LINE: Final = rf'^(?:\[?({TIMESTAMP})\]?\s+)?(?:([^\s=:\[\]"]+)(?:\[([^\]]*)\])?:\s+)?'
_GROUPS: Final = ("time", "tag", "tag_id")
PAIR: Final = r'([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)'
PAIR_RE: Final = re.compile(PAIR)
_HEROKU_TAGS: Final = ("app", "heroku")
MAX_ATTR_KEYS: Final = 200  # keys read as columns; rarer ones take the slower path


def split_line(line: str) -> tuple[str | None, str | None, str]:
    """The leading time, the tag and the key=value body of a line (used by the sniffer)."""
    match = re.match(LOGFMT_LINE, line)
    if match is None:
        return None, None, line
    return match.group(1), match.group(2), line[match.end() :]


def parse_logfmt(
    con: duckdb.DuckDBPyConnection, *, lines: str, ctx: LoadContext, scratch: Scratch
) -> Parsed:
    """Parse the raw lines of a logfmt log; lines with neither pairs nor a leading time, and
    records without a readable time, are rejected."""
    pairs = scratch.table("logfmt_pairs")
    con.execute(f"CREATE TEMP TABLE {pairs} AS {_pairs_sql(lines)}")
    scratch.release(lines)
    # Look up only the source keys this file has: a lookup is a scan of each line's keys.
    found = found_keys(con, pairs)
    every = logfmt_keys(ctx.field_aliases)
    keys = {name: tuple(key for key in sources if key in found) for name, sources in every.items()}
    stage = scratch.table("logfmt")
    con.execute(
        f"CREATE TEMP TABLE {stage} AS SELECT line, raw, ok, pairs, keys, names, is_router, "
        f"tag, tag_id, {typed_columns(ctx=ctx)} FROM ("
        f"SELECT *, {source_columns(_values(keys, found))} FROM {pairs})"
    )
    rejected = collect_rejected(
        con, table=stage, where="NOT ok", reason="neither key=value pairs nor a time"
    )
    timeless = collect_rejected(
        con, table=stage, where="ok AND ts IS NULL", reason="no readable time"
    )
    rejected.add(timeless)
    where = "ok AND ts IS NOT NULL"
    claimed = {key for sources in every.values() for key in sources}
    sources = _attr_sources(con, stage=stage, where=where, keys=keys, found=found, claimed=claimed)
    select = events_select(con, table=stage, where=where, sources=sources, columns=TYPED)
    return Parsed(select, rejected)


def pairs_sql(body_sql: str) -> str:
    """The key=value pairs of a text, as a list of struct(k, v) with the values unquoted."""
    value = _unquoted("substr(p, strpos(p, chr(61)) + 1)")
    return (
        f"list_transform(regexp_extract_all({body_sql}, {literal(PAIR)}), lambda p: struct_pack("
        f"k := left(p, strpos(p, '=') - 1), v := {value}))"
    )


# Each pair's key in lower case (`keys`, what field lookups match) and as written (`names`).
KEY_LISTS: Final = (
    "list_transform(pairs, lambda p: lower(p.k)) AS keys, "
    "list_transform(pairs, lambda p: p.k) AS names"
)


def _pairs_sql(lines: str) -> str:
    """Each line's head (time, tag) and its key=value pairs, unquoted."""
    head = regex_struct("raw", LOGFMT_LINE, _GROUPS, rest="body")
    return (
        f"SELECT *, len(pairs) > 0 OR prefix_time IS NOT NULL AS ok, {KEY_LISTS} FROM ("
        f"SELECT line, raw, m, {pairs_sql('m.body')} AS pairs, nullif(m.time, '') AS prefix_time, "
        "nullif(m.tag, '') AS tag, nullif(m.tag_id, '') AS tag_id, "
        "coalesce(m.tag = 'heroku' AND m.tag_id = 'router', false) AS is_router FROM ("
        f"SELECT line, raw, {head} AS m "
        f"FROM {lines} WHERE {NOT_BLANK}))"
    )


def _unquoted(value_sql: str) -> str:
    # Go's strconv.Quote writes JSON-compatible strings: a value with an escape is read as
    # JSON (an escape JSON lacks, such as \x.., keeps the text between the quotes).
    inner = f"{value_sql}[2:-2]"
    return (
        f"CASE WHEN NOT starts_with({value_sql}, '\"') THEN {value_sql} "
        f"WHEN NOT contains({value_sql}, '\\') THEN {inner} "
        f"ELSE coalesce(TRY(json_extract_string({value_sql}, '$')), {inner}) END"
    )


def found_keys(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The lower-case keys the pairs of `table` hold (its column `keys`)."""
    rows = con.execute(f"SELECT DISTINCT unnest(keys) FROM {table}").fetchall()
    return {str(row[0]) for row in rows}


def pair_value(key: str) -> list[str]:
    """The value of the first pair whose lower-case key is `key` (NULL when none)."""
    return [f"struct_extract(pairs[list_position(keys, {literal(key)})], 'v')"]


def _first(key: str, found: set[str]) -> str:
    return f"nullif({pair_value(key)[0]}, '')" if key in found else "NULL::VARCHAR"


def _values(keys: dict[str, tuple[str, ...]], found: set[str]) -> dict[str, str]:
    values = field_values(keys, pair_value)
    heroku = literal_list(_HEROKU_TAGS)
    values["ts"] = f"coalesce({values['ts']}, prefix_time)"
    # A Heroku line may carry free text after its tag: that text is the message.
    values["message"] = (
        f"coalesce({values['message']}, CASE WHEN len(pairs) = 0 THEN nullif(trim(m.body), '') END)"
    )
    # Heroku's router names the dyno that served the request in `dyno=`; an app line, in its tag.
    values["container"] = (
        f"coalesce({values['container']}, CASE WHEN is_router THEN {_first('dyno', found)} "
        f"WHEN list_contains({heroku}, tag) THEN tag_id END)"
    )
    values["service"] = (
        f"CASE WHEN is_router THEN NULL ELSE coalesce({values['service']}, "
        f"CASE WHEN NOT list_contains({heroku}, tag) THEN tag END) END"
    )
    values["host"] = f"CASE WHEN is_router THEN NULL ELSE {values['host']} END"
    values["duration_ms"] = (
        f"CASE WHEN is_router THEN {_first('service', found)} ELSE {values['duration_ms']} END"
    )
    return values


def _attr_sources(
    con: duckdb.DuckDBPyConnection,
    *,
    stage: str,
    where: str,
    keys: dict[str, tuple[str, ...]],
    found: set[str],
    claimed: set[str],
) -> AttrSources:
    """The file's own keys (the most frequent first) as attrs columns; the rest as extra."""
    names = own_keys(con, stage=stage, where=where, claimed=literal_list(sorted(claimed)))
    columns = {
        name: f"struct_extract(pairs[list_position(names, {literal(name)})], 'v')"
        for name in names[:MAX_ATTR_KEYS]
    }
    columns.update(shadowed_columns(keys, lambda key: [(key, pair_value(key)[0])]))
    # On Heroku router lines `host=` is the request's Host header, not the machine.
    router_host = f"CASE WHEN is_router THEN {_first('host', found)} END"
    columns["host"] = (
        f"coalesce({router_host}, {columns['host']})" if "host" in columns else router_host
    )
    heroku = literal_list(_HEROKU_TAGS)
    columns.setdefault("pid", f"CASE WHEN NOT list_contains({heroku}, tag) THEN tag_id END")
    extra = None
    if len(names) > MAX_ATTR_KEYS:
        known = literal_list(names[:MAX_ATTR_KEYS])
        extra = (
            f"list_filter(pairs, lambda p: NOT list_contains({literal_list(sorted(claimed))}, "
            "lower(p.k)) "
            f"AND NOT list_contains({known}, p.k))"
        )
    return AttrSources(columns=columns, extra=extra, query="f_path")


def own_keys(con: duckdb.DuckDBPyConnection, *, stage: str, where: str, claimed: str) -> list[str]:
    """The keys no field claims, most frequent first (one more than MAX_ATTR_KEYS at most)."""
    rows = con.execute(
        f"SELECT name, count(*) AS n FROM (SELECT unnest(names) AS name FROM {stage} "
        f"WHERE {where}) WHERE NOT list_contains({claimed}, lower(name)) "
        f"GROUP BY name ORDER BY n DESC, name LIMIT {MAX_ATTR_KEYS + 1}"
    ).fetchall()
    return [str(name) for name, _ in rows]
