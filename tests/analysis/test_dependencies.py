from __future__ import annotations

import re
from datetime import timedelta

import jsonschema
import numpy as np
import pandas as pd
import pytest

from tests.analysis.http_data import (
    INCIDENT,
    T0,
    Change,
    add_changes,
    context,
    fail,
    log_lines,
    requests,
    store,
)
from warroom.analysis.analyzers import register_analyzers
from warroom.analysis.analyzers.dependencies import Dependencies
from warroom.analysis.analyzers.http import Http
from warroom.analysis.dependency_stats import PER_CALL_TEST, PER_SECOND_TEST
from warroom.analysis.finding import AnalyzerResult, Finding, Subject
from warroom.analysis.investigate import WindowRequest, investigate
from warroom.analysis.schemas import investigation_schema

ONSET = T0 + timedelta(hours=5, minutes=10)
GATEWAY_TIMEOUT = "timeout after 5000 ms calling payments-gateway:443 (order {n})"


def _in_incident(frame: pd.DataFrame) -> int:
    start, end = (t.replace(tzinfo=None) for t in INCIDENT)
    return int(((frame.ts >= start) & (frame.ts < end)).sum())


def _outage() -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """NGINX answers 504 on the payment route; the app logs timeouts to the gateway (no path)."""
    web = fail(
        requests(seed=1),
        seed=2,
        at=ONSET,
        share=0.5,
        status=504,
        route=("POST", "/api/checkout"),
        message="upstream timed out",
    )
    before = log_lines(seed=3, message=GATEWAY_TIMEOUT, per_minute=0.05, level="error")
    during = log_lines(
        seed=4, message=GATEWAY_TIMEOUT, per_minute=8, start=ONSET, hours=50 / 60, level="error"
    )
    heartbeat = log_lines(seed=5, message="heartbeat ok", per_minute=2)
    return [web, before, during, heartbeat], pd.concat([before, during])


def _finding(result: AnalyzerResult, finding_id: str) -> Finding:
    found = {f.id: f for f in result.findings}
    assert finding_id in found, sorted(found)
    return found[finding_id]


@pytest.fixture(scope="module")
def outage() -> tuple[AnalyzerResult, pd.DataFrame]:
    frames, named = _outage()
    con = store(*frames)
    result = Dependencies().run(context(con))
    left = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    assert left == [], "the scratch table must be dropped"
    return result, named


def test_dependencies_outage_names_the_upstream_as_cause(
    outage: tuple[AnalyzerResult, pd.DataFrame],
) -> None:
    result, named = outage
    finding = _finding(result, "dependencies:dependency_failures:payments-gateway")
    assert finding.subject == Subject("dependency", "payments-gateway", "cause")
    assert finding.incident["failures"] == _in_incident(named)
    assert finding.test is not None and finding.test.name == PER_SECOND_TEST
    assert finding.q_value is not None and finding.q_value < 1e-20
    assert finding.evidence["share_of_excess_failures"] > 0.3
    assert finding.score > 0.7
    assert all("payments-gateway:443" in e for e in finding.examples)
    assert len(finding.examples) == 3
    assert result.facts["failing"] == ["payments-gateway"]


def test_dependencies_outage_outranks_the_route_it_breaks() -> None:
    frames, _ = _outage()
    inputs = {
        "events": sum(len(f) for f in frames),
        "metrics_samples": 0,
        "changes": 0,
        "cron_jobs": 0,
        "reports": 0,
        "rejected_lines": 0,
        "skipped": [],
    }
    result = investigate(
        store(*frames), inputs=inputs, request=WindowRequest(incident=INCIDENT),
        analyzers=register_analyzers(),
    )  # fmt: skip
    assert (result.suspects[0].kind, result.suspects[0].ref) == ("dependency", "payments-gateway")
    route = result.finding("http:server_error_surge:POST /api/checkout")
    assert route is not None and route.subject is not None and route.subject.role == "context"
    assert not any(s.kind == "endpoint" for s in result.suspects)
    contract = result.to_json()
    jsonschema.validate(contract, investigation_schema())
    mine = [f for f in contract["findings"] if not f["id"].startswith("onset:")]
    assert {f["analyzer"] for f in mine} >= {"dependencies:v1", "http:v1", "messages:v1"}
    assert _numbers_as_text(mine) == [], "numpy values leaked into the JSON as text"


