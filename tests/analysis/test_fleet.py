from __future__ import annotations

from datetime import timedelta

import pandas as pd

from tests.analysis.changes_data import API, CHECKOUT, FLEET, WEB, fleet, nameless, store
from tests.analysis.synthetic import T0
from warroom.analysis.cohorts import groups_within
from warroom.analysis.context import AnalysisContext
from warroom.analysis.fleet import group_counts, service_of, short_host, topology
from warroom.analysis.windows import Window, make_windows

INCIDENT = T0 + timedelta(hours=1)


def _context(frame: pd.DataFrame) -> AnalysisContext:
    windows = make_windows(
        (INCIDENT, T0 + timedelta(hours=2)),
        baselines=None,
        data_start=T0,
        data_end=T0 + timedelta(hours=2),
        timezone="UTC",
        source="given",
    )
    return AnalysisContext(con=store(frame), windows=windows, row_counts={"events": 1})


def test_fleet_short_host_ignores_case_and_domain() -> None:
    assert short_host(" WEB-2.prod.example.com ") == "web-2"
    assert short_host("api-1") == "api-1"


def test_fleet_services_from_the_logs() -> None:
    topo = topology(_context(fleet(seed=41, hours=2)))
    assert topo.families == ()
    assert topo.hosts_by_service == {s: tuple(sorted(h)) for s, h in sorted(FLEET.items())}
    assert topo.hosts == tuple(sorted(WEB + API + CHECKOUT))


def test_fleet_services_from_host_names_when_the_logs_name_none() -> None:
    frame = nameless(fleet(seed=42, hours=2))
    # a uniquely named host and a lone numbered one are never taken for services
    frame.loc[frame.index[:50], "host"] = "db"
    frame.loc[frame.index[50:100], "host"] = "solo-1"
    frame.loc[frame.index[100:150], "host"] = "WEB-7.prod.example.com"
    ctx = _context(frame)
    topo = topology(ctx)
    assert topo.families == ("api", "checkout", "web")
    assert topo.hosts_by_service["web"] == ("WEB-7.prod.example.com", *sorted(WEB))
    assert "db" not in topo.hosts_by_service and "solo" not in topo.hosts_by_service
    events = ctx.table("events")
    named = events.mutate(service=service_of(events, topo.families))
    counts = dict(named.group_by("service").aggregate(n=named.count()).execute().values)
    assert counts["api"] == int(frame["host"].isin(API).sum())
    assert counts["web"] == int(frame["host"].isin([*WEB, "WEB-7.prod.example.com"]).sum())
    unnamed = [k for k in counts if not isinstance(k, str)]
    assert len(unnamed) == 1 and counts[unnamed[0]] == 100  # db and solo-1


def test_fleet_group_counts_by_service_and_within_one() -> None:
    frame = nameless(fleet(seed=43, hours=2))
    ctx = _context(frame)
    families = topology(ctx).families
    window = Window(INCIDENT, T0 + timedelta(hours=2), "incident")
    by_service = groups_within(group_counts(ctx, "service", window, families=families), None)
    assert [g.name for g in by_service] == ["api", "checkout", "web"]
    incident = frame["ts"] >= INCIDENT.replace(tzinfo=None)
    assert by_service[0].events == int((frame["host"].isin(API) & incident).sum())
    assert by_service[0].baseline_events == int((frame["host"].isin(API) & ~incident).sum())
    hosts = groups_within(group_counts(ctx, "host", window, families=families), "api")
    assert [g.name for g in hosts] == API
    assert sum(g.events for g in hosts) == by_service[0].events
