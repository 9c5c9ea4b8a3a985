"""Small event tables built in the test, with a known truth, for analyzer unit tests.

These are not the scenario simulator (that writes whole bundles in every format); they fill
the normalised `events` table directly so one analyzer can be tested on one behaviour.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import numpy as np
import pandas as pd

from warroom.evidence.schema import TABLES, create_statement

T0 = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)


def empty_store() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table in TABLES:
        con.execute(create_statement(table))
    return con


def add_events(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    columns = list(TABLES["events"])
    for column in columns:
        if column not in frame:
            frame[column] = None
    frame = frame[columns]
    con.register("incoming", frame)
    selected = ", ".join(columns[:-4])  # every column up to attrs, which stays empty
    con.execute(f"INSERT INTO events SELECT {selected}, NULL, source, line, format FROM incoming")
    con.unregister("incoming")


def traffic(
    *,
    seed: int,
    hours: float,
    per_second: float,
    hosts: list[str],
    error_share: float,
    start: datetime = T0,
) -> pd.DataFrame:
    """Requests at a steady rate over `hours`, a background share of 500s spread over hosts."""
    rng = np.random.default_rng(seed)
    count = int(hours * 3600 * per_second)
    offsets = np.sort(rng.uniform(0, hours * 3600, count))
    status = np.where(rng.uniform(size=count) < error_share, 500, 200)
    return pd.DataFrame(
        {
            "ts": np.datetime64(start.replace(tzinfo=None), "us")
            + (offsets * 1e6).astype("timedelta64[us]"),
            "host": rng.choice(hosts, size=count),
            "service": "api",
            "level": np.where(status >= 500, "error", "info"),
            "status": status.astype("int16"),
            "method": "GET",
            "path": "/api/orders",
            "message": np.where(status >= 500, "upstream failed", "ok"),
            "source": "synthetic.jsonl",
            "line": np.arange(1, count + 1),
            "format": "jsonl",
        }
    )


def burst(
    frame: pd.DataFrame,
    *,
    seed: int,
    at: datetime,
    share: float,
    hosts: list[str] | None = None,
    message: str = "NullPointerException in OrderService",
    exception: str | None = "java.lang.NullPointerException",
) -> pd.DataFrame:
    """Turn a share of requests after `at` (on `hosts`, default all) into a new kind of error."""
    rng = np.random.default_rng(seed)
    frame = frame.copy()
    after = frame["ts"] >= at.replace(tzinfo=None)
    if hosts is not None:
        after &= frame["host"].isin(hosts)
    hit = after & (rng.uniform(size=len(frame)) < share)
    frame.loc[hit, "status"] = 500
    frame.loc[hit, "level"] = "error"
    frame.loc[hit, "message"] = message
    frame["exception_type"] = frame.get("exception_type")
    frame.loc[hit, "exception_type"] = exception
    return frame


def worker_lines(ts: object, message: list[str], failing: object, host: object) -> pd.DataFrame:
    """Plain application log lines of a worker (no HTTP fields): error level where `failing`."""
    count = len(message)
    return pd.DataFrame(
        {
            "ts": ts,
            "host": host,
            "service": "worker",
            "level": np.where(failing, "error", "info"),
            "message": message,
            "source": "app.log",
            "line": np.arange(1, count + 1),
            "format": "plain",
        }
    )
