from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.analysis.changes_data import add_change
from tests.analysis.metrics_data import (
    API,
    INCIDENT,
    ONSET,
    add_metrics,
    grid,
    healthy,
    minutes_since,
    run_resources,
    store,
)
from warroom.analysis import metric_stats as ms
from warroom.analysis.finding import AnalyzerResult, Finding
from warroom.analysis.investigation import Investigation
from warroom.analysis.rank import rank
from warroom.config import Settings
from warroom.evidence.bundle import load_bundle
from warroom.simulate import generate
from warroom.workflows import investigate_bundle

DEPLOYED = ONSET - timedelta(hours=6)


def by_kind(result: AnalyzerResult, kind: str) -> list[Finding]:
    return [f for f in result.findings if f.kind == kind]


def refs(findings: list[Finding], role: str | None = None) -> set[str]:
    return {
        f.subject.ref for f in findings if f.subject and (role is None or f.subject.role == role)
    }


def leak(seed: int) -> dict[tuple[str, str], np.ndarray]:
    """A deploy 6 h before the onset to api-1 and api-2; their memory climbs to 97 % from it."""
    series = healthy(seed)
    since = minutes_since(DEPLOYED)
    climbing = since >= 0
    for host in API[:2]:
        memory = series[(host, "memory_used_percent")]
        share = np.clip(since[climbing] / (6 * 60), 0, 1)
        memory[climbing] = memory[climbing] + (97 - memory[climbing]) * share
    return series


def test_resources_leak_after_a_deploy_names_the_deploy() -> None:
    con = store(leak(seed=3))
    add_change(con, change_id="CHG-9", at=DEPLOYED, service="api", version="2.1", hosts=API[:2])
    add_change(con, change_id="CHG-8", at=DEPLOYED - timedelta(hours=3), service="api")
    result = run_resources(con)
    trends = by_kind(result, "metric_trend")
    assert refs(trends, "cause") == {"api-1:memory_used_percent", "api-2:memory_used_percent"}
    assert all(f.test and f.test.q_value is not None and f.test.q_value < 1e-6 for f in trends)
    (linked,) = by_kind(result, "trend_after_change")
    assert linked.subject is not None and linked.subject.ref == "CHG-9"
    assert linked.score >= 0.8
    assert "api-3" in linked.statement and "2 of 2" in linked.statement
    suspects = rank(result.findings, [])
    assert (suspects[0].kind, suspects[0].ref) == ("change", "CHG-9")


def test_resources_trend_reports_hours_to_full() -> None:
    series = healthy(seed=4)
    since = minutes_since(DEPLOYED)
    disk = series[("api-3", "disk_used_percent")]
    filling = since >= 0
    disk[filling] = np.minimum(disk[filling] + since[filling] * 0.15, 100.0)  # 9 points an hour
    result = run_resources(store(series))
    (trend,) = by_kind(result, "metric_trend")
    assert trend.subject is not None and trend.subject.ref == "api-3:disk_used_percent"
    assert trend.subject.role == "cause"  # it started 6 h before the onset
    assert trend.effect == pytest.approx(9.0, rel=0.1)
    assert trend.incident["hours_to_full"] is not None
    assert by_kind(result, "saturation") or by_kind(result, "metric_shift")


def test_resources_stalled_worker_jobs_fall_to_zero_and_queue_grows() -> None:
    series = healthy(seed=5)
    after = minutes_since(ONSET) >= 0
    series[("worker-1", "jobs_processed")][after] = 0.0
    series[("worker-1", "queue_depth")][after] += np.cumsum(np.full(int(after.sum()), 30.0))
    result = run_resources(store(series), onset=None)  # no errors: no onset
    (stopped,) = by_kind(result, "metric_stopped")
    assert stopped.subject is not None and stopped.subject.ref == "worker-1:jobs_processed"
    assert stopped.subject.role == "cause"
    assert stopped.incident["zero_bins"] > stopped.baseline["zero_bins"]
    assert "fell to zero" in stopped.statement
    assert "worker-1:queue_depth" in refs(by_kind(result, "metric_shift"), "cause")
    assert {s.ref for s in rank(result.findings, [])[:2]} == {
        "worker-1:jobs_processed",
        "worker-1:queue_depth",
    }


