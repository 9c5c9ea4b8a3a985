"""Binned counts of events over time, computed in the engine, returned as dense numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from warroom.analysis import signals

NICE_BINS_S = (1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)


@dataclass(frozen=True)
class Series:
    start: datetime  # aware UTC, aligned to the bin size
    bin_seconds: int
    errors: NDArray[np.float64]
    totals: NDArray[np.float64]

    def time_of(self, index: int) -> datetime:
        return self.start + timedelta(seconds=index * self.bin_seconds)

    def index_of(self, moment: datetime) -> int:
        return int((moment - self.start).total_seconds() // self.bin_seconds)

    def __len__(self) -> int:
        return len(self.errors)


def nice_bin(span_seconds: float, max_bins: int) -> int:
    """The smallest round bin size that keeps the span within `max_bins` bins."""
    for size in NICE_BINS_S:
        if span_seconds / size <= max_bins:
            return size
    return int(np.ceil(span_seconds / max_bins))


def error_series(
    events: Any, start: datetime, end: datetime, bin_seconds: int, where: Any = None
) -> Series:
    """Errors and all events per bin in [start, end), every bin present (zeros included)."""
    aligned = _floor(start, bin_seconds)
    lo, hi = _naive(aligned), _naive(end)
    rows = events.filter((events.ts >= lo) & (events.ts < hi))
    if where is not None:
        rows = rows.filter(where(rows))
    rows = rows.mutate(
        k=(rows.ts.epoch_seconds() // bin_seconds), err=signals.is_error(rows).cast("int64")
    )
    grouped = rows.group_by("k").aggregate(n=rows.count(), e=rows.err.sum()).execute()
    size = max(int(np.ceil((end - aligned).total_seconds() / bin_seconds)), 1)
    errors, totals = np.zeros(size), np.zeros(size)
    offset = int(aligned.timestamp()) // bin_seconds
    if len(grouped):
        index = grouped["k"].to_numpy(dtype=np.int64) - offset
        keep = (index >= 0) & (index < size)
        np.add.at(errors, index[keep], grouped["e"].to_numpy(dtype=float)[keep])
        np.add.at(totals, index[keep], grouped["n"].to_numpy(dtype=float)[keep])
    return Series(aligned, bin_seconds, errors, totals)


def _floor(moment: datetime, bin_seconds: int) -> datetime:
    epoch = int(moment.timestamp()) // bin_seconds * bin_seconds
    return datetime.fromtimestamp(epoch, tz=UTC)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)
