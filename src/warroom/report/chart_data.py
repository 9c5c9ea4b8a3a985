"""The series behind the HTML report's charts, queried from the investigation's DuckDB tables.

The contract JSON carries findings, not series, so the report asks the normalised tables again.
Every query aggregates in DuckDB; only buckets, hosts and quantiles (hundreds of rows) come back.
Times come back as *wall-clock strings in the bundle's time zone, suffixed Z*: Vega-Lite draws
them on a UTC scale, so the axes show the bundle's local clock whatever the reader's machine says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from warroom.analysis.signals import IS_ERROR_SQL
from warroom.analysis.windows import Window, Windows

# Bucket sizes a reader can count in; the smallest that keeps a chart under MAX_POINTS points.
NICE_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
MAX_POINTS = 360
HEAT_STEP = 900  # 15-minute buckets: local hours stay exact in zones offset by :30 or :45
TOP_HOSTS = 15


@dataclass(frozen=True)
class Span:
    """A time range to chart, aware UTC."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def wall(moment: datetime, tz: tzinfo) -> str:
    """A UTC instant (aware or naive-UTC) as the bundle's wall-clock time, for a UTC scale."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%SZ")


def naive(moment: datetime) -> datetime:
    """Aware UTC -> the naive UTC the tables store (DuckDB TIMESTAMP)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def step_for(span: Span) -> int:
    return next((s for s in NICE_STEPS if span.seconds / s <= MAX_POINTS), NICE_STEPS[-1])


def data_span(con: Any) -> Span | None:
    low, high = con.execute("SELECT min(ts), max(ts) FROM events").fetchone()
    if low is None:
        return None
    return Span(low.replace(tzinfo=UTC), high.replace(tzinfo=UTC) + timedelta(seconds=1))


def zoom_span(windows: Windows, data: Span) -> Span:
    """The incident with the window just before it and a little after: where the story is."""
    incident = windows.incident
    length = incident.end - incident.start
    start = min([incident.start - length, *(b.start for b in windows.baselines if _near(b))])
    end = incident.end + length / 2
    zoom = Span(max(start, data.start), min(end, data.end))
    return zoom if zoom.seconds > 0 else data  # a window given outside the data: show it all


def _near(window: Window) -> bool:
    return not window.label.startswith("same hours")


def error_series(con: Any, span: Span, tz: tzinfo) -> list[dict[str, Any]]:
    """Errors per minute (and events) per bucket; buckets without any event are left out."""
    step = step_for(span)
    rows = con.execute(
        f"""
        SELECT time_bucket(to_seconds(?), ts) AS bucket, count(*) AS events,
               count(*) FILTER ({IS_ERROR_SQL}) AS errors
        FROM events WHERE ts >= ? AND ts < ?
        GROUP BY bucket ORDER BY bucket
        """,
        [step, naive(span.start), naive(span.end)],
    ).fetchall()
    return [
        {
            "t": wall(bucket, tz),
            "events": int(events),
            "errors": int(errors),
            "errors_per_min": round(errors * 60 / step, 3),
        }
        for bucket, events, errors in rows
    ]


def host_shares(con: Any, window: Window) -> list[dict[str, Any]]:
    """Each host's share of the incident's errors and of its events (the top hosts by errors)."""
    rows = con.execute(
        f"""
        WITH per_host AS (
            SELECT coalesce(host, '(no host)') AS host, count(*) AS events,
                   count(*) FILTER ({IS_ERROR_SQL}) AS errors
            FROM events WHERE ts >= ? AND ts < ? GROUP BY 1
        )
        SELECT host, events, errors, sum(events) OVER () AS all_events,
               sum(errors) OVER () AS all_errors
        FROM per_host ORDER BY errors DESC, events DESC, host LIMIT {TOP_HOSTS}
        """,
        [naive(window.start), naive(window.end)],
    ).fetchall()
    return [
        {
            "host": host,
            "events": int(events),
            "errors": int(errors),
            "error_share": errors / all_errors if all_errors else 0.0,
            "event_share": events / all_events if all_events else 0.0,
        }
        for host, events, errors, all_events, all_errors in rows
    ]


def host_count(con: Any, window: Window) -> int:
    query = "SELECT count(DISTINCT coalesce(host, '')) FROM events WHERE ts >= ? AND ts < ?"
    return int(con.execute(query, [naive(window.start), naive(window.end)]).fetchone()[0])


def changes_in(con: Any, span: Span, tz: tzinfo) -> list[dict[str, Any]]:
    rows = con.execute(
        """
        SELECT id, ts, type, service, version, description FROM changes
        WHERE ts >= ? AND ts < ? ORDER BY ts, id
        """,
        [naive(span.start), naive(span.end)],
    ).fetchall()
    return [
        {
            "id": change_id,
            "at": ts.replace(tzinfo=UTC),
            "t": wall(ts, tz),
            "label": change_label(change_id, kind, service, version),
            "description": description or "",
        }
        for change_id, ts, kind, service, version, description in rows
    ]


def change_label(change_id: str, kind: str | None, service: str | None, version: str | None) -> str:
    short = change_id[:8] if kind in ("commit", None) and len(change_id) >= 40 else change_id
    what = " ".join(part for part in (kind, service, version) if part)
    return f"{short} {what}".strip()


def heat_cells(con: Any, tz: tzinfo) -> list[dict[str, Any]]:
    """Errors and events per local day x hour of day, over all the data.

    DuckDB counts per 15-minute UTC bucket (a few thousand rows at most); the local day and hour
    of each bucket are then read off in Python with the zone's real offsets (DST included).
    """
    rows = con.execute(
        f"""
        SELECT time_bucket(to_seconds({HEAT_STEP}), ts) AS bucket, count(*) AS events,
               count(*) FILTER ({IS_ERROR_SQL}) AS errors
        FROM events GROUP BY bucket
        """
    ).fetchall()
    cells: dict[tuple[str, int], list[int]] = {}
    for bucket, events, errors in rows:  # per bucket, not per event
        local = bucket.replace(tzinfo=UTC).astimezone(tz)
        cell = cells.setdefault((local.strftime("%a %Y-%m-%d"), local.hour), [0, 0])
        cell[0] += int(events)
        cell[1] += int(errors)
    return [
        {"day": day, "hour": hour, "events": events, "errors": errors}
        for (day, hour), (events, errors) in sorted(
            cells.items(), key=lambda item: (item[0][0][4:], item[0][1])
        )
    ]
