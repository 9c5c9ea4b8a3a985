"""Change events (deploys, rollbacks, config, flags, ...) into the `changes` table.

JSON lines, a JSON array or CSV with `id`, `timestamp` (or `at` / `time`), `type`, `service`,
`version`, `hosts` (a list, or a comma-separated string; empty means all hosts), `author`,
`description` and `commit`. Keys match case-insensitively. A record without a readable time is
rejected (a change cannot be placed before or after an onset without one); a type outside the
contract's list is kept as `other`. A record without an id is named by its commit, else by
`<file>:<record number>`, so that a suspect can always point at it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warroom.evidence.sniff import CHANGE_TIME, CHANGE_TYPES
from warroom.evidence.tabular import (
    CsvShape,
    Documents,
    insert,
    json_key,
    json_text,
    literal,
    read_documents,
    rejected,
    relative_source,
    staged,
)
from warroom.evidence.types import MAX_REJECTED_EXAMPLES, FileLoad, LoadContext


def hosts_list(docs: Documents, *, default_host: str | None) -> str:
    """SQL for a record's hosts: a JSON list or a comma-separated string, trimmed, no blanks."""
    default = f"[{literal(default_host)}]" if default_host else "CAST([] AS VARCHAR[])"
    keys = docs.keys("hosts")
    if not keys:
        return default
    node = f"(doc -> {json_key(keys[0])})"
    as_list = (
        f"CASE WHEN json_type({node}) = 'ARRAY' THEN from_json({node}, '[\"VARCHAR\"]') "
        f"ELSE string_split(coalesce({json_text('doc', keys)}, ''), ',') END"
    )
    cleaned = f"list_filter(list_transform({as_list}, lambda h: trim(h)), lambda h: h <> '')"
    return f"CASE WHEN {node} IS NULL THEN {default} ELSE {cleaned} END"


def load_changes(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    layout: str,
    shape: CsvShape | None,
    ctx: LoadContext,
) -> FileLoad:
    """Load a change-event file whose layout is 'jsonl', 'json' or 'csv'."""
    source = relative_source(path, ctx.root)
    docs = read_documents(con, path, layout=layout, shape=shape)

    def text(*names: str) -> str:
        return json_text("doc", docs.keys(*names))

    kind = f"lower({text('type')})"
    known = ", ".join(literal(name) for name in sorted(CHANGE_TYPES))
    service = text("service")
    if ctx.default_service:
        service = f"coalesce({service}, {literal(ctx.default_service)})"
    select = f"""SELECT n, warroom_ts({text(*CHANGE_TIME)}, {literal(ctx.timezone)}) AS ts,
        coalesce({text("id")}, {text("commit")}, {literal(source)} || ':' || n) AS id,
        CASE WHEN {kind} IN ({known}) THEN {kind} ELSE 'other' END AS type,
        {service} AS service,
        {text("version")} AS version, {hosts_list(docs, default_host=ctx.host)} AS hosts,
        {text("author")} AS author, {text("description")} AS description,
        {text("commit")} AS commit, CAST(doc AS VARCHAR) AS example FROM {docs.docs}"""
    with staged(con, select) as stage:
        rows = insert(
            con,
            table="changes",
            select=f"""SELECT id, ts, type, service, version, hosts, author, description, commit,
                CAST([] AS VARCHAR[]), {literal(source)} FROM {stage} WHERE ts IS NOT NULL""",
        )
        count, examples = rejected(
            con,
            f"SELECT n, '{docs.unit} ' || n || ': no readable time (timestamp, at or time): ' "
            f"|| example AS example FROM {stage} WHERE ts IS NULL",
        )
    bad, bad_examples = docs.malformed(con)
    return FileLoad(
        path=source,
        table="changes",
        format=f"changes_{layout}",
        rows=rows,
        rejected=count + bad,
        rejected_examples=(bad_examples + examples)[:MAX_REJECTED_EXAMPLES],
    )
