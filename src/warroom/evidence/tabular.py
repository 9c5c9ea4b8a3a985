"""SQL building blocks shared by the non-log loaders: the connection, times, lines, documents.

Every loader turns its file into a relation of `(n, doc)` rows (`n` the line or record number,
`doc` a JSON object) or of `(n, line)` rows, and then into one `INSERT ... SELECT`: parsing stays
vectorised in DuckDB whatever the format. Rejected rows are counted in SQL too, with the first
few kept as examples.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from warroom import duck
from warroom.errors import InputError
from warroom.evidence.schema import TABLES, create_statement
from warroom.evidence.types import MAX_REJECTED_EXAMPLES

# `warroom_ts(text, zone)` (text already trimmed): ISO 8601 with Z or an offset, ISO 8601
# without one (read in `zone`), or epoch seconds / milli- / micro- / nanoseconds told apart by
# magnitude. Cheap character tests pick the branch: this runs once per record.
_TIME_MACROS = r"""
CREATE OR REPLACE MACRO warroom_epoch(v) AS make_timestamp(CAST(CASE
    WHEN abs(v) >= 1e17 THEN v / 1000 WHEN abs(v) >= 1e14 THEN v
    WHEN abs(v) >= 1e11 THEN v * 1000 ELSE v * 1000000 END AS BIGINT));
CREATE OR REPLACE MACRO warroom_local(x) AS
    coalesce(try_cast(x AS TIMESTAMP), try_cast(replace(x, ',', '.') AS TIMESTAMP));
CREATE OR REPLACE MACRO warroom_ts(x, zone) AS CASE
    WHEN x IS NULL THEN NULL
    WHEN right(x, 1) IN ('Z', 'z') THEN warroom_local(x)  -- a TIMESTAMP cast reads Z as UTC
    WHEN contains(substr(x, 11), '+') OR contains(substr(x, 11), '-')
        THEN CAST(coalesce(try_cast(x AS TIMESTAMPTZ), try_cast(regexp_replace(
            replace(x, ',', '.'), '\s+([+-]\d)', '\1') AS TIMESTAMPTZ)) AS TIMESTAMP)
    WHEN try_cast(x AS DOUBLE) IS NOT NULL THEN warroom_epoch(try_cast(x AS DOUBLE))
    WHEN zone = 'UTC' THEN warroom_local(x)
    ELSE CAST(timezone(zone, warroom_local(x)) AS TIMESTAMP)
END;
"""

_counter = itertools.count()


@dataclass(frozen=True)
class CsvShape:
    """What the sniffer learnt about a CSV file: its delimiter and header (as written)."""

    delimiter: str
    header: tuple[str, ...]

    def find(self, *names: str) -> str | None:
        """The header column matching the first of `names` (case-insensitively), if any."""
        lowered = {column.strip().lower(): column for column in self.header}
        return next((lowered[name] for name in names if name in lowered), None)

    def unique_header(self) -> list[str]:
        """The header with repeated names made unique (`a`, `a_2`), as the columns are named."""
        seen: dict[str, int] = {}
        names = []
        for name in self.header:
            seen[name] = seen.get(name, 0) + 1
            names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
        return names


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Any]:
    """Execute and read the whole result: DuckDB refuses new queries while a result is open."""
    return con.execute(sql, params or []).fetchall()


def first(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The first row of a query (the rest is read and dropped), or an empty tuple."""
    rows = run(con, sql, params)
    return rows[0] if rows else ()


