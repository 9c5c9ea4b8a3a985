"""Cron: do error bursts start just after a scheduled job runs?

Detects: the crontab job whose runs the incident's errors follow. Each job's schedule is expanded
with croniter over the data (in its CRON_TZ/TZ, else the bundle's time zone); the errors on the
job's hosts in the active span (the incident window stretched to the end of the data) are weighed
by how soon they came after the latest run, and that is compared with the same schedule circularly
shifted in time (alignment.py: a permutation test, p = rank among 1,999 shifts, seeded from the
data). BH over the jobs tested. Jobs that share a period are told apart by their phase: only the
one whose runs precede the bursts lines up; the others are eliminated with their lag.
Needs: events, cron_jobs. Runs after periodicity and names its rhythm when the job's period matches.
Silent: fewer than 10 errors on a job's hosts (not tested); `@reboot` jobs and schedules that
cannot be expanded are noted.
Known false positives: two jobs that always run at the same minute cannot be told apart (both
line up); a job that runs every minute lines up with anything and so with nothing (p stays high).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from warroom.analysis import stats, wording
from warroom.analysis.alignment import (
    Alignment,
    ScheduleError,
    align,
    expand_runs,
    lags_after,
    reach_of,
)
from warroom.analysis.context import AnalysisContext
from warroom.analysis.cron_jobs import Job, job_errors, read_jobs, run_times_text
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Subject, Test
from warroom.analysis.rhythm import (
    ErrorSeconds,
    active_span,
    error_seconds,
    period_text,
)
from warroom.analysis.windows import Window
from warroom.timeutil import iso_seconds

QUESTION = "Do the errors start just after a scheduled job runs?"


@dataclass(frozen=True)
class Tested:
    job: Job
    runs: Any  # epoch seconds, numpy int64
    incident: Alignment
    baseline_hits: int
    baseline_total: int


class Cron:
    id = "cron:v1"
    title = "Cron jobs"
    question = QUESTION
    needs: tuple[str, ...] = ("events", "cron_jobs")
    after: tuple[str, ...] = ("periodicity",)

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        result = AnalyzerResult()
        span = active_span(ctx)
        windows = [span, *ctx.baselines]
        errors = error_seconds(ctx, windows)
        start = min(w.start for w in windows)
        tested: list[Tested] = []
        for job in read_jobs(ctx, result.notes):
            try:
                runs = expand_runs(job.schedule, job.timezone, start, span.end)
            except ScheduleError as why:
                result.notes.append(f"cron: {job.ref!r} not tested: {why}")
                continue
            if not ((runs >= span.start.timestamp()) & (runs < span.end.timestamp())).any():
                result.eliminated.append(_idle(job, span))
                continue
            scoped = job_errors(errors, job, result.notes)
            found = _test(ctx, job, runs, scoped, span.start.timestamp(), span.seconds)
            if found is not None:
                tested.append(found)
        q_values = stats.benjamini_hochberg([t.incident.p_value for t in tested])
        for item, q in zip(tested, q_values, strict=True):
            _report(ctx, result, item, q, len(tested))
        if not tested:
            result.notes.append("cron: too few errors on any job's hosts to test the schedules")
        return result


def _test(
    ctx: AnalysisContext, job: Job, runs: Any, errors: ErrorSeconds, start: float, length: float
) -> Tested | None:
    inside = (errors.seconds >= start) & (errors.seconds < start + length)
    if errors.counts[inside].sum() < ctx.params.min_events or runs.size == 0:
        return None
    reach = reach_of(runs)
    # One row per second (hosts merged): the permutation test repeats its work per shift.
    seconds, index = np.unique(errors.seconds[inside], return_inverse=True)
    counts = np.bincount(index, weights=errors.counts[inside]).astype(float)
    alignment = align(
        runs,
        seconds,
        counts,
        start=int(start),
        length=int(length),
        reach=reach,
        key=job.ref,
    )
    lags = lags_after(runs, errors.seconds[~inside])
    near = lags < reach
    baseline_hits = int(errors.counts[~inside][near].sum())
    return Tested(job, runs, alignment, baseline_hits, int(errors.counts[~inside].sum()))


def _aligned(ctx: AnalysisContext, a: Alignment, q: float) -> bool:
    return (
        q < ctx.params.alpha and a.lift >= ctx.params.min_ratio and a.hits >= ctx.params.min_events
    )


def _report(ctx: AnalysisContext, result: AnalyzerResult, t: Tested, q: float, family: int) -> None:
    a, job = t.incident, t.job
    aligned = _aligned(ctx, a, q)
    finding = Finding(
        id=f"cron:job_alignment:{wording.short_key(job.ref)}",
        analyzer=Cron.id,
        kind="cron_alignment" if aligned else "cron_unaligned",
        question=QUESTION,
        statement=_statement(ctx, t, q, aligned),
        score=stats.strength(q, a.lift) if aligned else 0.0,
        incident={"errors_after_runs": a.hits, "errors": a.total, "coverage": round(a.coverage, 4)},
        baseline={"errors_after_runs": t.baseline_hits, "errors": t.baseline_total},
        test=Test("circular-shift permutation test", a.p_value, q, a.observed, family),
        effect=round(a.lift, 3) if np.isfinite(a.lift) else None,
        effect_name="alignment / mean alignment of shifted schedules",
        caveat="another job running at the same minutes would line up just as well",
        subject=Subject("cron", job.ref),
        evidence={
            "schedule": job.schedule,
            "timezone": job.timezone,
            "hosts": list(job.hosts),
            "reach_s": a.reach,
            "median_lag_s": a.median_lag,
        },
    )
    result.findings.append(finding)
    # A job that lines up significantly but too weakly or too rarely is neither a suspect nor
    # ruled out; only one that does no better than its shifted schedules is eliminated.
    if q >= ctx.params.alpha:
        why = (
            f"errors do not follow its runs ({run_times_text(ctx, t.runs)}): the median error "
            f"comes {_lag(a)} after its latest run; {a.hits:,} of {a.total:,} errors within "
            f"{period_text(a.reach)} after a run, no better than shifted schedules "
            f"({wording.q_text(q)})"
        )
        subject = Subject("cron", job.ref)
        result.eliminated.append(
            Elimination(f"the cron job {job.ref!r}", why, (finding.id,), subject)
        )


def _statement(ctx: AnalysisContext, t: Tested, q: float, aligned: bool) -> str:
    a, job = t.incident, t.job
    where = ", ".join(job.hosts) if job.hosts else "all hosts"
    numbers = (
        f"{wording.count_of(a.hits, a.total)} errors on {where} came within "
        f"{period_text(a.reach)} after a run, a stretch that covers {a.coverage:.0%} of the time; "
        f"alignment {a.lift:.1f}x that of the same schedule shifted in time "
        f"(permutation test over {a.shifts:,} shifts, {wording.q_text(q)})"
    )
    runs = f"{job.ref!r} ({job.schedule}, {run_times_text(ctx, t.runs)})"
    if aligned:
        baseline = f"; in the baseline {wording.count_of(t.baseline_hits, t.baseline_total)}"
        rhythm = _rhythm(ctx, t.runs)
        return f"Errors start just after the runs of {runs}: {numbers}{baseline}.{rhythm}"
    return (
        f"Errors do not follow the runs of {runs}: {numbers}; the median error comes {_lag(a)} "
        "after its latest run."
    )


def _lag(a: Alignment) -> str:
    return period_text(a.median_lag) if a.median_lag is not None else "unknown"


def _idle(job: Job, span: Window) -> Elimination:
    why = f"it did not run between {iso_seconds(span.start)} and {iso_seconds(span.end)}"
    return Elimination(f"the cron job {job.ref!r}", why, (), Subject("cron", job.ref))


def _rhythm(ctx: AnalysisContext, runs: Any) -> str:
    period = ctx.facts.get("periodicity", {}).get("period_s")
    if not period or runs.size < 2:
        return ""
    gap = float(np.median(np.diff(runs)))
    if abs(gap - period) > 0.02 * period:
        return ""
    return f" Its period matches the errors' rhythm (every {period_text(period)})."
