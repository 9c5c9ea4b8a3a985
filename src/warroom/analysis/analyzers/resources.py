"""Resources: which metrics moved, which moved first, and is anything full?

Detects, for every metric series (host x metric x label set; counters as rates):
- level shifts: the incident's median against every baseline window (median/MAD, Mann–Whitney U,
  BH over all series), in both directions ("jobs_processed fell to 0 on worker-2");
- trends in the lead-up to the onset: the knee where a series left its flat level, Theil–Sen
  slope and Mann–Kendall test from there, and the hours left until a percentage is full;
- saturation: a percentage (disk, memory) at 90 % or more that was below it in the baseline.
Each series is placed against the onset: one that started to move before it is a candidate cause
(`resource`, `<host>:<metric>`); one that followed, or a work-following metric that fell (CPU fell
because the work fell), is a symptom. A trend that starts right after a change on the hosts that
got it supports that change (resource_changes.py).
Needs: metrics (events and changes, when present, for the change link).
Known false positives: a metric with a strong weekly cycle and only one day of history; a slow
legitimate growth (a cache warming up after a deploy) reads like a leak.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from warroom.analysis import metric_series, resource_changes, stats
from warroom.analysis import metric_stats as ms
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Finding, Subject, Test
from warroom.analysis.resource_checks import (
    SEASONAL_DAYS,
    Assessment,
    assess,
    role_of,
    saturated,
    started,
)
from warroom.analysis.resource_text import (
    level_statement,
    saturation_statement,
    stop_statement,
    trend_statement,
)
from warroom.analysis.stats import ALPHA
from warroom.analysis.windows import Window

LOOKBACK = timedelta(hours=12)  # a leak takes hours: look that far back for the knee
SATURATION_SCORE = 0.4  # a full disk or memory supports a suspect; alone it is a clue
QUESTION = "Which resources moved, which moved first, and is anything full?"
CAVEAT = (
    "could be wrong if the metric has a cycle the baseline days do not show (weekly jobs), "
    "or if the host was replaced and its new series starts from another level"
)


class Resources:
    id = "resources:v1"
    title = "Resources"
    question = QUESTION
    needs: tuple[str, ...] = ("metrics",)
    after: tuple[str, ...] = ("onset", "traffic")

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        onset = ctx.facts.get("onset", {}).get("at")
        end = onset if onset is not None else ctx.incident.end
        lead = Window(min(end - LOOKBACK, ctx.incident.start), end, "lead-up")
        span = Window(lead.start, max(ctx.incident.end, end), "span")
        earlier = [_shift(lead, days) for days in SEASONAL_DAYS]
        loaded = metric_series.load(ctx.con, [span, ctx.incident, *ctx.baselines, *earlier])
        result = AnalyzerResult(notes=list(loaded.notes))
        if not ctx.baselines:
            result.notes.append("no baseline window: metric levels were not compared")
        assessed = [
            assess(s, incident=ctx.incident, baselines=ctx.baselines, lead=lead)
            for s in loaded.series
        ]
        result.notes += _gap_notes(assessed, ctx.incident, loaded.bin_seconds)
        level_q = _bh([a.level.p_value if a.level else None for a in assessed])
        trend_q = _bh([a.trend.p_value if a.trend else None for a in assessed])
        stop_q = _bh([a.stop.p_value if a.stop else None for a in assessed])
        for a, *qs in zip(assessed, level_q, trend_q, stop_q, strict=True):
            result.findings += _findings(a, Qs(*qs), onset=onset, family=len(assessed))
        hosts_by_metric: dict[str, set[str]] = {}
        for s in loaded.series:
            hosts_by_metric.setdefault(s.metric, set()).add(s.host)
        result.findings += resource_changes.link(ctx, result.findings, hosts_by_metric)
        fell = ctx.facts.get("traffic", {}).get("fell", {})
        result.findings = [_less_work(f, fell) for f in result.findings]
        result.findings.sort(key=lambda f: (-f.score, f.id))
        result.facts = _facts(result.findings)
        if not result.findings:
            result.notes.append(f"none of {len(assessed)} metric series moved materially")
        return result


@dataclass(frozen=True)
class Qs:
    """One series' q-values, each corrected over every series (BH per kind of test)."""

    level: float | None
    trend: float | None
    stop: float | None


