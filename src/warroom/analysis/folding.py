"""Folding error times on a candidate period: the periodicity analyzer's arithmetic.

`candidate_periods` proposes periods from the autocorrelation of binned error counts (refined
with the Rayleigh statistic, snapped to round clock periods); `fold` tests one period with the
Rayleigh test and reads the burst phase, its length and the cycles that hold a burst.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from warroom.analysis.rhythm import ErrorSeconds, Rayleigh, phases, rayleigh
from warroom.analysis.windows import Window

MIN_CYCLES = 3
MAX_DUTY = 0.5
MIN_ON_SHARE = 0.5
MAX_CANDIDATES = 3
ROUND_PERIODS: tuple[int, ...] = (60, 120, 180, 240, 300, 360, 600, 720, 900, 1200, 1800)
ROUND_PERIODS += (2400, 3600, 5400, 7200, 10800, 14400, 21600, 28800, 43200)


@dataclass(frozen=True)
class Rhythm:
    period: float  # seconds
    test: Rayleigh
    start_phase: float  # seconds after a multiple of the period (epoch based) the bursts begin
    burst: float  # seconds the errors last in each cycle
    on_errors: int
    total: int
    cycles: int  # cycles with errors in the burst phase
    cycles_spanned: int  # cycles from the first to the last of those

    @property
    def duty(self) -> float:
        return self.burst / self.period

    @property
    def lift(self) -> float:
        return (self.on_errors / max(self.total, 1)) / max(self.duty, 1e-9)

    def holds(self) -> bool:
        return (
            self.duty <= MAX_DUTY
            and self.on_errors >= MIN_ON_SHARE * self.total
            and self.cycles >= MIN_CYCLES
            and self.cycles >= 0.5 * self.cycles_spanned
        )


def candidate_periods(errors: ErrorSeconds, span: Window, bin_s: int) -> list[float]:
    """Periods at the highest peaks of the (smoothed) autocorrelation of binned error counts."""
    start = int(span.start.timestamp())
    size = max(int(np.ceil(span.seconds / bin_s)), 1)
    index = np.clip((errors.seconds - start) // bin_s, 0, size - 1)
    series = np.bincount(index, weights=errors.counts, minlength=size)
    lo, hi = int(np.ceil(max(60, 4 * bin_s) / bin_s)), min(size // MIN_CYCLES + 1, size - 1)
    centred = series - series.mean()
    energy = float(centred @ centred)
    if hi <= lo + 1 or energy == 0:
        return []
    acf = np.correlate(centred, centred, mode="full")[size - 1 :] / energy
    acf = np.convolve(acf, np.ones(3) / 3, mode="same")
    lags = np.arange(lo, hi)
    peaks = lags[(acf[lags] > acf[lags - 1]) & (acf[lags] >= acf[lags + 1]) & (acf[lags] > 0)]
    chosen: list[float] = []
    for lag in sorted(peaks, key=lambda k: (-acf[k], k)):
        period = _snap(_refine(errors, float(lag * bin_s), bin_s), bin_s)
        if period not in chosen:
            chosen.append(period)
        if len(chosen) == MAX_CANDIDATES:
            break
    return chosen


def _refine(errors: ErrorSeconds, period: float, bin_s: int) -> float:
    """The period near an autocorrelation peak (within 10 %) where the phases line up best.

    The autocorrelation of a short series is biased towards short lags; the Rayleigh statistic on
    the events themselves is not.
    """
    step = max(bin_s / 2, 1.0)
    grid = np.arange(0.9 * period, 1.1 * period + step, step)
    z = [rayleigh(phases(errors.seconds, p), errors.counts).z for p in grid]
    return float(grid[int(np.argmax(z))])


def _snap(period: float, bin_s: int) -> float:
    """Jobs run on round clock periods: take the nearest one when it is within a bin or 5 %."""
    nearest = min(ROUND_PERIODS, key=lambda r: abs(r - period))
    return float(nearest) if abs(nearest - period) <= max(bin_s, 0.05 * period) else period


def fold(errors: ErrorSeconds, span: Window, period: float, bin_s: int) -> Rhythm:
    """Rayleigh test at `period`, then the burst phase from the folded profile."""
    angle = phases(errors.seconds, period)
    test = rayleigh(angle, errors.counts)
    slots = int(np.clip(round(period / bin_s), 12, 60))
    slot = np.minimum((angle / (2 * np.pi) * slots).astype(int), slots - 1)
    profile = np.bincount(slot, weights=errors.counts, minlength=slots).astype(float)
    first, length = _burst_slots(profile)
    width = period / slots
    start_phase, burst = first * width, length * width
    offset = np.mod(errors.seconds.astype(float) - start_phase, period)
    on = offset < burst
    on_errors = int(errors.counts[on].sum())
    cycles = _burst_cycles(errors, on, start_phase, period, burst, span)
    spanned = int(cycles.max() - cycles.min() + 1) if cycles.size else 0
    return Rhythm(
        period, test, start_phase, burst, on_errors, errors.total, int(cycles.size), spanned
    )


def _burst_cycles(
    errors: ErrorSeconds,
    on: NDArray[np.bool_],
    start_phase: float,
    period: float,
    burst: float,
    span: Window,
) -> NDArray[np.int64]:
    """Cycles whose burst phase holds clearly more errors than the background predicts.

    A cycle counts when its burst holds at least two errors and three times what the errors
    outside the bursts (spread evenly) would put there, so stray errors make no cycle.
    """
    off_seconds = max(span.seconds * (1 - burst / period), 1.0)
    background = errors.counts[~on].sum() / off_seconds * burst
    cycle = np.floor((errors.seconds[on] - start_phase) / period).astype(np.int64)
    ids, index = np.unique(cycle, return_inverse=True)
    per_cycle = np.bincount(index, weights=errors.counts[on]) if ids.size else np.zeros(0)
    found: NDArray[np.int64] = ids[per_cycle >= max(2.0, 3 * background)]
    return found


def _burst_slots(profile: NDArray[np.float64]) -> tuple[int, int]:
    """(first slot, slot count) of the circular run of busy slots around the busiest one."""
    slots = profile.size
    busy = profile > 2 * profile.mean()
    peak = int(np.argmax(profile))
    if not busy[peak]:
        return peak, 1
    if busy.all():
        return 0, slots
    first, length = peak, 1
    while busy[(first - 1) % slots]:
        first, length = (first - 1) % slots, length + 1
    while busy[(first + length) % slots]:
        length += 1
    return first, length
