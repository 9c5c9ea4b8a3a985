from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from tests.analysis.changes_data import ONSET, WINDOW, fleet
from tests.analysis.synthetic import T0, add_events, empty_store, traffic
from warroom.analysis.analyzers.traffic import Traffic
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult
from warroom.analysis.rank import rank
from warroom.analysis.windows import make_windows
from warroom.evidence.schema import TABLES

HOURS = 6


def run_traffic(frame: pd.DataFrame, *, onset: object = ONSET) -> AnalyzerResult:
    con = empty_store()
    add_events(con, frame)
    windows = make_windows(
        WINDOW,
        baselines=None,
        data_start=T0,
        data_end=T0 + timedelta(hours=HOURS),
        timezone="UTC",
        source="given",
    )
    counts = {t: len(con.table(t)) for t in TABLES}
    ctx = AnalysisContext(con=con, windows=windows, row_counts=counts)
    ctx.facts["onset"] = {"at": onset}
    return Traffic().run(ctx)


def flood(*, seed: int, start: object, per_second: float, path: str) -> pd.DataFrame:
    """Extra requests to one route from `start` to the end of the data."""
    extra = traffic(seed=seed, hours=HOURS, per_second=per_second, hosts=["api-1"], error_share=0)
    extra = extra[extra["ts"] >= pd.Timestamp(start).tz_localize(None)].copy()  # type: ignore[arg-type]
    extra["method"], extra["path"] = "POST", path
    return extra


def test_traffic_spike_on_one_route_before_the_onset_is_an_endpoint_suspect() -> None:
    frame = fleet(seed=2)
    spike = flood(seed=9, start=ONSET - timedelta(minutes=8), per_second=3.0, path="/api/export/77")
    result = run_traffic(pd.concat([frame, spike], ignore_index=True))
    (finding,) = [f for f in result.findings if f.evidence["dimension"] == "route"]
    assert finding.kind == "traffic_spike"
    assert finding.subject is not None
    assert (finding.subject.kind, finding.subject.ref) == ("endpoint", "POST /api/export/{id}")
    assert finding.subject.role == "cause"
    assert finding.incident["requests"] > 10 * max(finding.baseline["requests"], 1)
    assert finding.test is not None and finding.test.q_value is not None
    assert finding.test.q_value < 1e-6
    assert "before the onset" in finding.statement
    assert rank(result.findings, [])[0].ref == "POST /api/export/{id}"


def test_traffic_spike_after_the_onset_is_a_symptom() -> None:
    frame = fleet(seed=3)
    retries = flood(seed=4, start=ONSET + timedelta(minutes=20), per_second=6.0, path="/api/pay")
    result = run_traffic(pd.concat([frame, retries], ignore_index=True))
    routes = [f for f in result.findings if f.evidence["dimension"] == "route"]
    assert routes and all(f.subject and f.subject.role == "symptom" for f in routes)
    assert rank(result.findings, []) == []


def test_traffic_drop_after_the_onset_is_a_symptom_and_said_in_facts() -> None:
    frame = fleet(seed=4)
    rng = np.random.default_rng(1)
    gone = (frame["service"] == "web") & (frame["ts"] >= pd.Timestamp(ONSET).tz_localize(None))
    frame = frame[~(gone & (rng.uniform(size=len(frame)) < 0.8))]
    result = run_traffic(frame)
    drops = [f for f in result.findings if f.kind == "traffic_drop"]
    assert {f.evidence["key"] for f in drops if f.evidence["dimension"] == "service"} == {"web"}
    hosts = [f for f in drops if f.evidence["dimension"] == "host"]
    assert len(hosts) == 6 and all(f.subject and f.subject.role == "symptom" for f in hosts)
    assert "host:web-1" in result.facts["fell"]
    assert rank(result.findings, []) == []


def test_traffic_steady_fleet_finds_nothing() -> None:
    result = run_traffic(fleet(seed=5))
    assert result.findings == []
    assert any("steady" in note for note in result.notes)


def test_traffic_without_an_onset_a_spike_is_context_only() -> None:
    frame = fleet(seed=6)
    spike = flood(seed=7, start=ONSET, per_second=3.0, path="/api/export")
    result = run_traffic(pd.concat([frame, spike], ignore_index=True), onset=None)
    assert any(f.kind == "traffic_spike" for f in result.findings)
    assert rank(result.findings, []) == []


def test_traffic_without_requests_says_so() -> None:
    frame = fleet(seed=8)
    frame["status"], frame["method"] = None, None
    result = run_traffic(frame)
    assert result.findings == [] and "no HTTP requests" in result.notes[0]
