"""A responder's answers to the framework's questions, as typed and as checked values.

An answer is `None` when the responder does not know: the assessment then considers every
possibility. `parse_answer` reads what people type ("y", "subset", "40%", "?"); `checked_answers`
makes sure programmatic answers fit the framework's questions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from warroom.errors import InputError
from warroom.severity.conditions import Value
from warroom.severity.models import Framework, Question

AnswerValue = Value
UNKNOWN_WORDS = frozenset({"?", "unknown", "not sure", "unsure", "dunno", "idk"})
_YES = frozenset({"y", "yes", "true", "1", "on"})
_NO = frozenset({"n", "no", "false", "0", "off"})


class Answers(BaseModel):
    """Answers by question id; a missing id or `None` means unknown."""

    model_config = ConfigDict(frozen=True)

    values: dict[str, AnswerValue | None] = Field(default_factory=dict)

    def known(self) -> dict[str, AnswerValue]:
        return {key: value for key, value in self.values.items() if value is not None}


def answer_hint(question: Question) -> str:
    """What may be typed for this question, as shown in prompts and errors."""
    if question.type == "yes_no":
        return "yes/no/?"
    if question.type == "choice":
        return "/".join([*(question.choices or []), "?"])
    return f"{_number_hint(question)}, or ?"


def _number_hint(question: Question) -> str:
    if question.is_share:
        return "0-1 or a percentage"
    low, high = _bounds(question)
    if low is not None and high is not None:
        return f"a number from {_number(low)} to {_number(high)}"
    if low is not None:
        return f"a number of at least {_number(low)}"
    if high is not None:
        return f"a number of at most {_number(high)}"
    return "a number"


def parse_answer(question: Question, text: str) -> AnswerValue | None:
    """What a person typed -> a checked value, or None for '?' / 'unknown' / nothing."""
    typed = " ".join(text.strip().lower().split())
    if not typed or typed in UNKNOWN_WORDS:
        return None
    if question.type == "yes_no":
        if typed in _YES | _NO:
            return typed in _YES
        raise _invalid(question, text)
    if question.type == "choice":
        return _parse_choice(question, typed, text)
    try:
        return check_value(question, _parse_number(question, typed, text))
    except InputError as error:
        raise _invalid(question, text) from error


def answers_from_options(
    framework: Framework, *, flags: Mapping[str, bool | str | None], pairs: Sequence[str]
) -> dict[str, AnswerValue | None]:
    """Answers given on a command line: options by question id (None: not given; text is read
    like typed answers), then each 'QUESTION=VALUE' pair."""
    given: dict[str, AnswerValue | None] = {}
    for question_id, value in flags.items():
        if value is None:
            continue
        question = framework.question(question_id)
        given[question_id] = (
            parse_answer(question, value)
            if isinstance(value, str)
            else check_value(question, value)
        )
    for pair in pairs:
        question_id, separator, text = pair.partition("=")
        if not separator or not question_id.strip():
            raise InputError(
                f"--answer {pair!r} is not QUESTION=VALUE", hint="write it like scope=subset"
            )
        question = framework.question(question_id.strip())
        given[question.id] = parse_answer(question, text)
    return given


def checked_answers(framework: Framework, answers: Answers) -> dict[str, AnswerValue]:
    """The known answers, each checked against its question; unknown question ids are errors."""
    checked: dict[str, AnswerValue] = {}
    for question_id, value in sorted(answers.values.items()):
        question = framework.question(question_id)  # also for unknown answers: catches typos
        if value is not None:
            checked[question_id] = check_value(question, value)
    return checked


def check_value(question: Question, value: AnswerValue) -> AnswerValue:
    """`value` if it is a valid answer to `question`, else an InputError saying what fits."""
    if question.type == "yes_no":
        if not isinstance(value, bool):
            raise _invalid(question, repr(value))
        return value
    if question.type == "choice":
        if value not in (question.choices or []):
            raise _invalid(question, repr(value))
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(question, repr(value))
    low, high = _bounds(question)
    if (low is not None and value < low) or (high is not None and value > high):
        raise _invalid(question, _number(value))
    return value


def _parse_choice(question: Question, typed: str, text: str) -> str:
    choices = question.choices or []
    exact = [choice for choice in choices if choice.lower() == typed]
    starting = [choice for choice in choices if choice.lower().startswith(typed)]
    if exact or len(starting) == 1:
        return (exact or starting)[0]
    raise _invalid(question, text)


def _parse_number(question: Question, typed: str, text: str) -> float:
    cleaned = typed.replace(",", "").replace("_", "")
    percent = question.is_share and cleaned.endswith("%")
    try:
        number = float(cleaned.removesuffix("%")) if percent else float(cleaned)
    except ValueError as exc:
        raise _invalid(question, text) from exc
    return number / 100 if percent else number


def _bounds(question: Question) -> tuple[float | None, float | None]:
    if question.is_share:
        return (
            question.min if question.min is not None else 0.0,
            question.max if question.max is not None else 1.0,
        )
    return question.min, question.max


def _number(value: float) -> str:
    return f"{value:g}"


def _invalid(question: Question, shown: str) -> InputError:
    return InputError(
        f"{shown.strip()!s} is not an answer to {question.id} ({question.prompt})",
        hint=f"answer {answer_hint(question)}",
    )
