"""Periodicity: do errors come at regular intervals (every minute, every 15 minutes) or at random?

Detects: a rhythm in the errors of the active span (the incident window stretched to the end of
the data). Errors are binned in the engine; the autocorrelation of the binned counts proposes up
to three candidate periods (1 min up to a third of the span, snapped to round clock periods when
close); each candidate is tested with the Rayleigh test on the phases of the error events modulo
the period (BH over the candidates). A rhythm is reported only when it is significant, the errors
crowd into a short part of the cycle (duty cycle <= 50 %, at least half of the errors, twice the
uniform share) and it holds over at least three cycles. Reported: period, the clock minutes of
the bursts in the bundle's time zone, the burst length and duty cycle, the baseline's phases.
Needs: events.
Silent: fewer than 30 errors; otherwise "a periodic job" is eliminated when no rhythm is found.
Known false positives: errors within one burst are not independent, so the Rayleigh p-value is
optimistic when the bursts are few (the number of cycles is reported for that reason); a steady
load with a few strong bursts at random times can hide a weak rhythm (a false negative).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from warroom.analysis import stats, wording
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Test
from warroom.analysis.rhythm import (
    ErrorSeconds,
    Rayleigh,
    active_span,
    clock_times,
    error_seconds,
    period_text,
    phases,
    rayleigh,
)
from warroom.analysis.series import nice_bin
from warroom.analysis.windows import Window
from warroom.timeutil import iso_seconds

QUESTION = "Do errors come at regular intervals, or at random?"
MIN_ERRORS = 30  # below this, random and regular cannot be told apart
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


class Periodicity:
    id = "periodicity:v1"
    title = "Periodicity"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ("onset",)

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        span = active_span(ctx)
        errors = error_seconds(ctx, [span])
        if errors.total < MIN_ERRORS:
            note = f"periodicity: {errors.total} errors in the incident window, too few to tell"
            return AnalyzerResult(notes=[note], facts={"period_s": None})
        bin_s = max(nice_bin(span.seconds, 2000), 1)
        rhythms = [
            _fold(errors, span, period, bin_s) for period in _candidates(errors, span, bin_s)
        ]
        q_values = stats.benjamini_hochberg([r.test.p_value for r in rhythms])
        found = [
            (r, q)
            for r, q in zip(rhythms, q_values, strict=True)
            if q < ctx.params.alpha and r.holds()
        ]
        if not found:
            return _random(errors, span, rhythms, q_values)
        best, q = max(found, key=lambda pair: (pair[0].test.z, -pair[0].period))
        baseline = _baseline(ctx, best.period)
        finding = _finding(ctx, best, q, len(rhythms), span, baseline)
        facts = {
            "period_s": best.period,
            "start_phase_s": best.start_phase,
            "burst_s": best.burst,
            "duty": best.duty,
            "q_value": q,
        }
        return AnalyzerResult(findings=[finding], facts=facts)


def _candidates(errors: ErrorSeconds, span: Window, bin_s: int) -> list[float]:
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


def _fold(errors: ErrorSeconds, span: Window, period: float, bin_s: int) -> Rhythm:
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


def _baseline(ctx: AnalysisContext, period: float) -> Rayleigh | None:
    if not ctx.baselines:
        return None
    errors = error_seconds(ctx, list(ctx.baselines))
    return rayleigh(phases(errors.seconds, period), errors.counts)


def _finding(
    ctx: AnalysisContext,
    rhythm: Rhythm,
    q: float,
    family: int,
    span: Window,
    baseline: Rayleigh | None,
) -> Finding:
    when = _when(ctx, rhythm, span)
    before = (
        f" In the baseline {baseline.n:,} errors show R = {baseline.resultant:.2f} at that period."
        if baseline is not None
        else ""
    )
    statement = (
        f"Errors come every {period_text(rhythm.period)}, {when}, in bursts of about "
        f"{period_text(rhythm.burst)} (duty cycle {rhythm.duty:.0%}): "
        f"{wording.count_of(rhythm.on_errors, rhythm.total)} errors since "
        f"{iso_seconds(span.start)} fall in those bursts, over {rhythm.cycles} cycles "
        f"(Rayleigh R = {rhythm.test.resultant:.2f}, {wording.q_text(q)}).{before}"
    )
    return Finding(
        id=f"periodicity:periodic_errors:{int(rhythm.period)}",
        analyzer=Periodicity.id,
        kind="periodic_errors",
        question=QUESTION,
        statement=statement,
        score=stats.strength(q, rhythm.lift),
        incident={
            "errors": rhythm.total,
            "in_bursts": rhythm.on_errors,
            "resultant": round(rhythm.test.resultant, 4),
            "cycles": rhythm.cycles,
            "seconds": span.seconds,
        },
        baseline=(
            {"errors": baseline.n, "resultant": round(baseline.resultant, 4)} if baseline else {}
        ),
        test=Test("Rayleigh test of uniform phase", rhythm.test.p_value, q, rhythm.test.z, family),
        effect=round(rhythm.lift, 3),
        effect_name="share of errors in the burst phase / duty cycle",
        caveat=(
            "errors within one burst are not independent, so the p-value is optimistic when the "
            "bursts are few; a periodic job is likely, but which one the cron analysis says"
        ),
        evidence={
            "period_s": rhythm.period,
            "burst_s": round(rhythm.burst, 1),
            "duty": round(rhythm.duty, 4),
            "at": when,
            "timezone": ctx.windows.timezone,
        },
    )


def _when(ctx: AnalysisContext, rhythm: Rhythm, span: Window) -> str:
    """'at :07, :22, :37, :52 (Europe/Berlin)' or 'at 03:00, 09:00, ...' or 'from 10:07:30 on'."""
    period, tz = rhythm.period, ctx.windows.timezone
    base = span.start.timestamp()
    first = base + (rhythm.start_phase - base) % period
    if 3600 % period == 0 and 3600 / period <= 12:
        starts = sorted(
            clock_times(
                [first + k * period for k in range(int(3600 / period))], tz, with_hour=False
            )
        )
        return f"at {', '.join(starts)} ({tz})"
    if 86400 % period == 0 and 86400 / period <= 12:
        starts = sorted(
            clock_times(
                [first + k * period for k in range(int(86400 / period))], tz, with_hour=True
            )
        )
        return f"at {', '.join(starts)} ({tz})"
    return f"first at {clock_times([first], tz, with_hour=True)[0]} ({tz})"


def _random(
    errors: ErrorSeconds, span: Window, rhythms: list[Rhythm], q_values: list[float]
) -> AnalyzerResult:
    if rhythms:
        best = min(range(len(rhythms)), key=lambda i: (q_values[i], i))
        r = rhythms[best]
        tried = (
            f"the strongest candidate, every {period_text(r.period)}, has Rayleigh "
            f"R = {r.test.resultant:.2f}, {wording.q_text(q_values[best])}"
        )
    else:
        tried = "the autocorrelation shows no repeating interval"
    statement = (
        f"Errors arrive at random: {errors.total:,} errors since {iso_seconds(span.start)} show no "
        f"regular interval between 1 min and {period_text(span.seconds / MIN_CYCLES)} ({tried})."
    )
    finding = Finding(
        id="periodicity:no_rhythm",
        analyzer=Periodicity.id,
        kind="no_rhythm",
        question=QUESTION,
        statement=statement,
        score=0.0,
        incident={"errors": errors.total, "seconds": span.seconds, "candidates": len(rhythms)},
        caveat="a rhythm slower than a third of the window, or drowned in steady errors, is missed",
    )
    why = statement.removeprefix("Errors arrive at random: ")
    elimination = Elimination("a periodic job", f"errors arrive at random: {why}", (finding.id,))
    facts: dict[str, Any] = {"period_s": None}
    return AnalyzerResult(findings=[finding], eliminated=[elimination], facts=facts)
