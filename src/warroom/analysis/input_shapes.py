"""Value shapes of request fields, classified in the engine, and the counts the inputs tests.

A shape is what a parser or a validator cares about, not the value itself: `1.5` and `2,5` are
decimals, `-3` is negative, `" bob"` has white space at an edge. The contract names them:
decimal, integer, negative, zero, empty, missing, non_ascii, whitespace, too_long, special_chars.
Shapes overlap (`0` is zero and integer, `-1.5` negative and decimal); each is tested alone.

The regular expressions run in DuckDB over the distinct values of the incident and baseline
requests; `too_long` needs the field's usual length, so it is decided from the aggregated
lengths (`is_too_long`), and `missing` from the route totals (`input_stats.py`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd  # type: ignore[import-untyped]

# shape -> DuckDB boolean over the value `v` (RE2 syntax)
SHAPE_SQL = {
    "decimal": r"regexp_matches(v, '^[+-]?([0-9]*\.[0-9]+|[0-9]+,[0-9]+)$')",
    "integer": r"regexp_matches(v, '^[+-]?[0-9]+$')",
    "negative": r"regexp_matches(v, '^-([0-9]*[.,])?[0-9]+$')",
    "zero": r"regexp_matches(v, '^[+-]?0+([.,]0+)?$')",
    "empty": "v = ''",
    "whitespace": r"(v <> '' AND (trim(v) = '' OR regexp_matches(v, '^\s|\s$')))",
    "non_ascii": r"regexp_matches(v, '[^\x00-\x7F]')",
    # quotes, brackets, control characters, shell and SQL punctuation; not . , : / @ + - _ space
    "special_chars": r"""regexp_matches(v, '[\x00-\x1F\x7F!"#$%&''()*;<=>?\[\\\]^`{|}~]')""",
}
DECIMAL_COMMA_SQL = r"regexp_matches(v, '^[+-]?[0-9]+,[0-9]+$')"
SHAPES = (*SHAPE_SQL, "too_long", "missing")
TOO_LONG_MIN = 64  # a value is too long beyond 4x the field's median length, and never below this
TOO_LONG_FACTOR = 4


def value_counts(con: Any, counts_table: str, routes: list[str], keys: list[str]) -> pd.DataFrame:
    """Requests per route x key x value x period x failed, with the value's shape flags.

    `counts_table`: route, key, value, period, failed, n, one row each (`RequestTables`).

    Rows: a few per distinct value (ids make many; this is still an aggregate)."""
    if not routes or not keys:
        return pd.DataFrame()
    flags = ", ".join(f"{sql} AS {name}" for name, sql in SHAPE_SQL.items())
    sql = (
        f"WITH counted AS (SELECT route, key, value AS v, period, failed, n "
        f'FROM "{counts_table}" WHERE route IN (SELECT unnest($1::VARCHAR[])) '
        "AND key IN (SELECT unnest($2::VARCHAR[]))) "
        f"SELECT route, key, v AS value, period, failed, n, length(v) AS chars, "
        f"{DECIMAL_COMMA_SQL} AS decimal_comma, {flags} FROM counted"
    )
    # a relation through Arrow: the same frame (dtypes included), converted faster than .df()
    frame: pd.DataFrame = con.sql(sql, params=[routes, keys]).to_arrow_table().to_pandas()
    return frame


def is_too_long(values: pd.DataFrame) -> pd.Series:
    """Per row of `value_counts`: longer than 4x its field's median length (and > 64 chars)."""
    if values.empty:
        return pd.Series([], dtype=bool)
    ordered = values.sort_values(["key", "chars"])
    cumulative = ordered.groupby("key")["n"].cumsum()
    half = ordered.groupby("key")["n"].transform("sum") / 2
    medians = ordered[cumulative >= half].groupby("key")["chars"].first()
    # each row's median by the position of its key (Series.map over strings is slow)
    codes, keys = pd.factorize(values["key"])
    median = pd.Series(medians.reindex(keys).to_numpy()[codes], index=values.index)
    limit = (median * TOO_LONG_FACTOR).clip(lower=TOO_LONG_MIN)
    return values["chars"] > limit
