"""Build the `attrs` map of every record fast, and finish a parser's SELECT with it.

DuckDB checks a MAP's keys for duplicates entry by entry as it builds it (`map_from_entries`
costs about 2 µs per entry), but casts a STRUCT to a MAP without that check, since a struct's
field names are already distinct. A parser therefore names the attrs it knows in advance
(`AttrSources.columns`: key -> SQL); rows are grouped by which of them are present (a bit
pattern), and each frequent pattern gets its own `struct_pack(...)::MAP` with exactly the
present keys. Keys only known per row (a logfmt key seen once, RFC 5424 structured data) go
in `AttrSources.extra`; rows that have some take the slower `map_from_entries` path.

A request target's query string becomes `query.<name>` entries; the parser splits it into
lists (`query_lists`) and the most frequent names are read from them like plain columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import duckdb

from warroom.evidence.logs.paths import query_entries
from warroom.evidence.logs.records import (
    EMPTY_ATTRS,
    attrs_from_entries,
    entry,
    ident,
    literal,
    literal_list,
)

MAX_QUERY_NAMES: Final = 32  # query names read as columns; rarer ones take the slow path
MAX_PATTERNS: Final = 48  # presence patterns built from a struct; rarer ones take the slow path
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

    When `sources.query` is set, `table` must have the columns of `query_lists` for it.
    """
    rows = f"(SELECT * FROM {table} WHERE {where})"
    static, unusual = dict(sources.columns), []
    if sources.query is not None:
        names = _frequent(con, f"SELECT unnest(_qn) AS value FROM {rows}", limit=MAX_QUERY_NAMES)
        names = [name for name in names if f"query.{name}" not in static]
        for name in names:
            static[f"query.{name}"] = f"_qv[list_position(_qn, {literal(name)})]"
        unusual.append(
            f"len(list_distinct(_qn)) < len(_qn) OR NOT list_has_all({literal_list(names)}, _qn)"
        )
    if sources.extra is not None:
        unusual.append(f"coalesce(len({sources.extra}), 0) > 0")
    keys = sorted(static)
    slow = " OR ".join(f"({condition})" for condition in unusual) or "false"
    layer = f"SELECT *, {_pattern(keys, static)} AS _pattern, {slow} AS _slow FROM {rows}"
    patterns = _frequent(con, f"SELECT _pattern AS value FROM ({layer}) WHERE NOT _slow")
    attrs = _attrs_case(keys, static, patterns, sources)
    return f"SELECT {', '.join(columns)}, {attrs} AS attrs FROM ({layer})"


def _frequent(
    con: duckdb.DuckDBPyConnection, select: str, *, limit: int = MAX_PATTERNS
) -> list[Any]:
    """The most frequent values of the column `value` of `select`, most frequent first."""
    rows = con.execute(
        f"SELECT value, count(*) AS n FROM ({select}) GROUP BY value "
        f"ORDER BY n DESC, value LIMIT {limit}"
    ).fetchall()
    return [value for value, _ in rows]


def _pattern(keys: list[str], static: Mapping[str, str]) -> str:
    """Which static keys a row has: a BIGINT bit set, or a '0'/'1' string past 62 keys."""
    if not keys:
        return "0::BIGINT"
    if len(keys) <= _BITS_IN_BIGINT:
        return " | ".join(
            f"((({static[key]}) IS NOT NULL)::BIGINT << {bit})" for bit, key in enumerate(keys)
        )
    bits = ", ".join(f"CASE WHEN ({static[key]}) IS NULL THEN '0' ELSE '1' END" for key in keys)
    return f"concat({bits})"


def _present(keys: list[str], pattern: int | str) -> list[str]:
    if isinstance(pattern, str):
        return [key for key, bit in zip(keys, pattern, strict=True) if bit == "1"]
    return [key for bit, key in enumerate(keys) if pattern >> bit & 1]


def _struct_map(present: list[str], static: Mapping[str, str]) -> str | None:
    """`struct_pack(...)::MAP` of the present keys; None when a struct cannot name them (an
    empty key, two keys equal but for case), which leaves those rows to the slow path."""
    folded = [key.lower() for key in present]
    if "" in folded or len(set(folded)) < len(folded):
        return None
    if not present:
        return EMPTY_ATTRS
    fields = ", ".join(f"{ident(key)} := CAST({static[key]} AS VARCHAR)" for key in present)
    return f"struct_pack({fields})::MAP(VARCHAR, VARCHAR)"


def _entry_list(keys: list[str], static: Mapping[str, str]) -> str:
    listed = ", ".join(entry(literal(key), static[key]) for key in keys)
    return f"[{listed}]::STRUCT(k VARCHAR, v VARCHAR)[]"


def _attrs_case(
    keys: list[str], static: Mapping[str, str], patterns: list[Any], sources: AttrSources
) -> str:
    entries = _entry_list(keys, static)
    # The slow path reads the query string whole: a name given twice keeps all its values.
    own = _entry_list([key for key in keys if key in sources.columns], static)
    extra = [sources.extra] if sources.extra is not None else []
    if sources.query is not None:
        extra.append(query_entries(sources.query))
    everything = f"list_concat({', '.join([own, *extra])})" if extra else entries
    branches = []
    for pattern in patterns:
        built = _struct_map(_present(keys, pattern), static)
        if built is not None:
            value = literal(pattern) if isinstance(pattern, str) else str(pattern)
            branches.append(f"WHEN _pattern = {value} THEN {built}")
    return (
        f"CASE WHEN _slow THEN {attrs_from_entries(everything)} {' '.join(branches)} "
        f"ELSE {attrs_from_entries(entries)} END"
    )
