"""Log files -> the normalised `events` table: recognise the format, parse it in DuckDB.

Formats (contract section 2, ../shared/specs/evidence-bundle.md): JSON lines, NGINX/Apache
access logs, plain application logs with multi-line stack traces, syslog (RFC 3164 and
5424) and logfmt. Every parser works on whole columns in DuckDB (regular expressions,
`json_transform`, window functions); Python only writes the SQL. Lines that cannot become a
record are counted in `FileLoad.rejected` with the first examples, never raised.

    fmt = sniff_log(first_lines)            # "jsonl", "access", ... or None
    load = load_log(con, path, fmt=fmt, ctx=LoadContext(root=bundle_root))
    loads = load_logs(con, [(path, ctx), ...], fmt=fmt)   # many files of one format, one pass

`load_logs` parses the files of one format together, so that DuckDB's threads share the work
and the per-file overhead (a dozen small queries) is paid once: the lines of file i are keyed
`i << FILE_SHIFT | line` (see `records`), every per-file fact (line numbers, rejected lines,
the host, the source) is taken from that key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Final

import duckdb

from warroom.errors import InputError
from warroom.evidence.logs.access import parse_access
from warroom.evidence.logs.batching import batches
from warroom.evidence.logs.jsonl import parse_jsonl
from warroom.evidence.logs.logfmt import parse_logfmt
from warroom.evidence.logs.plain import parse_plain
from warroom.evidence.logs.reading import Scratch, is_gzip, read_batch, read_lines, scratch_space
from warroom.evidence.logs.records import (
    Parsed,
    Rejected,
    file_of,
    insert_events,
    line_in_file,
    literal,
    text_or_null,
)
from warroom.evidence.logs.sniffing import sniff_log
from warroom.evidence.logs.syslog import parse_syslog
from warroom.evidence.types import FileLoad, LoadContext

__all__ = ["LOG_FORMATS", "load_log", "load_logs", "sniff_log"]

LOG_FORMATS: Final[tuple[str, ...]] = ("jsonl", "access", "plain", "syslog", "logfmt")

# Formats whose parsers read nothing per file but the lines: syslog dates each file's RFC 3164
# lines from that file's own span, so its files are loaded one by one.
BATCHED: Final = frozenset({"jsonl", "access", "plain", "logfmt"})

Parser = Callable[..., Parsed]
_PARSERS: Final[dict[str, Parser]] = {
    "jsonl": parse_jsonl,
    "access": parse_access,
    "plain": parse_plain,
    "syslog": parse_syslog,
    "logfmt": parse_logfmt,
}


def load_log(con: duckdb.DuckDBPyConnection, path: Path, *, fmt: str, ctx: LoadContext) -> FileLoad:
    """Parse one log file (plain or .gz) and INSERT its records into the existing `events` table.

    Raises `InputError` only for an unknown `fmt` or a file that cannot be read at all (for
    example a corrupt .gz); bad lines inside a readable file are counted, not raised.
    """
    if fmt not in _PARSERS:
        raise InputError(f"unknown log format {fmt!r}", hint="use one of " + ", ".join(LOG_FORMATS))
    source = _source(path, ctx.root)
    with scratch_space(con) as scratch:
        rows, rejected = _load(con, path, fmt=fmt, ctx=ctx, scratch=scratch, source=source)
    return rejected.fill(FileLoad(path=source, table="events", format=fmt, rows=rows))


def _load(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    fmt: str,
    ctx: LoadContext,
    scratch: Scratch,
    source: str,
) -> tuple[int, Rejected]:
    lines = read_lines(con, path, scratch=scratch)
    parsed = _PARSERS[fmt](con, lines=lines.view, ctx=ctx, scratch=scratch)
    rows = insert_events(
        con,
        f"SELECT *, {literal(source)} AS source, {literal(fmt)} AS format FROM ({parsed.select})",
    )
    parsed.rejected.add(lines.rejected)
    return rows, parsed.rejected


def load_logs(
    con: duckdb.DuckDBPyConnection, files: Sequence[tuple[Path, LoadContext]], *, fmt: str
) -> list[FileLoad]:
    """Parse several log files of one format and INSERT their records into `events`; one
    `FileLoad` per file, in the order given, the same as `load_log` file by file would give.

    Files are parsed together when their contexts differ by the host at most (gzip and plain
    files apart, in batches that `batching` finds cheap to parse together).
    Raises `InputError` like `load_log`; on any error the caller may delete the rows of these
    files' sources and load the files one by one, to find the unreadable one.
    """
    if fmt not in _PARSERS:
        raise InputError(f"unknown log format {fmt!r}", hint="use one of " + ", ".join(LOG_FORMATS))
    shared = replace(files[0][1], host=None) if files else None
    alike = all(replace(ctx, host=None) == shared for _, ctx in files)
    loads: dict[int, FileLoad] = {}
    if fmt in BATCHED and alike and shared is not None:
        for gzip in (False, True):
            group = [index for index, (path, _) in enumerate(files) if is_gzip(path) == gzip]
            for part in batches([files[index][0] for index in group], fmt=fmt):
                if len(part) > 1:
                    batch = [files[group[position]] for position in part]
                    done = _load_batch(con, batch, fmt=fmt, ctx=shared)
                    loads.update({group[part[at]]: load for at, load in done.items()})
    for index, (path, ctx) in enumerate(files):
        if index not in loads:
            loads[index] = load_log(con, path, fmt=fmt, ctx=ctx)
    return [loads[index] for index in range(len(files))]


def _load_batch(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[Path, LoadContext]],
    *,
    fmt: str,
    ctx: LoadContext,
) -> dict[int, FileLoad]:
    """Parse files in one pass; returns the loads by position (files the reader rejected lines
    of are left out, for `load_log`)."""
    sources = [_source(path, ctx.root) for path, _ in files]
    with scratch_space(con) as scratch:
        lines = read_batch(
            con, [path for path, _ in files], gzip=is_gzip(files[0][0]), scratch=scratch
        )
        parsed = _PARSERS[fmt](con, lines=lines.view, ctx=ctx, scratch=scratch)
        named = scratch.table("batch_files")
        rows = ", ".join(
            f"({index}, {text_or_null(file_ctx.host)}, {literal(sources[index])})"
            for index, (_, file_ctx) in enumerate(files)
        )
        con.execute(
            f"CREATE TEMP TABLE {named} AS SELECT * FROM (VALUES {rows}) t(file, host, source)"
        )
        # Records that name no host take their file's, as `load_log` gives them.
        insert_events(
            con,
            "SELECT p.* REPLACE (coalesce(p.host, f.host) AS host, "
            f"{line_in_file('p.line')} AS line), f.source AS source, {literal(fmt)} AS format "
            f"FROM ({parsed.select}) p "
            f"JOIN {named} f ON f.file = {file_of('p.line')}",
        )
    counts = dict(
        con.execute(
            "SELECT source, count(*) FROM events WHERE source IN ("
            f"{', '.join(literal(source) for source in sources)}) GROUP BY source"
        ).fetchall()
    )
    return {
        index: parsed.rejected.fill(
            FileLoad(
                path=sources[index],
                table="events",
                format=fmt,
                rows=int(counts.get(sources[index], 0)),
            ),
            file=index,
        )
        for index in range(len(files))
        if index not in lines.unread
    }


def _source(path: Path, root: Path) -> str:
    """The path relative to the bundle root, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
