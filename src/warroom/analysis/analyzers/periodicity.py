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

from typing import Any

from warroom.analysis import stats, wording
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Test
from warroom.analysis.folding import MIN_CYCLES, Rhythm, candidate_periods, fold
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
            fold(errors, span, period, bin_s) for period in candidate_periods(errors, span, bin_s)
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
