"""New, surged and vanished keys: counts per window compared as rates, with BH over the family.

Shared by the messages, stacks and dependencies analyzers. A key (a message template, a stack
fingerprint, an upstream name) is counted in the incident window and in the baseline; its rate
per second of covered time is compared with the exact Poisson rate-ratio test.

Traffic changes are taken out: when the volume of ordinary (non-error) lines per second rose by a
factor v > 1, a surge must beat v too (the incident exposure is scaled by v); when it fell
(v < 1), a decrease must go beyond v. So a busier evening does not make every line "surged",
and a quieter one does not make every line "vanished".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from warroom.analysis import signals, stats
from warroom.analysis.context import AnalysisContext, Params
from warroom.analysis.windows import Window

Direction = Literal["new", "surged", "vanished"]


@dataclass(frozen=True)
class Exposure:
    """Seconds of data in each period and the ordinary log volume behind them."""

    incident_seconds: float
    baseline_seconds: float
    incident_volume: int  # non-error events in the incident window
    baseline_volume: int

    @property
    def volume_ratio(self) -> float:
        """Ordinary events per second, incident over baseline (1.0 when unknown)."""
        if self.incident_volume <= 0 or self.baseline_volume <= 0:
            return 1.0
        incident = self.incident_volume / self.incident_seconds
        return incident / (self.baseline_volume / self.baseline_seconds)


@dataclass(frozen=True)
class KeyCount:
    key: str
    incident: int
    baseline: int


@dataclass(frozen=True)
class Shift:
    """One key whose rate changed significantly and materially."""

    key: str
    direction: Direction
    comparison: stats.RateComparison
    q_value: float
    family_size: int
    effect: float  # rate ratio for rises, its inverse for falls
    volume_factor: float  # the traffic adjustment applied to the incident exposure

    @property
    def score(self) -> float:
        return stats.strength(self.q_value, self.effect)


@dataclass(frozen=True)
class ShiftReport:
    shifts: list[Shift]
    tested_rises: int
    tested_falls: int


def exposure(ctx: AnalysisContext) -> Exposure | None:
    """Covered seconds per period (windows clipped to the data) and non-error volume.

    Several analyzers need it; it is computed once per investigation and kept in
    `ctx.facts["surge"]` (a helper's facts, next to the analyzers' own).
    """
    shared = ctx.facts.setdefault("surge", {})
    if "exposure" not in shared:
        shared["exposure"] = _exposure(ctx, ctx.table("events"))
    found: Exposure | None = shared["exposure"]
    return found


def _exposure(ctx: AnalysisContext, events: Any) -> Exposure | None:
    span = events.aggregate(low=events.ts.min(), high=events.ts.max()).execute()
    low, high = span["low"].iloc[0], span["high"].iloc[0]
    if low is None or str(low) == "NaT":
        return None
    data = Window(_aware(low), _aware(high) + timedelta(seconds=1), "data")
    incident = _covered(ctx.incident, data)
    baseline = sum(_covered(w, data) for w in ctx.baselines)
    if incident <= 0 or baseline <= 0:
        return None
    rows = events.mutate(period=ctx.period(events.ts), ok=(~signals.is_error(events)).cast("int64"))
    rows = rows.filter(rows.period.notnull())
    volume = rows.group_by("period").aggregate(n=rows.ok.sum()).execute()
    by = {r.period: int(r.n) for r in volume.itertuples()}
    return Exposure(incident, baseline, by.get("incident", 0), by.get("baseline", 0))


def shifts(
    counts: Sequence[KeyCount],
    exp: Exposure,
    *,
    params: Params,
    may_vanish: Callable[[KeyCount], bool] = lambda _: False,
) -> ShiftReport:
    """Test each key with enough events for a rise (and, where allowed, a fall); BH over all."""
    rises = [c for c in counts if c.incident >= params.min_events]
    falls = [c for c in counts if may_vanish(c) and _expected(c, exp) >= params.min_events]
    up = max(exp.volume_ratio, 1.0)
    down = min(exp.volume_ratio, 1.0)
    candidates = [(c, True) for c in rises] + [(c, False) for c in falls]
    tests = [_test(c, exp, up if rising else down, rising) for c, rising in candidates]
    q_values = stats.benjamini_hochberg([t.p_value for t in tests])
    found: list[Shift] = []
    for (count, rising), comparison, q in zip(candidates, tests, q_values, strict=True):
        effect = comparison.ratio if rising else 1.0 / comparison.ratio
        if q >= params.alpha or effect < params.min_ratio:
            continue
        direction: Direction = (
            "vanished" if not rising else ("new" if count.baseline == 0 else "surged")
        )
        factor = up if rising else down
        found.append(Shift(count.key, direction, comparison, q, len(tests), effect, factor))
    found.sort(key=lambda s: (-s.score, s.key))
    return ShiftReport(found, len(rises), len(falls))


def _test(count: KeyCount, exp: Exposure, factor: float, rising: bool) -> stats.RateComparison:
    return stats.rate_ratio(
        count.incident,
        exp.incident_seconds * factor,
        count.baseline,
        exp.baseline_seconds,
        alternative="greater" if rising else "less",
    )


def _expected(count: KeyCount, exp: Exposure) -> float:
    """Incident events the baseline rate predicts (traffic-adjusted)."""
    factor = min(exp.volume_ratio, 1.0)
    return count.baseline * exp.incident_seconds * factor / exp.baseline_seconds


def _covered(window: Window, data: Window) -> float:
    start, end = max(window.start, data.start), min(window.end, data.end)
    return max((end - start).total_seconds(), 0.0)


def _aware(value: Any) -> datetime:
    moment: datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
