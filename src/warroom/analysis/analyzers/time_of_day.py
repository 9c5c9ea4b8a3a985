"""Time of day: does this happen at the same time every day (everyone logging on at 09:00)?

Detects: errors that rise at the incident's clock hours on other days too. Days are cut at the
incident window's local start (daily.py). For every other day, the error share (errors per
event) in the incident's clock slot is compared with the rest of that day (Fisher's exact test,
BH over the days); the pooled other days give the main test. The pattern recurs when at least
two other days, and at least half of those with data, show it, the pooled test is significant
with a lift of 2 or more, and today's slot is raised too. The recurring span is the run of
five-minute bins (the other recurring days and today pooled) whose error share is at least twice
the rest of the day's, its start rounded to the nearest quarter hour and its end up to the next
one (half hours for spans over two hours), in the bundle's time zone:
Subject("time_of_day", "09:00-09:30").
Needs: events.
Silent: a one-off incident says "never seen before at this time of day" and raises no suspect;
windows of 20 hours or more, or data from a single day, are noted and not tested.
Known false positives: a daily cron job or batch load at that hour looks the same (the cron
analysis names it); traffic that peaks at that hour with a constant error share does not count.
"""

from __future__ import annotations

from datetime import date

from warroom.analysis import stats, wording
from warroom.analysis.context import AnalysisContext
from warroom.analysis.daily import (
    DayGrid,
    DayTest,
    against_rest,
    clock,
    day_grid,
    day_test,
    incident_day,
    pooled_days,
    recurring_span,
    span_ref,
)
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Subject, Test

QUESTION = "Does this happen at the same time every day?"
MAX_WINDOW_HOURS = 20
MIN_DAYS = 2


class TimeOfDay:
    id = "time_of_day:v1"
    title = "Time of day"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ("onset",)

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        if ctx.incident.seconds >= MAX_WINDOW_HOURS * 3600:
            return AnalyzerResult(notes=["time of day: the incident window is too long to place"])
        grid = day_grid(ctx)
        today = incident_day(ctx, grid)
        if today is None or len(grid.days) < 2:
            return AnalyzerResult(notes=["time of day: no other day in the data to compare with"])
        # Other days, before the incident and (when the window was found on an earlier day)
        # after it: a daily pattern recurs either way.
        others = [day_test(grid, row) for row in range(len(grid.days)) if row != today]
        others = [t for t in others if t.slot[1] > 0 and t.rest[1] > 0]
        now = day_test(grid, today)
        if not others:
            return AnalyzerResult(notes=["time of day: other days have no data at these hours"])
        q_days = stats.benjamini_hochberg([t.comparison.p_value for t in others])
        recurring = [
            t
            for t, q in zip(others, q_days, strict=True)
            if q < ctx.params.alpha and t.comparison.lift >= ctx.params.min_ratio
        ]
        pooled = pooled_days(others)
        # Today's window usually runs to the end of the data: its own rest of day is the hours
        # after the incident, mostly missing. Compare it with every day's rest of day instead.
        now = against_rest(now, others)
        return _verdict(ctx, grid, today, now, others, recurring, pooled)


def _raised(ctx: AnalysisContext, c: stats.ProportionComparison) -> bool:
    return c.p_value < ctx.params.alpha and c.lift >= ctx.params.min_ratio


