"""Each scenario's culprit is really in the data, and the null case is really quiet.

Every check reads the written JSON-lines files back (see conftest.read_jsonl) and compares the
incident (onset to window end) with what came before, the way an investigation would.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ua_parser import parse

from warroom.simulate import SCENARIOS
from warroom.simulate.truth import REF_FORMS

Rows = list[dict[str, Any]]


def epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def failed(row: dict[str, Any]) -> bool:
    return row["status"] is not None and int(row["status"]) >= 500


def rate(rows: Rows) -> float:
    requests = [r for r in rows if r["status"] is not None]
    return sum(map(failed, requests)) / max(len(requests), 1)


def split(rows: Rows, truth: Any) -> tuple[Rows, Rows]:
    """(before the window, from the onset to the window's end)."""
    start, end = (epoch(t) for t in truth.window)
    onset = epoch(truth.onset) if truth.onset else start
    return [r for r in rows if r["ts"] < start], [r for r in rows if onset <= r["ts"] < end]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_scenarios_truth_refs_have_the_contract_form(rows_of, scenario: str) -> None:
    _, truth, out = rows_of(scenario)
    data = truth.to_dict()
    assert data["schema"] == "warroom.truth/1"
    assert (out / "truth.json").is_file()
    answers = ([{"kind": data["kind"], "ref": data["ref"]}] if data["kind"] else []) + data[
        "also_accept"
    ]
    for answer in answers:
        assert re.fullmatch(REF_FORMS[answer["kind"]], answer["ref"]), answer
    assert (data["onset"] is None) == (scenario == "null")
    start, end = data["window"]["incident"]
    assert start < end
    if data["onset"]:
        assert start <= data["onset"] < end


@pytest.mark.parametrize(
    ("scenario", "culprit"),
    [
        ("bad_deploy", lambda r: r["attrs"].get("service") == "api"),
        ("endpoint_regression", lambda r: re.fullmatch(r"/api/orders/\d+", r["path"] or "")),
        ("dependency_outage", lambda r: r["attrs"].get("peer.service") == "payments-gateway"),
        ("feature_flag", lambda r: re.fullmatch(r"/api/products/\d+", r["path"] or "")),
        ("decimal_input", lambda r: "." in str(r["attrs"].get("params.quantity", ""))),
        ("dropdown_value", lambda r: r["attrs"].get("params.payment_method") == "sepa"),
        ("browser_specific", lambda r: _browser(r) == "Safari 17" and r["method"] == "POST"),
    ],
)
def test_scenarios_culprit_fails_far_more_than_the_rest(rows_of, scenario: str, culprit) -> None:
    rows, truth, _ = rows_of(scenario)
    _, incident = split(rows, truth)
    mine = [r for r in incident if culprit(r)]
    others = [r for r in incident if not culprit(r)]
    assert sum(map(failed, mine)) >= 10
    assert rate(mine) >= 5 * max(rate(others), 0.002)


def _browser(row: dict[str, Any]) -> str | None:
    return _browser_of(row["user_agent"] or "")


@functools.lru_cache(maxsize=64)
def _browser_of(user_agent: str) -> str | None:
    agent = parse(user_agent).user_agent
    return f"{agent.family} {agent.major}" if agent else None


def read_changes(out: Path) -> list[dict[str, Any]]:
    """The bundle's change events, whichever of the three formats they were written in."""
    (path,) = list((out / "changes").iterdir())
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        return [{**r, "hosts": [h for h in r["hosts"].split(",") if h]} for r in rows]
    if path.suffix == ".json":
        records: list[dict[str, Any]] = json.loads(text)
        return records
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize(("scenario", "kind"), [("canary_deploy", "change"), ("disk_full", "host")])
def test_scenarios_failing_hosts_stand_out(rows_of, scenario: str, kind: str) -> None:
    rows, truth, out = rows_of(scenario)
    _, incident = split(rows, truth)
    if kind == "host":
        bad = {truth.answer.ref}
    else:
        (change,) = [c for c in read_changes(out) if c["id"] == truth.answer.ref]
        bad = set(change["hosts"])
        assert len(bad) == 2
    on_bad = [r for r in incident if r["host"] in bad]
    elsewhere = [r for r in incident if r["host"] not in bad and r["status"] is not None]
    assert rate(on_bad) >= 5 * max(rate(elsewhere), 0.002)
    # One host among many: its requests are only a share of all traffic.
    assert len([r for r in on_bad if r["status"] is not None]) < 0.4 * len(elsewhere)


def test_scenarios_null_error_rate_is_flat(rows_of) -> None:
    rows, truth, _ = rows_of("null")
    before, incident = split(rows, truth)
    assert 0.001 <= rate(before) <= 0.006
    assert rate(incident) <= 2.5 * rate(before) + 0.004
    assert truth.answer is None


def test_scenarios_cron_bursts_follow_the_schedule(rows_of) -> None:
    rows, truth, _ = rows_of("cron_overload")
    _, incident = split(rows, truth)
    minutes = [int(r["ts"] // 60 % 60) % 15 for r in incident if failed(r)]
    aligned = sum(1 for m in minutes if 7 <= m < 10)
    assert aligned >= 0.8 * len(minutes)
    assert aligned >= 10


def test_scenarios_morning_peak_repeats_on_weekdays_only(rows_of) -> None:
    rows, truth, _ = rows_of("morning_peak")
    days: dict[str, int] = {}
    for row in rows:
        if row["status"] == 503:  # the overload's status (background failures are 500s)
            day = datetime.fromtimestamp(row["ts"], tz=UTC).strftime("%Y-%m-%d %a")
            days[day] = days.get(day, 0) + 1
    weekdays = {day for day in days if not day.endswith(("Sat", "Sun"))}
    assert len(weekdays) >= 4
    assert all(days[day] >= 3 for day in weekdays)
    assert weekdays == set(days)  # never at the weekend
    assert truth.answer.ref == "09:00-09:30"


def test_scenarios_stalled_worker_stops_completing_jobs(rows_of) -> None:
    rows, truth, _ = rows_of("stalled_worker")
    before, incident = split(rows, truth)
    host = truth.answer.ref
    done = [r for r in incident if r["attrs"].get("message") == "job completed"]
    assert done
    assert not [r for r in done if r["host"] == host]
    assert [r for r in before if r["host"] == host and r["attrs"].get("message") == "job completed"]
    assert sum(1 for r in incident if r["level"] in ("ERROR", "error")) <= 20


def test_scenarios_memory_leak_ooms_only_the_deployed_hosts(rows_of) -> None:
    rows, truth, _ = rows_of("memory_leak")
    killed = {r["host"] for r in rows if "Out of memory" in str(r["attrs"].get("event", ""))}
    leaking = {a.ref.split(":")[0] for a in truth.also_accept}
    assert killed == leaking
    assert len(leaking) == 2


def test_scenarios_browser_reports_come_after_the_onset(rows_of) -> None:
    _, truth, out = rows_of("browser_specific")
    reports = list(
        csv.DictReader(
            io.StringIO((out / "reports" / "bug_reports.csv").read_text(encoding="utf-8"))
        )
    )
    safari = [r for r in reports if r["browser"] == "Safari 17"]
    assert len(safari) >= 5
    assert all(r["created_at"] > truth.onset for r in safari)
    assert all(r["created_at"] < truth.onset for r in reports if r["browser"] != "Safari 17")
