"""The HTML report's figures: data from the investigation's tables, drawn as inline SVG.

Each figure is built on its own: one that cannot be drawn (no events, no cron jobs, a query
that fails on odd data) becomes a figure with a `missing` sentence, and the report goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from warroom.analysis.investigation import Investigation
from warroom.analysis.windows import Windows
from warroom.report import chart_specs as specs
from warroom.report.chart_data import (
    Span,
    changes_in,
    data_span,
    error_series,
    heat_cells,
    host_count,
    host_shares,
    wall,
    zoom_span,
)
from warroom.report.cron_runs import cron_runs
from warroom.report.metric_data import chosen_series, metric_points, metric_spread
from warroom.timeutil import zone

log = logging.getLogger(__name__)


@dataclass
class Figure:
    key: str
    title: str
    caption: str = ""
    svg: str | None = None
    missing: str = ""  # why there is no chart
    notes: list[str] = field(default_factory=list)


def build_figures(con: Any, result: Investigation) -> list[Figure]:
    """Every figure of the report, in reading order."""
    tz = zone(result.windows.timezone)
    span = data_span(con)
    if span is None:
        return [Figure("timeline", "Errors over time", missing="the bundle holds no log events")]
    figures: list[Figure] = []
    builders: list[tuple[str, str, Callable[[], Figure | list[Figure]]]] = [
        ("zoom", "Errors around the incident", lambda: _zoom(con, result, span, tz)),
        ("timeline", "Errors over all the data", lambda: _timeline(con, result, span, tz)),
        ("hosts", "Errors by host", lambda: _hosts(con, result)),
        ("metrics", "Metrics: baseline vs incident", lambda: _metrics(con, result, span, tz)),
        ("cron", "Cron runs and error bursts", lambda: _cron(con, result, span, tz)),
        ("heatmap", "Errors by time of day", lambda: _heatmap(con, result)),
    ]
    for key, title, build in builders:
        try:
            built = build()
        except Exception as exc:  # a chart must never take the whole report down
            log.warning("figure %s failed: %s", key, exc, exc_info=True)
            built = Figure(key, title, missing=f"could not be drawn: {type(exc).__name__}: {exc}")
        figures += built if isinstance(built, list) else [built]
    return figures


def bands(windows: Windows, span: Span, tz: tzinfo) -> list[dict[str, Any]]:
    """The incident and baseline windows clipped to the span, as shaded rectangles."""
    chosen = [("incident", windows.incident)] + [("baseline", b) for b in windows.baselines]
    return [
        {
            "window": kind,
            "start": wall(max(w.start, span.start), tz),
            "end": wall(min(w.end, span.end), tz),
        }
        for kind, w in chosen
        if w.start < span.end and w.end > span.start
    ]


def _domain(span: Span, tz: tzinfo) -> tuple[str, str]:
    return wall(span.start, tz), wall(span.end, tz)


def _x_title(result: Investigation) -> str:
    return f"time ({result.windows.timezone})"


def _marks(
    con: Any, result: Investigation, span: Span, tz: tzinfo
) -> tuple[list[dict[str, Any]], list[str]]:
    marks: list[dict[str, Any]] = []
    at: list[datetime] = []
    if result.onset.at is not None and span.start <= result.onset.at < span.end:
        label = f"onset {result.onset.at.astimezone(tz):%H:%M:%S}"
        marks.append({"t": wall(result.onset.at, tz), "label": label, "kind": "onset"})
        at.append(result.onset.at)
    for change in changes_in(con, span, tz):
        marks.append({"t": change["t"], "label": change["label"], "kind": "change"})
        at.append(change["at"])
    specs.assign_lanes(marks, span.seconds, [(t - span.start).total_seconds() for t in at])
    hidden = sum(1 for m in marks if m["lane"] is None)
    if not hidden:
        return marks, []
    return marks, [f"{hidden} labels left off where they would overlap (the dashed lines stay)"]


def _zoom(con: Any, result: Investigation, data: Span, tz: tzinfo) -> Figure:
    span = zoom_span(result.windows, data)
    marks, notes = _marks(con, result, span, tz)
    chart = specs.error_timeline(
        error_series(con, span, tz),
        bands(result.windows, span, tz),
        marks,
        _domain(span, tz),
        title="Errors per minute around the incident",
        x_title=_x_title(result),
    )
    caption = (
        "Errors (5xx, error/fatal lines, exceptions) per minute, from the window just before the "
        "incident to a little after it. Shaded: the incident (red) and baseline (blue) windows; "
        "dashed: the onset and every recorded change."
    )
    return Figure("zoom", "Errors around the incident", caption, specs.to_svg(chart), notes=notes)


def _timeline(con: Any, result: Investigation, data: Span, tz: tzinfo) -> Figure:
    marks, notes = _marks(con, result, data, tz)
    chart = specs.error_timeline(
        error_series(con, data, tz),
        bands(result.windows, data, tz),
        marks,
        _domain(data, tz),
        title="Errors per minute over all the data",
        x_title=_x_title(result),
        height=220,
    )
    caption = (
        "All the data in the bundle, shaded as above; baselines on previous days (the same hours) "
        "show here when the bundle reaches back that far."
    )
    return Figure("timeline", "Errors over all the data", caption, specs.to_svg(chart), notes=notes)


def _hosts(con: Any, result: Investigation) -> Figure:
    window = result.windows.incident
    rows = host_shares(con, window)
    title = "Errors by host"
    if not rows or sum(r["errors"] for r in rows) == 0:
        return Figure("hosts", title, missing="no errors in the incident window")
    total = host_count(con, window)
    shown = (
        f"the {len(rows)} hosts with most errors of {total}"
        if total > len(rows)
        else f"all {total} hosts"
    )
    chart = specs.host_bars(rows, title="Share of errors vs share of events, incident window")
    caption = (
        f"Per host ({shown}): its share of the incident window's errors beside its share of the "
        "events. A host whose red bar is much longer than its blue bar fails more than its load "
        "explains."
    )
    return Figure("hosts", title, caption, specs.to_svg(chart))


def _metrics(con: Any, result: Investigation, data: Span, tz: tzinfo) -> list[Figure]:
    series, how = chosen_series(con, result)
    title = "Metrics: baseline vs incident"
    if not series:
        return [Figure("metrics", title, missing=_no_metrics_reason(result))]
    span = zoom_span(result.windows, data)
    figures = []
    for item in series:
        chart = specs.metric_panel(
            metric_points(con, item, span, tz),
            metric_spread(con, item, result.windows),
            bands(result.windows, span, tz),
            _domain(span, tz),
            title=item.ref,
            subtitle=f"{item.why}; right: min–max, quartiles and median per period",
            x_title=_x_title(result),
        )
        figures.append(Figure("metrics", title, f"Shown: {how}.", specs.to_svg(chart)))
    return figures


def _no_metrics_reason(result: Investigation) -> str:
    if not result.inputs.get("metrics_samples"):
        return "no metrics in the bundle"
    if not result.windows.baselines:
        return "no baseline window to compare the metrics with"
    return "no metric series moved by a baseline standard deviation or more"


def _cron(con: Any, result: Investigation, data: Span, tz: tzinfo) -> Figure:
    title = "Cron runs and error bursts"
    if not result.inputs.get("cron_jobs"):
        return Figure("cron", title, missing="no crontabs in the bundle")
    span = zoom_span(result.windows, data)
    found = cron_runs(con, span, tz, result.windows.timezone)
    if not found.runs:
        return Figure("cron", title, missing="no cron job runs in this span", notes=found.notes)
    chart = specs.cron_strip(
        error_series(con, span, tz),
        found.runs,
        bands(result.windows, span, tz),
        _domain(span, tz),
        title="Errors per minute above each cron job's runs",
        x_title=_x_title(result),
    )
    caption = (
        "Each tick is one scheduled run (from the crontab's schedule, in the job's time zone). "
        "Bursts of errors that start at a job's ticks point at that job."
    )
    return Figure("cron", title, caption, specs.to_svg(chart), notes=found.notes)


def _heatmap(con: Any, result: Investigation) -> Figure:
    cells = heat_cells(con, zone(result.windows.timezone))
    title = "Errors by time of day"
    if not any(c["errors"] for c in cells):
        return Figure("heatmap", title, missing="no errors in the data")
    chart = specs.heat_map(cells, title=f"Errors per hour of day ({result.windows.timezone})")
    caption = (
        "Errors per hour of the day (columns) on each day (rows), in the bundle's time zone. "
        "The same hour lighting up every day points at a schedule or a daily peak."
    )
    return Figure("heatmap", title, caption, specs.to_svg(chart))
