"""The fleet the logs describe: its hosts, its services, and which hosts serve which service.

Services come from the events' `service` field. Where the logs name none (access logs, a bare
application log per host folder), a host's service is the family its name belongs to: `api-3`
and `api-12` are `api`, `web_2` is `web` (the trailing number and its separator dropped). A
family counts only when at least two hosts share it, so a uniquely named host (`db`, `frontend`)
is never mistaken for a service of its own. The rule is one Ibis expression (`service_of`), used
by every query that groups or filters by service, so the spread and changes analyzers agree.

Also the groups the spread analyzer compares (hosts, containers, services, versions from an
`attrs` version field): `group_counts` gives each group's errors and events in the incident and
the baseline, in one aggregate per dimension; `Peers.where` selects one group's events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis

from warroom.analysis import signals
from warroom.analysis.context import AnalysisContext
from warroom.analysis.windows import Window

VERSION_KEYS = ("version", "app.version", "service.version", "app_version", "release")
_DOMAIN = r"\..*$"
_NUMBERED = r"[-_.]?[0-9]+$"


def short_host(name: str) -> str:
    """`WEB-2.prod.example.com` -> `web-2`: how host names are compared across sources."""
    return name.strip().lower().split(".", 1)[0]


def host_family(host: Any) -> Any:
    """Ibis string: the name without its domain and trailing number (`api-3` -> `api`)."""
    return host.lower().re_replace(_DOMAIN, "").re_replace(_NUMBERED, "")


def service_of(events: Any, families: Sequence[str]) -> Any:
    """Ibis string: the event's service, else its host's family when that family is a service."""
    if not families:
        return events.service
    family = host_family(events.host)
    named = ibis.ifelse(family.isin(list(families)), family, ibis.null("string"))
    return ibis.coalesce(events.service, named)


@dataclass(frozen=True)
class Topology:
    """The hosts and services the logs name, and which hosts serve which service."""

    hosts: tuple[str, ...]
    hosts_by_service: Mapping[str, tuple[str, ...]]
    families: tuple[str, ...] = ()  # host families standing in for services the logs omit

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(sorted(self.hosts_by_service))


def topology(ctx: AnalysisContext) -> Topology:
    """One small aggregate: every (host, service, family) the events carry. Computed once per
    investigation (the spread and changes analyzers both ask; it is a scan of every event)."""
    return ctx.remember("fleet.topology", lambda: _topology(ctx))


def _topology(ctx: AnalysisContext) -> Topology:
    events = ctx.table("events")
    pairs = events.filter(events.host.notnull()).select("host", "service").distinct()
    rows = pairs.mutate(family=host_family(pairs.host)).execute()  # the regex on few rows
    triples = [
        (str(r.host), r.service if isinstance(r.service, str) else None, str(r.family))
        for r in rows.itertuples()
    ]
    families = _families(triples)
    by_service: dict[str, set[str]] = {}
    for host, service, family in triples:
        effective = service or (family if family in families else None)
        if effective is not None:
            by_service.setdefault(effective, set()).add(host)
    return Topology(
        hosts=tuple(sorted({host for host, _, _ in triples})),
        hosts_by_service={s: tuple(sorted(h)) for s, h in sorted(by_service.items())},
        families=families,
    )


def _families(triples: Sequence[tuple[str, str | None, str]]) -> tuple[str, ...]:
    """Families of hosts that log without a service, shared by at least two hosts."""
    unnamed: dict[str, set[str]] = {}
    for host, service, family in triples:
        if service is None and family and family != host.lower():
            unnamed.setdefault(family, set()).add(host)
    return tuple(sorted(f for f, hosts in unnamed.items() if len(hosts) >= 2))


@dataclass(frozen=True)
class Peers:
    """Groups compared with each other: one dimension, within one service or across all."""

    dimension: str
    scope: str | None
    families: tuple[str, ...]  # host families standing in for services the logs omit (fleet.py)

    def where(self, name: str) -> Any:
        """Ibis predicate builder: the events of group `name` among these peers."""

        def inside(events: Any) -> Any:
            mine = group_key(events, self.dimension, self.families) == name
            service = service_of(events, self.families)
            return mine if self.scope is None else mine & (service == self.scope)

        return inside


def group_key(events: Any, dimension: str, families: Sequence[str]) -> Any:
    """Ibis expression naming each event's group: a column, its service, or its `attrs` version."""
    if dimension == "version":
        return ibis.coalesce(*(events.attrs.get(k) for k in VERSION_KEYS))
    if dimension == "service":
        return service_of(events, families)
    return events[dimension]


def group_counts(
    ctx: AnalysisContext, dimension: str, window: Window, *, families: Sequence[str]
) -> list[tuple[str | None, str, str, int, int]]:
    """(service, group, period, errors, events) rows, period 'incident' or 'baseline'.

    Every dimension is read from one aggregate per (service, host, container, version, period),
    counted in one scan of the events and kept for the investigation (the spread analyzer asks
    for four dimensions)."""
    column = {"service": 0, "host": 1, "container": 2, "version": 3}[dimension]
    totals: dict[tuple[str | None, str, str], list[int]] = {}
    for row in _cohort_counts(ctx, window, families):
        key = row[column]
        if key is None:
            continue
        slot = totals.setdefault((row[0], str(key), row[4]), [0, 0])
        slot[0] += int(row[5])
        slot[1] += int(row[6])
    return [(service, key, period, e, n) for (service, key, period), (e, n) in totals.items()]


def _cohort_counts(ctx: AnalysisContext, window: Window, families: Sequence[str]) -> list[Any]:
    """(service, host, container, version, period, errors, events) rows (NULL as None)."""
    memo = f"fleet.cohorts:{window.start.isoformat()}/{window.end.isoformat()}:{list(families)}"
    return ctx.remember(memo, lambda: _count_cohorts(ctx, window, families))


def _count_cohorts(ctx: AnalysisContext, window: Window, families: Sequence[str]) -> list[Any]:
    events = ctx.table("events")
    period = ibis.cases(
        (ctx.in_window(events.ts, window), "incident"),
        (ctx.in_baseline(events.ts), "baseline"),
        else_=None,
    )
    rows = events.mutate(
        service=service_of(events, families),
        version=group_key(events, "version", families),
        period=period,
        err=signals.is_error(events).cast("int64"),
    )
    rows = rows.filter(rows.period.notnull())
    grouped = rows.group_by(["service", "host", "container", "version", "period"]).aggregate(
        e=rows.err.sum(), n=rows.count()
    )
    return list(ctx.con.execute(ibis.to_sql(grouped, dialect="duckdb")).fetchall())
