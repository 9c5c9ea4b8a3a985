"""A small fleet with a known truth, for the spread, changes and ranking tests.

Three services on their own hosts (6 web, 3 api, 2 checkout), steady traffic with a background of
unrelated 500s, and helpers to write change events and git commits into the `changes` table. The
stories the tests tell (bad deploy, canary, one bad host, a change after the onset, ...) are
built from `fleet`, `synthetic.burst` and `add_change`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from tests.analysis.synthetic import T0, add_events, burst, empty_store, traffic
from warroom.analysis.analyzers.changes import Changes
from warroom.analysis.analyzers.onset import Onset
from warroom.analysis.analyzers.spread import Spread
from warroom.analysis.investigate import WindowRequest, investigate
from warroom.analysis.investigation import Investigation
from warroom.evidence.schema import TABLES

WEB = [f"web-{i}" for i in range(1, 7)]
API = [f"api-{i}" for i in range(1, 4)]
CHECKOUT = [f"checkout-{i}" for i in range(1, 3)]
FLEET = {"web": WEB, "api": API, "checkout": CHECKOUT}
RATES = {"web": 4.0, "api": 3.0, "checkout": 1.0}  # requests per second per service
HOURS = 6
ONSET = T0 + timedelta(hours=5)
WINDOW = (ONSET - timedelta(minutes=10), T0 + timedelta(hours=HOURS))


def fleet(*, seed: int, hours: float = HOURS, error_share: float = 0.003) -> pd.DataFrame:
    """Every service's traffic on its own hosts, background errors spread evenly."""
    frames = []
    for offset, (service, hosts) in enumerate(FLEET.items()):
        frame = traffic(
            seed=seed * 10 + offset,
            hours=hours,
            per_second=RATES[service],
            hosts=hosts,
            error_share=error_share,
        )
        frame["service"] = service
        frames.append(frame)
    merged = pd.concat(frames, ignore_index=True).sort_values(["ts", "host"], kind="stable")
    merged["line"] = range(1, len(merged) + 1)
    return merged.reset_index(drop=True)


def broken(
    frame: pd.DataFrame,
    *,
    hosts: Sequence[str],
    share: float,
    at: datetime = ONSET,
    exception: str = "AttributeError",
    message: str = "'NoneType' object has no attribute 'currency'",
) -> pd.DataFrame:
    """A new kind of error on `hosts` from `at` on."""
    return burst(
        frame, seed=99, at=at, share=share, hosts=list(hosts), message=message, exception=exception
    )


def nameless(frame: pd.DataFrame) -> pd.DataFrame:
    """The same traffic as access logs record it: hosts, but no service."""
    frame = frame.copy()
    frame["service"] = None
    return frame


def store(frame: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    con = empty_store()
    add_events(con, frame)
    return con


def add_change(
    con: duckdb.DuckDBPyConnection,
    *,
    change_id: str,
    at: datetime,
    kind: str = "deploy",
    service: str | None = None,
    version: str | None = None,
    hosts: Sequence[str] = (),
    commit: str | None = None,
    description: str | None = None,
    files: Sequence[str] = (),
) -> None:
    """One row of the `changes` table, as the change-event and git loaders write it."""
    con.execute(
        "INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            change_id,
            at.replace(tzinfo=None),
            kind,
            service,
            version,
            list(hosts),
            "someone",
            description,
            commit,
            list(files),
            "changes/deploys.jsonl" if kind not in ("commit", "tag") else "repo",
        ],
    )


def run(con: duckdb.DuckDBPyConnection, *, window: bool = True) -> Investigation:
    """Onset, spread and changes over the store, in the fixed incident window by default."""
    request = WindowRequest(incident=WINDOW) if window else None
    count = {t: len(con.table(t)) for t in TABLES}
    inputs = {
        "events": count["events"],
        "metrics_samples": count["metrics"],
        "changes": count["changes"],
        "cron_jobs": count["cron_jobs"],
        "reports": count["reports"],
        "rejected_lines": 0,
        "skipped": [],
    }
    return investigate(
        con,
        inputs=inputs,
        request=request,
        analyzers=[Onset(), Spread(), Changes()],
    )


def tag_versions(
    con: duckdb.DuckDBPyConnection,
    *,
    service: str,
    old: str,
    new: str,
    hosts: Sequence[str],
    since: datetime,
) -> None:
    """Write `attrs.version` on a service's events: `new` on `hosts` from `since`, else `old`."""
    con.execute(
        "UPDATE events SET attrs = MAP {'version': CASE WHEN host IN (SELECT unnest(?)) "
        "AND ts >= ? THEN ? ELSE ? END} WHERE service = ?",
        [list(hosts), since.replace(tzinfo=None), new, old, service],
    )


def name_containers(con: duckdb.DuckDBPyConnection) -> None:
    """One container per host, named after it (`api-2-c1`)."""
    con.execute("UPDATE events SET container = host || '-c1'")


def errors_in(frame: pd.DataFrame, mask: pd.Series) -> tuple[int, int]:
    """(errors, events) under `mask`, counted in pandas: an independent check on the engine."""
    failed = (
        (frame["status"].fillna(0) >= 500)
        | frame["level"].isin(["error", "fatal"])
        | frame["exception_type"].notna()
    )
    return int((failed & mask).sum()), int(mask.sum())


def between(frame: pd.DataFrame, start: datetime, end: datetime) -> pd.Series:
    return (frame["ts"] >= start.replace(tzinfo=None)) & (frame["ts"] < end.replace(tzinfo=None))
