"""Robust statistics on one metric series (pure numpy/scipy, no I/O).

Metric samples are autocorrelated, so a Mann–Whitney p-value alone flags any drift; every
verdict therefore also needs a material size: the shift in robust standard deviations of the
baseline (1.4826 x MAD), checked against *each* baseline window separately so that a daily cycle
(the morning ramp) compared with the hour just before does not count, and a relative change.
The same `level_shift` + `moved` pair runs in the `resources` analyzer and in benchmarks/nab.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from warroom.analysis.stats import proportions

MIN_SAMPLES = 5  # per side: fewer prove nothing
MIN_SHIFT = 3.0  # robust standard deviations of the baseline
MIN_RELATIVE = 0.2  # and at least a fifth of the baseline level (or of its spread)
MIN_TREND_RISE = 0.25  # a trend must move the level by a quarter (percentages: 10 points)
MIN_TREND_POINTS = 10.0
TREND_POINTS = 400  # Theil–Sen is quadratic: thin longer spans to this many points

Floats = NDArray[np.float64]

# scipy's decorator around its tests (axis handling, NaN policy, array API) costs more than the
# tests themselves on a few hundred finite 1-D samples, and they run for every series: call the
# functions it wraps. Same results: tests/analysis/test_metric_shortcuts.py compares them with
# the public functions.
_mannwhitneyu = getattr(stats.mannwhitneyu, "__wrapped__", stats.mannwhitneyu)
_kendalltau = getattr(stats.kendalltau, "__wrapped__", stats.kendalltau)


@dataclass(frozen=True)
class LevelShift:
    incident_median: float
    baseline_median: float
    incident_n: int
    baseline_n: int
    scale: float  # robust SD within a baseline window (median over the windows of 1.4826 MAD)
    shift: float  # signed, in robust SDs: the smallest over the baseline windows
    relative: float  # |median change| / max(|baseline median|, scale)
    p_value: float  # Mann–Whitney U, two-sided

    @property
    def direction(self) -> str:
        return "rose" if self.incident_median > self.baseline_median else "fell"


def robust_scale(values: Floats) -> float:
    """1.4826 x MAD, falling back to the SD and then to a resolution floor for flat series."""
    mad = 1.4826 * float(np.median(np.abs(values - np.median(values))))
    if mad > 0:
        return mad
    sd = float(np.std(values))
    level = abs(float(np.median(values)))
    return max(sd, 0.01 * level, 1e-9) if sd > 0 else max(0.01 * level, 0.5)


def level_shift(incident: Floats, baselines: Sequence[Floats]) -> LevelShift | None:
    """Incident samples against the baseline windows' samples, or None with too few."""
    parts = [b for b in baselines if len(b) >= MIN_SAMPLES]
    if len(incident) < MIN_SAMPLES or not parts:
        return None
    pooled = np.concatenate(parts)
    # The noise within a window, not the spread between windows (a daily cycle would inflate it).
    scale = float(np.median([robust_scale(b) for b in parts]))
    inc_med, base_med = float(np.median(incident)), float(np.median(pooled))
    per_window = [(inc_med - float(np.median(b))) / scale for b in parts]
    # Seasonal matching: the shift must hold against every baseline window, in one direction.
    same_sign = all(s > 0 for s in per_window) or all(s < 0 for s in per_window)
    shift = min(per_window, key=abs) if same_sign else 0.0
    relative = abs(inc_med - base_med) / max(abs(base_med), scale)
    same = np.all(incident == incident[0]) and np.all(pooled == incident[0])
    p = 1.0 if same else float(_mannwhitneyu(incident, pooled).pvalue)
    return LevelShift(inc_med, base_med, len(incident), len(pooled), scale, shift, relative, p)


def moved(shift: LevelShift, q_value: float, *, alpha: float = 0.05) -> bool:
    """Significant and material: the verdict the analyzer and the NAB benchmark share."""
    return q_value < alpha and abs(shift.shift) >= MIN_SHIFT and shift.relative >= MIN_RELATIVE


@dataclass(frozen=True)
class Stop:
    """A series that was busy in the baseline and sits at zero in the incident."""

    incident_zero: int
    incident_n: int
    baseline_zero: int
    baseline_n: int
    lift: float  # share of zero bins, incident vs baseline
    p_value: float  # Fisher exact, one-sided


def stopped(incident: Floats, baselines: Sequence[Floats]) -> Stop | None:
    """Zero for most of the incident while rarely zero before (jobs processed fell to 0)."""
    pooled = np.concatenate(list(baselines) or [np.zeros(0)])
    if len(incident) < MIN_SAMPLES or len(pooled) < MIN_SAMPLES:
        return None
    if np.median(incident) != 0 or np.median(pooled) == 0:
        return None
    zero_in, zero_base = int((incident == 0).sum()), int((pooled == 0).sum())
    test = proportions(zero_in, len(incident), zero_base, len(pooled))
    return Stop(zero_in, len(incident), zero_base, len(pooled), test.lift, test.p_value)


