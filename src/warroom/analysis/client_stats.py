"""Clients of failing requests and of customer reports, counted in the engine.

Requests: the user agent of each request (a field such as `user_agent`) is parsed with ua-parser
once per *distinct* string (thousands in a day of real traffic: ~0.1 ms each with re2, see
benchmarks/user_agents.py) and joined back in DuckDB, so the
browser ("Safari 17") and OS ("Mac OS X 10") of every request come from a table join, never a
Python loop over requests. App versions come from fields such as `app_version`.

Reports: the loader already parsed their user agents. Reports are few, so their floors are low:
a client needs >= 5 reports since the incident began to be compared with the reports before.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from warroom.analysis import stats
from warroom.analysis.request_fields import RequestTables
from warroom.evidence.reports import parse_user_agents

UA_KEYS = ("user_agent", "useragent", "http.user_agent", "user_agent.original", "ua")
VERSION_KEYS = ("app_version", "app.version", "client.version", "client_version")
DIMENSIONS = ("browser", "os", "app_version")
MIN_REPORTS = 5  # reports about one client since the incident began, to compare at all
_views = itertools.count(1)


def request_clients(con: Any, tables: RequestTables, routes: list[str]) -> pd.DataFrame:
    """Requests per route x dimension (browser, os, app_version) x value x period x failed."""
    columns = ["route", "key", "value", "period", "failed", "n"]
    if not routes:
        return pd.DataFrame(columns=columns)
    where = f"route IN (SELECT unnest($1::VARCHAR[])) AND lower(key) IN {_in(UA_KEYS)}"
    agents = con.execute(
        f'SELECT DISTINCT value FROM "{tables.field_counts}" WHERE {where} ORDER BY 1', [routes]
    ).fetchall()
    view = f"_warroom_user_agents_{next(_views)}"
    con.register(view, parse_user_agents([row[0] for row in agents]))
    try:
        # requests per user agent first, then the (few) agents joined to their browser and OS
        agents_sql = (
            "WITH agents AS (SELECT route, value, period, failed, CAST(sum(n) AS BIGINT) AS n "
            f'FROM "{tables.field_counts}" WHERE {where} GROUP BY ALL) '
        )
        per_client = " UNION ALL ".join(
            f"SELECT a.route, '{d}' AS key, ua.{d} AS value, a.period, a.failed, "
            f'CAST(sum(a.n) AS BIGINT) AS n FROM agents a JOIN "{view}" ua '
            f"ON ua.user_agent = a.value WHERE ua.{d} IS NOT NULL GROUP BY ALL"
            for d in ("browser", "os")
        )
        versions = (
            "SELECT route, 'app_version' AS key, value, period, failed, "
            f'CAST(sum(n) AS BIGINT) AS n FROM "{tables.field_counts}" '
            f"WHERE route IN (SELECT unnest($1::VARCHAR[])) AND lower(key) IN {_in(VERSION_KEYS)} "
            "GROUP BY ALL"
        )
        frame: pd.DataFrame = con.execute(
            f"{agents_sql}{per_client} UNION ALL {versions}", [routes]
        ).df()
    finally:
        con.unregister(view)
    return frame[columns]


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


@dataclass(frozen=True)
class ReportClient:
    """One client value: its share of the reports since the incident began vs before."""

    key: str  # browser, os, app_version
    value: str
    comparison: stats.ProportionComparison  # a: reports since the incident, b: before
    q_value: float = 1.0
    family_size: int = 0

    @property
    def ref(self) -> str:
        return f"{self.key}={self.value}"


@dataclass(frozen=True)
class ReportSummary:
    total: int
    untimed: int  # reports without a time: counted, never placed in a window
    incident: int  # reports since the incident window began
    before: int  # reports before it
    before_seconds: float
    incident_seconds: float
    first_after_onset_s: float | None  # the first report at or after the onset
    rate: stats.RateComparison | None
    clients: tuple[ReportClient, ...]


def summarise_reports(
    con: Any, *, start: datetime, end: datetime, onset: datetime | None, data_start: datetime
) -> ReportSummary:
    """Reports since `start` (the incident window, and after it: reports lag) vs before it."""
    naive = [m.astimezone(UTC).replace(tzinfo=None) for m in (start, end, data_start)]
    rows = con.execute(
        "SELECT CASE WHEN ts IS NULL THEN 'untimed' WHEN ts >= $1 THEN 'incident' "
        "ELSE 'before' END AS period, browser, os, app_version, ts FROM reports",
        naive[:1],
    ).df()
    counts = rows["period"].value_counts()
    incident, before = int(counts.get("incident", 0)), int(counts.get("before", 0))
    timed = rows[rows["period"] != "untimed"]
    first_ts = timed["ts"].min() if len(timed) else None
    since = min(naive[2], first_ts) if first_ts is not None else naive[2]
    before_s = max((naive[0] - since).total_seconds(), 0.0)
    last = max(naive[1], timed["ts"].max()) if len(timed) else naive[1]
    incident_s = max((last - naive[0]).total_seconds(), 1.0)  # later reports count: they lag
    rate = stats.rate_ratio(incident, incident_s, before, before_s) if before_s > 0 else None
    return ReportSummary(
        len(rows), int(counts.get("untimed", 0)), incident, before, before_s, incident_s,
        _first_after(timed, onset), rate, tuple(_report_clients(timed, incident, before)),
    )  # fmt: skip


def _first_after(timed: pd.DataFrame, onset: datetime | None) -> float | None:
    if onset is None or timed.empty:
        return None
    at = onset.astimezone(UTC).replace(tzinfo=None)
    later = timed.loc[timed["ts"] >= at, "ts"]
    return None if later.empty else float((later.min() - at).total_seconds())


def _report_clients(timed: pd.DataFrame, incident: int, before: int) -> list[ReportClient]:
    if incident == 0 or before == 0:
        return []  # no contrast: every report is on one side
    found = []
    for key in DIMENSIONS:
        side = timed.dropna(subset=[key])
        since = side[side["period"] == "incident"][key].value_counts()
        earlier = side[side["period"] == "before"][key].value_counts()
        for value in sorted(since[since >= MIN_REPORTS].index):
            comparison = stats.proportions(
                int(since[value]), incident, int(earlier.get(value, 0)), before
            )
            found.append(ReportClient(key, str(value), comparison))
    q_values = stats.benjamini_hochberg([c.comparison.p_value for c in found])
    return [
        ReportClient(c.key, c.value, c.comparison, q, len(found))
        for c, q in zip(found, q_values, strict=True)
    ]


def quoted_in_failures(con: Any, tables: RequestTables) -> list[tuple[str, int]]:
    """Values quoted in reports (ids, codes: a word with a digit) that failing requests of the
    incident carried in a field, with how many failing requests carried each."""
    rows = con.execute(
        "WITH quoted AS (SELECT DISTINCT unnest(regexp_extract_all("
        "concat_ws(' ', subject, text, url, steps), '[A-Za-z0-9][A-Za-z0-9_.:-]{2,}')) AS token "
        "FROM reports) "
        "SELECT f.value, CAST(sum(f.n) AS BIGINT) AS n "
        f'FROM "{tables.field_counts}" f JOIN quoted q '
        "ON f.value = q.token WHERE f.period = 'incident' AND f.failed "
        "AND regexp_matches(q.token, '[0-9]') GROUP BY ALL ORDER BY n DESC, f.value LIMIT 5"
    ).fetchall()
    return [(str(value), int(n)) for value, n in rows]
