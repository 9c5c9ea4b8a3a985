"""What one metric series did around the incident: level shift, trend, saturation, timing, role.

Pure functions over `MetricSeries` arrays (metric_series.py) and the robust statistics of
metric_stats.py; the analyzer (analyzers/resources.py) corrects the p-values over all series and
writes the findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from warroom.analysis import metric_stats as ms
from warroom.analysis import stats
from warroom.analysis.finding import Role
from warroom.analysis.metric_series import MetricSeries, at
from warroom.analysis.windows import Window

GRACE = timedelta(minutes=2)  # a move this close to the onset is "at the onset"
RESTARTS = re.compile(r"restart|oom")
SEASONAL_DAYS = (1, 2, 3)  # previous days whose same times make "the usual day"
MIN_SEASONAL = 0.5  # share of the lead-up those days must cover to be used
SATURATED = 90.0  # percent: disk or memory this full is at its limit
FILLS_UP = ("disk", "mem", "fs", "filesystem", "inode", "swap", "volume", "storage", "heap")
# How a failure looks from outside: at the onset these are symptoms.
LOOKS_FROM_OUTSIDE = ("latency", "duration", "response_time", "_ms", "error")
# Labels naming the upstream a series measures: then the series is about that dependency.
DEPENDENCY_LABELS = ("upstream", "dependency", "peer_service", "backend", "target_service")
# Metrics that follow the work a host does: when they fall, less work reached it (a symptom).
FOLLOWS_WORK = ("cpu", "memory", "mem_", "network", "net_", "bytes", "request", "rps", "io_")


@dataclass(frozen=True)
class Assessment:
    series: MetricSeries
    level: ms.LevelShift | None
    stop: ms.Stop | None
    trend: ms.Trend | None
    moved_at: datetime | None  # the single mean shift around the incident
    trend_start: datetime | None  # the knee of the lead-up trend
    peak: float | None  # highest bin mean in the incident window
    baseline_peak: float | None
    restarts: stats.RateComparison | None = None  # restart / OOM-kill counters only
    first_restart: datetime | None = None  # in the incident window


def assess(
    series: MetricSeries,
    *,
    incident: Window,
    baselines: tuple[Window, ...],
    lead: Window,
    bin_seconds: int,
) -> Assessment:
    inside = series.within(incident)
    before = [series.within(b) for b in baselines]
    level = ms.level_shift(inside, before)
    around = Window(incident.start - (incident.end - incident.start), incident.end, "around")
    moved_at = _change_time(series, around)
    trend, trend_start = _lead_trend(series, lead)
    base = np.concatenate(before or [np.zeros(0)])
    found = Assessment(
        series,
        level,
        ms.stopped(inside, before),
        trend,
        moved_at,
        trend_start,
        float(inside.max()) if len(inside) else None,
        float(base.max()) if len(base) else None,
    )
    return _with_restarts(found, incident, baselines, bin_seconds)


def _with_restarts(
    a: Assessment, incident: Window, baselines: tuple[Window, ...], bin_seconds: int
) -> Assessment:
    """Restarts in the incident against the baseline (Poisson rate ratio), for restart counts."""
    base_seconds = sum(b.seconds for b in baselines)
    if not RESTARTS.search(a.series.metric.lower()) or base_seconds <= 0:
        return a
    increments = a.series.values * bin_seconds  # rates back to counts per bin
    mask = a.series.mask(incident)
    inside = round(float(increments[mask].sum()))
    before = round(sum(float(increments[a.series.mask(b)].sum()) for b in baselines))
    if inside == 0:
        return a
    test = stats.rate_ratio(inside, incident.seconds, before, base_seconds)
    first = a.series.seconds[mask][np.flatnonzero(increments[mask] > 0.5)]
    return replace(a, restarts=test, first_restart=at(float(first[0])) if len(first) else None)


def _change_time(series: MetricSeries, span: Window) -> datetime | None:
    mask = series.mask(span)
    index = ms.change_point(series.values[mask])
    return None if index is None else at(float(series.seconds[mask][index]))


def _lead_trend(series: MetricSeries, lead: Window) -> tuple[ms.Trend | None, datetime | None]:
    """The trend of the lead-up beyond the usual day: the same times on previous days removed."""
    mask = series.mask(lead)
    seconds, values = _seasonal_residual(series, series.seconds[mask], series.values[mask])
    found = ms.trend(seconds, values)
    if found is None:
        return None, None
    level = float(np.median(series.values[mask][-ms.MIN_SAMPLES :]))
    return replace(found, level=level), at(float(seconds[found.start_index]))


def _seasonal_residual(
    series: MetricSeries, seconds: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Values minus the median of the same bins on previous days (a morning ramp is no trend).

    Without previous days for most bins, the values are returned as they are.
    """
    refs = []
    for days in SEASONAL_DAYS:
        wanted = seconds - days * 86400.0
        index = np.clip(np.searchsorted(series.seconds, wanted), 0, max(len(series.seconds) - 1, 0))
        found = series.seconds[index] == wanted
        refs.append(np.where(found, series.values[index], np.nan))
    stacked = np.vstack(refs)
    known = ~np.all(np.isnan(stacked), axis=0)
    if known.mean() < MIN_SEASONAL:
        return seconds, values
    reference = nanmedian_columns(stacked[:, known])
    return seconds[known], values[known] - reference