def _findings(a: Assessment, qs: Qs, *, onset: datetime | None, family: int) -> list[Finding]:
    shifted = a.level is not None and qs.level is not None and ms.moved(a.level, qs.level)
    base_level = a.level.baseline_median if a.level else 0.0
    trending = (
        a.trend is not None
        and qs.trend is not None
        and ms.steady_trend(a.trend, base_level, qs.trend, percent=a.series.percent)
    )
    halted = a.stop is not None and qs.stop is not None and qs.stop < ALPHA
    full = saturated(a)
    if not (shifted or trending or full or halted):
        return []
    began = started(a, trending=trending, moved=shifted or full or halted)
    subject = Subject("resource", a.series.ref, role_of(a, began, onset, _direction(a, trending)))
    found = []
    if shifted and a.level is not None and qs.level is not None:
        found.append(_level_finding(a, a.level, qs.level, subject, began, onset, family))
    if halted and a.stop is not None and qs.stop is not None:
        found.append(_stop_finding(a, a.stop, qs.stop, subject, began, onset, family))
    if trending and a.trend is not None and qs.trend is not None:
        found.append(_trend_finding(a, a.trend, qs.trend, subject, began, family))
    if full:
        found.append(_saturation_finding(a, subject, began))
    return found


def _direction(a: Assessment, trending: bool) -> str:
    if trending and a.trend is not None:
        return "rose" if a.trend.slope > 0 else "fell"
    if a.stop is not None:
        return "fell"
    return a.level.direction if a.level else "rose"


def _stop_finding(
    a: Assessment,
    stop: ms.Stop,
    q: float,
    subject: Subject,
    began: datetime | None,
    onset: datetime | None,
    family: int,
) -> Finding:
    return Finding(
        id=f"resources:stopped:{a.series.name}",
        analyzer=Resources.id,
        kind="metric_stopped",
        question=QUESTION,
        statement=stop_statement(a, stop, q, began, onset),
        score=stats.strength(q, stop.lift),
        incident={"zero_bins": stop.incident_zero, "bins": stop.incident_n},
        baseline={"zero_bins": stop.baseline_zero, "bins": stop.baseline_n},
        test=Test("Fisher exact, one-sided", stop.p_value, q, family_size=family),
        effect=round(stop.lift, 3),
        effect_name="share of bins at zero, incident vs baseline",
        caveat="could be wrong if the work itself stopped arriving (no jobs queued, traffic "
        "moved elsewhere): check that its queue grew",
        subject=subject,
        evidence=_timing(began, onset) | {"series": a.series.name, "direction": "fell"},
    )


def _level_finding(
    a: Assessment,
    level: ms.LevelShift,
    q: float,
    subject: Subject,
    began: datetime | None,
    onset: datetime | None,
    family: int,
) -> Finding:
    return Finding(
        id=f"resources:shift:{a.series.name}",
        analyzer=Resources.id,
        kind="metric_shift",
        question=QUESTION,
        statement=level_statement(a, level, q, began, onset),
        score=stats.strength(q, abs(level.shift), min_effect=ms.MIN_SHIFT),
        incident={"median": level.incident_median, "bins": level.incident_n, "peak": a.peak},
        baseline={"median": level.baseline_median, "bins": level.baseline_n, "scale": level.scale},
        test=Test("Mann–Whitney U, two-sided", level.p_value, q, family_size=family),
        effect=round(level.shift, 3),
        effect_name="shift in robust SDs of the baseline (the smallest over its windows)",
        caveat=CAVEAT,
        subject=subject,
        evidence=_timing(began, onset) | {"series": a.series.name, "direction": level.direction},
    )


