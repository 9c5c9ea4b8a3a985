"""The resources analyzer's findings: one per kind of evidence about one metric series.

`findings` turns one series' assessment (resource_checks.py) and its q-values into findings:
a level shift, a fall to zero, a lead-up trend, saturation. All share one subject, whose role
(cause or symptom) comes from when the series started to move against the onset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.analysis import metric_stats as ms
from warroom.analysis import stats
from warroom.analysis.finding import Finding, Subject, Test
from warroom.analysis.resource_checks import (
    Assessment,
    dependency_of,
    role_of,
    saturated,
    started,
)
from warroom.analysis.resource_text import (
    level_statement,
    restart_statement,
    saturation_statement,
    stop_statement,
    trend_statement,
)
from warroom.analysis.stats import ALPHA
from warroom.timeutil import iso_z

ANALYZER = "resources:v1"
SATURATION_SCORE = 0.4  # a full disk or memory supports a suspect; alone it is a clue
QUESTION = "Which resources moved, which moved first, and is anything full?"
CAVEAT = (
    "could be wrong if the metric has a cycle the baseline days do not show (weekly jobs), "
    "or if the host was replaced and its new series starts from another level"
)


@dataclass(frozen=True)
class Qs:
    """One series' q-values, each corrected over every series (BH per kind of test)."""

    level: float | None
    trend: float | None
    stop: float | None
    restarts: float | None


def findings(a: Assessment, qs: Qs, *, onset: datetime | None, family: int) -> list[Finding]:
    shifted = a.level is not None and qs.level is not None and ms.moved(a.level, qs.level)
    base_level = a.level.baseline_median if a.level else 0.0
    trending = (
        a.trend is not None
        and qs.trend is not None
        and ms.steady_trend(a.trend, base_level, qs.trend, percent=a.series.percent)
    )
    halted = a.stop is not None and qs.stop is not None and qs.stop < ALPHA
    full = saturated(a)
    restarted = (
        a.restarts is not None
        and qs.restarts is not None
        and qs.restarts < ALPHA
        and a.restarts.ratio >= stats.MIN_RATIO
    )
    if not (shifted or trending or full or halted or restarted):
        return []
    began = started(a, trending=trending, moved=shifted or full or halted) or a.first_restart
    role = role_of(a, began, onset, _direction(a, trending))
    upstream = dependency_of(a.series)
    subject = (
        Subject("dependency", upstream, role)
        if upstream
        else Subject("resource", a.series.ref, role)
    )
    found = []
    if shifted and a.level is not None and qs.level is not None:
        found.append(_level_finding(a, a.level, qs.level, subject, began, onset, family))
    if halted and a.stop is not None and qs.stop is not None:
        found.append(_stop_finding(a, a.stop, qs.stop, subject, began, onset, family))
    if trending and a.trend is not None and qs.trend is not None:
        found.append(_trend_finding(a, a.trend, qs.trend, subject, began, family))
    if full:
        found.append(_saturation_finding(a, subject, began))
    if restarted and a.restarts is not None and qs.restarts is not None:
        found.append(_restart_finding(a, a.restarts, qs.restarts, subject, began, family))
    return found


def _restart_finding(
    a: Assessment,
    test: stats.RateComparison,
    q: float,
    subject: Subject,
    began: datetime | None,
    family: int,
) -> Finding:
    return Finding(
        id=f"resources:restarts:{a.series.name}",
        analyzer=ANALYZER,
        kind="restarts",
        question=QUESTION,
        statement=restart_statement(a, test, q, began),
        score=stats.strength(q, test.ratio),
        incident={"restarts": test.incident_count, "seconds": test.incident_exposure},
        baseline={"restarts": test.baseline_count, "seconds": test.baseline_exposure},
        test=Test(
            "Poisson rate ratio (conditional binomial), one-sided",
            test.p_value,
            q,
            family_size=family,
        ),
        effect=round(test.ratio, 3),
        effect_name="restart rate ratio, incident vs baseline",
        caveat="could be wrong if the restarts were deliberate (a rollout restarts every pod)",
        subject=subject,
        evidence={"series": a.series.name, "started": _iso(began)},
    )


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
        analyzer=ANALYZER,
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
        analyzer=ANALYZER,
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
        analyzer=ANALYZER,
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
        analyzer=ANALYZER,
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


def _timing(began: datetime | None, onset: datetime | None) -> dict[str, object]:
    lead = (onset - began).total_seconds() if began and onset else None
    return {"started": _iso(began), "seconds_before_onset": lead}


def _iso(moment: datetime | None) -> str | None:
    return iso_z(moment) if moment else None
