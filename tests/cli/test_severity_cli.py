"""`warroom severity show | check | presets`, end to end through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from warroom.cli.main import app
from warroom.severity.framework import preset_text

FIXTURES = Path(__file__).parents[1] / "severity" / "fixtures"
# A wide terminal so that Rich never wraps the text the assertions look for.
ENV: dict[str, str | None] = {"COLUMNS": "200", "WARROOM_SEVERITY_FRAMEWORK": None}


def _run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env={**ENV, **(env or {})})


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_severity_cli_show_renders_the_default_scale() -> None:
    result = _run("severity", "show")
    assert result.exit_code == 0, result.output
    for text in ("Three-level severity scale", "SEV1", "Critical", "SEV3", "Minor"):
        assert text in result.stdout
    assert "every 15m: responders" in result.stdout
    assert "postmortem: due in 5d" in result.stdout


def test_severity_cli_show_json_is_the_whole_framework() -> None:
    result = _run("severity", "show", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["id"] == "default"
    assert data["default_level"] == "SEV3"
    assert [level["id"] for level in data["levels"]] == ["SEV1", "SEV2", "SEV3"]
    assert data["levels"][1]["response"]["escalation"][0] == {
        "after": "30m",
        "page": ["engineering manager of <service>"],
    }


def test_severity_cli_show_one_level_in_full() -> None:
    result = _run("severity", "show", "sev2")
    assert result.exit_code == 0
    assert "SEV2 — Major" in result.stdout
    assert "Invoice creation fails for a tenth of accounts." in result.stdout
    assert "Rules that suggest it: outage-subset, core-functionality" in result.stdout
    level = json.loads(_run("severity", "show", "SEV2", "--json").stdout)
    assert (level["id"], level["rank"]) == ("SEV2", 1)


def test_severity_cli_show_unknown_level_is_a_one_line_error() -> None:
    error = _one_line_error(_run("severity", "show", "SEV7"))
    assert "unknown severity 'SEV7'" in error
    assert "use one of: SEV1, SEV2, SEV3" in error


def test_severity_cli_show_rules_lists_questions_and_rules() -> None:
    result = _run("--framework", "five-level", "severity", "show", "--rules")
    assert result.exit_code == 0
    assert "SEV0" in result.stdout
    assert "platform_wide" in result.stdout
    assert "caught-before-customers" in result.stdout
    assert 'customer_facing and platform_wide and scope == "all"' in result.stdout


def test_severity_cli_framework_from_environment_and_from_a_file() -> None:
    by_env = _run("severity", "show", "--json", env={"WARROOM_SEVERITY_FRAMEWORK": "five-level"})
    assert json.loads(by_env.stdout)["id"] == "five-level"
    by_path = _run("--framework", str(FIXTURES / "minimal.yaml"), "severity", "show", "--json")
    assert json.loads(by_path.stdout)["id"] == "mini"


def test_severity_cli_invalid_framework_in_use_is_a_one_line_error() -> None:
    bad = str(FIXTURES / "semantic_errors.yaml")
    error = _one_line_error(_run("--framework", bad, "severity", "show"))
    assert "is not a valid severity framework (15 problems; first: line 3: default_level" in error
    assert f"run `warroom severity check {bad}` to list them all" in error


def test_severity_cli_missing_framework_is_a_one_line_error() -> None:
    error = _one_line_error(_run("--framework", "nine-level", "severity", "show"))
    assert "no severity framework 'nine-level'" in error


def test_severity_cli_check_valid_file() -> None:
    path = FIXTURES / "minimal.yaml"
    result = _run("severity", "check", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{path}: valid severity framework 'mini': 2 levels (high, low), 3 questions, 3 rules.\n"
    )
    assert result.stderr == ""


def test_severity_cli_check_lists_every_problem_with_file_and_line() -> None:
    path = FIXTURES / "shape_errors.yaml"
    result = _run("severity", "check", str(path))
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 12
    assert lines[0] == f"{path}:4: colour: unknown key 'colour'"
    assert lines[-1] == (
        f"{path}:30: levels[high].response.postmortm: unknown key 'postmortm'; "
        "did you mean 'postmortem'?"
    )
    assert result.stderr == f"error: {path} is not a valid severity framework (12 problems).\n"


def test_severity_cli_check_json() -> None:
    path = FIXTURES / "duplicate_keys.yaml"
    result = _run("severity", "check", str(path), "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data == {
        "file": str(path),
        "valid": False,
        "problems": [
            {
                "line": 20,
                "field": "levels[only].response.follow_up_due",
                "message": "duplicate key (first on line 19)",
            }
        ],
        "framework": None,
    }
    valid = json.loads(_run("severity", "check", str(FIXTURES / "minimal.yaml"), "--json").stdout)
    assert valid["valid"] is True
    assert valid["framework"] == {
        "id": "mini",
        "title": "Minimal two-level scale",
        "levels": ["high", "low"],
        "default": "low",
    }


def test_severity_cli_check_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    error = _one_line_error(_run("severity", "check", str(tmp_path / "nope.yaml")))
    assert f"{tmp_path / 'nope.yaml'} does not exist" in error
    assert "is a directory, not a file" in _one_line_error(_run("severity", "check", str(tmp_path)))


def test_severity_cli_presets_lists_both() -> None:
    result = _run("severity", "presets")
    assert result.exit_code == 0
    assert "default" in result.stdout
    assert "SEV0, SEV1, SEV2, SEV3, SEV4" in result.stdout
    listed = json.loads(_run("severity", "presets", "--json").stdout)
    assert [(item["name"], item["default"]) for item in listed] == [
        ("default", "SEV3"),
        ("five-level", "SEV4"),
    ]


@pytest.mark.parametrize("name", ["default", "five-level"])
def test_severity_cli_presets_print_yaml_that_checks_clean(name: str, tmp_path: Path) -> None:
    result = _run("severity", "presets", name)
    assert result.exit_code == 0
    assert result.stdout == preset_text(name)
    copy = tmp_path / "severity.yaml"
    copy.write_text(result.stdout, encoding="utf-8")
    assert _run("severity", "check", str(copy)).exit_code == 0


def test_severity_cli_unknown_preset_is_a_one_line_error() -> None:
    assert "unknown preset 'seven'" in _one_line_error(_run("severity", "presets", "seven"))


def test_severity_cli_help_reads_for_a_newcomer() -> None:
    result = _run("severity", "--help")
    assert result.exit_code == 0
    assert "what each level means and what it sets in motion" in result.stdout
    check_help = _run("severity", "check", "--help").stdout
    assert "Exits with status 0 when the file is valid and 2 when it is not" in check_help
