"""Clues that say a failure has a broader cause than what an analyzer points at.

An endpoint or a dependency that fails *because* a deploy broke it is a symptom, not the cause.
These helpers give analyzers the onset (from the onset analyzer, else the window start) and the
deploy-like changes that landed just before it to a service that is failing — one whose own
events fail, or whose errors rose at least twofold — so that they can mark their subject as
context and say why. A change that names no service counts for every service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from warroom.analysis import signals, stats
from warroom.analysis.context import AnalysisContext
from warroom.analysis.windows import Window

CHANGE_LEAD = timedelta(minutes=30)  # a deploy rolls out and bites within minutes
CHANGE_LAG = timedelta(minutes=2)  # clock skew between the change log and the app logs
DEPLOY_LIKE = ("deploy", "rollback", "config", "feature_flag", "migration", "infra")
FAILING_P = 0.01


@dataclass(frozen=True)
class NearbyChange:
    id: str
    type: str
    service: str | None
    at: datetime

    def describe(self) -> str:
        what = f"{self.type} of {self.service}" if self.service else self.type
        return f"{what} ({self.id}) at {self.at.strftime('%H:%M:%S')}"


def onset_or_start(ctx: AnalysisContext) -> datetime:
    """When errors started: the onset analyzer's answer, else the incident window's start."""
    at = ctx.facts.get("onset", {}).get("at")
    return at if isinstance(at, datetime) else ctx.incident.start


def changes_before(
    ctx: AnalysisContext, *, at: datetime, services: Sequence[str] = ()
) -> list[NearbyChange]:
    """Deploy-like changes in [at - 30 min, at + 2 min] to one of `services` (or to any service
    when none is given; a change that names no service counts for every service)."""
    if not ctx.has("changes"):
        return []
    changes = ctx.table("changes")
    around = Window(at - CHANGE_LEAD, at + CHANGE_LAG, "before the onset")
    rows = changes.filter(ctx.in_window(changes.ts, around) & changes.type.isin(DEPLOY_LIKE))
    if services:
        rows = rows.filter(rows.service.isnull() | rows.service.isin(list(services)))
    found = rows.select("id", "type", "service", "ts").order_by(["ts", "id"]).execute()
    return [
        NearbyChange(str(r.id), str(r.type), _text(r.service), _aware(r.ts))
        for r in found.itertuples()
    ]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None  # NULL arrives as None or NaN


def _aware(value: Any) -> datetime:
    moment: datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def services_of(rows: Any) -> list[str]:
    """The distinct services an Ibis table of events names, sorted."""
    named = rows.filter(rows.service.notnull()).select("service").distinct()
    return sorted(str(s) for s in named.execute()["service"])


def failing_services(ctx: AnalysisContext, events: Any) -> list[str]:
    """Services whose errors per second rose at least twofold in the incident, with p < 0.01.

    `events` is the events table: the answer depends on the investigation only, so it is
    computed once (http and dependencies ask once per finding) and kept in `ctx.memo`."""
    return list(ctx.remember("nearby.failing_services", lambda: _failing_services(ctx, events)))


def _failing_services(ctx: AnalysisContext, events: Any) -> list[str]:
    rows = events.filter(events.service.notnull() & signals.is_error(events))
    rows = rows.mutate(period=ctx.period(rows.ts))
    rows = rows.filter(rows.period.notnull())
    counts = rows.group_by(["service", "period"]).aggregate(n=rows.count()).execute()
    by: dict[str, dict[str, int]] = {}
    for row in counts.itertuples():
        by.setdefault(str(row.service), {})[row.period] = int(row.n)
    base_seconds = ctx.windows.baseline_seconds
    failing = []
    for service, periods in sorted(by.items()):
        incident = periods.get("incident", 0)
        if incident < ctx.params.min_events or base_seconds <= 0:
            continue
        c = stats.rate_ratio(
            incident, ctx.incident.seconds, periods.get("baseline", 0), base_seconds
        )
        if c.p_value < FAILING_P and c.ratio >= ctx.params.min_ratio:
            failing.append(service)
    return failing


def change_before_onset(ctx: AnalysisContext, events: Any, rows: Any) -> NearbyChange | None:
    """The first deploy-like change just before the onset to a service of `rows` (the events an
    analyzer blames) or to a failing service; None when there is none."""
    if not ctx.has("changes"):
        return None
    services = sorted({*services_of(rows), *failing_services(ctx, events)})
    found = changes_before(ctx, at=onset_or_start(ctx), services=services)
    return found[0] if found else None