def test_resources_metric_that_moves_after_the_onset_is_a_symptom() -> None:
    series = healthy(seed=6)
    later = minutes_since(ONSET + timedelta(minutes=15)) >= 0
    series[("api-2", "disk_used_percent")][later] += 30.0
    series[("api-1", "cpu_used_percent")][minutes_since(ONSET) >= 0] = 1.0  # fell with the work
    result = run_resources(store(series))
    moved = by_kind(result, "metric_shift")
    assert refs(moved, "symptom") == {"api-2:disk_used_percent", "api-1:cpu_used_percent"}
    assert rank(result.findings, []) == []
    (order,) = by_kind(result, "moved_first")
    first, second = (step["series"] for step in order.evidence["order"])
    assert (first, second) == ("api-1:cpu_used_percent", "api-2:disk_used_percent")
    assert "the errors started at" in order.statement


def test_resources_quiet_fleet_in_the_morning_ramp_finds_nothing() -> None:
    result = run_resources(store(healthy(seed=7)))
    assert result.findings == []
    assert any("moved materially" in note for note in result.notes)


def test_resources_counter_resets_and_gaps_are_said_not_fatal() -> None:
    series = healthy(seed=8)
    t = grid()
    counter = np.cumsum(np.full(t.size, 120.0))  # 2 requests a second, steadily
    reset_at = int(np.searchsorted(t, (ONSET - timedelta(hours=2)).timestamp()))
    counter[reset_at:] -= counter[reset_at - 1]  # the process restarted: back to zero
    series[("api-1", "http_requests_total")] = counter
    gappy = series[("api-2", "cpu_used_percent")]
    gappy[(t >= INCIDENT[0].timestamp()) & (t < (ONSET + timedelta(minutes=30)).timestamp())] = (
        np.nan
    )
    con = store(series)
    con.execute(
        "INSERT INTO metrics VALUES (?, 'memory_used_percent', 'inf'::DOUBLE, 'api-3', NULL, "
        "MAP {}, 'x')",
        [ONSET.replace(tzinfo=None)],
    )
    result = run_resources(con)
    notes = " ".join(result.notes)
    assert "api-1:http_requests_total reset 1 time" in notes
    assert "api-2:cpu_used_percent: no samples for" in notes
    assert "NaN or infinite" in notes
    assert "api-1:http_requests_total" not in refs(result.findings)  # a steady rate, reset or not


def test_resources_non_numeric_samples_are_rejected_by_the_loader(tmp_path: Path) -> None:
    rows = ["timestamp,metric,value,host"]
    rows += [f"2026-03-04T10:{m:02d}:00Z,cpu_used_percent,{20 + m % 3},api-1" for m in range(40)]
    rows.append("2026-03-04T10:41:00Z,cpu_used_percent,n/a,api-1")
    (tmp_path / "metrics.csv").write_text("\n".join(rows) + "\n")
    bundle = load_bundle(tmp_path)
    try:
        assert bundle.inputs()["rejected_lines"] == 1
        assert bundle.count("metrics") == 40
    finally:
        bundle.close()


def test_metric_stats_level_shift_needs_every_baseline_window() -> None:
    rng = np.random.default_rng(1)
    yesterday, before = rng.normal(50, 2, 60), rng.normal(30, 2, 60)
    incident = rng.normal(50, 2, 60)  # high like yesterday at this hour, unlike the hour before
    shift = ms.level_shift(incident, [before, yesterday])
    assert shift is not None and abs(shift.shift) < 1
    assert not ms.moved(shift, 1e-9)
    risen = ms.level_shift(rng.normal(80, 2, 60), [before, yesterday])
    assert risen is not None and ms.moved(risen, 1e-9) and risen.direction == "rose"


