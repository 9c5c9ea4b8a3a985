"""DuckDB connections, opened the one way warroom needs them."""

from __future__ import annotations

import duckdb


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that never draws its own progress bar.

    DuckDB writes that bar to standard output once a query runs for two seconds, even when the
    output is a pipe or a file: `warroom investigate --format json > report.json` on a large
    bundle would get bars in its JSON. warroom draws its own progress on the terminal.
    """
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # a session setting: not a connect option
    return con