def _numbers_as_text(value: object) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _numbers_as_text(v)]
    if isinstance(value, list):
        return [t for v in value for t in _numbers_as_text(v)]
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return [value]
    return []


def _calls(seed: int, failing_share_after: float) -> pd.DataFrame:
    """Request logs that name the upstream they called on every line (JSON style)."""
    frame = requests(seed=seed)
    frame = frame[frame["path"] == "/api/products"].copy()
    rng = np.random.default_rng(seed)
    after = frame["ts"] >= ONSET.replace(tzinfo=None)
    failed = np.where(after, rng.uniform(size=len(frame)) < failing_share_after, False)
    frame["status"] = np.where(failed, 500, frame["status"]).astype("int16")
    frame["level"] = np.where(frame["status"] >= 500, "error", "info")
    frame["message"] = np.where(frame["status"] >= 500, "inventory lookup timed out", "ok")
    frame["attrs"] = [{"peer.service": "inventory"}] * len(frame)
    return frame


def test_dependencies_per_call_failure_share_and_explained_route() -> None:
    frame = _calls(seed=11, failing_share_after=0.3)
    result = Dependencies().run(context(store(frame)))
    finding = _finding(result, "dependencies:dependency_failures:inventory")
    assert finding.test is not None and finding.test.name == PER_CALL_TEST
    start, end = (t.replace(tzinfo=None) for t in INCIDENT)
    window = frame[(frame.ts >= start) & (frame.ts < end)]
    assert finding.incident["calls"] == len(window)
    assert finding.incident["failures"] == int((window.status >= 500).sum())
    assert finding.evidence["explains"] == [["endpoint", "GET /api/products"]]
    assert result.facts["explained_routes"] == {"GET /api/products": "inventory"}


def test_dependencies_no_upstream_named_is_eliminated() -> None:
    frame = fail(requests(seed=21), seed=22, at=ONSET, share=0.3, message="NullPointerException")
    result = Dependencies().run(context(store(frame)))
    assert result.findings == []
    (elimination,) = result.eliminated
    assert elimination.cause == "an upstream dependency"
    assert "names an upstream service" in elimination.why


def test_dependencies_upstream_errors_that_did_not_rise_rule_it_out() -> None:
    steady = log_lines(
        seed=31, message="timeout connecting to postgres:5432", per_minute=1, level="error"
    )
    broken = fail(requests(seed=32), seed=33, at=ONSET, share=0.3)
    result = Dependencies().run(context(store(broken, steady)))
    assert result.findings == []
    by_cause = {e.cause: e for e in result.eliminated}
    assert by_cause["the upstream postgres"].subject == Subject("dependency", "postgres")
    assert "did not rise" in by_cause["an upstream dependency"].why


def test_dependencies_our_change_just_before_makes_it_context() -> None:
    frames, _ = _outage()
    con = store(*frames)
    add_changes(con, Change("chg-77", ONSET - timedelta(minutes=5), service="api"))
    ctx = context(con)
    ctx.facts["onset"] = {"at": ONSET}
    finding = _finding(Dependencies().run(ctx), "dependencies:dependency_failures:payments-gateway")
    assert finding.subject is not None and finding.subject.role == "context"
    assert "chg-77" in finding.evidence["role_why"]


def test_dependencies_small_share_of_a_larger_failure_is_only_a_clue() -> None:
    broken = fail(requests(seed=41), seed=42, at=ONSET, share=0.4)
    redis = log_lines(
        seed=43,
        message="redis timeout after {n} ms",
        per_minute=0.5,
        start=ONSET,
        hours=50 / 60,
        level="error",
        exception_type="redis.exceptions.TimeoutError",
    )
    result = Dependencies().run(context(store(broken, redis)))
    finding = _finding(result, "dependencies:new_dependency_failures:redis")
    assert finding.subject is not None and finding.subject.role == "context"
    assert finding.evidence["share_of_excess_failures"] < 0.2
    assert finding.score < 0.2


