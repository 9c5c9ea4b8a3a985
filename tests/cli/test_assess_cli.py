"""`warroom assess`, end to end through the real CLI."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from warroom.cli.assess import interactive_assessment, print_triggers
from warroom.cli.main import app
from warroom.severity.assess import Assessment
from warroom.severity.framework import load_framework
from warroom.timeutil import utcnow

FIXTURES = Path(__file__).parents[1] / "severity" / "fixtures"
ENV: dict[str, str | None] = {
    "COLUMNS": "200",
    "WARROOM_SEVERITY_FRAMEWORK": None,
    "WARROOM_TIMEZONE": None,
}
SUBSET_OUTAGE = [
    "--customer-facing",
    "--scope",
    "subset",
    "--no-data-breach",
    "--no-core-impacted",
    "--no-workaround",
    "--no-performance-only",
]


def _run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=ENV, input=stdin)


def _json(*args: str) -> dict[str, Any]:
    result = _run(*args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_assess_cli_flags_give_the_level_the_rule_and_the_triggers() -> None:
    data = _json("assess", *SUBSET_OUTAGE, "--failing-share", "12%", "--service", "checkout")
    assessment, triggered = data, data["triggers"]
    assert (assessment["level"], assessment["rule"]) == ("SEV2", "outage-subset")
    assert assessment["answers"]["failing_share"] == 0.12
    assert [m["rule"] for m in assessment["other_matches"]] == ["some-requests-failing"]
    assert triggered["page_now"] == ["on-call: checkout primary", "incident commander on-call"]
    assert triggered["escalations"][0]["after"] == "30m"
    declared = datetime.fromisoformat(triggered["declared_at"])
    first_due = datetime.fromisoformat(triggered["escalations"][0]["due_at"])
    assert (first_due - declared).total_seconds() == 30 * 60
    assert triggered["customer_communication"] is True


def test_assess_cli_human_output_explains_and_lists_what_it_triggers() -> None:
    result = _run("assess", *SUBSET_OUTAGE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "SEV2 — Major" in out
    assert "SEV2 (Major): rule outage-subset — A customer-facing service or feature" in out
    assert "What SEV2 triggers" in out
    for label in ("page now", "after 30m", "notify", "updates: responders", "postmortem"):
        assert label in out
    assert "every 30m" in out
    assert "due within 10d" in out
    assert "due within 30d" in out


def test_assess_cli_unknown_answers_take_the_worse_case_without_asking() -> None:
    assessment = _json("assess", "--customer-facing", "--scope", "subset")
    assert assessment["level"] == "SEV1"
    assert assessment["certain"] is False
    assert any(
        "customer data breached or lost: unknown" in line for line in assessment["explanation"]
    )


def test_assess_cli_no_input_and_no_answers_is_the_worst_case() -> None:
    data = _json("assess", "--no-input")
    assert data["level"] == "SEV1"
    assert data["lowest_level"] == "SEV3"


def test_assess_cli_custom_question_through_answer() -> None:
    data = _json(
        "--framework",
        "five-level",
        "assess",
        "--customer-facing",
        "--scope",
        "all",
        "--no-data-breach",
        "-a",
        "platform_wide=yes",
    )
    assert (data["level"], data["rule"]) == ("SEV0", "platform-down")
    assert "security on-call" in data["triggers"]["page_now"]


def test_assess_cli_answer_question_mark_means_unknown() -> None:
    assessment = _json(*["assess", *SUBSET_OUTAGE[:-1], "--answer", "performance_only=?"])
    assert assessment["answers"]["performance_only"] is None
    assert assessment["assuming"] == {"performance_only": False}


def test_assess_cli_team_framework() -> None:
    data = _json(
        "--framework",
        str(FIXTURES / "minimal.yaml"),
        "assess",
        "-a",
        "customers_down=no",
        "-a",
        "region=eu",
        "-a",
        "error_rate=25%",
    )
    assert (data["level"], data["rule"]) == ("high", "eu-errors")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--scope", "everyone"], "everyone is not an answer to scope"),
        (["--failing-share", "140%"], "140% is not an answer to failing_share"),
        (["--revenue-per-minute", "lots"], "lots is not an answer to revenue_per_minute"),
        (["--answer", "platform_wide=yes"], "framework 'default' has no question 'platform_wide'"),
        (["--answer", "scope"], "--answer 'scope' is not QUESTION=VALUE"),
        (["--answer", "=yes"], "--answer '=yes' is not QUESTION=VALUE"),
        (["--ask", "--no-input"], "--ask and --no-input contradict each other"),
    ],
)
def test_assess_cli_bad_input_is_a_one_line_error(args: list[str], fragment: str) -> None:
    assert fragment in _one_line_error(_run("assess", *args))


def test_assess_cli_flag_for_a_question_the_framework_lacks() -> None:
    result = _run("--framework", str(FIXTURES / "minimal.yaml"), "assess", "--workaround")
    error = _one_line_error(result)
    assert "framework 'mini' has no question 'workaround'" in error
    assert "its questions are: customers_down, region, error_rate" in error


def test_assess_cli_ask_reads_answers_from_the_terminal() -> None:
    typed = "yes\nall\nno\nno\nno\nno\n?\n?\n?\n"
    result = _run("assess", "--ask", "--json", stdin=typed)
    assert result.exit_code == 0, result.output
    assessment = json.loads(result.stdout)
    assert (assessment["level"], assessment["rule"]) == ("SEV1", "outage-all-customers")
    assert assessment["answers"]["scope"] == "all"
    # With --json the questions go to stderr, so stdout stays valid JSON.
    assert "Is a customer-facing service or feature affected?" in result.stderr


def test_assess_cli_ask_only_asks_what_the_flags_left_open() -> None:
    result = _run("assess", "--no-customer-facing", "--no-data-breach", "--ask", stdin="no\n")
    assert result.exit_code == 0, result.output
    assert "customer-facing service or feature affected?" not in result.stdout
    assert "Is core functionality significantly impacted" in result.stdout
    assert "No rule matched, so the default level applies: SEV3 (Minor)." in result.stdout


def test_assess_cli_help_reads_for_a_newcomer() -> None:
    result = _run("assess", "--help")
    assert result.exit_code == 0
    out = result.stdout
    assert "Suggest a severity level from what you know about the incident" in out
    assert "an unknown answer is taken as its worse case" in out
    for option in ("--customer-facing", "--scope", "--failing-share", "--answer", "--no-input"):
        assert option in out


def test_assess_cli_json_is_an_assessment_that_declare_can_read() -> None:
    data = _json("assess", *SUBSET_OUTAGE)
    stored = {key: value for key, value in data.items() if key != "triggers"}
    assert Assessment.model_validate(stored).level == "SEV2"


def test_assess_cli_print_triggers_without_a_clock_shows_durations_only() -> None:
    screen = io.StringIO()
    console = Console(file=screen, width=200)
    level = load_framework("default").level("SEV1")
    print_triggers(console, level, declared_at=None, services=["search"])
    text = screen.getvalue()
    assert "What SEV1 triggers" in text
    assert "on-call: search primary" in text
    assert re.search(r"after 15m +engineering manager of search", text)
    assert "every 30m" in text
    # No incident clock: durations, but no "by 14:17" times.
    assert "if not mitigated by" not in text
    assert "next due" not in text


def test_assess_cli_print_triggers_on_the_incident_clock() -> None:
    screen = io.StringIO()
    console = Console(file=screen, width=200)
    level = load_framework("default").level("SEV2")
    declared = utcnow() - timedelta(minutes=45)
    print_triggers(console, level, declared_at=declared)
    text = screen.getvalue()
    deadline = (declared + timedelta(minutes=30)).strftime("%H:%M")
    assert f"(if not mitigated by {deadline} UTC)" in text
    next_update = (declared + timedelta(minutes=60)).strftime("%H:%M")
    assert f"every 30m  (next due {next_update} UTC)" in text


def test_assess_cli_interactive_assessment_asks_on_stderr_and_returns_stored_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\nsubset\nno\nno\nno\nno\n"))
    stored = interactive_assessment(load_framework("default"))
    assert (stored["level"], stored["rule"]) == ("SEV2", "outage-subset")
    assert json.loads(json.dumps(stored)) == stored
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Is a customer-facing service or feature affected?" in captured.err
    assert "SEV2 — Major" in captured.err
