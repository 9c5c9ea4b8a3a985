"""Event tables with a known truth for the HTTP, messages, stacks and dependencies tests.

Requests spread over several routes with real ids in their paths, background failures that
exist in the baseline too, application log lines (heartbeats, success lines, errors with stack
traces from real-format fixtures) and, unlike `synthetic.py`, `attrs` fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tests.analysis.synthetic import T0, empty_store
from warroom.analysis.context import AnalysisContext
from warroom.analysis.windows import make_windows
from warroom.evidence.schema import TABLES

FIXTURES = Path(__file__).parent / "fixtures"
HOSTS = [f"web-{i}" for i in range(1, 7)]
ROUTES = {  # path template -> (method, share of traffic)
    "/api/orders/{id}": ("GET", 0.4),
    "/api/orders/{id}/items": ("POST", 0.2),
    "/api/products": ("GET", 0.3),
    "/api/checkout": ("POST", 0.1),
}
INCIDENT = (T0 + timedelta(hours=5), T0 + timedelta(hours=6))


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def _times(rng: np.random.Generator, count: int, hours: float, start: datetime) -> np.ndarray:
    offsets = np.sort(rng.uniform(0, hours * 3600, count))
    return np.datetime64(start.replace(tzinfo=None), "us") + (offsets * 1e6).astype(
        "timedelta64[us]"
    )


def requests(
    *, seed: int, hours: float = 6, per_second: float = 2, error_share: float = 0.003
) -> pd.DataFrame:
    """Requests over `hours` from T0, background 500s at `error_share` on every route."""
    rng = np.random.default_rng(seed)
    count = int(hours * 3600 * per_second)
    templates = list(ROUTES)
    weights = np.array([ROUTES[t][1] for t in templates])
    chosen = rng.choice(len(templates), size=count, p=weights / weights.sum())
    ids = rng.integers(1000, 99999, size=count).astype(str)
    paths = np.array([templates[i] for i in chosen], dtype=object)
    paths = np.array([p.replace("{id}", i) for p, i in zip(paths, ids, strict=True)])
    status = np.where(rng.uniform(size=count) < error_share, 500, 200).astype("int16")
    return pd.DataFrame(
        {
            "ts": _times(rng, count, hours, T0),
            "host": rng.choice(HOSTS, size=count),
            "service": "api",
            "level": np.where(status >= 500, "error", "info"),
            "status": status,
            "method": [ROUTES[templates[i]][0] for i in chosen],
            "path": paths,
            "message": np.where(status >= 500, "internal error", "request served"),
            "source": "access.log",
            "line": np.arange(1, count + 1),
            "format": "access",
        }
    )


def fail(
    frame: pd.DataFrame,
    *,
    seed: int,
    at: datetime,
    share: float,
    status: int = 500,
    route: tuple[str, str] | None = None,
    message: str = "internal error",
    until: datetime | None = None,
) -> pd.DataFrame:
    """Make a share of the requests after `at` (to `route` = (method, path prefix)) fail."""
    rng = np.random.default_rng(seed)
    frame = frame.copy()
    hit = frame["ts"] >= at.replace(tzinfo=None)
    if until is not None:
        hit &= frame["ts"] < until.replace(tzinfo=None)
    if route is not None:
        hit &= (frame["method"] == route[0]) & frame["path"].str.match(route[1])
    hit &= rng.uniform(size=len(frame)) < share
    frame.loc[hit, "status"] = status
    frame.loc[hit, "level"] = "error" if status >= 500 else "warn"
    frame.loc[hit, "message"] = message
    return frame


def log_lines(
    *,
    seed: int,
    message: str,
    per_minute: float,
    start: datetime = T0,
    hours: float = 6,
    level: str = "info",
    **columns: object,
) -> pd.DataFrame:
    """Application log lines (no HTTP fields) at a steady rate; `{n}` in the message becomes a
    different number on each line."""
    rng = np.random.default_rng(seed)
    count = int(hours * 60 * per_minute)
    numbers = rng.integers(1, 10**6, size=count)
    return pd.DataFrame(
        {
            "ts": _times(rng, count, hours, start),
            "host": rng.choice(HOSTS, size=count),
            "service": "api",
            "level": level,
            "message": [message.replace("{n}", str(n)) for n in numbers],
            "source": "app.log",
            "line": np.arange(1, count + 1),
            "format": "plain",
            **columns,
        }
    )


def add(con: duckdb.DuckDBPyConnection, *frames: pd.DataFrame) -> None:
    """Insert frames into `events`; an optional `attrs` column holds dicts of strings."""
    frame = pd.concat(frames, ignore_index=True)
    attrs = frame["attrs"] if "attrs" in frame else pd.Series([None] * len(frame))
    frame = frame.assign(
        attr_keys=[list(a) if isinstance(a, dict) else [] for a in attrs],
        attr_values=[list(a.values()) if isinstance(a, dict) else [] for a in attrs],
    )
    columns = [c for c in TABLES["events"] if c != "attrs"]
    for column in columns:
        if column not in frame:
            frame[column] = None
    con.register("incoming", frame[[*columns, "attr_keys", "attr_values"]])
    selected = ", ".join(f'"{c}"' for c in columns)
    con.execute(
        f"INSERT INTO events ({selected}, attrs) "
        f"SELECT {selected}, MAP(attr_keys::VARCHAR[], attr_values::VARCHAR[]) FROM incoming"
    )
    con.unregister("incoming")


@dataclass(frozen=True)
class Change:
    id: str
    at: datetime
    service: str | None = "api"
    type: str = "deploy"


def add_changes(con: duckdb.DuckDBPyConnection, *changes: Change) -> None:
    for change in changes:
        con.execute(
            "INSERT INTO changes (id, ts, type, service, hosts) VALUES (?, ?, ?, ?, [])",
            [change.id, change.at.replace(tzinfo=None), change.type, change.service],
        )


def store(*frames: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    con = empty_store()
    add(con, *frames)
    return con


def context(
    con: duckdb.DuckDBPyConnection, incident: tuple[datetime, datetime] = INCIDENT
) -> AnalysisContext:
    """An analysis context with the given incident window and the default baselines."""
    low, high = con.execute("SELECT min(ts), max(ts) FROM events").fetchone()
    windows = make_windows(
        incident,
        baselines=None,
        data_start=low.replace(tzinfo=incident[0].tzinfo),
        data_end=high.replace(tzinfo=incident[0].tzinfo),
        timezone="UTC",
        source="given",
    )
    counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}
    return AnalysisContext(con=con, windows=windows, row_counts=counts)
