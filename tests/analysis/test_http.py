from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from tests.analysis.http_data import (
    INCIDENT,
    T0,
    Change,
    add_changes,
    context,
    fail,
    requests,
    store,
)
from warroom.analysis.analyzers.http import Http
from warroom.analysis.finding import AnalyzerResult, Finding
from warroom.analysis.investigate import WindowRequest, investigate
from warroom.analysis.paths import route_of
from warroom.analysis.routes import ALL_BASELINE

ONSET = T0 + timedelta(hours=5, minutes=10)
ITEMS = "POST /api/orders/{id}/items"


def _counts(frame: pd.DataFrame, route: str, low: int, high: int) -> dict[str, tuple[int, int]]:
    """Failed and all requests of `route` in the incident window and the hour before it."""
    routes = [route_of(m, p) for m, p in zip(frame["method"], frame["path"], strict=True)]
    mine = frame[[r == route for r in routes]]
    start, end = (t.replace(tzinfo=None) for t in INCIDENT)
    periods = {
        "incident": mine[(mine.ts >= start) & (mine.ts < end)],
        "baseline": mine[(mine.ts >= start - (end - start)) & (mine.ts < start)],
    }
    return {
        name: (int(rows.status.between(low, high).sum()), len(rows))
        for name, rows in periods.items()
    }


def _finding(result: AnalyzerResult, finding_id: str) -> Finding:
    found = {f.id: f for f in result.findings}
    assert finding_id in found, sorted(found)
    return found[finding_id]


@pytest.fixture(scope="module")
def regression() -> pd.DataFrame:
    return fail(requests(seed=11), seed=12, at=ONSET, share=0.3, route=("POST", "/api/orders/"))


def test_http_endpoint_regression_points_at_the_route(regression: pd.DataFrame) -> None:
    result = Http().run(context(store(regression)))
    finding = _finding(result, f"http:server_error_surge:{ITEMS}")
    expected = _counts(regression, ITEMS, 500, 599)
    assert (finding.incident["failed"], finding.incident["requests"]) == expected["incident"]
    assert (finding.baseline["failed"], finding.baseline["requests"]) == expected["baseline"]
    assert finding.subject is not None
    assert (finding.subject.kind, finding.subject.ref, finding.subject.role) == (
        "endpoint",
        ITEMS,
        "cause",
    )
    assert finding.q_value is not None and finding.q_value < 1e-20
    assert finding.effect is not None and finding.effect > 10
    assert finding.score > 0.8
    assert f"requests to {ITEMS} failed with 5xx" in finding.statement
    assert len(finding.examples) == 3
    assert all("/api/orders/" in e and " 500 " in e for e in finding.examples)
    assert finding.evidence["share_of_5xx_excess"] >= 0.8
    assert [f.id for f in result.findings] == [f"http:server_error_surge:{ITEMS}"]
    assert result.facts["dominant_route"] == ITEMS


def test_http_endpoint_regression_ranks_first_in_an_investigation(
    regression: pd.DataFrame,
) -> None:
    result = investigate(
        store(regression), inputs={}, request=WindowRequest(incident=INCIDENT), analyzers=[Http()]
    )
    assert [(s.kind, s.ref) for s in result.suspects] == [("endpoint", ITEMS)]


def test_http_failures_on_every_route_are_context_not_a_cause() -> None:
    frame = fail(requests(seed=21), seed=22, at=ONSET, share=0.15)
    result = Http().run(context(store(frame)))
    surges = [f for f in result.findings if f.kind == "server_error_surge"]
    assert len(surges) == 4
    assert all(f.subject is not None and f.subject.role == "context" for f in surges)
    (single,) = [
        e for e in result.eliminated if e.cause == "a single failing endpoint as the cause"
    ]
    assert "other routes fail too" in single.why
    assert result.facts["dominant_route"] is None


def test_http_quiet_data_finds_nothing_and_says_so() -> None:
    result = Http().run(context(store(requests(seed=31, error_share=0.004))))
    assert result.findings == []
    causes = {e.cause: e.why for e in result.eliminated}
    assert "no route's share of 5xx rose" in causes["a failing endpoint"]
    assert "a broken client or rejected input (4xx)" in causes


