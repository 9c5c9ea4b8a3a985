"""Traffic: did request volume spike or drop, and before or after the errors started?

Detects: request volume per service, per route (`METHOD /path` with ids as `{id}`) and per host in
the incident window against the baseline (the hour just before and the same hours on previous
days): exact Poisson rate ratio in both directions, BH over every group, and the ratio against
each baseline window on its own, which must clear the floor too (so the daily rush is no spike).
A route whose volume stepped up before the onset is a candidate cause (kind `endpoint`: a flood
of one request can take a service down); a spike that follows the onset (retries) or any drop
after it is a symptom; service and host volumes are context (the contract has no service
suspect). Facts for `resources`: the hosts and services whose traffic fell or rose, so that a
CPU drop there reads as a consequence.
Needs: events with HTTP requests (a status or a method).
Known false positives: a marketing campaign or a batch client that legitimately doubles one
route's volume just before an unrelated failure.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from warroom.analysis import stats
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Finding, Role, Subject, Test
from warroom.analysis.volume import DIMENSIONS, Volume, bins_for, compare, volume_counts
from warroom.analysis.window_requests import around_incident
from warroom.analysis.windows import Window
from warroom.analysis.wording import q_text
from warroom.timeutil import format_duration, iso_z

GRACE = timedelta(minutes=2)
FADE = timedelta(minutes=30)  # a spike long before the onset weighs less
QUESTION = "Did request volume spike or drop, and before or after the errors started?"


class Traffic:
    id = "traffic:v1"
    title = "Traffic"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ("onset",)

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        if not ctx.baselines:
            return AnalyzerResult(notes=["no baseline window: request volume was not compared"])
        around = around_incident(ctx.incident)
        bin_seconds = bins_for(around)
        counts = volume_counts(ctx, around, bin_seconds)
        if counts.empty:
            return AnalyzerResult(notes=["no HTTP requests in the logs: traffic not analysed"])
        volumes = _volumes(ctx, counts, around, bin_seconds)
        qs = stats.benjamini_hochberg([v.p_value for v in volumes])
        onset = ctx.facts.get("onset", {}).get("at")
        result = AnalyzerResult()
        for volume, q in zip(volumes, qs, strict=True):
            if _material(volume, q, ctx):
                result.findings.append(_finding(volume, q, onset, len(volumes)))
        result.findings.sort(key=lambda f: (-f.score, f.id))
        result.facts = _facts(result.findings)
        if not result.findings:
            result.notes.append(f"request volume steady in all {len(volumes)} groups")
        return result


def _volumes(ctx: AnalysisContext, counts: Any, around: Window, bin_seconds: int) -> list[Volume]:
    found = []
    for (dimension, key), rows in counts.groupby(["dimension", "key"], sort=True):
        volume = compare(
            str(dimension),
            str(key),
            rows["t"].to_numpy(dtype=float),
            rows["n"].to_numpy(dtype=float),
            incident=ctx.incident,
            baselines=ctx.baselines,
            around=around,
            bin_seconds=bin_seconds,
        )
        if volume is not None:
            found.append(volume)
    return sorted(found, key=lambda v: (DIMENSIONS.index(v.dimension), v.key))


def _material(volume: Volume, q: float, ctx: AnalysisContext) -> bool:
    """Significant, at least a doubling (or halving) against every window, and enough events."""
    size = max(volume.consistent, 1 / volume.consistent)
    expected = volume.baseline * volume.incident_seconds / volume.baseline_seconds
    enough = max(volume.incident, expected) >= ctx.params.min_events
    return q < ctx.params.alpha and size >= ctx.params.min_ratio and enough


def _role(volume: Volume, onset: datetime | None) -> tuple[Role, float]:
    """A route's spike before the onset may be the cause; what follows the onset is a symptom."""
    if onset is None or volume.began is None:
        return "context", 1.0
    # A drop at the onset is the failure showing (clients give up); a spike then is retries.
    follows = (
        volume.began >= onset - GRACE
        if volume.direction == "fell"
        else volume.began > onset + GRACE
    )
    if follows:
        return "symptom", 1.0
    if volume.dimension != "route" or volume.direction != "rose":
        return "context", 1.0
    lead = onset - volume.began
    return "cause", 1.0 if lead <= FADE else float(FADE / lead)


def _finding(volume: Volume, q: float, onset: datetime | None, family: int) -> Finding:
    role, timing = _role(volume, onset)
    size = max(volume.consistent, 1 / volume.consistent)
    kind = "endpoint" if volume.dimension == "route" else "host"
    subject = Subject(kind, volume.key, role) if volume.dimension != "service" else None
    spike = volume.direction == "rose"
    return Finding(
        id=f"traffic:{'spike' if spike else 'drop'}:{volume.dimension}:{volume.key}",
        analyzer=Traffic.id,
        kind="traffic_spike" if spike else "traffic_drop",
        question=QUESTION,
        statement=_statement(volume, q, onset),
        score=round(stats.strength(q, size) * timing, 4),
        incident={"requests": volume.incident, "seconds": volume.incident_seconds},
        baseline={"requests": volume.baseline, "seconds": volume.baseline_seconds},
        test=Test(
            "Poisson rate ratio (conditional binomial), two-sided",
            volume.p_value,
            q,
            family_size=family,
        ),
        effect=round(volume.consistent, 4),
        effect_name="request rate ratio, incident vs the closest baseline window",
        caveat="could be wrong if the traffic change was planned (a campaign, a batch client, "
        "a load balancer drain)",
        subject=subject,
        evidence={
            "dimension": volume.dimension,
            "key": volume.key,
            "began": iso_z(volume.began) if volume.began else None,
            "role": role,
        },
    )


def _statement(volume: Volume, q: float, onset: datetime | None) -> str:
    rate_in = volume.incident * 60 / volume.incident_seconds
    rate_base = volume.baseline * 60 / volume.baseline_seconds
    what = {"service": "service", "route": "requests to", "host": "requests on"}[volume.dimension]
    when = ""
    if volume.began is not None:
        when = f"; it changed at {iso_z(volume.began)}"
        if onset is not None:
            gap = onset - volume.began
            side = "before" if gap >= timedelta(0) else "after"
            when += f", {format_duration(abs(gap))} {side} the onset"
    ratio = (
        "new in the incident"
        if volume.baseline == 0
        else f"{volume.ratio:.3g}x, {volume.consistent:.3g}x against the closest baseline window"
    )
    return (
        f"Traffic of {what} {volume.key} {volume.direction}: {volume.incident:,} requests in "
        f"the incident window ({rate_in:.1f}/min) vs {volume.baseline:,} in the baseline "
        f"({rate_base:.1f}/min): {ratio} ({q_text(q)}){when}."
    )


def _facts(findings: list[Finding]) -> dict[str, object]:
    facts: dict[str, dict[str, float]] = {"fell": {}, "rose": {}}
    for f in findings:
        side = "rose" if f.kind == "traffic_spike" else "fell"
        key = f"{f.evidence['dimension']}:{f.evidence['key']}"
        facts[side][key] = float(f.effect or np.nan)
    return dict(facts)
