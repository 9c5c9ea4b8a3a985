"""Finding the incident in the data when nobody said when it was.

Errors are binned over the whole span, the raised segment that best explains them is found
(epidemic change point), its start is refined at a finer resolution, and the rise must be
confirmed by an exact rate-ratio test against the data before it. Quiet data yields None.

Error lines are not independent events: one failing request writes an access line with its
500 and an application error line (often with a trace), and the daily traffic mix moves the
error share between night and day. Poisson tests on raw line counts then find "incidents" in
a quiet night followed by an ordinary day. So the search and the confirmation are scaled by
the over-dispersion of the binned counts (quasi-Poisson): counts are divided by
phi = Pearson chi-square / degrees of freedom under the two-rate model, never below 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from warroom.analysis import stats
from warroom.analysis.changepoint import MAX_GRID_BINS, Segment, epidemic, first_rise
from warroom.analysis.series import Series, error_series, nice_bin

CONFIRM_P = 1e-4  # the segment was searched for, so demand more than alpha
MIN_LLR = 10.0
REFINE_BINS = 600


@dataclass(frozen=True)
class DetectedIncident:
    start: datetime
    end: datetime
    ongoing: bool  # the raised rate lasts until the end of the data
    comparison: stats.RateComparison  # errors per event, inside vs before
    coarse: Series


def detect_incident(
    events: Any, data_start: datetime, data_end: datetime
) -> DetectedIncident | None:
    span = (data_end - data_start).total_seconds()
    if span <= 0:
        return None
    size = nice_bin(span, MAX_GRID_BINS)
    coarse = error_series(events, data_start, data_end + timedelta(seconds=1), size)
    segment = epidemic(coarse.errors, np.maximum(coarse.totals, 0.0), min_bins=1)
    if segment is None:
        return None
    comparison = _confirmed(coarse, segment)
    if comparison is None:
        return None
    start = refine_start(events, coarse, segment.start)
    ongoing = segment.end >= len(coarse) - 1
    end = data_end + timedelta(seconds=1) if ongoing else coarse.time_of(segment.end)
    return DetectedIncident(start, end, ongoing, comparison, coarse)


def _confirmed(coarse: Series, segment: Segment) -> stats.RateComparison | None:
    """The segment's rate against the data before it, if the rise holds after scaling the
    counts for over-dispersion; None when it does not."""
    inside_bins = np.zeros(len(coarse.errors), dtype=bool)
    inside_bins[segment.start : segment.end] = True
    phi = stats.dispersion(coarse.errors, coarse.totals, inside_bins)
    before, inside = slice(0, segment.start), slice(segment.start, segment.end)
    e_in, n_in = int(coarse.errors[inside].sum()), float(coarse.totals[inside].sum())
    e_out, n_out = int(coarse.errors[before].sum()), float(coarse.totals[before].sum())
    if segment.llr / phi < MIN_LLR or n_out <= 0 or n_in <= 0 or e_in < stats.MIN_EVENTS:
        return None
    comparison = stats.rate_ratio_dispersed(e_in, n_in, e_out, n_out, phi=phi)
    if comparison.p_value > CONFIRM_P or comparison.ratio < stats.MIN_RATIO:
        return None
    return comparison


def refine_start(events: Any, coarse: Series, start_bin: int) -> datetime:
    """Look again around the coarse start at a finer resolution for the real step up."""
    lo = coarse.time_of(max(start_bin - 3, 0))
    hi = coarse.time_of(min(start_bin + 3, len(coarse)))
    fine_size = nice_bin((hi - lo).total_seconds(), REFINE_BINS)
    if fine_size >= coarse.bin_seconds:
        return coarse.time_of(start_bin)
    fine = error_series(events, lo, hi, fine_size)
    step = first_rise(fine.errors, np.maximum(fine.totals, 0.0))
    return fine.time_of(step.start) if step is not None else coarse.time_of(start_bin)
