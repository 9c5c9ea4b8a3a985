from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.analysis.changes_data import (
    API,
    FLEET,
    ONSET,
    WEB,
    between,
    errors_in,
    fleet,
    nameless,
    store,
)
from tests.analysis.synthetic import T0
from warroom.analysis.context import AnalysisContext
from warroom.analysis.fleet import Topology, topology
from warroom.analysis.scope import (
    OFF_SCOPE,
    OTHER_SERVICE,
    UNSCOPED,
    change_slice,
    counts_between,
    error_examples,
    scope_match,
    timing_weight,
)
from warroom.analysis.windows import Window, make_windows

TOPO = Topology(
    hosts=tuple(sorted(h for hosts in FLEET.values() for h in hosts)),
    hosts_by_service={s: tuple(sorted(h)) for s, h in sorted(FLEET.items())},
)


def test_scope_change_slice_listed_hosts_service_or_everything() -> None:
    listed = change_slice(TOPO, hosts=["WEB-2.prod.example.com", "web-5"], service="web")
    assert listed.hosts == ("web-2", "web-5") and listed.service == "web"
    assert listed.reach == {"web-2", "web-5"} and listed.label == "web-2, web-5 (web)"
    service = change_slice(TOPO, hosts=[], service="api")
    assert service.hosts is None and service.reach == set(API)
    assert service.label == "api (all 3 hosts)" and service.has_peers
    everything = change_slice(TOPO, hosts=[], service="payments-db")
    assert everything.service is None and everything.reach == set(TOPO.hosts)
    assert not everything.has_peers
    unseen = change_slice(TOPO, hosts=["db-1"], service="checkout")
    assert unseen.label == "checkout (both hosts) (db-1 not in the logs)"


def test_scope_timing_weight_fades_with_age_and_stops_after_the_onset() -> None:
    assert timing_weight(timedelta(minutes=-3)) == 0.0
    assert timing_weight(timedelta(seconds=-60)) == 1.0  # within the onset's uncertainty
    assert timing_weight(timedelta(minutes=10)) == 1.0
    assert timing_weight(timedelta(hours=1)) == pytest.approx(0.5)
    assert timing_weight(timedelta(hours=3)) == pytest.approx(1 / (1 + 165 / 45))
    assert timing_weight(timedelta(hours=2)) < timing_weight(timedelta(minutes=30))


def test_scope_match_against_the_spread() -> None:
    canary = change_slice(TOPO, hosts=["web-2", "web-5"], service="web")
    web = change_slice(TOPO, hosts=[], service="web")
    spread = {"hosts": ["web-2", "web-5"], "services": ["web"], "versions": []}
    exact = scope_match(canary, version=None, spread=spread)
    assert exact.weight == 1.0 and exact.explains == ("web-2", "web-5")
    silent = change_slice(TOPO, hosts=["web-2", "web-5", "web-6"], service="web")
    observed = {**spread, "observed_hosts": sorted(set(TOPO.hosts) - {"web-6"})}
    assert scope_match(silent, version=None, spread=observed).explains == ("web-2", "web-5")
    assert scope_match(silent, version=None, spread=spread).weight == pytest.approx(2 / 3)
    wide = scope_match(web, version=None, spread=spread)
    assert wide.weight == pytest.approx(2 / 6) and wide.explains == ()
    assert "it reached 6 hosts, of which 2 fail" in wide.why
    api = change_slice(TOPO, hosts=[], service="api")
    assert scope_match(api, version=None, spread=spread).weight == OFF_SCOPE
    by_service = {"hosts": [], "services": ["api"], "versions": []}
    assert scope_match(api, version=None, spread=by_service).weight == 1.0
    assert scope_match(web, version=None, spread=by_service).weight == OTHER_SERVICE
    anywhere = change_slice(TOPO, hosts=[], service=None)
    assert scope_match(anywhere, version=None, spread=by_service).weight == UNSCOPED
    versioned = {"hosts": [], "services": ["api"], "versions": ["2.14.0"]}
    match = scope_match(web, version="2.14.0", spread=versioned)
    assert match.weight == 1.0 and "version 2.14.0" in match.why
    unknown = scope_match(web, version=None, spread={})
    assert unknown.weight == 1.0 and "the spread analysis did not run" in unknown.why
    everywhere = scope_match(web, version=None, spread={"hosts": [], "services": []})
    assert everywhere.why == "the errors are not confined to one service or host"


