"""Host metrics with a known truth, for the resources analyzer tests.

Three days of one-minute samples for a small fleet: CPU and memory follow a daily load cycle
(busy in the day, quiet at night) with noise, disk grows slowly through the day, workers report
jobs processed (Poisson) and their queue depth. The tests then reshape one series (a leak, a
stall, a filling disk) and run the analyzer over a fixed incident window on the third day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from tests.analysis.synthetic import empty_store
from warroom.analysis.analyzers.resources import Resources
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult
from warroom.analysis.windows import make_windows
from warroom.evidence.schema import TABLES

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
DAYS = 3
ONSET = START + timedelta(days=2, hours=10)  # 10:00 on the third day: the morning ramp
INCIDENT = (ONSET - timedelta(minutes=20), ONSET + timedelta(minutes=60))
API = ["api-1", "api-2", "api-3"]
WORKERS = ["worker-1", "worker-2"]


def grid() -> np.ndarray:
    """Minute timestamps as epoch seconds over the whole history (up to the incident's end)."""
    end = INCIDENT[1] + timedelta(minutes=5)
    return np.arange(START.timestamp(), end.timestamp(), 60.0)


def minutes_since(moment: datetime) -> np.ndarray:
    return np.asarray((grid() - moment.timestamp()) / 60.0)


def healthy(seed: int) -> dict[tuple[str, str], np.ndarray]:
    """Every host's normal series, keyed (host, metric)."""
    rng = np.random.default_rng(seed)
    t = grid()
    hour = (t % 86400) / 3600
    load = np.clip(np.sin((hour - 6) / 24 * 2 * np.pi), 0, None)  # busy from 06:00 to 18:00
    series: dict[tuple[str, str], np.ndarray] = {}
    for host in API + WORKERS:
        series[(host, "cpu_used_percent")] = np.round(10 + 50 * load + rng.normal(0, 2, t.size), 1)
        mem = rng.uniform(35, 45) + 5 * load + rng.normal(0, 0.5, t.size)
        series[(host, "memory_used_percent")] = np.round(mem, 1)
        disk = rng.uniform(30, 50) + 1.5 * hour / 24 + rng.normal(0, 0.03, t.size)
        series[(host, "disk_used_percent")] = np.round(disk, 2)
    for host in WORKERS:
        jobs = rng.poisson(20 + 20 * load)
        series[(host, "jobs_processed")] = jobs.astype(float)
        series[(host, "queue_depth")] = np.round(np.clip(4 + rng.normal(0, 1.5, t.size), 0, None))
    return series


def store(series: dict[tuple[str, str], np.ndarray]) -> duckdb.DuckDBPyConnection:
    con = empty_store()
    add_metrics(con, series)
    return con


def add_metrics(
    con: duckdb.DuckDBPyConnection,
    series: dict[tuple[str, str], np.ndarray],
    *,
    labels: dict[str, str] | None = None,
) -> None:
    """Insert samples (NaN values are gaps: left out) as the metric loaders write them."""
    t = grid()
    frames = []
    for (host, metric), values in series.items():
        keep = ~np.isnan(values)
        frames.append(
            pd.DataFrame(
                {
                    "ts": pd.to_datetime(t[keep], unit="s"),
                    "metric": metric,
                    "value": values[keep],
                    "host": host,
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    con.register("incoming", frame)
    keys, values = list((labels or {}).keys()), list((labels or {}).values())
    con.execute(
        f"INSERT INTO metrics SELECT ts, metric, value, host, NULL, MAP({keys!r}, {values!r}), "
        "'synthetic.csv' FROM incoming"
    )
    con.unregister("incoming")


def context(con: duckdb.DuckDBPyConnection, *, onset: datetime | None = ONSET) -> AnalysisContext:
    span = con.execute("SELECT min(ts), max(ts) FROM metrics").fetchone()
    assert span is not None
    windows = make_windows(
        INCIDENT,
        baselines=None,
        data_start=span[0].replace(tzinfo=UTC),
        data_end=span[1].replace(tzinfo=UTC),
        timezone="UTC",
        source="given",
    )
    counts = {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}  # type: ignore[index]
    ctx = AnalysisContext(con=con, windows=windows, row_counts=counts)
    ctx.facts["onset"] = {"at": onset}
    return ctx


def run_resources(
    con: duckdb.DuckDBPyConnection, *, onset: datetime | None = ONSET
) -> AnalyzerResult:
    return Resources().run(context(con, onset=onset))