def test_metric_stats_knee_change_point_and_time_to_full() -> None:
    seconds = np.arange(0, 600 * 60, 60.0)
    values = np.where(seconds < 200 * 60, 40.0, 40.0 + (seconds - 200 * 60) / 3600 * 6)
    values = values + np.random.default_rng(2).normal(0, 0.3, seconds.size)
    found = ms.trend(seconds, values)
    assert found is not None and abs(found.start_index - 200) <= 3
    assert found.slope * 3600 == pytest.approx(6.0, rel=0.05)
    assert ms.hours_to_full(70.0, found.slope) == pytest.approx(5.0, rel=0.06)
    step = np.r_[np.zeros(50), np.ones(30)]
    assert ms.change_point(step) == 50
    assert ms.change_point(np.ones(40)) is None


def investigate_scenario(name: str, seed: int, tmp: Path) -> Investigation:
    generate(name, seed=seed, out=tmp / "bundle", lines=20_000)
    settings = Settings(data_dir=tmp / "data")
    return investigate_bundle(tmp / "bundle", settings=settings, cache=False)


def test_resources_and_traffic_stay_silent_on_the_null_scenario(tmp_path: Path) -> None:
    result = investigate_scenario("null", 11, tmp_path)
    ours = [f for f in result.findings if f.analyzer in ("resources:v1", "traffic:v1")]
    assert all(f.score < 0.5 or f.subject is None or f.subject.role != "cause" for f in ours)
    assert all(s.score < 0.5 for s in result.suspects)


def test_resources_name_the_stalled_worker(tmp_path: Path) -> None:
    result = investigate_scenario("stalled_worker", 12, tmp_path)
    truth = json.loads((tmp_path / "bundle" / "truth.json").read_text())
    accepted = {(truth["kind"], truth["ref"])} | {
        (a["kind"], a["ref"]) for a in truth["also_accept"]
    }
    assert (result.suspects[0].kind, result.suspects[0].ref) in accepted


def test_resources_upstream_latency_points_at_the_dependency_own_latency_is_a_symptom() -> None:
    series = healthy(seed=9)
    rng = np.random.default_rng(9)
    at_onset = minutes_since(ONSET) >= 0
    upstream = 180 + rng.normal(0, 10, at_onset.size)
    upstream[at_onset] += 4000
    own = 40 + rng.normal(0, 3, at_onset.size)
    own[at_onset] += 400
    series[("api-1", "request_latency_ms")] = own
    con = store(series)
    add_metrics(
        con, {("checkout-1", "upstream_latency_ms"): upstream}, labels={"upstream": "payments"}
    )
    result = run_resources(con)
    shifts = by_kind(result, "metric_shift")
    subjects = {(f.subject.kind, f.subject.ref, f.subject.role) for f in shifts if f.subject}
    assert subjects == {
        ("dependency", "payments", "cause"),
        ("resource", "api-1:request_latency_ms", "symptom"),
    }
    assert "[upstream=payments]" in next(f.statement for f in shifts if "payments" in f.id)
    assert [(s.kind, s.ref) for s in rank(result.findings, [])] == [("dependency", "payments")]


def test_resources_restarts_before_the_onset_are_a_candidate_cause() -> None:
    series = healthy(seed=10)
    since = minutes_since(ONSET)
    for host in API:
        series[(host, "container_restarts")] = np.zeros(since.size)
    restarts = series[("api-2", "container_restarts")]
    for minutes in (-6, 4, 14):  # three OOM kills, the first before the errors
        restarts[since >= minutes] += 1
    result = run_resources(store(series))
    (found,) = by_kind(result, "restarts")
    assert found.subject is not None
    assert (found.subject.ref, found.subject.role) == ("api-2:container_restarts", "cause")
    assert found.incident["restarts"] == 3 and found.baseline["restarts"] == 0
    assert "3 restarts in the incident" in found.statement
    assert {f.subject.ref for f in result.findings if f.subject} == {"api-2:container_restarts"}
