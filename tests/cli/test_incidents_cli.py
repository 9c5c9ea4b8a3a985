"""Every incident and notebook command end to end, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from tests.cli.conftest import Invoke, as_json, assert_bad_input


def _declare(cli: Invoke, db: str | None = None, *extra: str) -> dict:  # type: ignore[type-arg]
    return as_json(
        cli(
            "declare",
            "Checkout returns 500s",
            "--severity",
            "SEV2",
            "--service",
            "checkout",
            "--commander",
            "priya",
            "--detected",
            "2026-03-04T14:03:00Z",
            *extra,
            "--json",
            db=db,
        )
    )


def test_cli_full_incident_flow(cli: Invoke, db_url: str) -> None:
    incident = _declare(cli, db_url)
    ref = incident["ref"]
    assert incident["status"] == "triage" and incident["roles"]["commander"] == ["priya"]

    steps = [
        ("role", "assign", ref, "communications_lead", "sam"),
        ("role", "assign", ref, "scribe", "lee"),
        ("role", "assign", ref, "responder", "marco"),
        ("mark", ref, "impact-started", "--at", "2026-03-04T13:58:00Z"),
        ("status", ref, "investigating"),
        ("note", ref, "5xx only on /api/orders/{id}/confirm"),
        ("link", ref, "https://grafana.example/d/checkout", "--title", "checkout dashboard"),
        ("hypothesis", "add", ref, "the payments provider is down"),
        ("hypothesis", "add", ref, "the 4.3.0 deploy broke confirmation"),
        (
            "hypothesis",
            "eliminate",
            "H1",
            "--why",
            "provider status green; latency flat",
            "--link",
            "https://status.provider.example",
        ),
        ("action", "add", ref, "rolled back checkout to 4.2.9", "--who", "marco", "--tests", "H2"),
        ("action", "outcome", "A1", "helped", "--note", "5xx back to baseline in 2 min"),
        ("hypothesis", "confirm", "H2", "--why", "errors only on 4.3.0 hosts; gone after rollback"),
        ("set-severity", ref, "SEV1", "--reason", "all EU customers affected"),
        ("status", ref, "mitigated"),
    ]
    for step in steps:
        result = cli(*step, "--json", db=db_url)
        assert result.exit_code == 0, (step, result.stdout, result.stderr)

    shown = as_json(cli("show", ref, "--json", db=db_url))
    assert shown["severity"] == "SEV1"
    assert shown["status"] == "mitigated"
    assert shown["roles"]["communications_lead"] == ["sam"]
    assert [h["statement"] for h in shown["eliminated"]] == ["the payments provider is down"]
    assert shown["eliminated"][0]["why"] == "provider status green; latency flat"
    assert [h["statement"] for h in shown["confirmed"]] == ["the 4.3.0 deploy broke confirmation"]
    assert shown["actions"][0]["outcome"] == "helped"
    assert shown["durations"]["time_to_detect"] == 300.0

    entries = as_json(cli("timeline", ref, "--json", db=db_url))
    assert len(entries) == shown["timeline_count"] >= 15
    assert sorted(e["seq"] for e in entries) == list(range(1, len(entries) + 1))
    kinds = {e["kind"] for e in entries}
    assert {
        "status_change",
        "role_change",
        "key_time",
        "note",
        "link",
        "hypothesis",
        "action",
        "severity_change",
    } <= kinds
    changes = as_json(cli("timeline", ref, "--kind", "severity_change", "--json", db=db_url))
    assert [c["data"]["to"] for c in changes] == ["SEV1"]

    history = as_json(cli("role", "history", ref, "--json", db=db_url))
    assert [h["person"] for h in history] == ["priya", "sam", "lee", "marco"]


def test_cli_human_output_shows_what_is_ruled_out(cli: Invoke) -> None:
    incident = _declare(cli)
    cli("hypothesis", "add", incident["ref"], "DNS is broken")
    cli("hypothesis", "eliminate", "H1", "--why", "dig resolves from all hosts")
    result = cli("show", incident["ref"])
    assert result.exit_code == 0
    assert "Ruled out" in result.stdout
    assert "dig resolves from all hosts" in result.stdout
    assert "INC-1" in result.stdout


def test_cli_list_filters(cli: Invoke) -> None:
    _declare(cli)
    as_json(cli("declare", "Search is slow", "--severity", "SEV3", "--service", "search", "--json"))
    assert [i["title"] for i in as_json(cli("list", "--json"))] == [
        "Search is slow",
        "Checkout returns 500s",
    ]
    assert [i["title"] for i in as_json(cli("list", "--service", "search", "--json"))] == [
        "Search is slow"
    ]
    assert [i["severity"] for i in as_json(cli("list", "--severity", "sev2", "--json"))] == ["SEV2"]
    assert as_json(cli("list", "--status", "resolved", "--json")) == []
    table = cli("list")
    assert "2 incidents" in table.stdout


def test_cli_bad_input_exits_2_with_one_line_and_writes_nothing(cli: Invoke) -> None:
    incident = _declare(cli)
    ref = incident["ref"]
    before = len(as_json(cli("timeline", ref, "--json")))
    assert_bad_input(cli("show", "INC-99"), "no incident INC-99")
    assert_bad_input(cli("declare", "x", "--severity", "SEV9"), "SEV9")
    assert_bad_input(cli("declare", "x"), "say how severe it is")
    assert_bad_input(cli("status", ref, "closed"), "cannot move an incident from triage to closed")
    assert_bad_input(cli("status", ref, "not_incident"), "needs a reason")
    assert_bad_input(cli("mark", ref, "detected", "--at", "yesterday-ish"), "malformed time")
    assert_bad_input(cli("mark", ref, "lunch"), "unknown key time")
    assert_bad_input(cli("set-severity", ref, "SEV2", "--reason", "same"), "already SEV2")
    cli("hypothesis", "add", ref, "cache stampede")
    assert_bad_input(cli("hypothesis", "eliminate", "H1", "--why", " "), "say why you eliminate H1")
    assert_bad_input(cli("hypothesis", "confirm", "H7", "--why", "x"), "no hypothesis H7")
    assert_bad_input(cli("link", ref, "not a url"), "not a URL")
    assert_bad_input(cli("show", "checkout"), "not an incident id")
    assert_bad_input(cli("--db", "mysql://x/y", "list"), "unsupported database")
    after = as_json(cli("timeline", ref, "--json"))
    assert len(after) == before + 1  # only the hypothesis that was added on purpose


def test_cli_not_an_incident_keeps_the_reason(cli: Invoke) -> None:
    incident = _declare(cli)
    as_json(
        cli("status", incident["ref"], "not_incident", "--reason", "known UI bug BUG-812", "--json")
    )
    shown = as_json(cli("show", incident["ref"], "--json"))
    assert shown["status"] == "not_incident"
    assert shown["not_incident_reason"] == "known UI bug BUG-812"


def test_cli_evidence_output_from_stdin(cli: Invoke) -> None:
    incident = _declare(cli)
    cli("hypothesis", "add", incident["ref"], "disk full on db-1")
    result = cli(
        "hypothesis",
        "eliminate",
        "H1",
        "--why",
        "61% used",
        "--output",
        "-",
        "--json",
        input="Filesystem  Size  Used Avail Use%\n/dev/sda1   200G  122G   78G  61%\n",
    )
    hypothesis = as_json(result)
    assert hypothesis["evidence"][0]["kind"] == "output"
    assert "/dev/sda1" in hypothesis["evidence"][0]["value"]


def test_cli_db_commands(cli: Invoke, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'explicit.db'}"
    status = as_json(cli("db", "status", "--json", db=url))
    assert status["revision"] is None
    upgraded = as_json(cli("db", "upgrade", "--json", db=url))
    assert upgraded["from"] is None and upgraded["to"] == status["head"]
    assert as_json(cli("db", "status", "--json", db=url))["revision"] == status["head"]


def test_cli_help_explains_every_command(cli: Invoke) -> None:
    top = cli("--help")
    assert top.exit_code == 0
    for command in (
        "declare",
        "list",
        "show",
        "timeline",
        "status",
        "set-severity",
        "mark",
        "role",
        "hypothesis",
        "action",
        "note",
        "link",
        "db",
    ):
        assert command in top.stdout
        sub = cli(command, "--help")
        assert sub.exit_code == 0, command
        assert "Usage" in sub.stdout
