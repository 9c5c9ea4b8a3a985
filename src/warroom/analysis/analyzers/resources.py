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

from dataclasses import replace
from datetime import datetime, timedelta

from warroom.analysis import metric_series, resource_changes, stats
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Finding, Subject
from warroom.analysis.resource_checks import SEASONAL_DAYS, Assessment, assess
from warroom.analysis.resource_findings import QUESTION, Qs, findings
from warroom.analysis.windows import Window
from warroom.timeutil import iso_z

MAX_ORDERED = 6  # series named in the "moved first" statement
LOOKBACK = timedelta(hours=12)  # a leak takes hours: look that far back for the knee


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
        bins = loaded.bin_seconds
        assessed = [
            assess(s, incident=ctx.incident, baselines=ctx.baselines, lead=lead, bin_seconds=bins)
            for s in loaded.series
        ]
        result.notes += _gap_notes(assessed, ctx.incident, loaded.bin_seconds)
        level_q = _bh([a.level.p_value if a.level else None for a in assessed])
        trend_q = _bh([a.trend.p_value if a.trend else None for a in assessed])
        stop_q = _bh([a.stop.p_value if a.stop else None for a in assessed])
        restart_q = _bh([a.restarts.p_value if a.restarts else None for a in assessed])
        for a, *qs in zip(assessed, level_q, trend_q, stop_q, restart_q, strict=True):
            result.findings += findings(a, Qs(*qs), onset=onset, family=len(assessed))
        hosts_by_metric: dict[str, set[str]] = {}
        for s in loaded.series:
            hosts_by_metric.setdefault(s.metric, set()).add(s.host)
        result.findings += resource_changes.link(ctx, result.findings, hosts_by_metric)
        fell = ctx.facts.get("traffic", {}).get("fell", {})
        result.findings = [_less_work(f, fell) for f in result.findings]
        result.findings.sort(key=lambda f: (-f.score, f.id))
        result.facts = _facts(result.findings)
        order = _order(result.findings, ctx.facts.get("onset", {}).get("at"))
        result.findings += [order] if order else []
        if not result.findings:
            result.notes.append(f"none of {len(assessed)} metric series moved materially")
        return result


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


def _order(findings: list[Finding], onset: datetime | None) -> Finding | None:
    """Which series moved first: the order of their starts, the onset among them (context)."""
    starts: dict[str, str] = {}
    for f in findings:
        started = f.evidence.get("started")
        if f.subject is not None and f.analyzer == Resources.id and started:
            series = str(f.evidence.get("series", f.subject.ref))
            starts[series] = min(starts.get(series, started), started)
    if len(starts) < 2:
        return None
    ordered = sorted(starts.items(), key=lambda item: (item[1], item[0]))
    steps = [f"{series} at {at}" for series, at in ordered[:MAX_ORDERED]]
    said = f"; the errors started at {iso_z(onset)}" if onset else ""
    return Finding(
        id="resources:order",
        analyzer=Resources.id,
        kind="moved_first",
        question="Which resource moved first?",
        statement=f"{len(starts)} series moved; in order: {', then '.join(steps)}{said}.",
        score=0.0,
        evidence={"order": [{"series": s, "started": at} for s, at in ordered]},
    )


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
