"""Request volume per service, route and host, counted in the engine, tested in numpy/scipy.

`volume_counts` returns requests per (dimension, key, bin) over the incident, the span just
before it and every baseline window, from the requests `window_requests` keeps, grouped by the
raw and then the coarse path so that the route normalisation runs once per distinct path
shape (routes.py does the same).
`compare` tests each group's incident rate against the baseline (Poisson rate ratio, both
directions) and against each baseline window on its own, so that a spike must hold against the
same hours of previous days too (the morning rush is not a spike).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ibis
import numpy as np

from warroom.analysis import stats
from warroom.analysis.changepoint import first_rise
from warroom.analysis.context import AnalysisContext
from warroom.analysis.paths import coarse_path
from warroom.analysis.paths import route as route_key
from warroom.analysis.window_requests import window_requests
from warroom.analysis.windows import Window

DIMENSIONS = ("service", "route", "host")


@dataclass(frozen=True)
class Volume:
    dimension: str  # service, route or host
    key: str
    incident: int
    incident_seconds: float
    baseline: int
    baseline_seconds: float
    ratio: float  # incident rate / baseline rate (continuity-corrected)
    consistent: float  # the ratio closest to 1 over the baseline windows (seasonal check)
    p_value: float  # two-sided, from the two one-sided exact tests
    began: datetime | None  # when the step (rise or drop) happened, from the binned counts

    @property
    def direction(self) -> str:
        return "rose" if self.ratio > 1 else "fell"


def volume_counts(ctx: AnalysisContext, around: Window, bin_seconds: int) -> Any:
    """Requests per dimension, key and bin (epoch seconds of the bin start), as a DataFrame.
    `around` is `around_incident(ctx.incident)`: the span `window_requests` holds."""
    requests = window_requests(ctx)
    inside = ctx.in_window(requests.ts, around) | ctx.in_baseline(requests.ts)
    rows = requests.filter(inside)
    rows = rows.mutate(t=(rows.ts.epoch_seconds() // bin_seconds) * bin_seconds)
    rows = rows.select("t", "service", "host", "method", "path")
    parts = [_by_service(rows), _by_route(rows), _by_host(rows)]
    return ibis.union(*parts).execute()


def _by_service(rows: Any) -> Any:
    keyed = rows.mutate(dimension=ibis.literal("service"), key=rows.service.fill_null("(none)"))
    return keyed.group_by(["dimension", "key", "t"]).aggregate(n=keyed.count())


def _by_host(rows: Any) -> Any:
    keyed = rows.filter(rows.host.notnull())
    keyed = keyed.mutate(dimension=ibis.literal("host"), key=keyed.host)
    return keyed.group_by(["dimension", "key", "t"]).aggregate(n=keyed.count())


def _by_route(rows: Any) -> Any:
    rows = rows.filter(rows.path.notnull())
    raw = rows.group_by(["method", "path", "t"]).aggregate(n=rows.count())
    raw = raw.mutate(path=coarse_path(raw.path))
    coarse = raw.group_by(["method", "path", "t"]).aggregate(n=raw.n.sum())
    coarse = coarse.mutate(dimension=ibis.literal("route"), key=route_key(coarse))
    return coarse.group_by(["dimension", "key", "t"]).aggregate(n=coarse.n.sum())


def compare(
    dimension: str,
    key: str,
    seconds: np.ndarray,
    counts: np.ndarray,
    *,
    incident: Window,
    baselines: tuple[Window, ...],
    around: Window,
    bin_seconds: int,
) -> Volume | None:
    """One group's incident volume against its baseline, or None without a baseline."""
    inc = int(counts[_mask(seconds, incident)].sum())
    per_window = [(int(counts[_mask(seconds, b)].sum()), b.seconds) for b in baselines]
    base, base_s = sum(c for c, _ in per_window), sum(s for _, s in per_window)
    if base_s <= 0:
        return None
    up = stats.rate_ratio(inc, incident.seconds, base, base_s, alternative="greater")
    down = stats.rate_ratio(inc, incident.seconds, base, base_s, alternative="less")
    ratios = [((inc + 0.5) / incident.seconds) / ((c + 0.5) / s) for c, s in per_window]
    same_side = all(r > 1 for r in ratios) or all(r < 1 for r in ratios)
    consistent = min(ratios, key=lambda r: abs(np.log(r))) if same_side else 1.0
    p = min(1.0, 2 * min(up.p_value, down.p_value))
    began = _step(seconds, counts, around, bin_seconds, rising=up.ratio > 1)
    return Volume(
        dimension, key, inc, incident.seconds, base, base_s, up.ratio, consistent, p, began
    )


def _mask(seconds: np.ndarray, window: Window) -> np.ndarray:
    return np.asarray((seconds >= window.start.timestamp()) & (seconds < window.end.timestamp()))


def _step(
    seconds: np.ndarray, counts: np.ndarray, around: Window, bin_seconds: int, *, rising: bool
) -> datetime | None:
    """When the volume stepped up (or down) in the span around the incident."""
    start = int(around.start.timestamp()) // bin_seconds * bin_seconds
    size = max(int(around.seconds // bin_seconds), 1)
    dense = np.zeros(size)
    index = ((seconds - start) // bin_seconds).astype(np.int64)
    keep = (index >= 0) & (index < size)
    np.add.at(dense, index[keep], counts[keep])
    series = dense if rising else dense[::-1]
    found = first_rise(series, np.ones(size), min_bins=2)
    if found is None:
        return None
    at = found.start if rising else size - found.start
    return datetime.fromtimestamp(start + at * bin_seconds, tz=UTC)


def bins_for(window: Window) -> int:
    """A bin size that gives the span around the incident about 120 bins (at least a minute)."""
    return max(60, int(window.seconds // 120) // 60 * 60)
