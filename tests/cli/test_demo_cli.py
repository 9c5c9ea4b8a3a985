"""`warroom demo` end to end: a simulated incident investigated and recorded in the store."""

from __future__ import annotations

from tests.cli.conftest import Invoke, as_json


def test_demo_records_a_whole_incident(cli: Invoke) -> None:
    result = cli("demo", "--seed", "3")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "The investigation" in result.stdout
    assert "Errors started at" in result.stdout
    assert "Ruled out" in result.stdout

    incidents = as_json(cli("list", "--json"))
    assert len(incidents) == 1
    shown = as_json(cli("show", incidents[0]["ref"], "--json"))
    assert shown["status"] == "resolved"
    assert shown["severity"] == shown["assessment"]["level"]
    assert shown["roles"]["commander"] == ["priya"]
    assert shown["roles"]["communications_lead"] == ["sam"]
    assert len(shown["eliminated"]) >= 2
    assert all(h["why"] for h in shown["eliminated"])
    assert len(shown["confirmed"]) == 1
    assert {a["outcome"] for a in shown["actions"]} == {"no_effect", "helped"}
    assert shown["timeline_count"] >= 12
    times = shown["key_times"]
    assert times["impact_started"] <= times["detected"] <= times["declared"] <= times["resolved"]

    entries = as_json(cli("timeline", incidents[0]["ref"], "--json"))
    kinds = {e["kind"] for e in entries}
    assert {"finding", "hypothesis", "action", "status_change", "role_change", "note"} <= kinds
