"""Metric series, binned in the engine and returned as numpy arrays (one per host x metric).

A series is one (host, metric, label set) of the `metrics` table; the host falls back to the
container, then to "(no host)". Counters (a Prometheus `# TYPE ... counter`, a name ending in
`_total`, and restart or OOM-kill counts, which only grow) become per-second rates: a drop
between two samples is a reset, after which the new value is the increase (Prometheus `rate()`
semantics). Non-finite values are dropped and counted. Only the spans that matter are binned:
the lead-up to the incident and every window. Only aggregates (bins x series) come back to
Python; the scan, the lag and the group-by run in DuckDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np

from warroom.analysis.series import nice_bin
from warroom.analysis.windows import Window

MAX_BINS = 600  # over the lead-up span; windows use the same bin size
MIN_COVERAGE = 0.6  # a window with fewer bins than this share of its length has gaps


@dataclass(frozen=True)
class MetricSeries:
    host: str
    metric: str
    labels: str  # other labels as "k=v,k=v", "" when none
    counter: bool
    seconds: np.ndarray  # bin starts, epoch seconds, ascending (bins without samples missing)
    values: np.ndarray  # bin means; for counters the rate per second

    @property
    def ref(self) -> str:
        return f"{self.host}:{self.metric}"

    @property
    def name(self) -> str:
        return f"{self.ref}{{{self.labels}}}" if self.labels else self.ref

    @property
    def percent(self) -> bool:
        return "percent" in self.metric or self.metric.endswith("_pct")

    def mask(self, window: Window) -> np.ndarray:
        lo, hi = window.start.timestamp(), window.end.timestamp()
        return np.asarray((self.seconds >= lo) & (self.seconds < hi))

    def within(self, window: Window) -> np.ndarray:
        return np.asarray(self.values[self.mask(window)], dtype=float)


@dataclass
class Loaded:
    series: list[MetricSeries]
    bin_seconds: int
    notes: list[str] = field(default_factory=list)


# How a sample is named and whether it counts, over its columns host, container, metric, labels.
_HOST = "coalesce(host, container, '(no host)')"
_LABEL_TEXT = r"""coalesce(array_to_string(list_sort(list_transform(
           list_filter(map_entries(labels), lambda e: e.key <> '__type__'),
           lambda e: e.key || '=' || e.value)), ','), '')"""
_COUNTS = r"""(coalesce(labels['__type__'] = 'counter', false) OR metric LIKE '%\_total' ESCAPE '\'
           OR regexp_matches(lower(metric), 'restart|oom'))"""

# One pass over the samples sums each stored series (host, container, metric, label map) per bin
# of the windows (`cells`). The names are then made once per stored series, not per sample: a
# metrics file holds few series and many samples. A series is named by (host, metric, label
# text), so several stored series can make one (two containers of a host, a `__type__` only some
# files declared); those, and every series with a counter part (its rate needs each sample after
# its predecessor: lag, resets), go sample by sample through the window function, in time order,
# named per sample as before. A gauge stored as one series takes its bin means from the cells.
# `sid` numbers the named series in output order.
# Float sums depend on the order of their terms: the cells add a bin's samples in storage order,
# the window function in time order. Metric files list a series in time order, so the two agree;
# a bin of three or more samples stored out of time order can differ in the last digit (and the
# per-sample aggregate never fixed its order either: with two threads it varied from run to run).
_QUERY = f"""
WITH cells AS MATERIALIZED (
    SELECT host, container, metric, labels, floor(epoch(ts) / $bin) * $bin AS t,
           sum(value) AS total, count(*) AS n
    FROM metrics WHERE ts >= $1 AND ts < $2 AND isfinite(value) AND ({{windows}}) GROUP BY ALL),
stored AS (SELECT DISTINCT host, container, metric, labels FROM cells),
series AS MATERIALIZED (
    SELECT h0, c0, metric, labels, host, lbl, counter,
           dense_rank() OVER (ORDER BY host, metric, lbl) AS sid,
           bool_or(counter) OVER same OR count(*) OVER same > 1 AS by_sample
    FROM (SELECT host AS h0, container AS c0, metric, labels, {_HOST} AS host,
                 {_LABEL_TEXT} AS lbl, {_COUNTS} AS counter FROM stored)
    WINDOW same AS (PARTITION BY host, metric, lbl)),
gauges AS (
    SELECT s.sid, false AS counter, c.t, c.total / c.n AS v, CAST(0 AS BIGINT) AS resets
    FROM cells c JOIN series s
        ON c.host IS NOT DISTINCT FROM s.h0 AND c.container IS NOT DISTINCT FROM s.c0
        AND c.metric IS NOT DISTINCT FROM s.metric AND c.labels IS NOT DISTINCT FROM s.labels
    WHERE NOT s.by_sample),
