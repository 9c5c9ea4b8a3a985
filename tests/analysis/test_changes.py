from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import jsonschema
import pandas as pd
import pytest

from tests.analysis.changes_data import (
    API,
    CHECKOUT,
    ONSET,
    WEB,
    WINDOW,
    add_change,
    between,
    broken,
    errors_in,
    fleet,
    nameless,
    run,
    store,
    tag_versions,
)
from warroom.analysis.changeset import Assessment, Change, ruled_out
from warroom.analysis.cohorts import cohort_tests
from warroom.analysis.context import AnalysisContext
from warroom.analysis.fleet import Topology
from warroom.analysis.investigate import WindowRequest, resolve_windows
from warroom.analysis.investigation import Investigation
from warroom.analysis.schemas import investigation_schema
from warroom.analysis.scope import Tally, change_slice
from warroom.analysis.windows import Window
from warroom.timeutil import format_duration

SHA = "3f9c2ab71d04e5f68a9b0c1d2e3f405162738495"
LOOSE = "b" * 40
DEPLOYED = ONSET - timedelta(seconds=70)


@dataclass(frozen=True)
class Story:
    frame: pd.DataFrame
    result: Investigation


@pytest.fixture(scope="module")
def bad_deploy() -> Story:
    """An api deploy breaks a quarter of api requests; a web deploy earlier, a rollback later,
    the commit the deploy shipped, and a commit nobody deployed."""
    frame = broken(fleet(seed=21), hosts=API, share=0.25)
    con = store(frame)
    add_change(
        con,
        change_id="CHG-7",
        at=DEPLOYED,
        service="api",
        version="3.12.2",
        commit=SHA[:7],
    )
    add_change(con, change_id="CHG-web", at=ONSET - timedelta(minutes=50), service="web")
    add_change(
        con, change_id="CHG-back", at=ONSET + timedelta(minutes=20), kind="rollback", service="api"
    )
    add_change(con, change_id=SHA, at=ONSET - timedelta(hours=2), kind="commit")
    add_change(
        con, change_id=LOOSE, at=ONSET - timedelta(minutes=8), kind="commit", description="x"
    )
    return Story(frame, run(con))


def test_changes_bad_deploy_is_the_top_suspect_with_its_numbers(bad_deploy: Story) -> None:
    frame, result = bad_deploy.frame, bad_deploy.result
    top = result.suspects[0]
    assert (top.kind, top.ref) == ("change", "CHG-7") and top.score >= 0.9
    finding = result.finding("changes:change:CHG-7")
    assert finding is not None and result.onset.at is not None
    since = between(frame, result.onset.at, WINDOW[1])
    on_api = frame["service"] == "api"
    expected = errors_in(frame, on_api & since)
    assert (finding.incident["errors"], finding.incident["events"]) == expected
    peers = errors_in(frame, ~on_api & since)
    assert (finding.incident["peers_errors"], finding.incident["peers_events"]) == peers
    before = between(frame, DEPLOYED - timedelta(hours=1), DEPLOYED)
    assert (finding.baseline["errors"], finding.baseline["events"]) == errors_in(
        frame, on_api & before
    )
    assert finding.test is not None and finding.test.name == "Fisher exact, one-sided"
    assert finding.q_value is not None and finding.q_value < 1e-100
    assert finding.effect is not None and finding.effect > 20
    assert finding.evidence["weights"] == {
        "strength": 1.0,
        "timing": 1.0,
        "scope": 1.0,
        "commit": 1.0,
    }
    assert finding.evidence["scope"] == "it changed api, where the errors are"
    lag = format_duration(result.onset.at - DEPLOYED)
    assert finding.statement.startswith(
        f"The deploy of api 3.12.2 (CHG-7) came {lag} before the errors started"
    )
    assert f"{expected[0]:,} of {expected[1]:,}" in finding.statement
    assert len(finding.examples) == 3
    assert all(
        " api-" in line and "AttributeError: 'NoneType'" in line for line in finding.examples
    )


