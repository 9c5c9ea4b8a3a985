"""Build the `attrs` map of every record fast, and finish a parser's SELECT with it.

DuckDB checks a MAP's keys for duplicates entry by entry as it builds it (`map_from_entries`
costs about 2 µs per entry), but casts a STRUCT to a MAP without that check, since a struct's
field names are already distinct. A parser therefore names the attrs it knows in advance
(`AttrSources.columns`: key -> SQL); rows are grouped by which of them are present (a bit
pattern), and each frequent pattern gets its own `struct_pack(...)::MAP` with exactly the
present keys. Keys only known per row (a logfmt key seen once, RFC 5424 structured data) go
in `AttrSources.extra`; rows that have some take the slower `map_from_entries` path.

A request target's query string becomes `query.<name>` entries: the most frequent names are
read like plain columns (string searches, no lists); a row with another name, or a name
twice, takes the slow path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import duckdb

from warroom.evidence.logs.paths import query_entries, query_has, query_size, query_value
from warroom.evidence.logs.records import ident, literal

# An empty map of the `attrs` type, for records that carry no extra field.
EMPTY_ATTRS: Final = "MAP {}::MAP(VARCHAR, VARCHAR)"
MAX_QUERY_NAMES: Final = 32  # query names read as columns; rarer ones take the slow path
MAX_PATTERNS: Final = 48  # presence patterns built from a struct; rarer ones take the slow path
QUERY_SAMPLE_HEAD: Final = 10_000  # query names are learnt from these lines and every 97th
# Presence patterns are counted on these lines and every 13th: a pattern only picks the fast
# path, so one the sample misses costs time on its rows, never a different map.
PATTERN_SAMPLE_HEAD: Final = 10_000
PATTERN_SAMPLE_STRIDE: Final = 13
_BITS_IN_BIGINT: Final = 62


@dataclass(frozen=True)
class AttrSources:
    """Where the records of a parser keep their attrs (SQL over the parser's record query)."""

    columns: Mapping[str, str] = field(default_factory=dict)  # key -> text (NULL: absent)
    extra: str | None = None  # SQL list of struct(k, v) with keys not in `columns`
    query: str | None = None  # SQL text of a request target whose query string is split


def events_select(
    con: duckdb.DuckDBPyConnection,
    *,
    table: str,
    where: str,
    sources: AttrSources,
    columns: Sequence[str],
) -> str:
    """SELECT `columns` and `attrs` from the rows of `table` that satisfy `where`.

    `table` has a `line` column and, when `sources.query` is set, the query string of that
    target as `_q` (see `paths.query_text`).
    """
    rows = f"(SELECT * FROM {table} WHERE {where})"
    static = dict(sources.columns)
    unusual = []
    if sources.query is not None:
        unusual.append(_query_columns(con, table=table, where=where, static=static))
    if sources.extra is not None:
        unusual.append(f"coalesce(len({sources.extra}), 0) > 0")
    keys = sorted(static)
    # Each value once, as a column `_a<i>`: the branches below name them, not their SQL.
    named = {key: f"_a{index}" for index, key in enumerate(keys)}
    values = "".join(f", {static[key]} AS {named[key]}" for key in keys)
    slow = f"coalesce({' OR '.join(f'({condition})' for condition in unusual) or 'false'}, false)"

    def layer(source: str) -> str:
        return (
            f"SELECT *, CASE WHEN {slow} THEN NULL ELSE {_pattern(keys, named)} END AS _pattern "
            f"FROM (SELECT *{values} FROM {source})"
        )

    sample = (
        f"(SELECT * FROM {table} WHERE ({where}) "
        f"AND (line <= {PATTERN_SAMPLE_HEAD} OR line % {PATTERN_SAMPLE_STRIDE} = 0))"
    )
    patterns = _frequent(
        con, f"SELECT _pattern AS value FROM ({layer(sample)}) WHERE _pattern IS NOT NULL"
    )
    attrs = _attrs_case(keys, named, patterns, sources)
    return f"SELECT {', '.join(columns)}, {attrs} AS attrs FROM ({layer(rows)})"


def _query_columns(
    con: duckdb.DuckDBPyConnection, *, table: str, where: str, static: dict[str, str]
) -> str:
    """Add the frequent query names to `static`; return when a row is unusual (a name outside
    them, or one given twice)."""
    names = [
        name
        for name in _frequent(con, _query_names_sample(table, where), limit=MAX_QUERY_NAMES)
        if name and f"query.{name}" not in static and not set(name) & set("%+&=")
    ]
    for name in names:
        static[f"query.{name}"] = query_value("_q", name)
    counted = " + ".join(f"({query_has('_q', name)})::INTEGER" for name in names) or "0"
    return f"_q IS NOT NULL AND {query_size('_q')} <> {counted}"


def entry(key_sql: str, value_sql: str) -> str:
    """One `attrs` entry: a struct of a key and a value expression."""
    return f"struct_pack(k := {key_sql}, v := CAST({value_sql} AS VARCHAR))"


def attrs_from_entries(entries_sql: str) -> str:
    """An `attrs` map from a list of entries; NULL values dropped, the first of equal keys kept.

    `map_from_entries` refuses duplicate keys; they are rare (a repeated logfmt key), so the
    quadratic de-duplication only runs for the rows where the plain conversion fails.
    """
    unique = (
        "list_filter(es, lambda e, i: list_position(list_transform(es, lambda x: x.k), e.k) = i)"
    )
    # The entries are bound once (a lambda over a one-element list) and read three times.
    return (
        f"list_transform([list_filter({entries_sql}, "
        "lambda e: e.v IS NOT NULL AND e.k IS NOT NULL)], "
        f"lambda es: coalesce(TRY(map_from_entries(es)), map_from_entries({unique})))[1]"
        "::MAP(VARCHAR, VARCHAR)"
    )


def _query_names_sample(table: str, where: str) -> str:
    """The query names of the first rows with a query and of every 97th line after them (the
    lines are chosen before `_q` is read, which may be computed by a view)."""
    return (
        "SELECT split_part(unnest(string_split(_q, '&')), '=', 1) AS value FROM ("
        f"SELECT _q FROM (SELECT * FROM {table} WHERE ({where}) "
        f"AND (line <= {QUERY_SAMPLE_HEAD} OR line % 97 = 0)) WHERE _q IS NOT NULL)"
    )


def _frequent(
    con: duckdb.DuckDBPyConnection, select: str, *, limit: int = MAX_PATTERNS
) -> list[Any]:
    """The most frequent values of the column `value` of `select`, most frequent first."""
    rows = con.execute(
        f"SELECT value, count(*) AS n FROM ({select}) GROUP BY value "
        f"ORDER BY n DESC, value LIMIT {limit}"
    ).fetchall()
    return [value for value, _ in rows]


def _pattern(keys: list[str], named: Mapping[str, str]) -> str:
    """Which static keys a row has: a BIGINT bit set, or a '0'/'1' string past 62 keys."""
    if not keys:
        return "0::BIGINT"
    if len(keys) <= _BITS_IN_BIGINT:
        return " | ".join(
            f"(({named[key]} IS NOT NULL)::BIGINT << {bit})" for bit, key in enumerate(keys)
        )
    bits = ", ".join(f"CASE WHEN {named[key]} IS NULL THEN '0' ELSE '1' END" for key in keys)
    return f"concat({bits})"


def _present(keys: list[str], pattern: int | str) -> list[str]:
    if isinstance(pattern, str):
        return [key for key, bit in zip(keys, pattern, strict=True) if bit == "1"]
    return [key for bit, key in enumerate(keys) if pattern >> bit & 1]


def _struct_map(present: list[str], named: Mapping[str, str]) -> str | None:
    """`struct_pack(...)::MAP` of the present keys; None when a struct cannot name them (an
    empty key, two keys equal but for case), which leaves those rows to the slow path."""
    folded = [key.lower() for key in present]
    if "" in folded or len(set(folded)) < len(folded):
        return None
    if not present:
        return EMPTY_ATTRS
    fields = ", ".join(f"{ident(key)} := CAST({named[key]} AS VARCHAR)" for key in present)
    return f"struct_pack({fields})::MAP(VARCHAR, VARCHAR)"


def _entry_list(keys: list[str], named: Mapping[str, str]) -> str:
    listed = ", ".join(entry(literal(key), named[key]) for key in keys)
    return f"[{listed}]::STRUCT(k VARCHAR, v VARCHAR)[]"


def _attrs_case(
    keys: list[str], named: Mapping[str, str], patterns: list[Any], sources: AttrSources
) -> str:
    """A struct-built map for each frequent pattern; the slow path for every other row, which
    reads the query string whole (a name given twice keeps all its values)."""
    own = _entry_list([key for key in keys if key in sources.columns], named)
    extra = [sources.extra] if sources.extra is not None else []
    if sources.query is not None:
        extra.append(query_entries(sources.query))
    everything = f"list_concat({', '.join([own, *extra])})" if extra else own
    branches = []
    for pattern in patterns:
        built = _struct_map(_present(keys, pattern), named)
        if built is not None:
            value = literal(pattern) if isinstance(pattern, str) else str(pattern)
            branches.append(f"WHEN {value} THEN {built}")
    if not branches:  # no row has a frequent pattern (all rows are on the slow path)
        return attrs_from_entries(everything)
    return f"CASE _pattern {' '.join(branches)} ELSE {attrs_from_entries(everything)} END"
