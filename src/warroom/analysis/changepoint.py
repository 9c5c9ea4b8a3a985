"""Change points in binned event counts (pure numpy, no I/O).

Counts are modelled as Poisson with an exposure per bin (requests, or log volume, or seconds).
`epidemic` finds the segment [start, end) whose rate differs most from the rest — the shape of an
incident that begins and (perhaps) ends; `first_rise` finds the single upward step that explains
the data best. Both maximise a log-likelihood ratio computed from cumulative sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MAX_GRID_BINS = 1200  # epidemic search is O(n^2) in memory; callers coarsen above this


@dataclass(frozen=True)
class Segment:
    start: int  # first bin inside
    end: int  # first bin after (exclusive)
    rate_inside: float
    rate_outside: float
    llr: float  # log-likelihood ratio against one rate everywhere


def _poisson_ll(count: NDArray[np.float64], exposure: NDArray[np.float64]) -> NDArray[np.float64]:
    """Maximised Poisson log-likelihood (up to constants) of `count` events over `exposure`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(exposure > 0, count / exposure, 0.0)
        term = np.where(count > 0, count * np.log(np.where(rate > 0, rate, 1.0)), 0.0)
    return term - count


def epidemic(
    counts: NDArray[np.float64], exposure: NDArray[np.float64], *, min_bins: int = 2
) -> Segment | None:
    """The raised segment that best explains the counts, or None when nothing is raised."""
    n = len(counts)
    if n > MAX_GRID_BINS:
        raise ValueError(f"{n} bins: coarsen to at most {MAX_GRID_BINS} first")
    if n < min_bins + 1 or counts.sum() == 0:
        return None
    cum_c = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    cum_e = np.concatenate([[0.0], np.cumsum(exposure, dtype=float)])
    total_c, total_e = cum_c[-1], cum_e[-1]
    # Only segments at least min_bins long, in row-major (start, end) order: the same candidates
    # and the same first maximum as the full (n+1) x (n+1) grid, in half the work.
    start, end = np.triu_indices(n + 1, k=min_bins)
    inside_c, inside_e = cum_c[end] - cum_c[start], cum_e[end] - cum_e[start]
    outside_c, outside_e = total_c - inside_c, total_e - inside_e
    ll = _poisson_ll(inside_c, inside_e) + _poisson_ll(outside_c, outside_e)
    null = float(_poisson_ll(np.array([total_c]), np.array([total_e]))[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_in = np.where(inside_e > 0, inside_c / inside_e, 0.0)
        rate_out = np.where(outside_e > 0, outside_c / outside_e, np.inf)
    valid = (rate_in > rate_out) & (outside_e > 0)
    llr = np.where(valid, ll - null, -np.inf)
    best = int(np.argmax(llr))
    if not np.isfinite(llr[best]) or llr[best] <= 0:
        return None
    s, e = int(start[best]), int(end[best])
    return Segment(s, e, float(rate_in[best]), float(rate_out[best]), float(llr[best]))


def first_rise(
    counts: NDArray[np.float64], exposure: NDArray[np.float64], *, min_bins: int = 1
) -> Segment | None:
    """The single upward step [step, n) with the largest likelihood gain, or None."""
    n = len(counts)
    if n < 2 * min_bins or counts.sum() == 0:
        return None
    cum_c = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    cum_e = np.concatenate([[0.0], np.cumsum(exposure, dtype=float)])
    steps = np.arange(min_bins, n - min_bins + 1)
    before_c, before_e = cum_c[steps], cum_e[steps]
    after_c, after_e = cum_c[-1] - before_c, cum_e[-1] - before_e
    null = float(_poisson_ll(np.array([cum_c[-1]]), np.array([cum_e[-1]]))[0])
    llr = _poisson_ll(before_c, before_e) + _poisson_ll(after_c, after_e) - null
    with np.errstate(divide="ignore", invalid="ignore"):
        rising = (after_c / np.maximum(after_e, 1e-12)) > (before_c / np.maximum(before_e, 1e-12))
    llr = np.where(rising & (before_e > 0) & (after_e > 0), llr, -np.inf)
    best = int(np.argmax(llr))
    if not np.isfinite(llr[best]) or llr[best] <= 0:
        return None
    step = int(steps[best])
    return Segment(
        step,
        n,
        float(after_c[best] / after_e[best]),
        float(before_c[best] / before_e[best]),
        float(llr[best]),
    )
