"""Events with a known rhythm (bursts at clock minutes, daily peaks) and crontab rows, for the
periodicity, cron and time-of-day tests.

Built on `synthetic.traffic`: steady requests with a background share of 500s, then requests in
chosen stretches of time turned into a new kind of error.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tests.analysis.synthetic import T0, add_events, empty_store, traffic
from warroom.analysis.analyzers.cron import Cron
from warroom.analysis.analyzers.onset import Onset
from warroom.analysis.analyzers.periodicity import Periodicity
from warroom.analysis.analyzers.time_of_day import TimeOfDay
from warroom.analysis.investigate import WindowRequest, investigate
from warroom.analysis.investigation import Investigation
from warroom.config import Settings
from warroom.simulate import generate
from warroom.simulate.truth import Truth
from warroom.workflows import investigate_bundle

API = ["api-1", "api-2", "api-3"]
WEB = ["web-1", "web-2"]
FAULT = "QueuePool limit of size 20 overflow 10 reached"


def fleet(
    *,
    seed: int,
    hours: float,
    per_second: float = 2.0,
    start: datetime = T0,
    error_share: float = 0.003,
) -> pd.DataFrame:
    """api and web traffic side by side, background errors (0.3 %) everywhere."""
    common = {"hours": hours, "per_second": per_second, "error_share": error_share, "start": start}
    api = traffic(seed=seed, hosts=API, **common)  # type: ignore[arg-type]
    web = traffic(seed=seed + 1, hosts=WEB, **common)  # type: ignore[arg-type]
    web["service"] = "web"
    frame = pd.concat([api, web], ignore_index=True).sort_values("ts", kind="stable")
    frame["line"] = np.arange(1, len(frame) + 1)
    return frame.reset_index(drop=True)


def fail_in(
    frame: pd.DataFrame,
    stretches: Sequence[tuple[datetime, datetime]],
    *,
    share: float,
    seed: int,
    hosts: Sequence[str] = API,
) -> pd.DataFrame:
    """Turn `share` of the requests on `hosts` inside the stretches into pool timeouts."""
    rng = np.random.default_rng(seed)
    ts = frame["ts"].to_numpy()
    inside = np.zeros(len(frame), dtype=bool)
    for start, end in stretches:  # a few dozen stretches: one vectorised mask each
        inside |= (ts >= np.datetime64(start.replace(tzinfo=None))) & (
            ts < np.datetime64(end.replace(tzinfo=None))
        )
    hit = (
        inside & frame["host"].isin(list(hosts)).to_numpy() & (rng.uniform(size=len(frame)) < share)
    )
    frame = frame.copy()
    frame.loc[hit, "status"] = 503
    frame.loc[hit, "level"] = "error"
    frame.loc[hit, "message"] = FAULT
    frame["exception_type"] = None
    frame.loc[hit, "exception_type"] = "sqlalchemy.exc.TimeoutError"
    return frame


def every(
    first: datetime, until: datetime, period: timedelta, length: timedelta
) -> list[tuple[datetime, datetime]]:
    """Stretches of `length` starting at `first` and every `period` after it, before `until`."""
    stretches = []
    at = first
    while at < until:
        stretches.append((at, at + length))
        at += period
    return stretches


def add_cron(
    con: duckdb.DuckDBPyConnection,
    ref: str,
    schedule: str,
    *,
    timezone: str | None = "UTC",
    hosts: Sequence[str] = API,
    line: int = 1,
) -> None:
    """One row of `cron_jobs`, as the crontab loader writes it."""
    con.execute(
        "INSERT INTO cron_jobs VALUES (?, ?, ?, ?, ?, ?, ?)",
        [ref, schedule, timezone, "app", list(hosts), "cron/crontab", line],
    )


def scenario(name: str, *, seed: int, folder: Path) -> tuple[Truth, Investigation]:
    """A simulated bundle (small), investigated with every registered analyzer."""
    truth = generate(name, seed=seed, out=folder / "bundle", fmt="jsonl", lines=40_000)
    settings = Settings(data_dir=folder / "data")
    return truth, investigate_bundle(folder / "bundle", settings=settings, cache=False)


def store(frame: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    con = empty_store()
    add_events(con, frame)
    return con


def run(
    con: duckdb.DuckDBPyConnection,
    window: tuple[datetime, datetime],
    *,
    timezone: str = "UTC",
) -> Investigation:
    """Onset, periodicity, cron and time of day over the store, in a fixed incident window."""
    counts = {
        t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0])
        for t in ("events", "cron_jobs")
    }
    return investigate(
        con,
        inputs={"events": counts["events"], "cron_jobs": counts["cron_jobs"]},
        timezone=timezone,
        request=WindowRequest(incident=window),
        analyzers=[Onset(), Periodicity(), Cron(), TimeOfDay()],
    )


__all__ = ["API", "T0", "WEB", "add_cron", "every", "fail_in", "fleet", "run", "scenario", "store"]
