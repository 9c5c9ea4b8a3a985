"""Shared fixtures for the log parser tests: a DuckDB with an empty `events` table, and a
loader that returns the FileLoad and the rows in line order as dicts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warroom.evidence.logs import load_log
from warroom.evidence.schema import create_statement
from warroom.evidence.types import FileLoad, LoadContext

FIXTURES = Path(__file__).parent / "fixtures"

Loaded = tuple[FileLoad, list[dict[str, Any]]]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(create_statement("events"))
    return connection


def event_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every row of `events`, in (source, line) order, as dicts; `ts` (stored as UTC without
    an offset) comes back as an aware UTC datetime."""
    cursor = con.execute("SELECT * FROM events ORDER BY source, line")
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        if row["ts"] is not None:
            row["ts"] = row["ts"].replace(tzinfo=UTC)
    return rows


@pytest.fixture
def load(con: duckdb.DuckDBPyConnection) -> Callable[..., Loaded]:
    """load(path_or_fixture_name, fmt, **LoadContext fields) -> (FileLoad, rows)."""

    def run(name: str | Path, fmt: str, **context: Any) -> Loaded:
        path = name if isinstance(name, Path) else FIXTURES / name
        context.setdefault("root", path.parent)
        loaded = load_log(con, path, fmt=fmt, ctx=LoadContext(**context))
        return loaded, event_rows(con)

    return run
