"""Errors per day and per five minutes of local clock time, for the time-of-day analyzer.

Days are cut at the start of the incident's clock slot (the incident window's local start), so a
slot that crosses midnight stays in one piece: "day" d runs from the slot's start on d to the same
clock time on d + 1, and the slot is its first minutes. The counting happens in the engine; a
grid of days x 288 five-minute bins comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from warroom.analysis import signals
from warroom.analysis.context import AnalysisContext
from warroom.timeutil import zone

BIN_MINUTES = 5
BINS = 24 * 60 // BIN_MINUTES


@dataclass(frozen=True)
class DayGrid:
    days: list[date]  # the local date each row starts on
    events: NDArray[np.float64]  # days x BINS
    errors: NDArray[np.float64]
    slot_start: int  # local minute of day the rows start at (the incident window's start)
    slot_bins: int  # how many bins the incident window covers

    def minute_of(self, column: int) -> int:
        return (self.slot_start + column * BIN_MINUTES) % (24 * 60)

    def in_slot(self) -> NDArray[np.bool_]:
        return np.arange(BINS) < self.slot_bins

    def totals(self, row: int, slot: bool) -> tuple[int, int]:
        """(errors, events) of one day inside the slot, or in the rest of that day."""
        mask = self.in_slot() if slot else ~self.in_slot()
        return int(self.errors[row, mask].sum()), int(self.events[row, mask].sum())


def day_grid(ctx: AnalysisContext) -> DayGrid:
    """Counts per (day, bin), days cut at the incident window's local clock start."""
    window = ctx.incident
    local_start = window.start.astimezone(zone(ctx.windows.timezone))
    slot_start = local_start.hour * 60 + local_start.minute
    slot_bins = int(np.ceil(window.seconds / 60 / BIN_MINUTES))
    rows = ctx.con.execute(
        f"""
        WITH shifted AS (
            SELECT timezone(?, timezone('UTC', ts)) - to_minutes(CAST(? AS BIGINT)) AS lt,
                   {signals.IS_ERROR_SQL} AS err
            FROM events WHERE ts IS NOT NULL
        )
        SELECT CAST(lt AS DATE) AS day, (hour(lt) * 60 + minute(lt)) // {BIN_MINUTES} AS bin,
               count(*) AS n, sum(CAST(err AS INTEGER)) AS e
        FROM shifted GROUP BY ALL ORDER BY day, bin
        """,
        [ctx.windows.timezone, slot_start],
    ).fetchall()
    days = sorted({row[0] for row in rows})
    index = {day: i for i, day in enumerate(days)}
    events, errors = np.zeros((len(days), BINS)), np.zeros((len(days), BINS))
    for day, column, n, e in rows:  # at most a few thousand aggregate rows
        events[index[day], column] = n
        errors[index[day], column] = e
    return DayGrid(days, events, errors, slot_start, min(max(slot_bins, 1), BINS))


def incident_day(ctx: AnalysisContext, grid: DayGrid) -> int | None:
    """The row holding the incident window's start."""
    local = ctx.incident.start.astimezone(zone(ctx.windows.timezone))
    day = (local - timedelta(minutes=grid.slot_start)).date()
    return grid.days.index(day) if day in grid.days else None
