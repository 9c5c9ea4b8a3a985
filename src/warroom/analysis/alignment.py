"""Do errors follow a schedule's runs? A circular-shift permutation test.

The statistic weighs every error by how soon it came after the latest run: weight 1 at the run,
falling linearly to 0 at `reach` (half the typical gap between runs, 30 s .. 15 min). Under the
null hypothesis the errors do not care when the job runs, so moving the whole schedule in time
(a circular shift within the span, keeping the gaps between runs) should do as well. The p-value
is the rank of the observed statistic among the shifted ones: (1 + #{shifted >= observed}) /
(1 + shifts). Shifts are drawn from a generator seeded from the data, so the same input gives the
same answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from croniter import croniter
from numpy.typing import NDArray

from warroom.timeutil import zone

SHIFTS = 1999
MAX_RUNS = 50_000
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


class ScheduleError(ValueError):
    """A schedule that cannot be expanded: @reboot, invalid, too many runs."""


def expand_runs(schedule: str, timezone: str, start: datetime, end: datetime) -> NDArray[np.int64]:
    """Every run between start and end as epoch seconds, the schedule read in `timezone`."""
    expression = MACROS.get(schedule.strip().lower(), schedule)
    if expression.strip().lower() == "@reboot":
        raise ScheduleError("runs at boot (@reboot): no schedule to line errors up with")
    if not croniter.is_valid(expression):
        raise ScheduleError(f"invalid schedule {schedule!r}")
    moments = croniter(expression, start.astimezone(zone(timezone)) - timedelta(seconds=1))
    runs: list[int] = []
    limit = end.timestamp()
    while len(runs) <= MAX_RUNS:
        moment = moments.get_next(datetime).timestamp()
        if moment >= limit:
            return np.asarray(runs, dtype=np.int64)
        runs.append(int(moment))
    raise ScheduleError(f"more than {MAX_RUNS:,} runs in the data span")


def reach_of(runs: NDArray[np.int64]) -> float:
    """How long after a run its effect is looked for: half the median gap, 30 s .. 15 min."""
    if runs.size < 2:
        return 900.0
    return float(np.clip(np.median(np.diff(runs)) / 2, 30.0, 900.0))


@dataclass(frozen=True)
class Alignment:
    observed: float  # the weighted statistic for the real schedule
    shifted_mean: float
    p_value: float
    shifts: int
    hits: int  # errors within `reach` after a run
    total: int
    coverage: float  # share of the span that lies within `reach` after a run
    reach: float
    median_lag: float | None  # seconds from the latest run to an error (median over errors)

    @property
    def lift(self) -> float:
        return self.observed / self.shifted_mean if self.shifted_mean > 0 else float("inf")


def align(
    runs: NDArray[np.int64],
    seconds: NDArray[np.int64],
    counts: NDArray[np.float64],
    *,
    start: int,
    length: int,
    reach: float,
    key: str,
) -> Alignment:
    """Test errors (epoch seconds with counts) in [start, start + length) against the runs."""
    inside = (runs >= start) & (runs < start + length)
    relative = np.sort(runs[inside] - start).astype(float)
    errors = seconds.astype(float) - start + 0.5
    lags = _lags(relative, errors, length)
    observed = _statistic(lags, counts, reach)
    rng = np.random.default_rng(_seed(key, seconds, counts, start, length))
    shifted = np.empty(SHIFTS)
    for i, shift in enumerate(rng.uniform(0, length, SHIFTS)):
        moved = np.sort(np.mod(relative + shift, length))
        shifted[i] = _statistic(_lags(moved, errors, length), counts, reach)
    p = (1 + int(np.sum(shifted >= observed - 1e-9))) / (1 + SHIFTS)
    near = lags < reach
    order = np.argsort(lags)
    cumulative = np.cumsum(counts[order])
    middle = float(lags[order][np.searchsorted(cumulative, cumulative[-1] / 2)]) if lags.size else 0
    median = middle if np.isfinite(middle) and lags.size else None
    return Alignment(
        observed,
        float(shifted.mean()),
        p,
        SHIFTS,
        int(counts[near].sum()),
        int(counts.sum()),
        _coverage(relative, length, reach),
        reach,
        median,
    )


def lags_after(runs: NDArray[np.int64], seconds: NDArray[np.int64]) -> NDArray[np.float64]:
    """Seconds from the latest run before each error (inf when no run came before)."""
    index = np.searchsorted(runs, seconds, side="right") - 1
    lags = np.full(seconds.size, np.inf)
    ok = index >= 0
    lags[ok] = seconds[ok] - runs[index[ok]] + 0.5
    return lags


def _lags(
    runs: NDArray[np.float64], errors: NDArray[np.float64], length: int
) -> NDArray[np.float64]:
    """Lag from the latest run, wrapping around the span (the span is a circle for the test)."""
    if runs.size == 0:
        return np.full(errors.size, np.inf)
    index = np.searchsorted(runs, errors, side="right") - 1
    previous = np.where(index >= 0, runs[np.maximum(index, 0)], runs[-1] - length)
    lags: NDArray[np.float64] = errors - previous
    return lags


def _statistic(lags: NDArray[np.float64], counts: NDArray[np.float64], reach: float) -> float:
    weights = np.clip(1.0 - lags / reach, 0.0, 1.0)
    return float(counts @ weights)


def _coverage(runs: NDArray[np.float64], length: int, reach: float) -> float:
    if runs.size == 0:
        return 0.0
    gaps = np.diff(np.append(runs, runs[0] + length))
    return float(np.minimum(gaps, reach).sum() / length)


def _seed(
    key: str, seconds: NDArray[np.int64], counts: NDArray[np.float64], start: int, length: int
) -> int:
    digest = hashlib.sha256(
        f"{key}|{start}|{length}|{int(seconds.sum())}|{counts.sum():.0f}".encode()
    ).digest()
    return int.from_bytes(digest[:8], "big")