def nanmedian_columns(stacked: np.ndarray) -> np.ndarray:
    """np.nanmedian(stacked, axis=0) for columns with at least one number, to the last bit, and
    several times faster. On a short axis nanmedian is numpy's masked median: NaN as +inf, an
    argsort, then half the sum of the two middle numbers (the middle one twice when odd); the
    same steps here, so that even the sign of a zero median matches."""
    filled = np.where(np.isnan(stacked), np.inf, stacked)
    ordered = np.take_along_axis(filled, filled.argsort(axis=0), axis=0)
    count = (~np.isnan(stacked)).sum(axis=0)
    high = count // 2
    low = np.where(count % 2 == 1, high, high - 1)
    low_value = np.take_along_axis(ordered, low[None, :], axis=0)[0]
    high_value = np.take_along_axis(ordered, high[None, :], axis=0)[0]
    # The masked sum starts from 0.0: a lone -0.0 comes out as 0.0 there, so here too.
    return np.asarray(((0.0 + low_value) + high_value) / 2.0)


def saturated(a: Assessment) -> bool:
    """A percentage of something that fills up (disk, memory), at its limit in the incident and
    not in the baseline. CPU at 100 % is load, not a full resource: its shift says enough."""
    name = a.series.metric.lower()
    fills = any(word in name for word in FILLS_UP)
    if not (a.series.percent and fills) or a.peak is None or a.peak < SATURATED:
        return False
    return a.baseline_peak is None or a.baseline_peak < SATURATED


def started(a: Assessment, *, trending: bool, moved: bool) -> datetime | None:
    """When the series began to move: the knee of a trend, else the mean shift."""
    if trending and a.trend_start is not None:
        return a.trend_start
    return a.moved_at if moved else None


def role_of(a: Assessment, began: datetime | None, onset: datetime | None, direction: str) -> Role:
    """Moved first: a candidate cause; followed the onset, or fell with the work: a symptom.

    Latency is how a failure looks from outside: at the onset it is a symptom, and only a rise
    well before it (beyond the grace) is a lead. A latency towards a named upstream is about that
    upstream (`dependency_of`), so there a rise at the onset points at the upstream.
    """
    name = a.series.metric.lower()
    if direction == "fell" and any(word in name for word in FOLLOWS_WORK):
        return "symptom"
    if onset is None or began is None:
        return "cause"
    if any(word in name for word in LOOKS_FROM_OUTSIDE) and dependency_of(a.series) is None:
        return "cause" if began < onset - GRACE else "symptom"
    return "cause" if began <= onset + GRACE else "symptom"


def dependency_of(series: MetricSeries) -> str | None:
    """The upstream a series measures (an `upstream=payments-gateway` label), if it names one."""
    for pair in series.labels.split(","):
        key, _, value = pair.partition("=")
        if key.strip().lower() in DEPENDENCY_LABELS and value.strip():
            return value.strip()
    return None