def test_dependencies_and_friends_give_the_same_answer_whatever_the_row_order() -> None:
    frames, _ = _outage()
    java = _calls(seed=51, failing_share_after=0.2)
    ordered = pd.concat([*frames, java], ignore_index=True)
    shuffled = ordered.sample(frac=1.0, random_state=3).reset_index(drop=True)

    def run(frame: pd.DataFrame) -> dict[str, object]:
        result = investigate(
            store(frame), inputs={}, request=WindowRequest(incident=INCIDENT),
            analyzers=register_analyzers(),
        )  # fmt: skip
        contract = result.to_json()
        contract.pop("coverage")  # timings
        return contract

    assert run(ordered) == run(shuffled)


def test_dependencies_failures_for_the_requests_own_reasons_do_not_blame_the_upstream() -> None:
    frame = _calls(seed=61, failing_share_after=0.3)
    frame.loc[frame["status"] >= 500, "message"] = "No enum constant MandateType.CORE_B2C"
    result = Dependencies().run(context(store(frame)))
    assert result.findings == []
    (elimination,) = [e for e in result.eliminated if e.cause == "an upstream dependency"]
    assert "names an upstream service" in elimination.why


def test_dependencies_failures_on_one_of_its_calling_routes_point_at_the_route() -> None:
    frame = fail(
        requests(seed=71),
        seed=72,
        at=ONSET,
        share=0.3,
        status=504,
        route=("GET", "/api/orders/"),
        message="inventory-db read timed out after 3000 ms",
    )
    calls_db = frame["path"].str.startswith(("/api/orders/", "/api/products"))
    frame["attrs"] = [{"upstream": "inventory-db"} if c else None for c in calls_db]
    result = Dependencies().run(context(store(frame)))
    finding = _finding(result, "dependencies:new_dependency_failures:inventory-db")
    assert finding.subject is not None and finding.subject.role == "context"
    assert finding.evidence["role_why"].startswith(
        "only GET /api/orders/{id} fails among the routes calling it"
    )
    assert "GET /api/products" in finding.evidence["role_why"]
    assert result.facts["causes"] == {} and result.facts["explained_routes"] == {}
    both = investigate(
        store(frame), inputs={}, request=WindowRequest(incident=INCIDENT),
        analyzers=[Dependencies(), Http()],
    )  # fmt: skip
    assert [(s.kind, s.ref) for s in both.suspects] == [("endpoint", "GET /api/orders/{id}")]


def test_dependencies_failures_on_one_host_point_at_the_host() -> None:
    frame = requests(seed=81)
    frame["attrs"] = [{"upstream": "inventory-db"}] * len(frame)
    sick = (frame["host"] == "web-3") & (frame["ts"] >= ONSET.replace(tzinfo=None))
    frame.loc[sick, ["status", "level"]] = [504, "error"]
    frame.loc[sick, "message"] = "inventory-db query timed out"
    result = Dependencies().run(context(store(frame)))
    finding = _finding(result, "dependencies:new_dependency_failures:inventory-db")
    assert finding.subject is not None and finding.subject.role == "context"
    assert finding.evidence["role_why"].startswith("only web-3 fails among the hosts calling it")


def test_dependencies_text_named_upstream_on_few_hosts_stays_a_suspect() -> None:
    """Without logged calls the hosts that call an upstream are unknown: no host verdict."""
    frame = requests(seed=91)
    sick = log_lines(
        seed=92, message=GATEWAY_TIMEOUT, per_minute=6, start=ONSET, hours=50 / 60, level="error"
    ).assign(host="web-3")
    result = Dependencies().run(context(store(frame, sick)))
    finding = _finding(result, "dependencies:new_dependency_failures:payments-gateway")
    assert finding.subject is not None and finding.subject.role == "cause"
