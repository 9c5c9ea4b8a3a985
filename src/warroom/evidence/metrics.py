"""Metric files into the `metrics` table: CSV long, CSV wide, Prometheus text / OpenMetrics.

Every sample becomes `(ts, metric, value, host, container, labels)`. `host` and `container` are
lifted out of the labels (`instance` stands in for a missing host, without its `:port`; `pod` for
a missing container); the file's host, from the manifest or its folder, is the last resort.
Counters are kept raw (the analyzers handle resets); Prometheus `# TYPE` lines are recorded in
the labels as `__type__`. A non-numeric value, an unreadable time or a sample without a
timestamp is a rejected line; an empty cell in a wide CSV is a gap, not an error.

Building a label map is the costly part of a sample, and a file has few distinct label sets
(series) but many samples: each sample carries a `label_key` text, and the maps are built once
per distinct key and joined back.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warroom.evidence.sniff import METRIC_TIME
from warroom.evidence.tabular import (
    CsvDocs,
    CsvShape,
    first,
    ident,
    insert,
    lines_source,
    literal,
    rejected,
    relative_source,
    staged,
)
from warroom.evidence.types import MAX_REJECTED_EXAMPLES, FileLoad, LoadContext

_SEP, _NULL = "chr(31)", "chr(0)"  # label_key: values joined by \x1f, NULL written as \x00
_OK = (
    "coalesce(problem IS NULL AND ts IS NOT NULL AND value IS NOT NULL AND NOT isnan(value), false)"
)
_REASON = """coalesce(problem, CASE
    WHEN ts IS NULL THEN 'unreadable time'
    WHEN raw IS NULL THEN 'no value'
    WHEN value IS NULL THEN 'value is not a number'
    ELSE 'value is NaN' END)"""
_PROM_LINE = r"^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{(.*)\})?\s+(\S+)(\s+(\S+))?$"
# The usual sample line: spaces only, one pair of braces and no brace outside it: `_sample_parts`
# cuts it with string functions.
_PROM_USUAL = r"[a-zA-Z_:][a-zA-Z0-9_:]*(?: *\{[^}]*\})? +[^ \t\f\r{}]+(?: +[^ \t\f\r{}]+)?"
_PROM_LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"'
# label values escape backslash, double quote and newline
_UNESCAPE = r"""replace(replace(replace(replace(v, '\\', chr(1)), '\"', '"'), '\n', chr(10)),
    chr(1), '\')"""
_PROM_SUFFIXES = ("total", "bucket", "sum", "count", "created", "gcount", "gsum", "info")
# The `# TYPE` of a sample: its family's when its name is a family, else that of the family its
# name is with one suffix (`http_requests_total` of `http_requests`). Every name a family's
# samples can have is listed once, from the few TYPE lines, so that each sample is joined on
# its name instead of stripping a suffix from every name with an expression.
_KINDS = f"""kinds AS (SELECT name, arg_min(kind, rank) AS kind FROM (
        SELECT family AS name, kind, 0 AS rank FROM types
        UNION ALL SELECT family || '_' || suffix, kind, 1 FROM types,
            unnest([{", ".join(f"'{x}'" for x in _PROM_SUFFIXES)}]) AS u(suffix))
    GROUP BY name)"""


def _label(entries: str, *keys: str) -> str:
    values = [
        f"list_filter({entries}, lambda e: lower(e.key) = {literal(k)})[1].value" for k in keys
    ]
    return values[0] if len(values) == 1 else f"coalesce({', '.join(values)})"


def _nullable(text: str | None) -> str:
    return literal(text) if text is not None else "CAST(NULL AS VARCHAR)"


def insert_samples(
    con: duckdb.DuckDBPyConnection,
    samples: str,
    *,
    example: str,
    entries: str,
    source: str,
    fmt: str,
    file_host: str | None,
) -> FileLoad:
    """Insert the good rows of `samples` (n, ts, metric, raw, label_key, problem, ...).

    `example` is SQL over a sample's columns that shows a rejected one (it is only computed for
    those); `entries` is SQL over `label_key` giving the label set as {key, value} structs.
    """
    instance = f"regexp_replace({_label('entries', 'instance')}, ':\\d+$', '')"
    select = f"""SELECT n, ts, metric, value, label_key,
        CASE WHEN NOT {_OK} THEN {_REASON} || ': ' || {example} END AS reject
        FROM (SELECT *, try_cast(raw AS DOUBLE) AS value FROM {samples})"""
    with staged(con, select) as stage:
        series = f"""SELECT label_key,
            coalesce({_label("entries", "host")}, {instance}, {_nullable(file_host)}) AS host,
            {_label("entries", "container", "pod")} AS container,
            map_from_entries(list_filter(entries, lambda e: e.value IS NOT NULL
                AND lower(e.key) NOT IN ('host', 'container'))) AS labels
            FROM (SELECT label_key, {entries} AS entries
                FROM (SELECT DISTINCT label_key FROM {stage} WHERE reject IS NULL))"""
        rows = insert(
            con,
            table="metrics",
            select=f"""SELECT s.ts, s.metric, s.value, l.host, l.container, l.labels,
                {literal(source)} FROM {stage} AS s JOIN ({series}) AS l USING (label_key)
                WHERE s.reject IS NULL""",
        )
        count, examples = rejected(
            con, f"SELECT n, reject AS example FROM {stage} WHERE reject IS NOT NULL"
        )
    return FileLoad(source, "metrics", fmt, rows=rows, rejected=count, rejected_examples=examples)


def _csv_labels(columns: list[str]) -> tuple[str, str]:
    """(label_key over a CSV row, entries over label_key) for the label columns."""
    if not columns:
        return "''", "CAST([] AS STRUCT(key VARCHAR, value VARCHAR)[])"
    key = f" || {_SEP} || ".join(f"coalesce({CsvDocs.column(c)}, {_NULL})" for c in columns)
    parts = f"string_split(label_key, {_SEP})"
    entries = ", ".join(
        f"{{'key': {literal(c)}, 'value': NULLIF({parts}[{i}], {_NULL})}}"
        for i, c in enumerate(columns, start=1)
    )
    return key, f"[{entries}]"


def _example(shape: CsvShape) -> str:
    """The rejected row as it was written (its fields, as a struct column `csv_row`)."""
    columns = ", ".join(f"csv_row.{ident(c)}" for c in shape.unique_header())
    return f"concat_ws({literal(shape.delimiter)}, {columns})"


def load_csv_long(
    con: duckdb.DuckDBPyConnection, path: Path, *, shape: CsvShape, ctx: LoadContext
) -> FileLoad:
    """A CSV with a time column, a `metric` (or `name`) column and a `value` column."""
    time_column = shape.find(*METRIC_TIME) or ""
    metric_column = shape.find("metric", "name") or ""
    value_column = shape.find("value") or ""
    labels = [c for c in shape.header if c not in (time_column, metric_column, value_column)]
    reader = CsvDocs(con, path, shape=shape)
    key, entries = _csv_labels(labels)
    metric = CsvDocs.column(metric_column)
    samples = f"""(SELECT n, warroom_ts({CsvDocs.column(time_column)}, {literal(ctx.timezone)})
        AS ts, {metric} AS metric, {CsvDocs.column(value_column)} AS raw, {key} AS label_key,
        CASE WHEN {metric} IS NULL THEN 'no metric name' END AS problem, r AS csv_row
        FROM {reader.rows} AS r)"""
    loaded = insert_samples(
        con,
        samples,
        example=_example(shape),
        entries=entries,
        source=_source(path, ctx),
        fmt="csv_long",
        file_host=ctx.host,
    )
    return _with_malformed(loaded, reader)


def load_csv_wide(
    con: duckdb.DuckDBPyConnection, path: Path, *, shape: CsvShape, ctx: LoadContext
) -> FileLoad:
    """A CSV with a time column and one numeric column per metric (others become labels)."""
    time_column = shape.find(*METRIC_TIME) or ""
    others = [column for column in shape.header if column != time_column]
    reader = CsvDocs(con, path, shape=shape)
    metric_columns = _numeric_columns(con, reader.rows, others)
    key, entries = _csv_labels([c for c in others if c not in metric_columns])
    single_value = [c.lower() for c in metric_columns] == ["value"]
    pairs = ", ".join(
        f"{{'metric': {literal(path.name.split('.')[0] if single_value else column)}, "
        f"'raw': {CsvDocs.column(column)}}}"
        for column in metric_columns
    )
    samples = f"""(SELECT n, warroom_ts({CsvDocs.column(time_column)}, {literal(ctx.timezone)})
        AS ts, u.pair.metric AS metric, u.pair.raw AS raw, {key} AS label_key,
        CAST(NULL AS VARCHAR) AS problem, r AS csv_row
        FROM {reader.rows} AS r, unnest([{pairs}]) AS u(pair) WHERE u.pair.raw IS NOT NULL)"""
    loaded = insert_samples(
        con,
        samples,
        example=_example(shape),
        entries=entries,
        source=_source(path, ctx),
        fmt="csv_wide",
        file_host=ctx.host,
    )
    return _with_malformed(loaded, reader)


def _source(path: Path, ctx: LoadContext) -> str:
    return relative_source(path, ctx.root)


def _numeric_columns(con: duckdb.DuckDBPyConnection, rows: str, columns: list[str]) -> list[str]:
    """Columns whose values are mostly numbers (the stray non-numbers become rejected lines)."""
    if not columns:
        return []
    counts = ", ".join(
        f"count({CsvDocs.column(c)}), count(try_cast({CsvDocs.column(c)} AS DOUBLE))"
        for c in columns
    )
    row = first(con, f"SELECT {counts} FROM {rows}")
    pairs = zip(row[0::2], row[1::2], strict=True)
    return [
        c
        for c, (present, numeric) in zip(columns, pairs, strict=True)
        if numeric * 2 >= present > 0
    ]


def _with_malformed(loaded: FileLoad, reader: CsvDocs) -> FileLoad:
    count, examples = reader.malformed()
    loaded.rejected += count
    loaded.rejected_examples = (examples + loaded.rejected_examples)[:MAX_REJECTED_EXAMPLES]
    return loaded


def _sample_parts(clean: str) -> str:
    """SELECT n, line, p FROM the sample lines of `clean` (n, line, body), where p is
    struct(name, labels, value, ts) as `_PROM_LINE` captures them ('' for a part that is
    absent or a line that does not match).

    Capturing with the expression costs several µs a line; the usual line (spaces only, one
    pair of braces, no brace after them) is checked without captures and cut with string
    functions, which give the same parts; any other line is captured.
    """
    captured = (
        f"regexp_extract(body, {literal(_PROM_LINE)}, "
        "['name', 'braces', 'labels', 'value', 'tsgroup', 'ts'])"
    )
    cut = (
        "struct_pack(name := rtrim(CASE WHEN o > 0 THEN left(body, o - 1) "
        "ELSE split_part(body, ' ', 1) END), "
        "labels := CASE WHEN o > 0 THEN substr(body, o + 1, c - o - 1) ELSE '' END, "
        "value := split_part(r, ' ', 1), ts := ltrim(substr(r, strpos(r || ' ', ' '))))"
    )
    rest = (
        "ltrim(CASE WHEN o > 0 THEN substr(body, c + 1) ELSE substr(body, strpos(body, ' ')) END)"
    )
    usual = f"regexp_full_match(body, {literal(_PROM_USUAL)})"
    return (
        f"SELECT n, line, CASE WHEN usual THEN {cut} ELSE struct_pack(name := x.name, "
        "labels := x.labels, value := x.value, ts := x.ts) END AS p FROM ("
        f"SELECT *, CASE WHEN usual THEN {rest} END AS r, "
        f"CASE WHEN NOT usual THEN {captured} END AS x FROM ("
        f"SELECT n, line, body, {usual} AS usual, strpos(body, '{{') AS o, "
        f"strpos(body, '}}') AS c FROM {clean} WHERE NOT starts_with(body, '#')))"
    )


def load_prometheus_text(
    con: duckdb.DuckDBPyConnection, path: Path, *, ctx: LoadContext
) -> FileLoad:
    """Prometheus text exposition or OpenMetrics, with a timestamp on every sample.

    Timestamps are told apart by magnitude: milliseconds (Prometheus text) or seconds
    (OpenMetrics). Exemplars (`# {trace_id="..."} ...`) are dropped.
    """
    lines = lines_source(path)
    # Only a line with a `#` can hold an exemplar.
    body = (
        r"CASE WHEN contains(line, '#') THEN regexp_replace(trim(line), '\s+#\s*\{.*$', '') "
        "ELSE trim(line) END"
    )
    type_line = r"'^#\s*TYPE\s+(\S+)\s+(\S+)'"
    samples = f"""(WITH
    clean AS (SELECT n, line, {body} AS body FROM {lines} WHERE trim(line) <> ''),
    types AS (SELECT regexp_extract(body, {type_line}, 1) AS family,
        any_value(lower(regexp_extract(body, {type_line}, 2))) AS kind
        FROM clean WHERE CASE WHEN starts_with(body, '#')
            THEN regexp_matches(body, '^#\\s*TYPE\\s') ELSE false END GROUP BY family),
    {_KINDS},
    parsed AS ({_sample_parts("clean")})
    SELECT n, warroom_epoch(try_cast(NULLIF(p.ts, '') AS DOUBLE)) AS ts,
        NULLIF(p.name, '') AS metric, NULLIF(p.value, '') AS raw,
        p.labels || {_SEP} || coalesce(kinds.kind, '') AS label_key,
        CASE WHEN p.name = '' OR try_cast(p.value AS DOUBLE) IS NULL THEN 'not a sample line'
            WHEN p.ts = '' THEN 'sample has no timestamp' END AS problem, line
    FROM parsed LEFT JOIN kinds ON kinds.name = p.name)"""
    text = f"string_split(label_key, {_SEP})[1]"
    kind = f"NULLIF(string_split(label_key, {_SEP})[2], '')"
    entries = f"""list_concat(map_entries(map(regexp_extract_all({text}, {literal(_PROM_LABEL)}, 1),
        list_transform(regexp_extract_all({text}, {literal(_PROM_LABEL)}, 2),
            lambda v: {_UNESCAPE}))), [{{'key': '__type__', 'value': {kind}}}])"""
    return insert_samples(
        con,
        samples,
        example="line",
        entries=entries,
        source=_source(path, ctx),
        fmt="prometheus",
        file_host=ctx.host,
    )
