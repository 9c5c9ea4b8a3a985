"""Reading answers as responders type them."""

from __future__ import annotations

import pytest

from warroom.errors import InputError
from warroom.severity.answers import answer_hint, parse_answer
from warroom.severity.framework import load_framework
from warroom.severity.models import Question

DEFAULT = load_framework("default")


def _question(question_id: str) -> Question:
    return DEFAULT.question(question_id)


@pytest.mark.parametrize(
    ("question_id", "typed", "expected"),
    [
        ("customer_facing", "y", True),
        ("customer_facing", " YES ", True),
        ("customer_facing", "true", True),
        ("customer_facing", "n", False),
        ("customer_facing", "No", False),
        ("customer_facing", "?", None),
        ("customer_facing", "", None),
        ("customer_facing", "not  sure", None),
        ("scope", "subset", "subset"),
        ("scope", "ALL", "all"),
        ("scope", "sub", "subset"),
        ("scope", "unknown", None),
        ("failing_share", "0.4", 0.4),
        ("failing_share", "40%", 0.4),
        ("failing_share", "100 %", 1.0),
        ("failing_share", "0", 0.0),
        ("revenue_per_minute", "1,250", 1250.0),
        ("revenue_per_minute", "12_000.5", 12000.5),
    ],
)
def test_answers_parse_what_people_type(
    question_id: str, typed: str, expected: bool | float | str | None
) -> None:
    assert parse_answer(_question(question_id), typed) == expected


@pytest.mark.parametrize(
    ("question_id", "typed", "hint"),
    [
        ("customer_facing", "maybe", "answer yes/no/?"),
        ("scope", "some", "answer all/subset/none/?"),
        ("failing_share", "40", "answer 0-1 or a percentage, or ?"),
        ("failing_share", "-5%", "answer 0-1 or a percentage, or ?"),
        ("failing_share", "lots", "answer 0-1 or a percentage, or ?"),
        ("revenue_per_minute", "-1", "answer a number of at least 0, or ?"),
        ("revenue_per_minute", "40%", "answer a number of at least 0, or ?"),
    ],
)
def test_answers_refuse_what_does_not_fit_with_a_hint(
    question_id: str, typed: str, hint: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_answer(_question(question_id), typed)
    assert caught.value.message.startswith(f"{typed.strip()} is not an answer to {question_id}")
    assert caught.value.hint == hint


def test_answers_hint_names_choices_bounds_and_unknown() -> None:
    assert answer_hint(_question("scope")) == "all/subset/none/?"
    assert answer_hint(_question("data_breach")) == "yes/no/?"
    bounded = Question(id="q", prompt="q?", type="number", min=1, max=5)
    assert answer_hint(bounded) == "a number from 1 to 5, or ?"
    assert answer_hint(Question(id="q", prompt="q?", type="number", max=9.5)) == (
        "a number of at most 9.5, or ?"
    )
    assert answer_hint(Question(id="q", prompt="q?", type="number")) == "a number, or ?"
