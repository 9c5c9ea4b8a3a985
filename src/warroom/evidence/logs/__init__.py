"""Log files -> the normalised `events` table: recognise the format, parse it in DuckDB.

Formats (contract section 2, ../shared/specs/evidence-bundle.md): JSON lines, NGINX/Apache
access logs, plain application logs with multi-line stack traces, syslog (RFC 3164 and
5424) and logfmt. Every parser works on whole columns in DuckDB (regular expressions,
`json_transform`, window functions); Python only writes the SQL. Lines that cannot become a
record are counted in `FileLoad.rejected` with the first examples, never raised.

    fmt = sniff_log(first_lines)            # "jsonl", "access", ... or None
    load = load_log(con, path, fmt=fmt, ctx=LoadContext(root=bundle_root))
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

import duckdb

from warroom.errors import InputError
from warroom.evidence.logs.access import parse_access
from warroom.evidence.logs.jsonl import parse_jsonl
from warroom.evidence.logs.logfmt import parse_logfmt
from warroom.evidence.logs.plain import parse_plain
from warroom.evidence.logs.reading import Scratch, read_lines, scratch_space
from warroom.evidence.logs.records import Parsed, Rejected, insert_events, literal
from warroom.evidence.logs.sniffing import sniff_log
from warroom.evidence.logs.syslog import parse_syslog
from warroom.evidence.types import FileLoad, LoadContext

__all__ = ["LOG_FORMATS", "load_log", "sniff_log"]

LOG_FORMATS: Final[tuple[str, ...]] = ("jsonl", "access", "plain", "syslog", "logfmt")

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
    parsed.rejected.add(lines.rejected.count, lines.rejected.examples)
    return rows, parsed.rejected


def _source(path: Path, root: Path) -> str:
    """The path relative to the bundle root, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
