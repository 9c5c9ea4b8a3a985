"""Speed of the HTTP, messages, stack-trace and dependency analyzers on a large events table.

Builds N events in DuckDB (vectorised with numpy: requests to routes with ids in their paths,
application lines with variable values, error lines naming an upstream, Java and Python stack
traces), an incident in the last hour (one route fails, an upstream times out), then runs each
analyzer on its own and prints seconds, events per second and what it found.

    python benchmarks/clue_analyzers.py --events 1000000
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from warroom.analysis.analyzers.dependencies import Dependencies
from warroom.analysis.analyzers.http import Http
from warroom.analysis.analyzers.messages import Messages
from warroom.analysis.analyzers.stacks import Stacks
from warroom.analysis.context import AnalysisContext
from warroom.analysis.windows import make_windows
from warroom.evidence.schema import TABLES, create_statement

START = datetime(2026, 3, 4, tzinfo=UTC)
HOURS = 6
ROUTES = [
    ("GET", "/api/orders/{}"),
    ("POST", "/api/orders/{}/items"),
    ("GET", "/api/products"),
    ("POST", "/api/checkout"),
    ("GET", "/api/users/{}/cart"),
]
MESSAGES = [
    "request {} served in {}ms",
    "cache miss for key user:{} after {}ms",
    "job {} completed in {}ms",
    "heartbeat ok from worker {} seq {}",
]
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "analysis" / "fixtures"


def _times(rng: np.random.Generator, count: int) -> np.ndarray:
    offsets = np.sort(rng.uniform(0, HOURS * 3600, count))
    return np.datetime64(START.replace(tzinfo=None), "us") + (offsets * 1e6).astype(
        "timedelta64[us]"
    )


def _fill(template: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    head, middle, tail = template.split("{}")
    return np.char.add(np.char.add(np.char.add(np.char.add(head, a), middle), b), tail)


def build(con: duckdb.DuckDBPyConnection, events: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    requests = int(events * 0.8)
    apps = events - requests
    ts = _times(rng, requests)
    route = rng.integers(0, len(ROUTES), requests)
    ids = rng.integers(1000, 10**7, requests).astype(str)
    paths = np.array([p for _, p in ROUTES], dtype=object)[route]
    paths = np.char.replace(paths.astype(str), "{}", ids)
    late = ts >= np.datetime64((START + timedelta(hours=HOURS - 1)).replace(tzinfo=None), "us")
    failed = (rng.uniform(size=requests) < 0.003) | (
        late & (route == 1) & (rng.uniform(size=requests) < 0.3)
    )
    status = np.where(failed, 500, 200).astype("int16")
    frame = pd.DataFrame({
        "ts": ts, "host": np.char.add("web-", rng.integers(1, 9, requests).astype(str)),
        "service": "api", "level": np.where(failed, "error", "info"), "status": status,
        "method": np.array([m for m, _ in ROUTES])[route], "path": paths,
        "message": None, "source": "access.log", "line": np.arange(requests), "format": "access",
    })  # fmt: skip
    app_ts = _times(rng, apps)
    kind = rng.integers(0, len(MESSAGES), apps)
    a, b = rng.integers(1, 10**6, apps).astype(str), rng.integers(1, 5000, apps).astype(str)
    text = np.empty(apps, dtype=object)
    for index, template in enumerate(MESSAGES):
        mask = kind == index
        text[mask] = _fill(template, a[mask], b[mask])
    app_late = app_ts >= np.datetime64((START + timedelta(hours=HOURS - 1)).replace(tzinfo=None))
    timeout = app_late & (rng.uniform(size=apps) < 0.05)
    text[timeout] = _fill("timeout after {} ms calling payments-gateway:443 (order {})", b, a)[
        timeout
    ]
    traced = rng.uniform(size=apps) < 0.01
    java = (FIXTURES / "java_caused_by.txt").read_text()
    python = (FIXTURES / "python_traceback.txt").read_text()
    stacks = np.where(app_late & traced, java, np.where(traced, python, None))
    apps_frame = pd.DataFrame({
        "ts": app_ts, "host": np.char.add("api-", rng.integers(1, 4, apps).astype(str)),
        "service": "api", "level": np.where(timeout | traced, "error", "info"), "message": text,
        "stack": stacks, "source": "app.log", "line": np.arange(apps), "format": "plain",
    })  # fmt: skip
    for part in (frame, apps_frame):
        columns = [c for c in TABLES["events"] if c in part]
        con.register("part", part[columns])
        con.execute(f"INSERT INTO events ({', '.join(columns)}) SELECT * FROM part")
        con.unregister("part")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    con = duckdb.connect()
    for table in TABLES:
        con.execute(create_statement(table))
    started = time.perf_counter()
    build(con, args.events, args.seed)
    print(f"built {args.events:,} events in {time.perf_counter() - started:.1f} s")
    incident = (START + timedelta(hours=HOURS - 1), START + timedelta(hours=HOURS))
    windows = make_windows(
        incident, baselines=None, data_start=START, data_end=incident[1], timezone="UTC",
        source="given",
    )  # fmt: skip
    counts = {t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in TABLES}
    bare = time.perf_counter()
    con.execute(
        "SELECT count(*), count(DISTINCT path), count(DISTINCT message) FROM events"
    ).fetchall()
    print(f"bare scan (distinct paths and messages): {time.perf_counter() - bare:.2f} s")
    print(f"{'analyzer':18} {'seconds':>8} {'events/s':>12}  findings")
    for analyzer in (Dependencies(), Http(), Messages(), Stacks()):
        ctx = AnalysisContext(con=con, windows=windows, row_counts=counts)
        started = time.perf_counter()
        result = analyzer.run(ctx)
        seconds = time.perf_counter() - started
        found = ", ".join(f.id.split(":", 2)[1] for f in result.findings[:4]) or "-"
        print(f"{analyzer.id:18} {seconds:8.2f} {args.events / seconds:12,.0f}  {found}")


if __name__ == "__main__":
    main()