def test_http_background_failures_that_existed_before_stay_silent() -> None:
    always = fail(requests(seed=41), seed=42, at=T0, share=0.05, route=("POST", "/api/checkout"))
    result = Http().run(context(store(always)))
    assert result.findings == []


def test_http_client_errors_are_kept_apart_from_server_errors() -> None:
    frame = fail(
        requests(seed=51), seed=52, at=ONSET, share=0.4, status=400, route=("POST", "/api/checkout")
    )
    result = Http().run(context(store(frame)))
    finding = _finding(result, "http:client_error_surge:POST /api/checkout")
    assert finding.subject is not None and finding.subject.role == "context"
    assert finding.evidence["codes"][0]["code"] == 400
    assert not any(f.kind == "server_error_surge" for f in result.findings)
    causes = [e.cause for e in result.eliminated]
    assert "a failing endpoint" in causes
    assert "a broken client or rejected input (4xx)" not in causes


def test_http_new_status_code_is_reported_with_its_routes() -> None:
    frame = fail(requests(seed=61), seed=62, at=ONSET, share=0.2, status=503)
    result = Http().run(context(store(frame)))
    finding = _finding(result, "http:new_status:503")
    assert finding.baseline["responses"] == 0
    assert finding.incident["responses"] >= 100
    assert {r["route"] for r in finding.evidence["routes"]} == {
        "GET /api/orders/{id}",
        "GET /api/products",
        ITEMS,
        "POST /api/checkout",
    }
    codes = _finding(result, f"http:server_error_surge:{ITEMS}").evidence["codes"]
    assert [c["new"] for c in codes if c["code"] == 503] == [True]


@pytest.mark.parametrize(
    ("change", "role"),
    [
        (Change("chg-41", ONSET - timedelta(minutes=3)), "context"),
        (Change("chg-42", ONSET - timedelta(minutes=3), service=None, type="config"), "context"),
        (Change("chg-43", ONSET - timedelta(minutes=3), service="search"), "cause"),
        (Change("chg-44", ONSET + timedelta(minutes=15)), "cause"),
        (Change("chg-45", ONSET - timedelta(hours=3)), "cause"),
    ],
)
def test_http_change_just_before_the_onset_makes_the_route_a_symptom(
    regression: pd.DataFrame, change: Change, role: str
) -> None:
    con = store(regression)
    add_changes(con, change)
    ctx = context(con)
    ctx.facts["onset"] = {"at": ONSET}  # what the onset analyzer found
    result = Http().run(ctx)
    finding = _finding(result, f"http:server_error_surge:{ITEMS}")
    assert finding.subject is not None and finding.subject.role == role
    if role == "context":
        assert change.id in finding.evidence["role_why"]


def test_http_failing_dependency_makes_the_route_a_symptom(regression: pd.DataFrame) -> None:
    ctx = context(store(regression))
    ctx.facts["dependencies"] = {"causes": {"payments-gateway": 0.3}, "explained_routes": {}}
    finding = _finding(Http().run(ctx), f"http:server_error_surge:{ITEMS}")
    assert finding.subject is not None and finding.subject.role == "context"
    assert "payments-gateway" in finding.evidence["role_why"]


def test_http_new_route_is_compared_with_all_baseline_requests() -> None:
    frame = requests(seed=71)
    late = frame[frame.ts >= ONSET.replace(tzinfo=None)].head(300).copy()
    late["method"], late["path"] = "PUT", "/api/returns/" + late["line"].astype(str)
    late["status"], late["level"] = 500, "error"
    late = late.assign(line=late["line"] + 10_000_000)
    result = Http().run(context(store(frame, late)))
    finding = _finding(result, "http:server_error_surge:PUT /api/returns/{id}")
    assert finding.baseline["compared_with"] == ALL_BASELINE
    assert finding.incident == {"failed": 300, "requests": 300}


def test_http_without_requests_notes_it() -> None:
    frame = requests(seed=81).assign(status=None, method=None)
    result = Http().run(context(store(frame)))
    assert result.findings == []
    assert result.notes == ["no HTTP requests in the incident window or baseline"]