sampled AS (SELECT DISTINCT sid, host, metric, lbl FROM series WHERE by_sample),
samples AS (
    SELECT s.sid, r.ts, r.value, r.counter
    FROM (SELECT {_HOST} AS host, metric, {_LABEL_TEXT} AS lbl, ts, value, {_COUNTS} AS counter
          FROM metrics WHERE ts >= $1 AND ts < $2 AND isfinite(value)
              AND ({_HOST}, metric) IN (SELECT (host, metric) FROM sampled)) r
    JOIN sampled s ON r.host = s.host AND r.metric IS NOT DISTINCT FROM s.metric AND r.lbl = s.lbl),
deltas AS (
    SELECT *, value - lag(value) OVER w AS diff, epoch(ts) - epoch(lag(ts) OVER w) AS dt
    FROM samples WINDOW w AS (PARTITION BY sid ORDER BY ts)),
rates AS (
    SELECT sid, counter, ts, counter AND diff < 0 AS reset,
        CASE WHEN NOT counter THEN value
             WHEN dt > 0 THEN (CASE WHEN diff < 0 THEN value ELSE diff END) / dt END AS v
    FROM deltas),
counters AS (
    SELECT sid, bool_or(counter) AS counter, floor(epoch(ts) / $bin) * $bin AS t,
           avg(v) AS v, count(*) FILTER (WHERE reset) AS resets
    FROM rates WHERE v IS NOT NULL AND ({{windows}}) GROUP BY sid, t),
binned AS (SELECT * FROM gauges UNION ALL SELECT * FROM counters),
names AS (SELECT DISTINCT sid, host, metric, lbl FROM series)
SELECT host, metric, lbl, b.counter, b.t, b.v, b.resets
FROM binned b JOIN names USING (sid) ORDER BY b.sid, b.t"""

_NON_FINITE = "SELECT count(*) FROM metrics WHERE ts >= ? AND ts < ? AND NOT isfinite(value)"


def load(con: Any, spans: Sequence[Window]) -> Loaded:
    """Every series, binned over `spans` (the first is the longest: it sets the bin size)."""
    start = min(w.start for w in spans)
    end = max(w.end for w in spans)
    bin_seconds = nice_bin(spans[0].seconds, MAX_BINS)
    windows = " OR ".join(
        f"(ts >= TIMESTAMP '{_naive(w.start)}' AND ts < TIMESTAMP '{_naive(w.end)}')" for w in spans
    )
    sql = _QUERY.replace("$bin", str(bin_seconds)).format(windows=windows)
    # One bin of margin so that the first sample of a counter has a predecessor.
    bounds = [_naive(start) - timedelta(seconds=bin_seconds), _naive(end)]
    columns = con.execute(sql, bounds).fetchnumpy()
    (bad,) = con.execute(_NON_FINITE, bounds).fetchone()
    return loaded_from(columns, bin_seconds, non_finite=bad)


def loaded_from(columns: dict[str, Any], bin_seconds: int, *, non_finite: int) -> Loaded:
    """The series of the query's rows, with notes on left-out samples and counter resets."""
    loaded = Loaded([], bin_seconds)
    if non_finite:
        loaded.notes.append(f"{non_finite:,} metric samples were NaN or infinite and were left out")
    for found, resets in _split(columns):
        loaded.series.append(found)
        if resets:
            loaded.notes.append(
                f"counter {found.ref} reset {resets} time(s); the increase after a reset "
                "was counted from zero"
            )
    return loaded


def _split(columns: dict[str, Any]) -> list[tuple[MetricSeries, int]]:
    """One MetricSeries per (host, metric, labels) run of the sorted rows, with its resets."""
    keys = [np.asarray(columns[c], dtype=object) for c in ("host", "metric", "lbl")]
    n = len(keys[0])
    if n == 0:
        return []
    new = np.ones(n, dtype=bool)
    new[1:] = (keys[0][1:] != keys[0][:-1]) | (keys[1][1:] != keys[1][:-1])
    new[1:] |= keys[2][1:] != keys[2][:-1]
    bounds = [*np.flatnonzero(new).tolist(), n]
    seconds = np.asarray(columns["t"], dtype=float)
    values = np.asarray(columns["v"], dtype=float)
    counter = np.asarray(columns["counter"], dtype=bool)
    resets = np.asarray(columns["resets"], dtype=np.int64)
    found = []
    for lo, hi in pairwise(bounds):
        series = MetricSeries(
            host=str(keys[0][lo]),
            metric=str(keys[1][lo]),
            labels=str(keys[2][lo]),
            counter=bool(counter[lo:hi].any()),
            seconds=seconds[lo:hi],
            values=values[lo:hi],
        )
        found.append((series, int(resets[lo:hi].sum())))
    return found


def gaps(series: MetricSeries, window: Window, bin_seconds: int) -> float:
    """The share of `window` without samples (0: complete)."""
    expected = max(int(window.seconds // bin_seconds), 1)
    return max(0.0, 1.0 - int(series.mask(window).sum()) / expected)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)
