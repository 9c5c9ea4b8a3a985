"""Read a log file (plain or gzip) into DuckDB as numbered raw lines, whatever bytes it holds.

DuckDB's CSV reader does the work, in parallel: one VARCHAR column, no quote, no escape, and a
four-byte delimiter no log line contains, so a line is never split into fields. It validates
UTF-8; a line with invalid bytes is rejected by the reader and comes back, through its
`store_rejects` table, with `?` in place of each bad byte. A line longer than `MAX_LINE_BYTES`
is rejected (counted, never fatal). Blank lines are kept as NULL so that numbering stays true.

Known limit: DuckDB's newline detection treats a lone carriage return as a line break, so a
file with stray `\\r` inside lines numbers them differently from `wc -l`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb

from warroom.errors import InputError
from warroom.evidence.logs.records import FILE_SHIFT, Rejected, collect_rejected, literal

MAX_LINE_BYTES: Final = 32 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_NO_DELIMITER = r"E'\x01\x02\x03\x04'"
_BAD_BYTES = "INVALID ENCODING"


class Scratch:
    """Temporary tables and views of one load, with unique names, dropped when the load ends."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._tables: list[str] = []
        self._views: list[str] = []
        self._under: dict[str, list[str]] = {}  # view -> the tables it reads
        self._tag = uuid.uuid4().hex[:10]

    def table(self, role: str) -> str:
        """A fresh name for a temporary table (created by the caller)."""
        self._tables.append(self._name(role))
        return self._tables[-1]

    def view(self, role: str) -> str:
        """A fresh name for a temporary view (created by the caller)."""
        self._views.append(self._name(role))
        return self._views[-1]

    def _name(self, role: str) -> str:
        return f"_warroom_{self._tag}_{len(self._tables) + len(self._views)}_{role}"

    def reads(self, view: str, tables: list[str]) -> None:
        """Note the tables a view reads, so that `release(view)` frees them too."""
        self._under[view] = tables

    def release(self, view: str) -> None:
        """Drop a view and the tables it reads now, to give their memory back early."""
        self.con.execute(f"DROP VIEW IF EXISTS {view}")
        for name in self._under.pop(view, []):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def drop(self) -> None:
        """Drop everything this scratch named, views first."""
        for name in reversed(self._views):
            self.con.execute(f"DROP VIEW IF EXISTS {name}")
        for name in reversed(self._tables):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")


@contextmanager
def scratch_space(con: duckdb.DuckDBPyConnection) -> Iterator[Scratch]:
    """A `Scratch` that is cleaned up however the load ends."""
    scratch = Scratch(con)
    try:
        yield scratch
    finally:
        scratch.drop()


@dataclass(frozen=True)
class RawLines:
    """A file's lines in DuckDB: `view` has columns `line` (1-based) and `raw` (NULL if blank)."""

    view: str
    rejected: Rejected  # lines the reader could not take (longer than MAX_LINE_BYTES)