def open_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the five empty tables, UTC session time and the time macros."""
    con = duck.connect()
    run(con, "SET TimeZone = 'UTC'")
    for table in TABLES:
        run(con, create_statement(table))
    run(con, _TIME_MACROS)
    return con


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def json_key(key: str) -> str:
    """A JSON path that names one top-level key exactly (dots and quotes in it included)."""
    if key.startswith(("$", "/")):
        return literal("$." + '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return literal(key)  # DuckDB reads a path without $ or / as one literal key


def json_text(doc: str, keys: Iterable[str]) -> str:
    """The first non-empty value among `keys` of JSON `doc`, as text (NULL when none)."""
    parts = [f"NULLIF(trim({doc} ->> {json_key(key)}), '')" for key in keys]
    if not parts:
        return "CAST(NULL AS VARCHAR)"
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def lines_source(path: Path) -> str:
    """`(n, line)` for every line of a text file (gzip read transparently); empty lines are NULL."""
    reader = (
        f"read_csv({literal(str(path))}, columns = {{'line': 'VARCHAR'}}, header = false, "
        "delim = '\\x1f', quote = '', escape = '', auto_detect = false, strict_mode = false)"
    )
    return f"(SELECT row_number() OVER () AS n, line FROM {reader})"


def json_lines_docs(path: Path) -> tuple[str, str]:
    """`(n, doc)` for the JSON objects of a JSON lines file, and `(n, line)` of the bad lines."""
    lines = lines_source(path)
    # try_cast: DuckDB may evaluate a cast before the filter that would have spared it
    is_object = "coalesce(json_type(try_cast(line AS JSON)) = 'OBJECT', false)"
    docs = f"(SELECT n, try_cast(line AS JSON) AS doc FROM {lines} WHERE {is_object})"
    bad = f"(SELECT n, line FROM {lines} WHERE trim(line) <> '' AND NOT {is_object})"
    return docs, bad


def json_array_docs(path: Path) -> str:
    """`(n, doc)` for the elements of a JSON array file (n counts elements from 1)."""
    reader = f"read_json_objects({literal(str(path))}, format = 'array')"
    return f"(SELECT row_number() OVER () AS n, json AS doc FROM {reader})"


class CsvDocs:
    """A CSV file read as rows (`rows`: n and the columns, as text) or as JSON documents (`docs`).

    Rows with the wrong number of fields are kept apart and reported by `malformed()`.

    Row numbers count data rows from 1 (the header is line 1 of the file, so a row's line is
    `n + 1` when no field spans lines).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, *, shape: CsvShape) -> None:
        suffix = next(_counter)
        self.errors_table = f"warroom_csv_errors_{suffix}"
        self.scans_table = f"warroom_csv_scans_{suffix}"
        self._con = con
        # The sniffer already knows the delimiter and the header: telling DuckDB spares its own
        # sniffing, which costs more than reading a small file.
        columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in shape.unique_header())
        options = (
            f"header = true, auto_detect = false, columns = {{{columns}}}, "
            f"delim = {literal(shape.delimiter)}, quote = '\"', escape = '\"', "
            "ignore_errors = true, store_rejects = true, "
            f"rejects_table = {literal(self.errors_table)}, "
            f"rejects_scan = {literal(self.scans_table)}"
        )
        reader = f"read_csv({literal(str(path))}, {options})"
        self.docs = f"(SELECT row_number() OVER () AS n, to_json(t) AS doc FROM {reader} t)"
        self.rows = f"(SELECT row_number() OVER () AS n, * FROM {reader})"

    @staticmethod
    def column(name: str) -> str:
        """A column of `rows` as text, NULL when empty."""
        return f"NULLIF(trim({ident(name)}), '')"

    def malformed(self) -> tuple[int, list[str]]:
        """Rows DuckDB could not split into the header's columns (after the docs were read)."""
        exists = first(
            self._con,
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
            [self.errors_table],
        )
        if not exists[0]:
            return 0, []
        count, examples = rejected(
            self._con,
            # one row per line: every scan of the file (sniffing included) records its errors
            f"SELECT line AS n, 'line ' || line || ': wrong number of fields: ' "
            f"|| any_value(csv_line) AS example FROM {self.errors_table} GROUP BY line",
        )
        run(self._con, f"DROP TABLE IF EXISTS {self.errors_table}")
        run(self._con, f"DROP TABLE IF EXISTS {self.scans_table}")
        return count, examples


def rejected(con: duckdb.DuckDBPyConnection, query: str) -> tuple[int, list[str]]:
    """Count the rows of `query` (columns n, example) and keep the first few examples."""
    row = first(
        con, f"SELECT count(*), list(example ORDER BY n)[1:{MAX_REJECTED_EXAMPLES}] FROM ({query})"
    )
    if not row[0]:
        return 0, []
    return int(row[0]), [str(example)[:300] for example in row[1]]


