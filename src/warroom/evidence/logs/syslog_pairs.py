"""Syslog messages whose body is logfmt: the pairs fill the same event fields as a logfmt line.

    <131>Apr 21 08:10:02 api-1 api[1225]: msg="request failed" method=GET
        path=/api/orders/42 status=500 duration_ms=812.5 error=TimeoutError

Many services log key=value text through the system logger, so the syslog header carries the
time, host and tag while the body carries status, route, method, duration and error. A body
that starts with `key=` is split into pairs exactly as logfmt splits a line, and the pairs
map to fields by the same keys (`fields.logfmt_keys`). The syslog header stays authoritative
for the time and the host; a `level=` pair outranks the PRI's severity, a `service=` pair the
tag. A `msg=` pair is the message; a body without one keeps its whole text as the message.
Pairs no field claims go to `attrs`, beside `facility`, `pid` and `msgid`.

Known false positive: free text that happens to start with `word=` (`x=1 retried`) is read
as pairs; the text is kept as the message, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import duckdb

from warroom.evidence.logs.fields import logfmt_keys
from warroom.evidence.logs.keyed import (
    field_values,
    shadowed_columns,
    source_columns,
    typed_columns,
)
from warroom.evidence.logs.logfmt import (
    KEY_LISTS,
    MAX_ATTR_KEYS,
    found_keys,
    own_keys,
    pair_value,
    pairs_sql,
)
from warroom.evidence.logs.reading import Scratch
from warroom.evidence.logs.records import literal, literal_list
from warroom.evidence.types import LoadContext

# A body that is pairs: it opens with a key and `=` (logfmt's key characters).
PAIRS_BODY: Final = r'^[^\s="]+='


@dataclass(frozen=True)
class PairedRecords:
    """The syslog records with their pairs: a SELECT (typed fields of the pairs beside the
    header's columns, `ts`/`host` of the header renamed `syslog_ts`/`syslog_host`), and the
    attrs columns of the pairs no field claims."""

    select: str
    attr_columns: dict[str, str]
    extra: str | None  # pairs beyond the MAX_ATTR_KEYS most frequent keys, as struct(k, v)


def has_paired_bodies(con: duckdb.DuckDBPyConnection, *, table: str, body_sql: str) -> bool:
    """Whether any record of `table` has a key=value body (the scan stops at the first)."""
    row = con.execute(
        f"SELECT 1 FROM {table} WHERE regexp_matches({body_sql}, {literal(PAIRS_BODY)}) LIMIT 1"
    ).fetchone()
    return row is not None


def paired_records(
    con: duckdb.DuckDBPyConnection,
    *,
    table: str,
    body_sql: str,
    where: str,
    ctx: LoadContext,
    scratch: Scratch,
) -> PairedRecords:
    """Split the bodies of the records of `table` (those satisfying `where`) into pairs."""
    stage = scratch.table("syslog_pairs")
    pairs = (
        f"CASE WHEN regexp_matches(body, {literal(PAIRS_BODY)}) THEN {pairs_sql('body')} "
        "ELSE []::STRUCT(k VARCHAR, v VARCHAR)[] END"
    )
    con.execute(
        f"CREATE TEMP TABLE {stage} AS SELECT *, {KEY_LISTS} FROM ("
        f"SELECT *, {pairs} AS pairs FROM ("
        f"SELECT * RENAME (ts AS syslog_ts, host AS syslog_host), {body_sql} AS body "
        f"FROM {table} WHERE {where}))"
    )
    found = found_keys(con, stage)
    every = logfmt_keys(ctx.field_aliases)
    keys = {name: tuple(key for key in sources if key in found) for name, sources in every.items()}
    select = (
        f"SELECT *, {typed_columns(ctx=ctx)} FROM ("
        f"SELECT *, {source_columns(field_values(keys, pair_value))} FROM {stage})"
    )
    claimed = literal_list(sorted({key for sources in every.values() for key in sources}))
    names = own_keys(con, stage=stage, where="true", claimed=claimed)
    columns = {
        name: f"struct_extract(pairs[list_position(names, {literal(name)})], 'v')"
        for name in names[:MAX_ATTR_KEYS]
    }
    columns.update(shadowed_columns(keys, lambda key: [(key, pair_value(key)[0])]))
    extra = None
    if len(names) > MAX_ATTR_KEYS:
        known = literal_list(names[:MAX_ATTR_KEYS])
        extra = (
            f"list_filter(pairs, lambda p: NOT list_contains({claimed}, lower(p.k)) "
            f"AND NOT list_contains({known}, p.k))"
        )
    return PairedRecords(select=select, attr_columns=columns, extra=extra)
