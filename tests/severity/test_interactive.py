"""Asking the framework's questions in a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from warroom.severity.answers import Answers
from warroom.severity.framework import load_framework
from warroom.severity.interactive import ask_answers

DEFAULT = load_framework("default")


def _ask(typed: str, given: Answers | None = None) -> tuple[Answers, str]:
    screen = io.StringIO()
    console = Console(file=screen, width=100, force_terminal=False)
    answers = ask_answers(DEFAULT, console, given=given, stream=io.StringIO(typed))
    return answers, screen.getvalue()


def test_interactive_asks_in_order_and_reads_answers() -> None:
    typed = "yes\nsubset\nno\nno\nno\nno\n12%\n?\n\n"
    answers, screen = _ask(typed)
    assert answers.values == {
        "customer_facing": True,
        "scope": "subset",
        "data_breach": False,
        "core_impacted": False,
        "workaround": False,
        "performance_only": False,
        "failing_share": 0.12,
        "customers_share": None,
        "revenue_per_minute": None,
    }
    assert "Is a customer-facing service or feature affected? (yes/no/?)" in screen
    assert "A fraction from 0 to 1, or a percentage such as 40%" in screen


def test_interactive_skips_questions_whose_ask_if_cannot_hold() -> None:
    # Not customer-facing: no "which customers?"; no core impact either: no workaround question.
    answers, screen = _ask("no\nno\nno\n?\n?\n?\n")
    assert "scope" not in answers.values
    assert "workaround" not in answers.values
    assert "performance_only" not in answers.values
    assert "Is it affecting all customers" not in screen
    assert answers.values["data_breach"] is False


def test_interactive_asks_again_after_an_answer_that_does_not_fit() -> None:
    answers, screen = _ask("perhaps\ny\nall\n")
    assert answers.values["customer_facing"] is True
    assert answers.values["scope"] == "all"
    assert "perhaps is not an answer to customer_facing" in screen


def test_interactive_keeps_given_answers_and_asks_only_the_rest() -> None:
    given = Answers(values={"customer_facing": False, "data_breach": True})
    answers, screen = _ask("no\n", given=given)
    assert answers.values["customer_facing"] is False
    assert answers.values["data_breach"] is True
    assert answers.values["core_impacted"] is False
    assert "customer data breached" not in screen.lower()


def test_interactive_end_of_input_means_unknown() -> None:
    answers, _ = _ask("")
    assert answers.known() == {}