def test_changes_unrelated_and_later_changes_are_ruled_out(bad_deploy: Story) -> None:
    result = bad_deploy.result
    assert [s.ref for s in result.suspects if s.kind == "change"] == ["CHG-7", LOOSE]
    why = {e.subject.ref: e.why for e in result.eliminated if e.subject is not None}
    assert why["CHG-web"].startswith("errors were not higher on web (all 6 hosts): ")
    assert "q = " in why["CHG-web"]
    assert why["CHG-back"].startswith("it came after the onset: at 2026-03-04T05:20:00Z, 19m")
    causes = {e.cause for e in result.eliminated}
    assert "the deploy of web (CHG-web)" in causes
    assert "the rollback of api (CHG-back)" in causes
    assert not [e for e in result.eliminated if e.cause == "a recent change"]


def test_changes_commit_a_deploy_names_merges_into_it_and_loose_commits_are_weak(
    bad_deploy: Story,
) -> None:
    result = bad_deploy.result
    assert result.finding(f"changes:commit:{SHA}") is None  # shipped by CHG-7, not a rival
    deploy = result.finding("changes:change:CHG-7")
    assert deploy is not None and deploy.evidence["merges"] == [["change", SHA[:7]]]
    commit = result.finding(f"changes:commit:{LOOSE}")
    assert commit is not None and commit.kind == "recent_commit"
    assert commit.evidence["weights"]["commit"] == 0.3
    assert commit.score <= 0.3
    assert commit.statement.startswith("Commit bbbbbbbbbb ('x') came ")


def test_changes_investigation_json_follows_the_contract(bad_deploy: Story) -> None:
    document = bad_deploy.result.to_json()
    jsonschema.validate(document, investigation_schema())
    json.dumps(document, allow_nan=False)  # strict JSON: no NaN or infinity anywhere
    suspect = document["suspects"][0]
    assert suspect["finding_ids"] == ["changes:change:CHG-7"]
    eliminated = {e["cause"]: e for e in document["eliminated"]}
    assert eliminated["a single bad host"]["finding_ids"] == ["spread:host_spread:api"]


def test_changes_canary_outranks_the_hosts_it_explains_and_a_wider_deploy() -> None:
    frame = broken(fleet(seed=23), hosts=["web-2", "web-5"], share=0.4)
    con = store(frame)
    add_change(
        con,
        change_id="CHG-canary",
        at=ONSET - timedelta(seconds=50),
        service="web",
        version="2.14.0",
        hosts=["web-2", "web-5"],
    )
    add_change(
        con, change_id="CHG-wide", at=ONSET - timedelta(minutes=45), service="web", version="2.13.2"
    )
    result = run(con)
    order = [(s.kind, s.ref) for s in result.suspects]
    assert order[0] == ("change", "CHG-canary")
    assert order.index(("host", "web-2")) < order.index(("change", "CHG-wide"))
    canary = result.finding("changes:change:CHG-canary")
    assert canary is not None
    assert canary.evidence["explains"] == [["host", "web-2"], ["host", "web-5"]]
    hosts = [s for s in result.suspects if s.kind == "host"]
    assert all("likely a consequence of change CHG-canary" in s.summary for s in hosts)
    assert all(s.score <= 0.5 for s in hosts)
    wide = result.finding("changes:change:CHG-wide")
    assert wide is not None and wide.evidence["weights"]["scope"] == pytest.approx(2 / 6, 1e-3)
    assert wide.evidence["weights"]["timing"] < 0.7
    assert "it reached 6 hosts, of which 2 fail" in wide.evidence["scope"]


def test_changes_one_bad_host_outranks_a_change_to_its_whole_service() -> None:
    frame = broken(fleet(seed=24), hosts=["api-2"], share=0.6, exception="OSError")
    con = store(frame)
    add_change(
        con,
        change_id="CHG-conf",
        at=ONSET - timedelta(minutes=5),
        kind="config",
        service="api",
        description="raise pool size",
    )
    result = run(con)
    assert (result.suspects[0].kind, result.suspects[0].ref) == ("host", "api-2")
    change = next(s for s in result.suspects if s.kind == "change")
    assert change.score < 0.5 * result.suspects[0].score
    finding = result.finding("changes:change:CHG-conf")
    assert finding is not None and finding.evidence["explains"] == []
    assert finding.statement.startswith("The config change on api, 'raise pool size' (CHG-conf)")