def _trend_finding(
    a: Assessment,
    trend: ms.Trend,
    q: float,
    subject: Subject,
    began: datetime | None,
    family: int,
) -> Finding:
    floor = (
        ms.MIN_TREND_POINTS
        if a.series.percent
        else ms.MIN_TREND_RISE * max(abs(a.level.baseline_median) if a.level else 0.0, 1e-9)
    )
    to_full = ms.hours_to_full(trend.level, trend.slope) if a.series.percent else None
    return Finding(
        id=f"resources:trend:{a.series.name}",
        analyzer=Resources.id,
        kind="metric_trend",
        question=QUESTION,
        statement=trend_statement(a, trend, q, began, to_full),
        score=stats.strength(q, abs(trend.rise) / floor, min_effect=1.0),
        incident={"level": trend.level, "samples": trend.n, "hours_to_full": to_full},
        baseline={"median": a.level.baseline_median if a.level else None},
        test=Test(
            "Mann–Kendall (Kendall's tau against time)", trend.p_value, q, family_size=family
        ),
        effect=round(trend.slope * 3600, 4),
        effect_name="Theil–Sen slope per hour",
        caveat=CAVEAT,
        subject=subject,
        evidence={"series": a.series.name, "started": _iso(began), "rise": round(trend.rise, 3)},
    )


def _saturation_finding(a: Assessment, subject: Subject, began: datetime | None) -> Finding:
    return Finding(
        id=f"resources:saturation:{a.series.name}",
        analyzer=Resources.id,
        kind="saturation",
        question=QUESTION,
        statement=saturation_statement(a),
        score=SATURATION_SCORE,
        incident={"peak": a.peak},
        baseline={"peak": a.baseline_peak},
        caveat="could be wrong if the limit is not 100 % for this metric (reserved blocks, "
        "memory the kernel reclaims)",
        subject=subject,
        evidence={"series": a.series.name, "started": _iso(began)},
    )


def _less_work(finding: Finding, fell: dict[str, float]) -> Finding:
    """A metric that fell where the traffic fell is a consequence: say so in its statement."""
    subject = finding.subject
    if subject is None or subject.kind != "resource" or finding.evidence.get("direction") != "fell":
        return finding
    host = subject.ref.partition(":")[0]
    ratio = fell.get(f"host:{host}")
    if ratio is None:
        return finding
    said = f" Requests on {host} fell too ({ratio:.2f}x the baseline): less work, not a cause."
    symptom = Subject(subject.kind, subject.ref, "symptom")
    return replace(finding, statement=finding.statement + said, subject=symptom)


def _shift(window: Window, days: int) -> Window:
    return Window(window.start - timedelta(days=days), window.end - timedelta(days=days), "earlier")


def _timing(began: datetime | None, onset: datetime | None) -> dict[str, object]:
    lead = (onset - began).total_seconds() if began and onset else None
    return {"started": _iso(began), "seconds_before_onset": lead}


def _iso(moment: datetime | None) -> str | None:
    from warroom.timeutil import iso_z

    return iso_z(moment) if moment else None


def _bh(p_values: list[float | None]) -> list[float | None]:
    present = [p for p in p_values if p is not None]
    q = iter(stats.benjamini_hochberg(present))
    return [next(q) if p is not None else None for p in p_values]


def _gap_notes(assessed: list[Assessment], incident: Window, bin_seconds: int) -> list[str]:
    notes = []
    for a in assessed:
        missing = metric_series.gaps(a.series, incident, bin_seconds)
        if missing > 1 - metric_series.MIN_COVERAGE:
            notes.append(f"{a.series.name}: no samples for {missing:.0%} of the incident window")
    return notes


def _facts(findings: list[Finding]) -> dict[str, object]:
    """The series that moved, farthest first, with their role (for later analyzers)."""
    moved = [f for f in findings if f.subject is not None and f.subject.kind == "resource"]
    return {
        "moved": [
            {"ref": f.subject.ref, "role": f.subject.role, "kind": f.kind, "score": f.score}
            for f in moved
            if f.subject is not None
        ]
    }
