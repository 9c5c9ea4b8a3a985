"""The shortcuts taken for speed at scale give what the direct computation gives.

Each test computes one thing both ways on real (synthetic) events: the error examples of
several slices or groups in one scan (changes, spread) against `error_examples` per slice, the
upstream counts run as two queries against the one Ibis expression, the failures per period
derived from them against a direct count, the day grid counted per UTC minute against local
times computed per event (in a zone with a daylight-saving change inside the data), and the
error seconds of any windows against a query for those windows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import ibis
import numpy as np
import pandas as pd

from tests.analysis.changes_data import API, ONSET, T0, broken, fleet, store
from warroom.analysis.context import AnalysisContext
from warroom.analysis.daily import BIN_MINUTES, day_grid
from warroom.analysis.fleet import Peers, topology
from warroom.analysis.scope import error_examples, slice_error_examples
from warroom.analysis.upstreams import count_upstreams, is_failure, upstream_counts
from warroom.analysis.windows import Window, make_windows
from warroom.timeutil import zone


def _context(con: object, incident: tuple[datetime, datetime], tz: str = "UTC") -> AnalysisContext:
    windows = make_windows(
        incident,
        baselines=None,
        data_start=T0,
        data_end=incident[1],
        timezone=tz,
        source="given",
    )
    return AnalysisContext(con=con, windows=windows, row_counts={"events": 1})


def test_examples_of_the_groups_of_peers_match_one_query_per_group() -> None:
    frame = broken(fleet(seed=5, hours=6, error_share=0.01), hosts=API[:2], share=0.3)
    ctx = _context(store(frame), (ONSET, T0 + timedelta(hours=6)))
    ctx.facts["onset"] = {"signature": "AttributeError"}
    window = Window(ONSET, T0 + timedelta(hours=6), "incident")
    families = topology(ctx).families
    for peers, names in (
        (Peers("host", "api", families), API),
        (Peers("host", None, families), [*API, "web-1", "no-such-host"]),
        (Peers("service", None, families), ["api", "web", "checkout"]),
    ):
        together = slice_error_examples(ctx, [peers.where(n) for n in names], window, limit=3)
        grouped = dict(zip(names, together, strict=True))
        for name in names:
            single = error_examples(ctx, peers.where(name), window, limit=3)
            assert grouped[name] == single, (peers, name)
    # the broken hosts' examples are their new error, listed first
    assert grouped["api"] and all("AttributeError" in line for line in grouped["api"])


def test_examples_of_overlapping_slices_match_one_query_per_slice() -> None:
    frame = broken(fleet(seed=7, hours=6, error_share=0.01), hosts=API[:2], share=0.3)
    ctx = _context(store(frame), (ONSET, T0 + timedelta(hours=6)))
    ctx.facts["onset"] = {"signature": "AttributeError"}
    window = Window(ONSET - timedelta(minutes=20), T0 + timedelta(hours=6), "since")
    conditions = [
        lambda e: e.host.isin(API[:2]),
        lambda e: e.service == "api",  # holds the first slice
        lambda e: e.host == "web-1",
        lambda e: e.host == "no-such-host",
        lambda e: e.service == "api",  # the same slice twice
    ]
    together = slice_error_examples(ctx, conditions, window, limit=3)
    assert together == [error_examples(ctx, c, window, limit=3) for c in conditions]
    assert together[0] and all("AttributeError" in line for line in together[0])
    assert together[3] == ()
    assert slice_error_examples(ctx, [], window, limit=3) == []


def test_upstream_counts_in_two_queries_match_the_one_expression() -> None:
    frame = fleet(seed=6, hours=2, error_share=0.05)
    calls = frame.index % 3 == 0
    frame.loc[calls, "attrs"] = pd.Series([{"peer.service": "payments-gateway"}] * calls.sum())
    failing = calls & (frame["status"].fillna(0) >= 500)
    frame.loc[failing, "message"] = "timeout calling payments-gateway after 3000 ms"
    con = store(frame)
    events = ibis.duckdb.from_connection(con).table("events")
    half = ibis.literal(T0 + timedelta(hours=1)).cast("timestamp")
    rows = events.mutate(
        period=ibis.ifelse(events.ts >= half, "incident", "baseline"), failure=is_failure(events)
    )
    expected = upstream_counts(rows).execute()
    found = count_upstreams(rows)

    def ordered(counts: pd.DataFrame) -> list[tuple[object, ...]]:
        named = counts.assign(name=counts["name"].where(counts["name"].notna(), None))
        return sorted(
            (str(r.name), r.period, int(r.calls), int(r.failures)) for r in named.itertuples()
        )

    assert ordered(found) == ordered(expected)
    assert any(r[0] == "payments-gateway" and r[3] > 0 for r in ordered(found))
    # every failure sits in one (name, period) row: their sum is the failures per period
    failures = rows.filter(rows.failure)
    direct = failures.group_by("period").aggregate(n=failures.count()).execute()
    summed = found.groupby("period")["failures"].sum()
    assert {p: int(n) for p, n in zip(direct["period"], direct["n"], strict=True)} == {
        str(p): int(n) for p, n in summed.items()
    }


def test_day_grid_per_minute_matches_local_time_per_event_across_a_dst_change() -> None:
    # New York moved its clocks on 2026-03-08 at 07:00 UTC; the data spans days on both sides
    start = datetime(2026, 3, 5, 0, 0, 13, tzinfo=UTC)
    rng = np.random.default_rng(7)
    seconds = np.sort(rng.integers(0, 6 * 86400, size=20_000))
    stamps = [start + timedelta(seconds=int(s)) for s in seconds]
    frame = pd.DataFrame(
        {
            "ts": [s.replace(tzinfo=None) for s in stamps],
            "host": "web-1",
            "service": "web",
            "level": np.where(rng.random(len(stamps)) < 0.1, "error", "info"),
            "status": 200,
            "method": "GET",
            "path": "/",
            "message": "ok",
            "line": range(len(stamps)),
        }
    )
    incident = (datetime(2026, 3, 9, 14, 7, tzinfo=UTC), datetime(2026, 3, 9, 15, 0, tzinfo=UTC))
    tz = "America/New_York"
    ctx = _context(store(frame), incident, tz)
    grid = day_grid(ctx)
    # per event: local time, days cut at the incident's local clock start
    local_start = incident[0].astimezone(zone(tz))
    shift = timedelta(minutes=local_start.hour * 60 + local_start.minute)
    local = [s.astimezone(zone(tz)).replace(tzinfo=None) - shift for s in stamps]
    days = sorted({moment.date() for moment in local})
    assert grid.days == days
    events, errors = np.zeros_like(grid.events), np.zeros_like(grid.errors)
    for moment, level in zip(local, frame["level"], strict=True):
        row = days.index(moment.date())
        column = (moment.hour * 60 + moment.minute) // BIN_MINUTES
        events[row, column] += 1
        errors[row, column] += level == "error"
    assert np.array_equal(grid.events, events)
    assert np.array_equal(grid.errors, errors)


def test_error_seconds_of_any_windows_match_a_query_for_those_windows() -> None:
    from warroom.analysis.rhythm import _count_seconds, _counted, active_span, error_seconds

    frame = broken(fleet(seed=8, hours=6, error_share=0.05), hosts=API[:2], share=0.3)
    # window edges inside seconds: an event of that second may fall on either side
    edge = timedelta(microseconds=431_517)
    ctx = _context(store(frame), (ONSET + edge, ONSET + timedelta(minutes=41) + edge))
    span = active_span(ctx)
    asks = [[span], list(ctx.baselines), [span, *ctx.baselines], [ctx.baselines[-1]]]
    assert ctx.baselines and span.start.microsecond
    for windows in asks:
        shared = error_seconds(ctx, windows)
        direct = _counted(_count_seconds(ctx, windows), range(len(windows)))
        assert shared.total > 0
        np.testing.assert_array_equal(shared.seconds, direct.seconds)
        np.testing.assert_array_equal(shared.counts, direct.counts)
        np.testing.assert_array_equal(shared.hosts, direct.hosts)
    # and the count is the events' own: the error lines of the span
    ((errors,),) = ctx.con.execute(
        "SELECT count(*) FROM events WHERE ts >= ? AND ts < ? AND (coalesce(status, 0) >= 500 "
        "OR coalesce(level, '') IN ('error', 'fatal') OR exception_type IS NOT NULL)",
        [moment.astimezone(UTC).replace(tzinfo=None) for moment in (span.start, span.end)],
    ).fetchall()
    assert error_seconds(ctx, [span]).total == errors
