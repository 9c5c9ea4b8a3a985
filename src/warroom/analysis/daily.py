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

from warroom.analysis import signals, stats
from warroom.analysis.context import AnalysisContext
from warroom.timeutil import zone

BIN_MINUTES = 5
BINS = 24 * 60 // BIN_MINUTES
SEARCH_MARGIN_BINS = 12  # the recurring span may start up to an hour before the window


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


@dataclass(frozen=True)
class DayTest:
    day: str
    slot: tuple[int, int]  # errors, events in the slot
    rest: tuple[int, int]  # errors, events in the rest of the day
    comparison: stats.ProportionComparison


def day_test(grid: DayGrid, row: int) -> DayTest:
    slot, rest = grid.totals(row, slot=True), grid.totals(row, slot=False)
    comparison = stats.proportions(slot[0], slot[1], rest[0], rest[1])
    return DayTest(grid.days[row].isoformat(), slot, rest, comparison)


def against_rest(today: DayTest, others: list[DayTest]) -> DayTest:
    errors = today.rest[0] + sum(t.rest[0] for t in others)
    events = today.rest[1] + sum(t.rest[1] for t in others)
    comparison = stats.proportions(today.slot[0], today.slot[1], errors, events)
    return DayTest(today.day, today.slot, (errors, events), comparison)


def pooled_days(days: list[DayTest]) -> stats.ProportionComparison:
    slot = [sum(t.slot[0] for t in days), sum(t.slot[1] for t in days)]
    rest = [sum(t.rest[0] for t in days), sum(t.rest[1] for t in days)]
    return stats.proportions(slot[0], slot[1], rest[0], rest[1])


def day_grid(ctx: AnalysisContext) -> DayGrid:
    """Counts per (day, bin), days cut at the incident window's local clock start."""
    window = ctx.incident
    local_start = window.start.astimezone(zone(ctx.windows.timezone))
    slot_start = local_start.hour * 60 + local_start.minute
    slot_bins = int(np.ceil(window.seconds / 60 / BIN_MINUTES))
    # Counted per UTC minute first, so that the time zone conversion (costly per row) runs once
    # per minute, not once per event: zone offsets are whole minutes, so an event's local bin is
    # its minute's local bin.
    rows = ctx.con.execute(
        f"""
        WITH minutes AS (
            SELECT date_trunc('minute', ts) AS utc_minute, count(*) AS n,
                   sum(CAST({signals.IS_ERROR_SQL} AS INTEGER)) AS e
            FROM events WHERE ts IS NOT NULL GROUP BY ALL
        ), shifted AS (
            SELECT timezone(?, timezone('UTC', utc_minute)) - to_minutes(CAST(? AS BIGINT)) AS lt,
                   n, e
            FROM minutes
        )
        SELECT CAST(lt AS DATE) AS day, (hour(lt) * 60 + minute(lt)) // {BIN_MINUTES} AS bin,
               sum(n) AS n, sum(e) AS e
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


def recurring_span(grid: DayGrid, rows: list[int]) -> tuple[int, int]:
    """(first bin, end bin) of the raised run around the busiest bin near the slot."""
    errors, events = grid.errors[rows].sum(axis=0), grid.events[rows].sum(axis=0)
    in_slot = grid.in_slot()
    rest = errors[~in_slot].sum() / max(events[~in_slot].sum(), 1.0)
    share = errors / np.maximum(events, 1.0)
    raised = (share >= 2 * max(rest, 1e-9)) & (errors >= 3)
    near = np.zeros(BINS, dtype=bool)
    near[: min(grid.slot_bins + SEARCH_MARGIN_BINS, BINS)] = True
    near[BINS - SEARCH_MARGIN_BINS :] = True  # just before the window's start
    excess = np.where(near, errors - rest * events, -np.inf)
    peak = int(np.argmax(excess))
    if not raised[peak]:
        return 0, grid.slot_bins
    first, end = peak, peak + 1
    while first - 1 > -SEARCH_MARGIN_BINS and raised[(first - 1) % BINS]:
        first -= 1
    while end < BINS and raised[end % BINS]:
        end += 1
    return first, end


def span_ref(grid: DayGrid, first: int, end: int) -> str:
    """HH:MM-HH:MM on quarter hours (half hours when the span is over two hours).

    The start goes to the nearest quarter: such peaks start sharply at round clock times
    (people log on at nine). The end goes up to the next quarter: the tail fades out, and its
    last bins fall below the support floor before the episode is over.
    """
    start, stop = grid.slot_start + first * BIN_MINUTES, grid.slot_start + end * BIN_MINUTES
    step = 30 if stop - start > 120 else 15
    low = int(np.floor(start / step + 0.5)) * step
    high = max(int(np.ceil(stop / step)) * step, low + step)
    return f"{clock(low)}-{clock(high)}"


def clock(minute: int) -> str:
    minute %= 24 * 60
    return f"{minute // 60:02d}:{minute % 60:02d}"