def test_changes_feature_flag_counts_like_a_deploy() -> None:
    frame = broken(fleet(seed=25), hosts=API, share=0.1, exception="KeyError")
    con = store(frame)
    add_change(
        con,
        change_id="FLAG-9",
        at=ONSET - timedelta(seconds=30),
        kind="feature_flag",
        service="api",
        description="enable recommendations_v2 for 100% of users",
    )
    add_change(con, change_id="CHG-web", at=ONSET - timedelta(minutes=40), service="web")
    result = run(con)
    assert (result.suspects[0].kind, result.suspects[0].ref) == ("change", "FLAG-9")
    assert result.suspects[0].score >= 0.9


def test_changes_nothing_recent_is_an_eliminated_cause() -> None:
    frame = broken(fleet(seed=26), hosts=CHECKOUT, share=0.5, exception="GatewayTimeout")
    con = store(frame)
    add_change(con, change_id="CHG-old", at=ONSET - timedelta(hours=9), service="checkout")
    add_change(con, change_id="CHG-late", at=ONSET + timedelta(minutes=30), service="checkout")
    result = run(con)
    assert not [s for s in result.suspects if s.kind == "change"]
    recent = [e for e in result.eliminated if e.cause == "a recent change"]
    assert len(recent) == 1
    assert recent[0].why.startswith("no change event or commit in the 6h 00m before the onset at")
    assert "the latest before that was the deploy of checkout (CHG-old), 9h" in recent[0].why
    assert recent[0].why.endswith("; 1 came after the onset")


def test_changes_all_candidates_ruled_out_is_said_once() -> None:
    frame = broken(fleet(seed=27), hosts=CHECKOUT, share=0.5, exception="GatewayTimeout")
    con = store(frame)
    add_change(
        con,
        change_id="FLAG-web",
        at=ONSET - timedelta(hours=3),
        kind="feature_flag",
        service="web",
        description="enable search_autocomplete_v2",
    )
    add_change(con, change_id="CHG-web", at=ONSET - timedelta(minutes=50), service="web")
    result = run(con)
    assert not [s for s in result.suspects if s.kind == "change"]
    recent = [e for e in result.eliminated if e.cause == "a recent change"]
    assert [e.why for e in recent] == [
        "each of the 2 changes in the 6h 00m before the onset was ruled out"
    ]
    flag = next(e for e in result.eliminated if e.subject and e.subject.ref == "FLAG-web")
    assert flag.why.startswith("errors were not higher on web (all 6 hosts)")


def test_changes_change_tied_to_nothing_is_weak_when_the_errors_sit_in_one_service() -> None:
    frame = broken(fleet(seed=34), hosts=CHECKOUT, share=0.5, exception="GatewayTimeout")
    con = store(frame)
    add_change(
        con,
        change_id="INFRA-3",
        at=ONSET - timedelta(hours=3),
        kind="infra",
        description="renew TLS certificates",
    )
    result = run(con)
    finding = result.finding("changes:change:INFRA-3")
    assert finding is not None
    assert finding.test is not None and finding.test.name.startswith("Poisson rate ratio")
    assert finding.evidence["reached"] == "every host (all 11 hosts)"
    assert finding.evidence["weights"]["scope"] == 0.6
    assert finding.evidence["weights"]["timing"] == pytest.approx(0.2143, abs=1e-3)
    assert finding.score < 0.2


def test_changes_error_that_existed_before_rules_the_change_out() -> None:
    frame = fleet(seed=28)
    # web always threw this error on 10 % of requests; at the onset every service starts to
    chronic = broken(frame, hosts=WEB, share=0.1, at=WINDOW[0] - timedelta(hours=5))
    frame = broken(chronic, hosts=API + CHECKOUT, share=0.12, at=ONSET)
    con = store(frame)
    add_change(con, change_id="CHG-web", at=ONSET - timedelta(minutes=2), service="web")
    result = run(con)
    assert not [s for s in result.suspects if s.kind == "change"]
    why = next(e.why for e in result.eliminated if e.subject and e.subject.ref == "CHG-web")
    assert why.startswith("the error 'AttributeError' already occurred on web (all 6 hosts)")