def _verdict(
    ctx: AnalysisContext,
    grid: DayGrid,
    today: int,
    now: DayTest,
    others: list[DayTest],
    recurring: list[DayTest],
    pooled: stats.ProportionComparison,
) -> AnalyzerResult:
    enough = len(recurring) >= MIN_DAYS and 2 * len(recurring) >= len(others)
    if not (enough and _raised(ctx, pooled) and _raised(ctx, now.comparison)):
        return _not_recurring(ctx, grid, now, others, recurring)
    rows = [grid.days.index(_date(t.day)) for t in recurring] + [today]
    first, last = recurring_span(grid, rows)
    ref = span_ref(grid, first, last)
    exact = f"{clock(grid.minute_of(first))}–{clock(grid.minute_of(last))}"
    share = len(recurring) / len(others)
    hours = f"{clock(grid.slot_start)}–{clock(grid.minute_of(grid.slot_bins))}"
    quiet = [t.day for t in others if t not in recurring]
    statement = (
        f"Recurring daily {exact} ({ctx.windows.timezone}): on {len(recurring)} of "
        f"{len(others)} other days ({_days([t.day for t in recurring])}"
        f"{'; not ' + _days(quiet) if quiet else ''}) the error share at {hours} was "
        f"{pooled.lift:.1f}x the rest of the day "
        f"({wording.count_of(pooled.a_hits, pooled.a_total)} events vs "
        f"{wording.count_of(pooled.b_hits, pooled.b_total)}, "
        f"Fisher {wording.q_text(pooled.p_value, 'p')}); "
        f"today {wording.count_of(now.slot[0], now.slot[1])} events failed at these hours."
    )
    finding = Finding(
        id=f"time_of_day:recurring:{ref}",
        analyzer=TimeOfDay.id,
        kind="recurring_daily",
        question=QUESTION,
        statement=statement,
        score=round(stats.strength(pooled.p_value, pooled.lift) * share, 4),
        incident={"errors": now.slot[0], "events": now.slot[1]},
        baseline={
            "errors": pooled.a_hits,
            "events": pooled.a_total,
            "rest_of_day_errors": pooled.b_hits,
            "rest_of_day_events": pooled.b_total,
            "days_recurring": len(recurring),
            "days": len(others),
        },
        test=Test(
            "Fisher exact, slot vs rest of day, other days pooled",
            pooled.p_value,
            pooled.p_value,
            None,
            1,
        ),
        effect=round(pooled.lift, 3),
        effect_name="error share in these hours / rest of the day (other days)",
        caveat="a job or batch load that runs daily at this hour recurs the same way",
        subject=Subject("time_of_day", ref),
        evidence={
            "span": exact,
            "days": [t.day for t in recurring],
            "timezone": ctx.windows.timezone,
        },
    )
    return AnalyzerResult(findings=[finding], facts={"recurring": ref})


def _not_recurring(
    ctx: AnalysisContext,
    grid: DayGrid,
    now: DayTest,
    others: list[DayTest],
    recurring: list[DayTest],
) -> AnalyzerResult:
    hours = f"{clock(grid.slot_start)}–{clock(grid.minute_of(grid.slot_bins))}"
    if not recurring:
        headline = f"Never seen before at this time of day: on none of {len(others)} other days"
    else:
        headline = (
            f"Not a daily pattern: only {len(recurring)} of {len(others)} other days "
            f"({_days([t.day for t in recurring])})"
        )
    statement = (
        f"{headline} did {hours} ({ctx.windows.timezone}) show more errors than the rest of the "
        f"day; today {wording.count_of(now.slot[0], now.slot[1])} events failed in these hours."
    )
    finding = Finding(
        id="time_of_day:not_recurring",
        analyzer=TimeOfDay.id,
        kind="not_recurring",
        question=QUESTION,
        statement=statement,
        score=0.0,
        incident={"errors": now.slot[0], "events": now.slot[1]},
        baseline={"days_recurring": len(recurring), "days": len(others)},
        caveat="a pattern that only hits some weekdays needs a longer history to show",
    )
    why = f"{headline[0].lower()}{headline[1:]} showed raised errors at {hours}"
    elimination = Elimination("a daily pattern (the time of day)", why, (finding.id,))
    return AnalyzerResult(findings=[finding], eliminated=[elimination], facts={"recurring": None})


def _date(text: str) -> date:
    return date.fromisoformat(text)


def _days(days: list[str]) -> str:
    """'Wed 2026-04-15, Thu 2026-04-16'."""
    return ", ".join(f"{_date(d).strftime('%a')} {d}" for d in days)
