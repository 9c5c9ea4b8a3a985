"""Scratch tables: an intermediate result kept in the engine while an analyzer reads it often.

Raw SQL on the connection, on purpose: Ibis 12 with DuckDB 2 cannot drop the temporary tables
it creates (`drop_table` and the finaliser of `Table.cache()` emit an empty `DROP TABLE`), so we
create and drop our own.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ibis

_numbers = itertools.count(1)


@contextmanager
def scratch_table(ctx: Any, expr: Any, *, label: str) -> Iterator[Any]:
    """`expr` computed once into a temporary table; yields it as an Ibis table, drops it after."""
    name = _create(ctx, expr, label)
    try:
        yield ctx.backend.table(name, database="temp")
    finally:
        ctx.con.execute(f'DROP TABLE IF EXISTS temp."{name}"')


def kept_table(ctx: Any, key: str, build: Callable[[], Any], *, label: str) -> Any:
    """The Ibis expression `build()` gives, computed into a temporary table on the first ask of
    an investigation (`ctx.remember(key)`) and kept as long as the connection: for rows that
    several analyzers read. Returned as an Ibis table."""
    name = ctx.remember(key, lambda: _create(ctx, build(), label))
    return ctx.backend.table(name, database="temp")


def _create(ctx: Any, expr: Any, label: str) -> str:
    name = f"_warroom_{label}_{next(_numbers)}"
    sql = ibis.to_sql(expr, dialect="duckdb")
    ctx.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
    return name
