"""Loading frameworks, and every validation problem reported with its exact line and field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from warroom.errors import FrameworkError, InputError, NotFoundError, Problem
from warroom.severity.audience import Audience
from warroom.severity.framework import (
    PRESETS,
    check_framework_file,
    check_framework_text,
    load_framework,
    parse_framework,
    preset_text,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _problems(name: str) -> list[tuple[int | None, str, str]]:
    result = check_framework_file(FIXTURES / name)
    assert not result.valid
    assert result.framework is None
    return [(p.line, p.field, p.message) for p in result.problems]


def test_framework_presets_load_with_levels_ranked_most_severe_first() -> None:
    default = load_framework("default")
    five = load_framework("five-level")
    assert [(level.id, level.rank) for level in default.levels] == [
        ("SEV1", 0),
        ("SEV2", 1),
        ("SEV3", 2),
    ]
    assert [level.id for level in five.levels] == ["SEV0", "SEV1", "SEV2", "SEV3", "SEV4"]
    assert default.default_level.id == "SEV3"
    assert five.default_level.id == "SEV4"


def test_framework_preset_names_ignore_case_and_spaces() -> None:
    assert load_framework(" Five-Level ").id == "five-level"


def test_framework_default_preset_policy_reads_like_the_issue() -> None:
    sev1 = load_framework("default").level("SEV1")
    response = sev1.response
    assert "incident commander on-call" in response.page
    assert [(step.after, step.page) for step in response.escalation] == [
        (timedelta(minutes=15), ["engineering manager of <service>"]),
        (timedelta(minutes=30), ["VP engineering"]),
        (timedelta(hours=1), ["executive sponsor (CTO on-call)"]),
    ]
    assert response.updates[Audience.RESPONDERS] == timedelta(minutes=15)
    assert response.updates[Audience.EXECUTIVES] == timedelta(minutes=30)
    assert response.updates[Audience.CUSTOMERS] == timedelta(minutes=30)
    assert response.customer_communication is True
    assert response.postmortem.required is True
    assert response.postmortem.due == timedelta(days=5)
    follow_ups = [
        load_framework("default").level(i).response.follow_up_due for i in ("SEV2", "SEV3")
    ]
    assert (response.follow_up_due, *follow_ups) == (
        timedelta(days=14),
        timedelta(days=30),
        timedelta(days=90),
    )
    sev3 = load_framework("default").level("SEV3").response
    assert set(sev3.updates.values()) == {timedelta(days=1)}


def test_framework_level_lookup_ignores_case() -> None:
    framework = load_framework("default")
    assert framework.level("sev2").id == "SEV2"
    assert framework.level(" Sev1 ").name == "Critical"


def test_framework_unknown_level_names_the_valid_ids() -> None:
    with pytest.raises(NotFoundError) as caught:
        load_framework("default").level("SEV9")
    assert "SEV9" in caught.value.message
    assert caught.value.hint == "use one of: SEV1, SEV2, SEV3"


def test_framework_loads_a_team_file_by_path() -> None:
    framework = load_framework(str(FIXTURES / "minimal.yaml"))
    assert framework.id == "mini"
    assert framework.level("HIGH").response.escalation[1].after == timedelta(hours=1)
    assert framework.level("low").response.page == []


def test_framework_missing_file_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        load_framework("no/such/framework.yaml")
    assert "neither a preset nor a file" in caught.value.message
    assert "default, five-level" in (caught.value.hint or "")


def test_framework_invalid_file_raises_framework_error_with_every_problem() -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework(str(FIXTURES / "semantic_errors.yaml"))
    error = caught.value
    assert len(error.problems) == 15
    assert error.source.endswith("semantic_errors.yaml")
    assert "15 problems; first: line 3: default_level" in error.message
    assert "warroom severity check" in (error.hint or "")


def test_framework_shape_errors_have_exact_lines_and_fields() -> None:
    assert _problems("shape_errors.yaml") == [
        (4, "colour", "unknown key 'colour'"),
        (
            6,
            "questions[Customers-Down].id",
            "'Customers-Down' must be lower case, start with a letter, and use only a-z, 0-9, _",
        ),
        (
            8,
            "questions[Customers-Down].type",
            "'boolean' is not allowed; use 'yes_no', 'choice' or 'number'",
        ),
        (10, "rules[down].because", "is required but missing"),
        (17, "levels[high].examples", "should be a list of '- item' lines (got 'just one')"),
        (18, "levels[high].response.postmortem", "is required but missing"),
        (
            21,
            "levels[high].response.escalation[0].after",
            "write a number and a unit such as 15m, 1h, 5d or 2w (got 15)",
        ),
        (
            23,
            "levels[high].response.escalation[1].after",
            "malformed duration '1 fortnight'; write a number and a unit: 30s, 15m, 1h, 5d, 2w",
        ),
        (25, "levels[high].response.notify[1]", _not_an_audience("execs")),
        (28, "levels[high].response.updates.press", _not_an_audience("press")),
        (
            29,
            "levels[high].response.customer_communication",
            "should be true or false (got 'maybe')",
        ),
        (
            30,
            "levels[high].response.postmortm",
            "unknown key 'postmortm'; did you mean 'postmortem'?",
        ),
    ]


def _not_an_audience(name: str) -> str:
    return (
        f"{name!r} is not allowed; use 'responders', 'incident_management', 'executives', "
        "'customer_support', 'public_relations', 'customers' or 'partners'"
    )


def test_framework_semantic_errors_have_exact_lines_and_fields() -> None:
    problems = _problems("semantic_errors.yaml")
    assert [(line, field) for line, field, _ in problems] == [
        (3, "default_level"),
        (8, "questions[customers_down].ask_if"),
        (13, "questions[error_rate].max"),
        (14, "questions[customers_down].id"),
        (20, "questions[tier].choices"),
        (23, "rules[down].level"),
        (28, "rules[errors].when"),
        (30, "rules[errors].id"),
        (32, "rules[errors].when"),
        (43, "levels[high].response.escalation[1].after"),
        (47, "levels[high].response.updates.executives"),
        (48, "levels[high].response.customer_communication"),
        (49, "levels[high].response.postmortem.due"),
        (52, "levels[HIGH].id"),
        (61, "levels[HIGH].response.postmortem.due"),
    ]
    messages = {line: message for line, _, message in problems}
    assert messages[3] == "unknown level 'medium'; the levels are high, HIGH"
    assert "only use questions listed before this one" in messages[8]
    assert messages[13] == "a share lies between 0 and 1"
    assert messages[14] == "duplicate id 'customers_down'"
    assert messages[23] == "unknown level 'critical'; the levels are high, HIGH"
    assert messages[28] == "unknown question 'custmers_down'; did you mean 'customers_down'?"
    assert messages[32].startswith("'error_rate' is a number question, not yes/no")
    assert messages[43].startswith("escalation steps must be in order of time")
    assert messages[47] == "executives get status updates but are not in notify; add them there"
    assert "notify must include customers" in messages[48]
    assert messages[49] == "a required postmortem needs a due time, e.g. 5d"
    assert "compared ignoring case" in messages[52]
    assert messages[61].startswith("due is set but the postmortem is not required")


def test_framework_yaml_syntax_error_points_at_its_line() -> None:
    [(line, field, message)] = _problems("not_yaml.yaml")
    assert (line, field) == (6, "(yaml)")
    assert message.startswith("not valid YAML: while parsing a flow sequence (from line 5)")


def test_framework_duplicate_key_is_a_problem_not_silently_dropped() -> None:
    assert _problems("duplicate_keys.yaml") == [
        (20, "levels[only].response.follow_up_due", "duplicate key (first on line 19)"),
    ]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- just\n- a list\n", "plain text"])
def test_framework_file_that_is_not_a_mapping_is_one_problem(text: str) -> None:
    message = "a framework file is a mapping with id, name, questions, levels and rules"
    assert check_framework_text(text, source="x.yaml").problems == [Problem(1, "(file)", message)]


def test_framework_parse_text_names_its_source() -> None:
    with pytest.raises(FrameworkError) as caught:
        parse_framework("id: x\n", source="inline")
    assert caught.value.source == "inline"
    fields = {problem.field for problem in caught.value.problems}
    assert {"name", "default_level", "questions", "levels"} <= fields


def test_framework_presets_are_valid_and_every_level_is_reachable() -> None:
    for name in PRESETS:
        result = check_framework_text(preset_text(name), source=name)
        assert result.valid, result.problems
        framework = result.framework
        assert framework is not None
        suggested = {framework.level(rule.level).id for rule in framework.rules}
        assert suggested | {framework.default_level.id} == {lv.id for lv in framework.levels}


def test_framework_unknown_preset_text_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown preset 'seven-level'"):
        preset_text("seven-level")


def test_framework_json_dump_round_trips_through_validation() -> None:
    framework = load_framework("five-level")
    dumped = framework.model_dump(mode="json", by_alias=True)
    assert dumped["levels"][0]["response"]["escalation"][0]["after"] == "5m"
    assert dumped["levels"][0]["rank"] == 0
    for level in dumped["levels"]:
        del level["rank"]  # computed, not part of the file
    again = type(framework).model_validate(dumped)
    assert again == framework


@pytest.mark.parametrize(
    ("written", "question_id"),
    [("not", "not"), ("in", "in"), ("lambda", "lambda"), ('"true"', "true")],
)
def test_framework_question_id_cannot_be_a_word_of_the_rule_language(
    written: str, question_id: str
) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("id: customers_down", f"id: {written}", 1)
    result = check_framework_text(text, source="words.yaml")
    message = f"{question_id!r} is a word of the rule language; choose another id"
    assert Problem(6, f"questions[{question_id}].id", message) in result.problems
