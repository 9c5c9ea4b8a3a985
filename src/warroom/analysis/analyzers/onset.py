"""Onset: when did the errors start?

Detects: the step up in the error rate (errors per logged event) with a single change point on
fine bins, confirmed by an exact Poisson rate-ratio test of the incident window against the
baseline; then the first event of the new dominant error signature at that step, and the first
host to show it.
Needs: events.
Known false positives: a traffic mix change (more of a noisy endpoint) raises the error share
without anything breaking; a logging change (a new ERROR line on every request) looks like an
onset — the messages analyzer tells them apart.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from warroom.analysis import signals, stats
from warroom.analysis.changepoint import first_rise
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Finding, Test
from warroom.analysis.scratch import scratch_table
from warroom.analysis.series import error_series, nice_bin
from warroom.analysis.signatures import signature
from warroom.analysis.windows import Window
from warroom.timeutil import iso_seconds, iso_z

FINE_BINS = 600
DISPERSION_BINS = 60  # bins of the incident window for the over-dispersion estimate
QUESTION = "When did the errors start?"


class Onset:
    id = "onset:v1"
    title = "Onset"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ()

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        events = ctx.table("events")
        comparison = _incident_vs_baseline(ctx, events)
        if comparison is None or not _significant(ctx, comparison):
            return _no_rise(ctx, comparison)
        step = _step(ctx, events)
        with scratch_table(ctx, _error_rows(ctx, events), label="onset_errors") as errors:
            dominant = _dominant_signature(ctx, errors)
            at = _first_event(ctx, errors, dominant, step) or step
            hosts = _first_hosts(ctx, errors, dominant, at)
        confidence = max(stats.strength(comparison.p_value, comparison.ratio), 0.05)
        finding = _onset_finding(
            comparison, at=at, dominant=dominant, hosts=hosts, confidence=confidence
        )
        facts = {
            "at": at,
            "signature": dominant,
            "confidence": confidence,
            "ratio": comparison.ratio,
            "p_value": comparison.p_value,
            "first_hosts": hosts,
            "step": step,
        }
        result = AnalyzerResult(findings=[finding], facts=facts)
        if hosts:
            result.findings.append(_first_host_finding(hosts))
        return result


def _incident_vs_baseline(ctx: AnalysisContext, events: Any) -> stats.RateComparison | None:
    """Errors per event, incident vs baseline. The counts are the real ones; the p-value is
    scaled for over-dispersion (see detect.py: one failure often writes several error lines),
    with phi from the per-bin counts of both windows."""
    size = nice_bin(ctx.incident.seconds, DISPERSION_BINS)
    rows = events.mutate(
        period=ctx.period(events.ts),
        err=signals.is_error(events).cast("int64"),
        k=events.ts.epoch_seconds() // size,
    )
    rows = rows.filter(rows.period.notnull())
    bins = rows.group_by(["period", "k"]).aggregate(n=rows.count(), e=rows.err.sum()).execute()
    by: dict[str, tuple[int, int]] = {}
    for period, part in bins.groupby("period"):
        by[str(period)] = (int(part["e"].sum()), int(part["n"].sum()))
    incident, baseline = by.get("incident", (0, 0)), by.get("baseline", (0, 0))
    if incident[1] == 0 or baseline[1] == 0:
        return None
    phi = stats.dispersion(
        bins["e"].to_numpy(dtype=float),
        bins["n"].to_numpy(dtype=float),
        (bins["period"] == "incident").to_numpy(),
    )
    return stats.rate_ratio_dispersed(incident[0], incident[1], baseline[0], baseline[1], phi=phi)


def _significant(ctx: AnalysisContext, c: stats.RateComparison) -> bool:
    return (
        c.p_value < ctx.params.alpha
        and c.ratio >= ctx.params.min_ratio
        and c.incident_count >= ctx.params.min_events
    )


def _step(ctx: AnalysisContext, events: Any) -> datetime:
    """The step up in the error share, searched from a little before the window to its end."""
    lo, hi = _step_span(ctx)
    size = nice_bin((hi - lo).total_seconds(), FINE_BINS)
    series = error_series(events, lo, hi, size)
    rise = first_rise(series.errors, np.maximum(series.totals, 0.0))
    return series.time_of(rise.start) if rise is not None else ctx.incident.start


def _error_rows(ctx: AnalysisContext, events: Any) -> Any:
    """Ibis: the error lines the three questions below read (ts, host, signature, period), from
    the incident and baseline windows and the span searched for the step. Kept in a scratch
    table: one scan of the events and one signature per line, not three."""
    errors = events.filter(signals.is_error(events))
    # the step is in the span, the first event at most a margin before it, and the first hosts
    # are looked for from a margin before that
    lo, _ = _step_span(ctx)
    searched = ctx.in_window(errors.ts, Window(lo - 2 * _margin(ctx), ctx.incident.end, "span"))
    rows = errors.select("ts", "host", sig=signature(errors), period=ctx.period(errors.ts))
    return rows.filter(rows.period.notnull() | searched)


def _dominant_signature(ctx: AnalysisContext, errors: Any) -> str | None:
    """The error signature with the largest excess over its baseline rate after the step."""
    rows = errors.filter(errors.period.notnull())
    counts = rows.group_by(["sig", "period"]).aggregate(n=rows.count()).execute()
    if counts.empty:
        return None
    scale = ctx.incident.seconds / max(ctx.windows.baseline_seconds, 1.0)
    excess: dict[str, float] = {}
    for row in counts.itertuples():
        sign = 1.0 if row.period == "incident" else -scale
        excess[row.sig] = excess.get(row.sig, 0.0) + sign * float(row.n)
    best = max(sorted(excess), key=lambda s: excess[s])
    return best if excess[best] > 0 else None


def _step_span(ctx: AnalysisContext) -> tuple[datetime, datetime]:
    """Where the step is searched: from a little before the incident window to its end."""
    window = ctx.incident
    lead = min(window.end - window.start, timedelta(hours=1))
    return window.start - lead, window.end


def _first_event(
    ctx: AnalysisContext, errors: Any, dominant: str | None, step: datetime
) -> datetime | None:
    """`errors`: the scratch table of `_error_rows`."""
    if dominant is None:
        return None
    rows = errors.filter((errors.sig == dominant) & ctx.in_window(errors.ts, _from(step, ctx)))
    first = rows.ts.min().execute()
    return _aware(first)


def _margin(ctx: AnalysisContext) -> timedelta:
    return timedelta(seconds=max(ctx.incident.seconds / FINE_BINS, 1.0))


def _from(step: datetime, ctx: AnalysisContext) -> Window:
    """From a fine bin before `step` to the incident's end."""
    margin = _margin(ctx)
    return Window(min(step - margin, ctx.incident.end - margin), ctx.incident.end, "onset search")


