"""Multi-line records: attach continuation lines to the record above, and name the exception.

A line that does not start a record (a Python `Traceback`, Java `at ...` / `Caused by:` /
`... 12 more`, Go `goroutine 1 [running]:` and its frames, Node `    at ...`, or anything else
that is not a record start) belongs to the nearest record start above it. The owner of each
line is a running maximum over the start lines' numbers (a window function), and each
owner's lines are joined in line order: no Python loop, whatever the file's size.

The exception type comes from the trace: the last `Type: message` line of a Python traceback,
`panic` / `runtime.Error` / `fatal error` for a Go panic, else the class on the trace's first
line (`java.lang.NullPointerException`, `TypeError`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from warroom.evidence.logs.reading import Scratch
from warroom.evidence.logs.records import (
    NOT_BLANK,
    Rejected,
    collect_rejected,
    file_of,
    literal,
)

_PYTHON_EXCEPTION = r"(?m)^([A-Za-z_][\w.]*)(?::|$)"
_GO_TRACE = r"(?m)^(?:panic: |fatal error: |goroutine \d+ \[)"
_FIRST_LINE_CLASS = (
    r'^\s*(?:Exception in thread "[^"]*"\s+|Uncaught\s+)?'
    r"([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?::|\r?\n|$)"
)
_CLASS_LIKE = r"\.|(?:Error|Exception|Throwable|Failure|Fault|Panic)$"


@dataclass(frozen=True)
class Stacks:
    """The continuation text of each record (`table`: line, stack) and the orphan lines."""

    table: str
    rejected: Rejected


def attach_continuations(
    con: duckdb.DuckDBPyConnection, *, parsed: str, scratch: Scratch
) -> Stacks:
    """Join each record's continuation lines into its stack.

    `parsed` has columns `line`, `raw` and `is_start`; blank lines (raw NULL) are kept inside
    a stack and trimmed from its ends. Non-blank lines above the first record are rejected.
    """
    stacks = scratch.table("stacks")
    row = con.execute(
        f"SELECT count(*) FROM {parsed} WHERE NOT is_start AND {NOT_BLANK}"
    ).fetchone()
    if not row or not row[0]:  # no continuation: skip the window over the whole file
        con.execute(f"CREATE TEMP TABLE {stacks} (line BIGINT, stack VARCHAR)")
        return Stacks(stacks, Rejected())
    owned = scratch.table("owned")
    con.execute(f"CREATE TEMP TABLE {owned} AS {_owned_sql(parsed)}")
    orphans = collect_rejected(
        con,
        table=owned,
        where=f"owner IS NULL AND {NOT_BLANK}",
        reason="text before the first record",
    )
    con.execute(
        f"CREATE TEMP TABLE {stacks} AS SELECT line, stack FROM ("
        "SELECT owner AS line, "
        "trim(string_agg(coalesce(raw, ''), chr(10) ORDER BY line), chr(10) || chr(13)) AS stack "
        f"FROM {owned} WHERE owner IS NOT NULL GROUP BY owner) WHERE trim(stack) <> ''"
    )
    return Stacks(stacks, orphans)


def _owned_sql(parsed: str) -> str:
    """Each continuation line with the line number of the record start above it (its owner).

    In a batch of files, a file's first lines never belong to the last record of the file
    before it: the running maximum restarts with each file."""
    return (
        "SELECT line, raw, owner FROM (SELECT line, raw, is_start, "
        "max(CASE WHEN is_start THEN line END) "
        f"OVER (PARTITION BY {file_of('line')} ORDER BY line ROWS UNBOUNDED PRECEDING) AS owner "
        f"FROM {parsed}) "
        "WHERE NOT is_start"
    )


def exception_type(stack_sql: str, *, message_sql: str = "NULL") -> str:
    """The exception class named by a stack trace (see the module docstring), or NULL."""
    first_class = f"regexp_extract({stack_sql}, {literal(_FIRST_LINE_CLASS)}, 1)"
    runtime = (
        f"contains({stack_sql}, 'runtime error:') OR contains({message_sql}, 'runtime error:')"
    )
    return (
        f"CASE WHEN {stack_sql} IS NULL THEN NULL "
        f"WHEN contains({stack_sql}, 'Traceback (most recent call last):') "
        f"THEN list_last(regexp_extract_all({stack_sql}, {literal(_PYTHON_EXCEPTION)}, 1)) "
        f"WHEN regexp_matches({stack_sql}, {literal(_GO_TRACE)}) THEN "
        f"CASE WHEN {runtime} THEN 'runtime.Error' "
        f"WHEN regexp_matches({stack_sql}, '(?m)^fatal error: ') THEN 'fatal error' "
        "ELSE 'panic' END "
        f"WHEN regexp_matches({first_class}, {literal(_CLASS_LIKE)}) THEN {first_class} END"
    )