def test_changes_version_in_the_logs_matches_the_deploy() -> None:
    frame = broken(fleet(seed=30), hosts=["web-2", "web-5"], share=0.4)
    con = store(frame)
    tag_versions(
        con,
        service="web",
        old="2.13.2",
        new="2.14.0",
        hosts=["web-2", "web-5"],
        since=ONSET - timedelta(minutes=1),
    )
    # the deploy tool names hosts by their full names; the logs by their short ones
    add_change(
        con,
        change_id="CHG-v",
        at=ONSET - timedelta(minutes=1),
        service="web",
        version="2.14.0",
        hosts=["WEB-2.prod.example.com", "web-5.prod.example.com"],
    )
    result = run(con)
    assert result.suspects[0].ref == "CHG-v"
    finding = result.finding("changes:change:CHG-v")
    assert finding is not None
    assert finding.evidence["scope"] == "the errors concentrate on version 2.14.0, which it shipped"
    assert finding.evidence["reached"] == "web-2, web-5 (web)"
    assert finding.evidence["explains"] == [["host", "web-2"], ["host", "web-5"]]


def test_changes_quiet_data_weighs_nothing() -> None:
    con = store(fleet(seed=31))
    add_change(con, change_id="CHG-q", at=ONSET - timedelta(minutes=3), service="api")
    result = run(con)
    assert result.suspects == []
    assert "errors did not rise, so no change was weighed" in result.notes
    assert not [e for e in result.eliminated if e.subject is not None]


def test_changes_skipped_without_a_changes_table() -> None:
    result = run(store(broken(fleet(seed=32), hosts=API, share=0.25)))
    coverage = {c.analyzer: c for c in result.coverage}
    assert coverage["changes:v1"].status == "skipped"
    assert coverage["changes:v1"].note == "no changes in the evidence"


def _assessment(after: Tally, before: Tally, peers: Tally | None) -> Assessment:
    topo = Topology(("web-1", "web-2"), {"web": ("web-1", "web-2")})
    change = Change("CHG-1", ONSET, "deploy", "web", "1.0", (), None, None)
    window = Window(ONSET - timedelta(hours=1), ONSET, "before it")
    tests = cohort_tests(after, before, peers)
    q_rise = tests.rise.p_value if tests.rise else None
    q_versus = tests.versus.p_value if tests.versus else None
    reached = change_slice(topo, hosts=(), service="web")
    return Assessment(
        change, timedelta(0), reached, after, before, peers, window, tests, q_rise, q_versus, 2
    )


def _ctx() -> AnalysisContext:
    con = store(fleet(seed=33, hours=1))
    windows = resolve_windows(con, WindowRequest(incident=WINDOW), None, "UTC")
    ctx = AnalysisContext(con=con, windows=windows)
    ctx.facts["onset"] = {"at": ONSET, "signature": "AttributeError"}
    return ctx


def test_changes_ruled_out_reasons_in_order() -> None:
    ctx = _ctx()
    flat = _assessment(Tally(1000, 12, 0), Tally(1000, 10, 0), None)
    assert (ruled_out(flat, ctx) or "").startswith("errors did not rise on web (both hosts)")
    untestable = _assessment(Tally(0, 0, 0), Tally(0, 0, 0), None)
    assert ruled_out(untestable, ctx) == ""
    few = _assessment(Tally(100, 8, 8), Tally(1000, 0, 0), None)
    assert ruled_out(few, ctx) == "only 8 errors on web (both hosts) since the onset"
    strong = _assessment(Tally(1000, 200, 190), Tally(1000, 3, 0), Tally(4000, 10, 0))
    assert ruled_out(strong, ctx) is None


def test_changes_service_found_by_host_names_when_the_logs_name_none() -> None:
    frame = nameless(broken(fleet(seed=35), hosts=API, share=0.25))
    con = store(frame)
    add_change(con, change_id="CHG-api", at=ONSET - timedelta(seconds=40), service="api")
    add_change(con, change_id="CHG-web", at=ONSET - timedelta(minutes=45), service="web")
    result = run(con)
    assert (result.suspects[0].kind, result.suspects[0].ref) == ("change", "CHG-api")
    assert not [s for s in result.suspects if s.kind == "host"]
    finding = result.finding("changes:change:CHG-api")
    assert finding is not None and finding.evidence["reached"] == "api (all 3 hosts)"
    assert finding.evidence["weights"]["scope"] == 1.0
    web = next(e for e in result.eliminated if e.subject and e.subject.ref == "CHG-web")
    assert web.why.startswith("errors were not higher on web (all 6 hosts)")