def _first_hosts(
    ctx: AnalysisContext, errors: Any, dominant: str | None, at: datetime
) -> list[dict[str, Any]]:
    """`errors`: the scratch table of `_error_rows`."""
    if dominant is None:
        return []
    rows = errors.filter(
        errors.host.notnull() & (errors.sig == dominant) & ctx.in_window(errors.ts, _from(at, ctx))
    )
    firsts = (
        rows.group_by("host")
        .aggregate(first=rows.ts.min(), n=rows.count())
        .order_by(["first", "host"])
        .execute()
    )
    return [
        {"host": r.host, "first": _aware(r.first), "errors": int(r.n)} for r in firsts.itertuples()
    ]


def _onset_finding(
    c: stats.RateComparison,
    *,
    at: datetime,
    dominant: str | None,
    hosts: list[dict[str, Any]],
    confidence: float,
) -> Finding:
    sig = f" The first new error was {dominant!r}." if dominant else ""
    statement = (
        f"Errors started at {iso_seconds(at)}: {_versus(c)} ({c.ratio:.1f}x the error rate).{sig}"
    )
    return Finding(
        id="onset:error_onset",
        analyzer=Onset.id,
        kind="error_onset",
        question=QUESTION,
        statement=statement,
        score=confidence,
        incident={"errors": c.incident_count, "events": int(c.incident_exposure)},
        baseline={"errors": c.baseline_count, "events": int(c.baseline_exposure)},
        test=Test(_test_name(c), c.p_value),
        effect=c.ratio,
        effect_name="error rate ratio",
        caveat="a change in traffic mix or in logging can raise the error share without a failure",
        evidence={
            "at": iso_z(at),
            "signature": dominant,
            "first_hosts": [
                {"host": h["host"], "first": iso_z(h["first"]), "errors": h["errors"]}
                for h in hosts[:10]
            ],
        },
    )


def _versus(c: stats.RateComparison) -> str:
    return (
        f"{c.incident_count:,} errors in {int(c.incident_exposure):,} events in the incident "
        f"window vs {c.baseline_count:,} in {int(c.baseline_exposure):,} in the baseline"
    )


def _first_host_finding(hosts: list[dict[str, Any]]) -> Finding:
    first = hosts[0]
    if len(hosts) == 1:
        lag = 0.0
        statement = (
            f"Only {first['host']} shows the new error, first at {iso_seconds(first['first'])}."
        )
    else:
        second = hosts[1]
        lag = (second["first"] - first["first"]).total_seconds()
        statement = (
            f"{first['host']} failed first at {iso_seconds(first['first'])}; the next host "
            f"({second['host']}) followed {lag:.0f} s later, {len(hosts)} hosts in all."
        )
    return Finding(
        id="onset:first_host",
        analyzer=Onset.id,
        kind="first_host",
        question="Which host failed first?",
        statement=statement,
        score=0.0,
        incident={"hosts_failing": len(hosts), "lag_seconds": lag},
        evidence={"order": [h["host"] for h in hosts[:20]]},
        caveat="clock skew between hosts of a few seconds can change the order",
    )


def _no_rise(ctx: AnalysisContext, c: stats.RateComparison | None) -> AnalyzerResult:
    if c is None:
        note = "no events in the incident window or no baseline to compare with"
        return AnalyzerResult(notes=[note], facts={"at": None, "confidence": 0.0})
    statement = (
        f"No significant rise in errors: {_versus(c)} "
        f"(rate ratio {c.ratio:.2f}, p = {c.p_value:.2g})."
    )
    finding = Finding(
        id="onset:no_error_rise",
        analyzer=Onset.id,
        kind="no_error_rise",
        question=QUESTION,
        statement=statement,
        score=0.0,
        incident={"errors": c.incident_count, "events": int(c.incident_exposure)},
        baseline={"errors": c.baseline_count, "events": int(c.baseline_exposure)},
        test=Test(_test_name(c), c.p_value),
        effect=c.ratio,
        effect_name="error rate ratio",
        caveat="failures that log nothing (stalled work, silent data loss) do not show here",
    )
    return AnalyzerResult(findings=[finding], facts={"at": None, "confidence": 0.0})


def _test_name(c: stats.RateComparison) -> str:
    name = "Poisson rate ratio (conditional binomial), one-sided"
    if c.dispersion > 1.0:
        name += f", counts scaled for over-dispersion (phi = {c.dispersion:.2f})"
    return name


def _aware(value: Any) -> datetime | None:
    from datetime import UTC

    if value is None or (hasattr(value, "__class__") and str(value) == "NaT"):
        return None
    moment: datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