@dataclass(frozen=True)
class Trend:
    slope: float  # per second (Theil–Sen, over the trend's span)
    p_value: float  # Mann–Kendall (Kendall's tau of value against time), two-sided
    tau: float
    start_index: int  # where the series stops being flat and starts to climb (the knee)
    rise: float  # fitted change from the knee to the end
    level: float  # value at the end of the span (median of the last few samples)
    n: int
    noise: float  # robust SD of the samples around the fitted line


def trend(seconds: Floats, values: Floats) -> Trend | None:
    """Theil–Sen slope and Mann–Kendall test from the knee on, or None with too few samples."""
    if len(values) < 2 * MIN_SAMPLES or np.all(values == values[0]):
        return None
    knee = flat_then_linear(seconds, values)
    t, y = seconds[knee:], values[knee:]
    if len(y) < MIN_SAMPLES or np.all(y == y[0]):
        return None
    step = max(1, len(y) // TREND_POINTS)
    slope, intercept = theil_sen(t[::step], y[::step])
    noise = robust_scale(y - (intercept + slope * t))
    tau = _kendalltau(t, y)
    level = float(np.median(values[-MIN_SAMPLES:]))
    rise = slope * float(t[-1] - t[0])
    p = float(tau.pvalue) if np.isfinite(tau.pvalue) else 1.0
    return Trend(slope, p, float(tau.statistic), knee, rise, level, len(y), noise)


def theil_sen(t: Floats, y: Floats) -> tuple[float, float]:
    """Theil–Sen slope and intercept, computed as scipy.stats.theilslopes does (method
    'separate'), without the confidence interval it adds and nothing here reads (a third of its
    time, for every series)."""
    dt = t[:, np.newaxis] - t
    dy = y[:, np.newaxis] - y
    later = dt > 0
    slope = np.median(dy[later] / dt[later])
    return float(slope), float(np.median(y) - slope * np.median(t))


def steady_trend(found: Trend, baseline_level: float, q_value: float, *, percent: bool) -> bool:
    """A material climb or fall: q < 0.05, a rise of a quarter of the level (percentages: 10
    points), and of MIN_SHIFT times the noise around the line (small counts wander)."""
    floor = MIN_TREND_POINTS if percent else MIN_TREND_RISE * max(abs(baseline_level), 1e-9)
    material = abs(found.rise) >= floor and abs(found.rise) >= MIN_SHIFT * found.noise
    return q_value < 0.05 and material


def flat_then_linear(seconds: Floats, values: Floats) -> int:
    """Index of the knee of the best 'flat, then a straight line' fit (least squares).

    Every candidate knee k gives the regressor max(t - t_k, 0); the fits are computed all at once
    from the closed-form simple regression, so this is one (n x n) array operation.
    """
    n = len(values)
    step = max(1, n // TREND_POINTS)
    candidates = np.arange(0, n - MIN_SAMPLES, step)
    if len(candidates) == 0:
        return 0
    x = seconds[None, :] - seconds[candidates][:, None]
    np.maximum(x, 0.0, out=x)
    # In place on the one (candidates x n) array: the same arithmetic as (x - mean) ** 2 and
    # (x - mean) * y, without three more arrays of that size.
    x -= x.mean(axis=1, keepdims=True)
    y_centered = values - values.mean()
    sxy = (x * y_centered[None, :]).sum(axis=1)
    np.multiply(x, x, out=x)
    sxx = x.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        explained = np.where(sxx > 0, sxy**2 / sxx, 0.0)
    return int(candidates[int(np.argmax(explained))])


def change_point(values: Floats) -> int | None:
    """Index where one mean shift best splits the series (least squares), or None if flat."""
    n = len(values)
    if n < 2 * 2 or np.all(values == values[0]):
        return None
    cum = np.cumsum(values - values.mean())
    k = np.arange(1, n)
    # Between-segment sum of squares of a split after k samples: S_k^2 n / (k (n - k)).
    gain = cum[:-1] ** 2 * n / (k * (n - k))
    return int(k[int(np.argmax(gain))])


def hours_to_full(level: float, slope_per_second: float, *, full: float = 100.0) -> float | None:
    """Hours until a percentage reaches `full` at the current slope; None when not climbing."""
    if slope_per_second <= 0 or math.isnan(slope_per_second):
        return None
    return max(full - level, 0.0) / slope_per_second / 3600.0