def is_gzip(path: Path) -> bool:
    """Whether the file is gzip-compressed, by its magic bytes rather than its name."""
    with path.open("rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


@dataclass(frozen=True)
class BatchLines:
    """The lines of several files in one view: `line` is the batch key (`records.FILE_SHIFT`)."""

    view: str
    # Files (by index) with lines the reader rejected (invalid UTF-8, too long): their lines
    # are left out of the view; load them one by one, which renumbers around such lines.
    unread: list[int]


def read_batch(
    con: duckdb.DuckDBPyConnection, paths: Sequence[Path], *, gzip: bool, scratch: Scratch
) -> BatchLines:
    """Load every line of `paths` (all gzip or none) in one parallel scan; number them per file.

    Raises `InputError` when a file cannot be read at all (the caller loads them one by one).
    """
    accepted = scratch.table("batch_accepted")
    errors, scans = scratch.table("reject_errors"), scratch.table("reject_scans")
    listed = "[" + ", ".join(literal(str(path)) for path in paths) + "]"
    _scan(
        con,
        f"CREATE TEMP TABLE {accepted} AS SELECT file_index AS file, raw "
        f"FROM read_csv({listed}, {_options(errors, scans, gzip=gzip)})",
        what="the batch",
        hint="check that the files are complete",
    )
    unread_paths = {
        str(row[0])
        for row in con.execute(
            f"SELECT DISTINCT s.file_path FROM {errors} e JOIN {scans} s USING (scan_id, file_id)"
        ).fetchall()
    }
    unread = [index for index, path in enumerate(paths) if str(path) in unread_paths]
    if unread:
        con.execute(f"DELETE FROM {accepted} WHERE file IN ({', '.join(map(str, unread))})")
    # Rows keep file order, so a file's lines are consecutive row ids from its first one.
    # The keys are BIGINTs (the reader's file index is unsigned: mixed with the signed row id,
    # it would make them HUGEINTs, several times slower to filter, sort and join on).
    shifts, view = scratch.table("batch_shifts"), scratch.view("batch_lines")
    con.execute(
        f"CREATE TEMP TABLE {shifts} AS SELECT file, "
        f"(file::BIGINT << {FILE_SHIFT}) + 1 - min(rowid) AS shift FROM {accepted} GROUP BY file"
    )
    con.execute(
        f"CREATE TEMP VIEW {view} AS SELECT a.rowid + s.shift AS line, a.raw "
        f"FROM {accepted} a JOIN {shifts} s USING (file)"
    )
    scratch.reads(view, [accepted, shifts, errors, scans])
    return BatchLines(view, unread)


def _options(errors: str, scans: str, *, gzip: bool) -> str:
    return (
        "columns = {'raw': 'VARCHAR'}, header = false, auto_detect = false, "
        f"delim = {_NO_DELIMITER}, quote = '', escape = '', strict_mode = false, "
        f"max_line_size = {MAX_LINE_BYTES}, ignore_errors = true, store_rejects = true, "
        f"rejects_table = {literal(errors)}, rejects_scan = {literal(scans)}, "
        f"compression = {literal('gzip' if gzip else 'none')}"
    )


def read_lines(con: duckdb.DuckDBPyConnection, path: Path, *, scratch: Scratch) -> RawLines:
    """Load every line of `path` into a scratch table and return the numbered view of it."""
    accepted = scratch.table("accepted")
    errors, scans = scratch.table("reject_errors"), scratch.table("reject_scans")
    options = _options(errors, scans, gzip=is_gzip(path))
    _scan(
        con,
        f"CREATE TEMP TABLE {accepted} AS "
        f"SELECT raw FROM read_csv({literal(str(path))}, {options})",
        what=path.name,
        hint="check that the file is complete",
    )
    return _numbered(con, accepted=accepted, errors=errors, scratch=scratch)


def _scan(con: duckdb.DuckDBPyConnection, sql: str, *, what: str, hint: str) -> None:
    """Run the read_csv that fills a scratch table, in file order; a file that cannot be read
    at all (a corrupt .gz) becomes an `InputError` naming `what`."""
    try:
        with _insertion_order_kept(con):
            con.execute(sql)
    except duckdb.Error as error:
        message = str(error).splitlines()[0]
        raise InputError(f"cannot read {what}: {message}", hint=hint) from error


@contextmanager
def _insertion_order_kept(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    # Line numbers are the row order of the scratch table: the scan must keep file order.
    row = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    kept = bool(row and row[0])
    if not kept:
        con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        if not kept:
            con.execute("SET preserve_insertion_order = false")


def _numbered(
    con: duckdb.DuckDBPyConnection, *, accepted: str, errors: str, scratch: Scratch
) -> RawLines:
    view = scratch.view("lines")
    problems = scratch.table("problem_lines")
    con.execute(
        f"CREATE TEMP TABLE {problems} AS SELECT line, first(csv_line) AS raw, "
        f"bool_and(error_type = '{_BAD_BYTES}') AS recoverable "
        f"FROM {errors} GROUP BY line"
    )
    row = con.execute(f"SELECT count(*) FROM {problems}").fetchone()
    scratch.reads(view, [accepted, problems, errors])
    if not row or not row[0]:
        con.execute(f"CREATE TEMP VIEW {view} AS SELECT rowid + 1 AS line, raw FROM {accepted}")
        return RawLines(view, Rejected())
    merged = scratch.table("lines")
    scratch.reads(view, [accepted, problems, errors, merged])
    con.execute(f"CREATE TEMP TABLE {merged} AS {_merge_sql(accepted, problems)}")
    con.execute(f"CREATE TEMP VIEW {view} AS SELECT line, raw FROM {merged}")
    too_long = collect_rejected(
        con,
        table=problems,
        where="NOT recoverable",
        reason=f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB",
    )
    return RawLines(view, too_long)


def _merge_sql(accepted: str, problems: str) -> str:
    """Put the reader's rejected lines back between the accepted ones, renumbering both.

    The k-th accepted row has k-1 accepted rows before it; the j-th rejected line (line r)
    has r-j. Sorting everything by that count, rejected first on ties, restores file order.
    Unrecoverable lines keep their number but are left out of the result.
    """
    return (
        "SELECT line, raw FROM ("
        "SELECT row_number() OVER (ORDER BY before, kind, line) AS line, raw, keep FROM ("
        f"SELECT rowid AS before, 1 AS kind, rowid AS line, raw, true AS keep FROM {accepted} "
        "UNION ALL "
        "SELECT line - row_number() OVER (ORDER BY line) AS before, 0 AS kind, line, "
        f"CASE WHEN recoverable THEN raw END AS raw, recoverable AS keep FROM {problems})) "
        "WHERE keep"
    )