def insert(con: duckdb.DuckDBPyConnection, *, table: str, select: str) -> int:
    """`INSERT INTO table SELECT ...` with the table's columns in order; returns the row count."""
    columns = ", ".join(ident(name) for name in TABLES[table])
    row = first(con, f"INSERT INTO {ident(table)} ({columns}) {select}")
    return int(row[0]) if row else 0


@contextmanager
def staged(con: duckdb.DuckDBPyConnection, select: str) -> Iterator[str]:
    """A temporary table holding `select`, parsed once and read by the insert and the rejects."""
    name = f"warroom_stage_{next(_counter)}"
    run(con, f"CREATE TEMP TABLE {name} AS {select}")
    try:
        yield name
    finally:
        run(con, f"DROP TABLE IF EXISTS {name}")


def relative_source(path: Path, root: Path) -> str:
    """A file's path relative to the bundle root, with forward slashes (the `source` column)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text_file(path: Path, *, limit: int) -> str:
    """A small text file (gzip read transparently), refused when it is over `limit` bytes."""
    with path.open("rb") as handle:
        compressed = handle.read(2) == b"\x1f\x8b"
    opener = gzip.open if compressed else open
    with opener(path, "rb") as handle:
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise InputError(f"{path.name} is over {limit} bytes, too large for its format")
    return raw.decode("utf-8", errors="replace").lstrip("\ufeff")


@dataclass
class Documents:
    """A file of records (JSON lines, a JSON array or a CSV) as `(n, doc)` JSON objects."""

    docs: str
    spellings: dict[str, list[str]]  # lower-case key -> the spellings used in the file
    unit: str  # what `n` counts: "line" (JSON lines), "element" (array), "row" (CSV)
    bad_lines: str | None = None  # JSON lines: (n, line) of lines that are not objects
    csv: CsvDocs | None = None

    def keys(self, *names: str) -> list[str]:
        """Every spelling of `names` in the file, in the order of `names`."""
        return [spelling for name in names for spelling in self.spellings.get(name, [])]

    def malformed(self, con: duckdb.DuckDBPyConnection) -> tuple[int, list[str]]:
        """Lines that are not records (call after the documents were read)."""
        if self.csv is not None:
            return self.csv.malformed()
        if self.bad_lines is None:
            return 0, []
        return rejected(
            con,
            f"SELECT n, 'line ' || n || ': not a JSON object: ' || line AS example "
            f"FROM {self.bad_lines}",
        )


def read_documents(
    con: duckdb.DuckDBPyConnection, path: Path, *, layout: str, shape: CsvShape | None
) -> Documents:
    """The records of a file whose layout is 'jsonl', 'json' (an array) or 'csv'."""
    if layout == "csv" and shape is not None:
        csv = CsvDocs(con, path, shape=shape)
        return Documents(csv.docs, _spellings(shape.header), "row", csv=csv)
    if layout == "json":
        docs = json_array_docs(path)
        bad = None
    else:
        docs, bad = json_lines_docs(path)
    keys = [row[0] for row in run(con, f"SELECT DISTINCT unnest(json_keys(doc)) FROM {docs}")]
    unit = "element" if layout == "json" else "line"
    return Documents(docs, _spellings(sorted(keys)), unit, bad_lines=bad)


def _spellings(keys: Iterable[str]) -> dict[str, list[str]]:
    spellings: dict[str, list[str]] = {}
    for key in keys:
        spellings.setdefault(key.strip().lower(), []).append(key)
    return spellings


_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "SMALLINT": pa.int16(),
    "VARCHAR[]": pa.list_(pa.string()),
    "MAP(VARCHAR, VARCHAR)": pa.map_(pa.string(), pa.string()),
}


def arrow_table(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows built in Python (a few thousand at most: git, crontabs) as an Arrow table."""
    schema = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in TABLES[table].items()])
    return pa.Table.from_pylist(rows, schema=schema)


def insert_rows(con: duckdb.DuckDBPyConnection, *, table: str, rows: list[dict[str, Any]]) -> int:
    """Insert rows built in Python into a normalised table in one statement."""
    if not rows:
        return 0
    view = f"warroom_rows_{next(_counter)}"
    con.register(view, arrow_table(table, rows))
    try:
        return insert(con, table=table, select=f"SELECT * FROM {view}")
    finally:
        con.unregister(view)
