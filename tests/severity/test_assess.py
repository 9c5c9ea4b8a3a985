"""The assessment rules of both presets on a table of situations, and how unknowns are treated."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.errors import InputError, NotFoundError
from warroom.severity.answers import Answers
from warroom.severity.assess import Assessment, answer_domains, assess
from warroom.severity.framework import Framework, load_framework

FIXTURES = Path(__file__).parent / "fixtures"

# Shorthands for the situations below: every built-in yes/no answered "no" except as stated.
CALM = {
    "customer_facing": False,
    "data_breach": False,
    "core_impacted": False,
    "workaround": False,
    "performance_only": False,
}
OUTAGE = {**CALM, "customer_facing": True}


@pytest.fixture(scope="module")
def default() -> Framework:
    return load_framework("default")


@pytest.fixture(scope="module")
def five_level() -> Framework:
    return load_framework("five-level")


def _run(framework: Framework, **values: bool | float | str | None) -> Assessment:
    return assess(framework, Answers(values=values))


DEFAULT_SITUATIONS = [
    # (what happened, answers, expected level, deciding rule)
    ("breach, nothing else known", {"data_breach": True}, "SEV1", "data-breach"),
    ("breach of an internal system", {**CALM, "data_breach": True}, "SEV1", "data-breach"),
    ("down for all customers", {**OUTAGE, "scope": "all"}, "SEV1", "outage-all-customers"),
    ("down for a subset", {**OUTAGE, "scope": "subset"}, "SEV2", "outage-subset"),
    ("core function, no workaround", {**CALM, "core_impacted": True}, "SEV2", "core-functionality"),
    (
        "core function with a workaround",
        {**CALM, "core_impacted": True, "workaround": True},
        "SEV3",
        "bug-with-workaround",
    ),
    (
        "customer bug with a workaround",
        {**OUTAGE, "scope": "subset", "workaround": True},
        "SEV3",
        "bug-with-workaround",
    ),
    (
        "slow for everyone",
        {**OUTAGE, "scope": "all", "performance_only": True},
        "SEV3",
        "degraded-performance",
    ),
    (
        "workaround but most requests fail",
        {**OUTAGE, "scope": "subset", "workaround": True, "failing_share": 0.6},
        "SEV1",
        "most-requests-failing",
    ),
    (
        "5% failing is the SEV2 threshold",
        {**OUTAGE, "scope": "subset", "workaround": True, "failing_share": 0.05},
        "SEV2",
        "some-requests-failing",
    ),
    (
        "just under 5% failing",
        {**OUTAGE, "scope": "subset", "workaround": True, "failing_share": 0.049},
        "SEV3",
        "bug-with-workaround",
    ),
    (
        "subset that is most customers",
        {**OUTAGE, "scope": "subset", "customers_share": 0.6},
        "SEV1",
        "most-customers-affected",
    ),
    (
        "a tenth of customers, slow only",
        {**OUTAGE, "scope": "subset", "performance_only": True, "customers_share": 0.1},
        "SEV3",
        "degraded-performance",
    ),
    (
        "internal, 1500 a minute at risk",
        {**CALM, "revenue_per_minute": 1500},
        "SEV1",
        "revenue-critical",
    ),
    (
        "internal, 150 a minute at risk",
        {**CALM, "revenue_per_minute": 150},
        "SEV2",
        "revenue-major",
    ),
    ("nothing affected", CALM, "SEV3", None),
    (
        "breach unknown, subset down",
        {**OUTAGE, "scope": "subset", "data_breach": None},
        "SEV1",
        "data-breach",
    ),
    ("nothing known at all", {}, "SEV1", "data-breach"),
]

FIVE_LEVEL_SITUATIONS = [
    ("breach", {**CALM, "data_breach": True}, "SEV0", "data-breach"),
    (
        "whole platform down",
        {**OUTAGE, "scope": "all", "platform_wide": True},
        "SEV0",
        "platform-down",
    ),
    (
        "one service down for all",
        {**OUTAGE, "scope": "all", "platform_wide": False},
        "SEV1",
        "outage-all-customers",
    ),
    (
        "internal, 20000 a minute",
        {**CALM, "revenue_per_minute": 20000},
        "SEV0",
        "revenue-catastrophic",
    ),
    ("internal, 2000 a minute", {**CALM, "revenue_per_minute": 2000}, "SEV1", "revenue-critical"),
    (
        "down for a subset",
        {**OUTAGE, "scope": "subset", "platform_wide": False},
        "SEV2",
        "outage-subset",
    ),
    ("core function, no workaround", {**CALM, "core_impacted": True}, "SEV2", "core-functionality"),
    (
        "customer bug with a workaround",
        {**OUTAGE, "scope": "subset", "platform_wide": False, "workaround": True},
        "SEV3",
        "bug-with-workaround",
    ),
    (
        "slow for a subset",
        {**OUTAGE, "scope": "subset", "platform_wide": False, "performance_only": True},
        "SEV3",
        "degraded-performance",
    ),
    (
        "caught in a canary",
        {**OUTAGE, "scope": "none"},
        "SEV4",
        "caught-before-customers",
    ),
    (
        "canary, yet 2% of requests fail",
        {**OUTAGE, "scope": "none", "failing_share": 0.02},
        "SEV3",
        "few-requests-failing",
    ),
    ("internal tool only", CALM, "SEV4", "no-customer-impact"),
    (
        "breach during a platform outage",
        {**OUTAGE, "scope": "all", "platform_wide": True, "data_breach": True},
        "SEV0",
        "data-breach",
    ),
    (
        "platform-wide unknown, all down",
        {**OUTAGE, "scope": "all", "platform_wide": None},
        "SEV0",
        "platform-down",
    ),
    ("nothing known at all", {}, "SEV0", "data-breach"),
]


@pytest.mark.parametrize(
    ("situation", "values", "level", "rule"),
    DEFAULT_SITUATIONS,
    ids=[s[0] for s in DEFAULT_SITUATIONS],
)
def test_assess_default_preset_situations(
    default: Framework, situation: str, values: dict[str, object], level: str, rule: str | None
) -> None:
    result = _run(default, **values)  # type: ignore[arg-type]
    assert (result.level, result.rule) == (level, rule), situation


@pytest.mark.parametrize(
    ("situation", "values", "level", "rule"),
    FIVE_LEVEL_SITUATIONS,
    ids=[s[0] for s in FIVE_LEVEL_SITUATIONS],
)
def test_assess_five_level_preset_situations(
    five_level: Framework, situation: str, values: dict[str, object], level: str, rule: str | None
) -> None:
    result = _run(five_level, **values)  # type: ignore[arg-type]
    assert (result.level, result.rule) == (level, rule), situation


def test_assess_unknown_answer_takes_the_worse_case_and_says_what_it_would_be(
    default: Framework,
) -> None:
    result = _run(default, **{**OUTAGE, "scope": "subset", "data_breach": None})
    assert result.level == "SEV1"
    assert not result.certain
    assert result.lowest_level == "SEV2"
    assert result.assuming == {"data_breach": True}
    [treatment] = result.unknowns
    assert (treatment.question, treatment.assumed) == ("data_breach", True)
    assert (treatment.otherwise, treatment.otherwise_if) == ("SEV2", False)
    assert treatment.note == (
        "customer data breached or lost: unknown — treated as the worse case (SEV1) until you "
        "know; answering 'no' would make it SEV2."
    )
    assert treatment.note in result.explanation


def test_assess_unknown_choice_names_the_answer_that_lowers_it_most(default: Framework) -> None:
    result = _run(default, **{**OUTAGE, "scope": None})
    assert (result.level, result.lowest_level) == ("SEV1", "SEV3")
    [treatment] = result.unknowns
    assert (treatment.question, treatment.assumed) == ("scope", "all")
    # "subset" would give SEV2 and "none" SEV3: the note names the least severe possibility.
    assert (treatment.otherwise, treatment.otherwise_if) == ("SEV3", "none")


def test_assess_unknowns_that_cannot_change_the_level_are_not_reported(
    default: Framework,
) -> None:
    # Already SEV1 for certain: whatever the unknown scope is, nothing changes.
    result = _run(default, data_breach=True, customer_facing=True)
    assert result.certain
    assert result.unknowns == []
    assert result.lowest_level == "SEV1"


def test_assess_several_matches_the_most_severe_wins_and_the_others_are_listed(
    default: Framework,
) -> None:
    result = _run(
        default,
        **{
            **OUTAGE,
            "scope": "subset",
            "workaround": True,
            "failing_share": 0.6,
            "core_impacted": True,
        },
    )
    assert result.level == "SEV1"
    beaten = [(m.rule, m.level, m.certain) for m in result.other_matches]
    assert beaten == [
        ("some-requests-failing", "SEV2", True),
        ("bug-with-workaround", "SEV3", True),
    ]
    assert result.explanation[1] == (
        "Also matched: some-requests-failing (SEV2), bug-with-workaround (SEV3). Between two "
        "levels the more severe one wins, so SEV1."
    )


def test_assess_prefers_a_certain_rule_over_a_possible_one_at_the_same_level(
    default: Framework,
) -> None:
    # outage-subset needs performance_only (unknown); some-requests-failing holds for sure.
    values = {**OUTAGE, "scope": "subset", "performance_only": None, "failing_share": 0.1}
    result = _run(default, **values)
    assert (result.level, result.rule, result.certain) == ("SEV2", "some-requests-failing", True)
    assert (result.other_matches[0].rule, result.other_matches[0].certain) == (
        "outage-subset",
        False,
    )


def test_assess_no_rule_matched_uses_the_default_level_and_says_so(default: Framework) -> None:
    result = _run(default, **CALM)
    assert result.no_rule_matched
    assert (result.level, result.rule) == ("SEV3", None)
    assert result.explanation[0] == "No rule matched, so the default level applies: SEV3 (Minor)."


def test_assess_optional_figures_wait_instead_of_assuming_the_worst(default: Framework) -> None:
    result = _run(default, **{**OUTAGE, "scope": "subset"})
    assert (result.level, result.certain) == ("SEV2", True)
    waiting = [(w.rule, w.level, w.needs) for w in result.could_raise]
    assert waiting == [
        ("most-requests-failing", "SEV1", ["failing_share"]),
        ("most-customers-affected", "SEV1", ["customers_share"]),
        ("revenue-critical", "SEV1", ["revenue_per_minute"]),
    ]
    assert any(
        line.startswith("Not answered: share of requests failing.") for line in result.explanation
    )


def test_assess_records_every_question_and_the_framework(default: Framework) -> None:
    result = _run(default, data_breach=False, failing_share=0.25)
    assert result.framework == "default"
    assert list(result.answers) == [q.id for q in default.questions]
    assert result.answers["data_breach"] is False
    assert result.answers["failing_share"] == 0.25
    assert result.answers["scope"] is None


def test_assess_json_round_trips(default: Framework) -> None:
    result = _run(default, **{**OUTAGE, "scope": None, "failing_share": 0.3})
    stored = json.loads(result.model_dump_json())
    assert Assessment.model_validate(stored) == result
    assert stored["answers"]["customer_facing"] is True
    assert stored["answers"]["failing_share"] == 0.3


def test_assess_is_deterministic(five_level: Framework) -> None:
    first = _run(five_level, customer_facing=True)
    assert all(_run(five_level, customer_facing=True) == first for _ in range(3))


@pytest.mark.parametrize("value", [True, None])
def test_assess_rejects_an_unknown_question(default: Framework, value: bool | None) -> None:
    with pytest.raises(NotFoundError) as caught:
        _run(default, platform_wide=value)
    assert "no question 'platform_wide'" in caught.value.message
    assert "customer_facing" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"customer_facing": "yes"}, "'yes' is not an answer to customer_facing"),
        ({"scope": "everyone"}, "'everyone' is not an answer to scope"),
        ({"failing_share": 1.5}, "1.5 is not an answer to failing_share"),
        ({"revenue_per_minute": -3}, "-3 is not an answer to revenue_per_minute"),
        ({"failing_share": True}, "True is not an answer to failing_share"),
    ],
)
def test_assess_rejects_answers_of_the_wrong_kind(
    default: Framework, values: dict[str, object], fragment: str
) -> None:
    with pytest.raises(InputError, match=fragment):
        _run(default, **values)  # type: ignore[arg-type]


def test_assess_team_framework_with_choice_and_number_rules() -> None:
    framework = load_framework(str(FIXTURES / "minimal.yaml"))
    assert _run(framework, customers_down=False, region="eu", error_rate=0.3).level == "high"
    assert _run(framework, customers_down=False, region="us", error_rate=0.3).rule == "some-errors"
    unknown_region = _run(framework, customers_down=False, error_rate=0.3)
    assert (unknown_region.level, unknown_region.unknowns[0].otherwise_if) == ("high", "us")
    below = _run(framework, customers_down=False, region="eu", error_rate=0.19)
    assert (below.level, below.rule) == ("low", "some-errors")


def test_assess_unknown_number_is_tried_on_both_sides_of_each_threshold() -> None:
    framework = load_framework(str(FIXTURES / "minimal.yaml"))
    # The thresholds 0 and 0.2, a value between them, and the upper bound of a share.
    assert answer_domains(framework)["error_rate"] == (0.0, 0.1, 0.2, 1.0)
    result = _run(framework, customers_down=False, region="eu")
    assert (result.level, result.rule) == ("high", "eu-errors")
    assert result.unknowns[0].note == (
        "error rate: unknown — treated as the worse case (high) until you know; another answer "
        "could make it low."
    )


def _completions(framework: Framework, known: dict[str, Any]) -> list[dict[str, Any]]:
    domains = answer_domains(framework)
    open_ids = [q.id for q in framework.questions if not q.optional and q.id not in known]
    combos = itertools.product(*(domains[question_id] for question_id in open_ids))
    return [{**known, **dict(zip(open_ids, combo, strict=True))} for combo in combos]


def _known_answers(framework: Framework) -> st.SearchStrategy[dict[str, Any]]:
    domains = answer_domains(framework)
    per_question = {
        q.id: st.sampled_from(domains[q.id]) if q.type != "number" else st.floats(0, 1)
        for q in framework.questions
        if q.id != "revenue_per_minute"
    }
    per_question["revenue_per_minute"] = st.sampled_from([0, 99.5, 100, 999, 1000, 20000])
    return st.fixed_dictionaries({}, optional=per_question)


@pytest.mark.parametrize("preset", ["default", "five-level"])
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_assess_worst_case_equals_trying_every_completion(preset: str, data: st.DataObject) -> None:
    # Brute force: fill in every unknown (non-optional) answer every possible way and assess
    # each complete set. The suggestion must be the most severe of those, and the lowest level
    # the least severe; answering as the assessment assumed must give the suggested level.
    framework = load_framework(preset)
    known = data.draw(_known_answers(framework))
    result = assess(framework, Answers(values=known))
    ranks = [
        framework.level(assess(framework, Answers(values=complete)).level).rank
        for complete in _completions(framework, known)
    ]
    assert framework.level(result.level).rank == min(ranks)
    assert result.lowest_level == framework.levels[max(ranks)].id
    assert result.certain == (min(ranks) == max(ranks))
    assumed = assess(framework, Answers(values={**known, **result.assuming}))
    assert assumed.level == result.level
