"""Metric files into the `metrics` table: CSV long, CSV wide, Prometheus text / OpenMetrics.

Every sample becomes `(ts, metric, value, host, container, labels)`. `host` and `container` are
lifted out of the labels (`instance` stands in for a missing host, without its `:port`; `pod` for
a missing container); the file's host, from the manifest or its folder, is the last resort.
Counters are kept raw (the analyzers handle resets); Prometheus `# TYPE` lines are recorded in
the labels as `__type__`. A non-numeric value, an unreadable time or a sample without a
timestamp is a rejected line; an empty cell in a wide CSV is a gap, not an error.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warroom.evidence.sniff import METRIC_TIME
from warroom.evidence.tabular import (
    CsvDocs,
    CsvShape,
    first,
    insert,
    json_text,
    lines_source,
    literal,
    rejected,
    relative_source,
    staged,
)
from warroom.evidence.types import MAX_REJECTED_EXAMPLES, FileLoad, LoadContext

_EMPTY_ENTRIES = "CAST([] AS STRUCT(key VARCHAR, value VARCHAR)[])"
_LIFTED = ("host", "container")
_OK = (
    "coalesce(problem IS NULL AND ts IS NOT NULL AND value IS NOT NULL AND NOT isnan(value), false)"
)
_REASON = """coalesce(problem, CASE
    WHEN ts IS NULL THEN 'unreadable time'
    WHEN raw IS NULL THEN 'no value'
    WHEN value IS NULL THEN 'value is not a number'
    ELSE 'value is NaN' END)"""
_PROM_LINE = r"^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{(.*)\})?\s+(\S+)(\s+(\S+))?$"
_PROM_LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"'
# label values escape backslash, double quote and newline
_UNESCAPE = r"""replace(replace(replace(replace(v, '\\', chr(1)), '\"', '"'), '\n', chr(10)),
    chr(1), '\')"""
_PROM_SUFFIX = r"_(total|bucket|sum|count|created|gcount|gsum|info)$"


def _entry(key: str, value_sql: str) -> str:
    return f"{{'key': {literal(key)}, 'value': {value_sql}}}"


def _label(entries: str, *keys: str) -> str:
    values = [
        f"list_filter({entries}, lambda e: lower(e.key) = {literal(k)})[1].value" for k in keys
    ]
    return values[0] if len(values) == 1 else f"coalesce({', '.join(values)})"


def insert_samples(
    con: duckdb.DuckDBPyConnection, samples: str, *, source: str, fmt: str, file_host: str | None
) -> FileLoad:
    """Insert the good rows of `samples` (n, ts, metric, raw, entries, problem, example)."""
    entries = "entries"
    instance = f"regexp_replace({_label(entries, 'instance')}, ':\\d+$', '')"
    host = f"coalesce({_label(entries, 'host')}, {instance}, {_nullable(file_host)})"
    labels = (
        f"map_from_entries(list_filter({entries}, lambda e: e.value IS NOT NULL "
        f"AND lower(e.key) NOT IN ('host', 'container')))"
    )
    select = f"SELECT *, try_cast(raw AS DOUBLE) AS value FROM {samples}"
    with staged(con, select) as stage:
        rows = insert(
            con,
            table="metrics",
            select=f"SELECT ts, metric, value, {host}, {_label(entries, 'container', 'pod')}, "
            f"{labels}, {literal(source)} FROM {stage} WHERE {_OK}",
        )
        count, examples = rejected(
            con, f"SELECT n, {_REASON} || ': ' || example AS example FROM {stage} WHERE NOT {_OK}"
        )
    return FileLoad(source, "metrics", fmt, rows=rows, rejected=count, rejected_examples=examples)


def _nullable(text: str | None) -> str:
    return literal(text) if text is not None else "CAST(NULL AS VARCHAR)"


def _finish(
    con: duckdb.DuckDBPyConnection, samples: str, *, fmt: str, path: Path, ctx: LoadContext
) -> FileLoad:
    source = relative_source(path, ctx.root)
    return insert_samples(con, samples, source=source, fmt=fmt, file_host=ctx.host)


def _csv_entries(columns: list[str]) -> str:
    if not columns:
        return _EMPTY_ENTRIES
    return "[" + ", ".join(_entry(column, json_text("doc", [column])) for column in columns) + "]"


def load_csv_long(
    con: duckdb.DuckDBPyConnection, path: Path, *, shape: CsvShape, ctx: LoadContext
) -> FileLoad:
    """A CSV with a time column, a `metric` (or `name`) column and a `value` column."""
    time_column = shape.find(*METRIC_TIME) or ""
    metric_column = shape.find("metric", "name") or ""
    value_column = shape.find("value") or ""
    labels = [c for c in shape.header if c not in (time_column, metric_column, value_column)]
    docs = CsvDocs(con, path, delimiter=shape.delimiter)
    ts = f"warroom_ts({json_text('doc', [time_column])}, {literal(ctx.timezone)})"
    samples = f"""(SELECT n, {ts} AS ts,
        {json_text("doc", [metric_column])} AS metric, {json_text("doc", [value_column])} AS raw,
        {_csv_entries(labels)} AS entries,
        CASE WHEN {json_text("doc", [metric_column])} IS NULL THEN 'no metric name' END AS problem,
        CAST(doc AS VARCHAR) AS example FROM {docs.docs})"""
    loaded = _finish(con, samples, fmt="csv_long", path=path, ctx=ctx)
    return _with_malformed(loaded, docs)


def load_csv_wide(
    con: duckdb.DuckDBPyConnection, path: Path, *, shape: CsvShape, ctx: LoadContext
) -> FileLoad:
    """A CSV with a time column and one numeric column per metric (others become labels)."""
    time_column = shape.find(*METRIC_TIME) or ""
    others = [column for column in shape.header if column != time_column]
    docs = CsvDocs(con, path, delimiter=shape.delimiter)
    metric_columns = _numeric_columns(con, docs.docs, others)
    labels = [c for c in others if c not in metric_columns]
    single_value = [c.lower() for c in metric_columns] == ["value"]
    pairs = ", ".join(
        f"{{'metric': {literal(path.name.split('.')[0] if single_value else column)}, "
        f"'raw': {json_text('doc', [column])}}}"
        for column in metric_columns
    )
    ts = f"warroom_ts({json_text('doc', [time_column])}, {literal(ctx.timezone)})"
    samples = f"""(SELECT n, {ts} AS ts,
        u.pair.metric AS metric, u.pair.raw AS raw, {_csv_entries(labels)} AS entries,
        CAST(NULL AS VARCHAR) AS problem, CAST(doc AS VARCHAR) AS example
        FROM {docs.docs}, unnest([{pairs}]) AS u(pair) WHERE u.pair.raw IS NOT NULL)"""
    loaded = _finish(con, samples, fmt="csv_wide", path=path, ctx=ctx)
    return _with_malformed(loaded, docs)


def _numeric_columns(con: duckdb.DuckDBPyConnection, docs: str, columns: list[str]) -> list[str]:
    """Columns whose values are mostly numbers (the stray non-numbers become rejected lines)."""
    if not columns:
        return []
    counts = ", ".join(
        f"count({json_text('doc', [c])}), count(try_cast({json_text('doc', [c])} AS DOUBLE))"
        for c in columns
    )
    row = first(con, f"SELECT {counts} FROM {docs}")
    pairs = zip(row[0::2], row[1::2], strict=True)
    return [
        c
        for c, (present, numeric) in zip(columns, pairs, strict=True)
        if numeric * 2 >= present > 0
    ]


def _with_malformed(loaded: FileLoad, docs: CsvDocs) -> FileLoad:
    count, examples = docs.malformed()
    loaded.rejected += count
    loaded.rejected_examples = (examples + loaded.rejected_examples)[:MAX_REJECTED_EXAMPLES]
    return loaded


def load_prometheus_text(
    con: duckdb.DuckDBPyConnection, path: Path, *, ctx: LoadContext
) -> FileLoad:
    """Prometheus text exposition or OpenMetrics, with a timestamp on every sample.

    Timestamps are told apart by magnitude: milliseconds (Prometheus text) or seconds
    (OpenMetrics). Exemplars (`# {trace_id="..."} ...`) are dropped.
    """
    lines = lines_source(path)
    body = r"regexp_replace(trim(line), '\s+#\s*\{.*$', '')"
    sql = f"""(WITH clean AS (SELECT n, line, {body} AS body FROM {lines} WHERE trim(line) <> ''),
    types AS (SELECT regexp_extract(body, '^#\\s*TYPE\\s+(\\S+)\\s+(\\S+)', 1) AS family,
        any_value(lower(regexp_extract(body, '^#\\s*TYPE\\s+(\\S+)\\s+(\\S+)', 2))) AS kind
        FROM clean WHERE regexp_matches(body, '^#\\s*TYPE\\s') GROUP BY family),
    parsed AS (SELECT n, line, regexp_extract(body, {literal(_PROM_LINE)},
        ['name', 'braces', 'labels', 'value', 'tsgroup', 'ts']) AS p
        FROM clean WHERE NOT starts_with(body, '#'))
    SELECT n, warroom_epoch(try_cast(NULLIF(p.ts, '') AS DOUBLE)) AS ts,
        NULLIF(p.name, '') AS metric, NULLIF(p.value, '') AS raw,
        list_concat(map_entries(map(regexp_extract_all(p.labels, {literal(_PROM_LABEL)}, 1),
            list_transform(regexp_extract_all(p.labels, {literal(_PROM_LABEL)}, 2),
                lambda v: {_UNESCAPE}))),
            [{_entry("__type__", "coalesce(exact.kind, family.kind)")}]) AS entries,
        CASE WHEN p.name = '' OR try_cast(p.value AS DOUBLE) IS NULL THEN 'not a sample line'
            WHEN p.ts = '' THEN 'sample has no timestamp' END AS problem, line AS example
    FROM parsed
    LEFT JOIN types AS exact ON exact.family = p.name
    LEFT JOIN types AS family
        ON family.family = regexp_replace(p.name, {literal(_PROM_SUFFIX)}, ''))"""
    return _finish(con, sql, fmt="prometheus", path=path, ctx=ctx)