def _context(con: object) -> AnalysisContext:
    windows = make_windows(
        (ONSET, T0 + timedelta(hours=6)),
        baselines=None,
        data_start=T0,
        data_end=T0 + timedelta(hours=6),
        timezone="UTC",
        source="given",
    )
    return AnalysisContext(con=con, windows=windows, row_counts={"events": 1})


def test_scope_counts_slices_in_windows_like_pandas() -> None:
    frame = fleet(seed=7)
    con = store(frame)
    ctx = _context(con)
    web = change_slice(topology(ctx), hosts=["web-1", "web-2"], service="web")
    after = Window(ONSET, T0 + timedelta(hours=6), "after")
    before = Window(ONSET - timedelta(hours=1), ONSET, "before")
    counts = counts_between(ctx, [after.start, after.end, before.start], dominant="HTTP 500")
    on_web = frame["host"].isin(["web-1", "web-2"]) & (frame["service"] == "web")
    peers = frame["host"].isin(WEB) & ~frame["host"].isin(["web-1", "web-2"])
    mine = counts.tally(web.covers, after)
    assert (mine.errors, mine.events) == errors_in(frame, on_web & between(frame, *_edges(after)))
    earlier = counts.tally(web.covers, before)
    assert (earlier.errors, earlier.events) == errors_in(
        frame, on_web & between(frame, *_edges(before))
    )
    others = counts.tally(web.neighbours, after)
    assert (others.errors, others.events) == errors_in(
        frame, peers & between(frame, *_edges(after))
    )
    # every background error is a bare HTTP 500 with no exception: the signature counts them all
    assert mine.signature == mine.errors > 0
    with pytest.raises(ValueError, match="not on the edges: not on the counted edges"):
        counts.tally(web.covers, Window(ONSET, ONSET + timedelta(minutes=1), "not on the edges"))


def _edges(window: Window) -> tuple[datetime, datetime]:
    return window.start, window.end


@pytest.mark.parametrize("named", [True, False])
@pytest.mark.parametrize(
    ("hosts", "service"),
    [(["web-1", "web-2"], "web"), (["api-3"], None), ([], "checkout"), ([], None)],
)
def test_scope_python_and_engine_slices_agree(
    hosts: list[str], service: str | None, named: bool
) -> None:
    """`covers`/`neighbours` (on aggregates) and `where`/`others` (in the engine) are one rule,
    with services from the logs or from the hosts' names."""
    con = store(fleet(seed=9, hours=1) if named else nameless(fleet(seed=9, hours=1)))
    ctx = _context(con)
    topo = topology(ctx)
    assert bool(topo.families) is not named
    reached = change_slice(topo, hosts=hosts, service=service)
    events = ctx.table("events")
    start, end = T0, T0 + timedelta(hours=1)
    counts = counts_between(ctx, [start, end], dominant=None, families=topo.families)
    window = Window(start, end, "all")
    engine = events.filter(reached.where(events)).count().execute()
    assert counts.tally(reached.covers, window).events == engine
    peers = counts.tally(reached.neighbours, window).events
    condition = reached.others(events)
    assert peers == (0 if condition is None else events.filter(condition).count().execute())


def test_scope_error_examples_are_real_lines_in_time_order() -> None:
    frame = fleet(seed=8)
    con = store(frame)
    ctx = _context(con)
    window = Window(ONSET, T0 + timedelta(hours=6), "after")
    examples = error_examples(ctx, lambda e: e.host == "api-2", window, limit=3)
    assert len(examples) == 3
    assert all(" api-2 500 GET /api/orders upstream failed" in line for line in examples)
    assert list(examples) == sorted(examples)
