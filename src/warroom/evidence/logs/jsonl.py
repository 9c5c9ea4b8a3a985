"""JSON-lines logs: one JSON object per line, keys mapped to event fields, the rest to `attrs`.

Nested objects are flattened with dots (`{"http": {"status_code": 500}}` is `http.status_code`)
and keys are matched in lower case (see `fields`). DuckDB's `json_transform` parses each line
once into a struct whose leaves are text. The struct's shape is the union of every line's
keys, found cheaply (see `shapes`): a rare key, such as `error.stack_trace` on the
few failing lines of a large file, still lands in its field.

A line that is not a JSON object is rejected, and so is one without a readable time.
"""

from __future__ import annotations

import duckdb

from warroom.evidence.logs.attrs import AttrSources, events_select
from warroom.evidence.logs.fields import field_keys
from warroom.evidence.logs.keyed import (
    TYPED,
    field_values,
    shadowed_columns,
    source_columns,
    typed_columns,
)
from warroom.evidence.logs.plan import JsonPlan
from warroom.evidence.logs.reading import Scratch
from warroom.evidence.logs.records import NOT_BLANK, Parsed, collect_rejected, literal
from warroom.evidence.logs.shapes import IS_OBJECT, discover
from warroom.evidence.types import LoadContext


def parse_jsonl(
    con: duckdb.DuckDBPyConnection, *, lines: str, ctx: LoadContext, scratch: Scratch
) -> Parsed:
    """Parse the raw lines of a JSON-lines log; non-objects and timeless records are rejected."""
    keys = field_keys(ctx.field_aliases)
    stage = scratch.table("jsonl")

    def build(plan: JsonPlan, again: bool) -> str:
        if not again:
            con.execute(f"DROP TABLE IF EXISTS {stage}")
            con.execute(f"CREATE TEMP TABLE {stage} AS {_stage_sql(lines, plan, keys, ctx)}")
            return stage
        # Only the lines the first plan missed keys of: parse them again, union by name (the
        # first parse's rows have no column for the new leaves, which they lack anyway).
        redo, merged = scratch.table("jsonl_again"), scratch.table("jsonl_merged")
        missed = f"(SELECT line, raw FROM {stage} WHERE NOT complete)"
        con.execute(f"CREATE TEMP TABLE {redo} AS {_stage_sql(missed, plan, keys, ctx)}")
        con.execute(
            f"CREATE TEMP TABLE {merged} AS SELECT * FROM {stage} WHERE complete "
            f"UNION ALL BY NAME SELECT * FROM {redo}"
        )
        con.execute(f"DROP TABLE {stage}")
        con.execute(f"DROP TABLE {redo}")
        con.execute(f"ALTER TABLE {merged} RENAME TO {stage}")
        return stage

    plan = discover(con, lines=lines, build=build)
    scratch.release(lines)
    rejected = collect_rejected(con, table=stage, where="NOT ok", reason="not a JSON object")
    timeless = collect_rejected(
        con, table=stage, where="ok AND ts IS NULL", reason="no readable time"
    )
    rejected.add(timeless)
    select = events_select(
        con,
        table=stage,
        where="ok AND ts IS NOT NULL",
        sources=_attr_sources(plan.aliased()[0], keys),
        columns=TYPED,
    )
    return Parsed(select, rejected)


def _attr_sources(plan: JsonPlan, keys: dict[str, tuple[str, ...]]) -> AttrSources:
    """Every leaf that is no field's source key, and those a preferred key won on a row.

    `plan` is aliased: the leaves are read from the stage table's columns."""
    claimed = {key for sources in keys.values() for key in sources}
    columns = {leaf.name: leaf.sql for leaf in plan.leaves if leaf.name.lower() not in claimed}
    named: dict[str, list[tuple[str, str]]] = {leaf.name.lower(): [] for leaf in plan.leaves}
    for leaf in plan.leaves:
        named[leaf.name.lower()].append((leaf.name, leaf.sql))
    columns.update(shadowed_columns(keys, lambda key: named.get(key, [])))
    return AttrSources(columns=columns, query="f_path")


def _stage_sql(
    lines: str, plan: JsonPlan, keys: dict[str, tuple[str, ...]], ctx: LoadContext
) -> str:
    """One pass: parse each line with the plan, pick the fields, type them, check the plan."""
    named, leaves = plan.aliased()
    values = field_values(keys, named.lookup)
    # The raw line is kept only where it is still read: examples, discovery, pointer leaves.
    pointers = any("raw" in leaf.sql for leaf in plan.leaves)
    keep = "true" if pointers else "NOT ok OR NOT complete OR ts IS NULL"
    parsed = (
        f"SELECT line, raw, CASE WHEN {IS_OBJECT} THEN "
        f"TRY(json_transform(raw, {literal(plan.structure_json())})) END AS j "
        f"FROM {lines} WHERE {NOT_BLANK}"
    )
    extra = f", {leaves}" if leaves else ""
    # The leaves are kept as columns (not the struct `j`): attrs read them, and a widened
    # plan's rows union with these by column name.
    leaf_columns = "".join(f", {leaf.sql}" for leaf in named.leaves)
    with_leaves = f"SELECT *{extra} FROM (SELECT *, j IS NOT NULL AS ok FROM ({parsed}))"
    return (
        f"SELECT * REPLACE (CASE WHEN {keep} THEN raw END AS raw) FROM ("
        f"SELECT line, raw, ok, complete{leaf_columns}, {typed_columns(ctx=ctx)} FROM ("
        f"SELECT *, {named.complete_sql()} AS complete, {source_columns(values)} FROM ("
        f"{with_leaves})))"
    )
