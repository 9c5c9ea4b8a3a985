"""The rule language: what it accepts, how it evaluates, and what it refuses (with why)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.severity.assess import answer_domains
from warroom.severity.conditions import (
    ConditionError,
    QuestionSpec,
    Value,
    compile_condition,
)
from warroom.severity.models import Framework

QUESTIONS = {
    "customer_facing": QuestionSpec("customer_facing", "yes_no"),
    "workaround": QuestionSpec("workaround", "yes_no"),
    "scope": QuestionSpec("scope", "choice", ("all", "subset", "none")),
    "failing_share": QuestionSpec("failing_share", "number"),
    "customers_share": QuestionSpec("customers_share", "number"),
}
ANSWERS: dict[str, Value] = {
    "customer_facing": True,
    "workaround": False,
    "scope": "subset",
    "failing_share": 0.25,
    "customers_share": 0.1,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("customer_facing", True),
        ("not customer_facing", False),
        ("customer_facing and not workaround", True),
        ("workaround or scope == 'all'", False),
        ('scope == "subset"', True),
        ('scope != "subset"', False),
        ('scope in ("all", "subset")', True),
        ('scope not in ["all", "subset"]', False),
        ("failing_share >= 0.25", True),
        ("failing_share > 0.25", False),
        ("0.2 <= failing_share < 0.3", True),
        ("0.5 < failing_share", False),
        ("failing_share > -1", True),
        ("customer_facing == true and workaround == False", True),
        ("customer_facing and (workaround or customers_share >= 0.1)", True),
        ("true", True),
        ("false or False", False),
        ("  customer_facing\n  and scope == 'subset'\n", True),
    ],
)
def test_conditions_evaluate_like_their_text_reads(text: str, expected: bool) -> None:
    assert compile_condition(text, QUESTIONS).evaluate(ANSWERS) is expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("__import__('os').system('true')", "is not allowed here"),
        ("customer_facing.real", "is not allowed here"),
        ("failing_share + 0.1 > 0.5", "'failing_share + 0.1' is not allowed in a comparison"),
        ("len(scope) > 1", "'len(scope)' is not allowed in a comparison"),
        ("failing_share > -customers_share", "'customers_share' is not a fixed value"),
        ("lambda: customer_facing", "is not allowed here"),
        ("[x for x in scope]", "is not allowed here"),
        ("customer_facng", "unknown question 'customer_facng'; did you mean 'customer_facing'?"),
        ("revenue > 10", "unknown question 'revenue'"),
        ('scope == "al"', "'al' is not a choice of scope (all, subset, none)"),
        ("failing_share in (0.1, 0.2)", "'in' works on choice questions only"),
        ('"all" in scope', "must have scope on its left"),
        ('scope in "all"', "'in' needs a list"),
        ('failing_share == "high"', "failing_share is a number; compare it with a number"),
        ("failing_share > true", "failing_share is a number; compare it with a number"),
        ("customer_facing == 1", "customer_facing is yes/no; compare it with true or false"),
        ('scope < "b"', "scope is a choice question; use == or !="),
        ("failing_share", "'failing_share' is a number question, not yes/no"),
        ("scope and customer_facing", "'scope' is a choice question, not yes/no"),
        ("1 < 2", "must compare exactly one question"),
        ("failing_share > customers_share", "must compare exactly one question"),
        ("failing_share > None", "'None' is not a fixed value"),
        ("customer_facing and", "not a valid condition: invalid syntax"),
        ("'yes'", "is not allowed here"),
        ("x := customer_facing", "not a valid condition"),
        ("(x := customer_facing)", "is not allowed here"),
    ],
)
def test_conditions_refuse_what_is_outside_the_language(text: str, fragment: str) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_condition(text, QUESTIONS)
    assert fragment in str(caught.value)


def test_conditions_record_the_questions_and_thresholds_they_read() -> None:
    condition = compile_condition(
        "customer_facing and 0.05 <= failing_share < 0.5 or scope == 'all'", QUESTIONS
    )
    assert condition.names == {"customer_facing", "failing_share", "scope"}
    assert condition.numbers == {"failing_share": frozenset({0.05, 0.5})}


def test_conditions_possibilities_try_every_value_of_each_unknown() -> None:
    condition = compile_condition("customer_facing and scope == 'all'", QUESTIONS)
    domains: dict[str, tuple[Value, ...]] = {
        "customer_facing": (True, False),
        "scope": ("all", "subset", "none"),
    }
    outcomes = list(condition.possibilities({"customer_facing": True}, domains))
    assert outcomes == [
        ({"scope": "all"}, True),
        ({"scope": "subset"}, False),
        ({"scope": "none"}, False),
    ]
    assert len(list(condition.possibilities({}, domains))) == 6


def _framework_with_thresholds(thresholds: list[tuple[str, float]]) -> Framework:
    rules = [
        {"id": f"r{i}", "level": "high", "when": f"share {op} {value!r}", "because": "x"}
        for i, (op, value) in enumerate(thresholds)
    ]
    response: dict[str, Any] = {
        "page": [],
        "notify": ["responders"],
        "customer_communication": False,
        "postmortem": {"required": False},
        "follow_up_due": "30d",
    }
    return Framework.model_validate(
        {
            "id": "generated",
            "name": "generated",
            "default_level": "high",
            "questions": [{"id": "share", "prompt": "share?", "type": "number", "unit": "share"}],
            "rules": rules,
            "levels": [{"id": "high", "name": "High", "summary": "s", "response": response}],
        }
    )


_OPERATORS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


@settings(max_examples=200, deadline=None)
@given(
    thresholds=st.lists(
        st.tuples(
            st.sampled_from(sorted(_OPERATORS)),
            st.floats(min_value=-0.5, max_value=1.5, allow_nan=False).map(lambda f: round(f, 3)),
        ),
        min_size=1,
        max_size=5,
    ),
    answer=st.floats(min_value=0, max_value=1, allow_nan=False),
)
def test_conditions_number_domain_reproduces_every_outcome(
    thresholds: list[tuple[str, float]], answer: float
) -> None:
    # Whatever the real answer is, some value the assessment tries gives every rule the same
    # outcome: so "try each value of an unknown" misses no possibility.
    framework = _framework_with_thresholds(thresholds)
    domain = answer_domains(framework)["share"]
    assert all(0 <= value <= 1 for value in domain)  # type: ignore[operator]
    wanted = [_OPERATORS[op](answer, value) for op, value in thresholds]
    tried = [[_OPERATORS[op](candidate, value) for op, value in thresholds] for candidate in domain]
    assert wanted in tried
