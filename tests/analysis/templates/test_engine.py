"""Templates for a DuckDB column: same templates as the bytes path, rows joined back, params."""

from __future__ import annotations

import duckdb

from warroom.analysis.templates.engine import mine_column, template_rows_with_params
from warroom.analysis.templates.pipeline import mine_lines

MESSAGES = [
    "Failed to parse quantity 1.5 for order 77",
    "Failed to parse quantity abc for order 4120",
    "Connection reset by peer",
    "",
    None,
    "GET /api/cart/991 returned 502 in 3012 ms",
    "GET /api/cart/17 returned 502 in 12 ms",
]


def _connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute('CREATE TABLE events ("line" INTEGER, message VARCHAR)')
    connection.executemany("INSERT INTO events VALUES (?, ?)", list(enumerate(MESSAGES)))
    return connection


def test_engine_joins_a_template_to_every_row() -> None:
    connection = _connection()
    mined = mine_column(connection, table="events", column="message")
    rows = mined.rows.order('"line"').select("template").fetchall()
    assert [row[0] for row in rows] == [
        "Failed to parse quantity <*> for order <*>",
        "Failed to parse quantity <*> for order <*>",
        "Connection reset by peer",
        "<empty>",
        "<empty>",
        "GET <*> returned <*> in <*> ms",
        "GET <*> returned <*> in <*> ms",
    ]
    counts = dict(mined.templates.select("template, lines").fetchall())
    assert counts["<empty>"] == 2


def test_engine_and_bytes_paths_find_the_same_templates() -> None:
    connection = _connection()
    engine = mine_column(connection, table="events", column="message")
    text = "\n".join(message or "" for message in MESSAGES) + "\n"
    fast = mine_lines(text.encode())
    assert set(engine.catalog.templates) == set(fast.catalog.templates)
    assert set(engine.catalog.template_ids) == set(fast.catalog.template_ids)


def test_engine_params_are_the_values_behind_each_placeholder() -> None:
    connection = _connection()
    mined = mine_column(connection, table="events", column="message")
    index = mined.catalog.templates.index("Failed to parse quantity <*> for order <*>")
    rows = template_rows_with_params(
        connection, mined, template_id=mined.catalog.template_ids[index], column="message"
    )
    params = sorted(row[0] for row in rows.select("params").fetchall())
    assert params == [["1.5", "77"], ["abc", "4120"]]
