"""Plain statements for the resources analyzer's findings, numbers on both sides."""

from __future__ import annotations

from datetime import datetime

from warroom.analysis import metric_stats as ms
from warroom.analysis import stats
from warroom.analysis.resource_checks import Assessment
from warroom.analysis.wording import q_text
from warroom.timeutil import format_duration, iso_z


def _num(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _what(a: Assessment) -> str:
    unit = " (per second)" if a.series.counter else ""
    labels = f" [{a.series.labels}]" if a.series.labels else ""
    return f"{a.series.metric}{unit}{labels} on {a.series.host}"


def _when(began: datetime | None, onset: datetime | None) -> str:
    if began is None:
        return ""
    if onset is None:
        return f"; it started to move at {iso_z(began)}"
    gap = onset - began
    side = "before" if gap.total_seconds() >= 0 else "after"
    return f"; it started to move at {iso_z(began)}, {format_duration(abs(gap))} {side} the onset"


def level_statement(
    a: Assessment, level: ms.LevelShift, q: float, began: datetime | None, onset: datetime | None
) -> str:
    where = "above" if level.shift > 0 else "below"
    return (
        f"{_what(a)} {level.direction} from a median of {_num(level.baseline_median)} "
        f"(baseline, {level.baseline_n} bins) to {_num(level.incident_median)} "
        f"(incident, {level.incident_n} bins), {abs(level.shift):.1f} robust SDs {where} "
        f"every baseline window (Mann–Whitney p = {level.p_value:.2g}, {q_text(q)})"
        f"{_when(began, onset)}."
    )


def stop_statement(
    a: Assessment, stop: ms.Stop, q: float, began: datetime | None, onset: datetime | None
) -> str:
    before = a.level.baseline_median if a.level else None
    return (
        f"{_what(a)} fell to zero: {stop.incident_zero} of {stop.incident_n} incident bins at "
        f"zero vs {stop.baseline_zero} of {stop.baseline_n} in the baseline (median "
        f"{_num(before)}; Fisher p = {stop.p_value:.2g}, {q_text(q)}){_when(began, onset)}."
    )


def restart_statement(
    a: Assessment, test: stats.RateComparison, q: float, began: datetime | None
) -> str:
    first = f"; the first at {iso_z(began)}" if began else ""
    return (
        f"{a.series.metric} on {a.series.host}: {test.incident_count} restarts in the incident "
        f"window ({test.incident_exposure / 3600:.1f} h) vs {test.baseline_count} in the "
        f"baseline ({test.baseline_exposure / 3600:.1f} h), {test.ratio:.3g}x the rate "
        f"(Poisson rate ratio p = {test.p_value:.2g}, {q_text(q)}){first}."
    )


def trend_statement(
    a: Assessment, trend: ms.Trend, q: float, began: datetime | None, to_full: float | None
) -> str:
    verb = "climbed" if trend.slope > 0 else "fallen"
    since = f" since {iso_z(began)}" if began else ""
    full = f"; at this rate it is full in {to_full:.1f} h" if to_full is not None else ""
    return (
        f"{_what(a)} has {verb} steadily{since}: {_num(trend.slope * 3600)} per hour "
        f"(Theil–Sen), {_num(trend.rise)} in all, to {_num(trend.level)} "
        f"(Mann–Kendall tau = {trend.tau:.2f}, p = {trend.p_value:.2g}, {q_text(q)}){full}."
    )


def saturation_statement(a: Assessment) -> str:
    before = _num(a.baseline_peak) if a.baseline_peak is not None else "no data"
    return (
        f"{_what(a)} reached {_num(a.peak)} % in the incident (at or above "
        f"{90:.0f} %), against a peak of {before} % in the baseline windows."
    )
