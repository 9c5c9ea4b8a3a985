"""Checks that span the whole framework file, and plain-language messages for shape errors.

Pydantic checks the shape of each part (types, required keys, unknown keys); this module checks
what only the whole file can tell: duplicate ids, rules naming an unknown level or question,
escalation steps out of order, update cadences for audiences that are never notified. It runs
on plain data, tolerating parts that are malformed, so a single pass reports every problem.
"""

from __future__ import annotations

import keyword
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from warroom.errors import InputError
from warroom.severity.audience import Audience
from warroom.severity.conditions import (
    QUESTION_TYPES,
    Condition,
    ConditionError,
    QuestionSpec,
    compile_condition,
)
from warroom.timeutil import parse_duration

Path = tuple[Hashable, ...]
_AUDIENCES = {audience.value for audience in Audience}
_WORDS = {"true", "false"}


@dataclass(frozen=True)
class Located:
    """A problem and the path of the part of the file it is about."""

    path: Path
    message: str


class SemanticProblems(Exception):
    """Raised by `Framework` when its parts are well-formed but do not fit together."""

    def __init__(self, problems: list[Located]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the framework")
        self.problems = problems


@dataclass
class Compiled:
    """The compiled conditions of a valid framework."""

    rules: dict[str, Condition] = field(default_factory=dict)
    ask_if: dict[str, Condition] = field(default_factory=dict)


def check_semantics(data: Any) -> tuple[list[Located], Compiled]:
    """Every cross-part problem of `data` (a framework as plain data), and its compiled rules."""
    problems: list[Located] = []
    compiled = Compiled()
    if not isinstance(data, dict):
        return problems, compiled
    questions = _check_questions(data, problems, compiled)
    level_ids = _check_levels(data, problems)
    default = data.get("default_level")
    if isinstance(default, str) and level_ids and not _is_level(default, level_ids):
        problems.append(Located(("default_level",), _unknown_level(default, level_ids)))
    _check_rules(data, questions, level_ids, problems, compiled)
    return problems, compiled


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _check_duplicate_ids(
    key: str, items: list[tuple[int, dict[str, Any]]], problems: list[Located], *, fold: bool
) -> None:
    seen: dict[str, str] = {}
    for index, item in items:
        item_id = item.get("id")
        if not isinstance(item_id, str):
            continue
        normalised = item_id.lower() if fold else item_id
        if normalised in seen:
            message = f"duplicate id {item_id!r}"
            if seen[normalised] != item_id:
                message += f" (same as {seen[normalised]!r}: level ids are compared ignoring case)"
            problems.append(Located((key, index, "id"), message))
        else:
            seen[normalised] = item_id


def _check_questions(
    data: dict[str, Any], problems: list[Located], compiled: Compiled
) -> dict[str, QuestionSpec]:
    items = _items(data, "questions")
    _check_duplicate_ids("questions", items, problems, fold=False)
    specs: dict[str, QuestionSpec] = {}
    for index, item in items:
        path: Path = ("questions", index)
        _check_question_fields(item, path, problems)
        ask_if = item.get("ask_if")
        if isinstance(ask_if, str) and isinstance(item.get("id"), str):
            # Only earlier questions: the interactive assessment asks them in file order.
            condition = _compile(ask_if, specs, (*path, "ask_if"), problems, earlier_only=True)
            if condition is not None:
                compiled.ask_if[item["id"]] = condition
        spec = _question_spec(item)
        if spec is not None and spec.id not in specs:
            specs[spec.id] = spec
    return specs


def _check_question_fields(item: dict[str, Any], path: Path, problems: list[Located]) -> None:
    question_id = item.get("id")
    if isinstance(question_id, str) and (keyword.iskeyword(question_id) or question_id in _WORDS):
        message = f"{question_id!r} is a word of the rule language; choose another id"
        problems.append(Located((*path, "id"), message))
    kind = item.get("type")
    choices = item.get("choices")
    if kind == "choice" and (not isinstance(choices, list) or len(choices) < 2):
        problems.append(Located((*path, "choices"), "a choice question needs at least 2 choices"))
    elif isinstance(choices, list) and len(set(map(str, choices))) != len(choices):
        problems.append(Located((*path, "choices"), "choices must be different from each other"))
    if kind != "choice" and choices is not None:
        problems.append(Located((*path, "choices"), "only choice questions have choices"))
    for key in ("min", "max", "unit"):
        if kind != "number" and item.get(key) is not None:
            problems.append(Located((*path, key), f"only number questions have a {key}"))
    low, high = _number(item.get("min")), _number(item.get("max"))
    if low is not None and high is not None and low > high:
        problems.append(Located((*path, "min"), f"min ({low:g}) is greater than max ({high:g})"))
    if item.get("unit") == "share":
        for key, value in (("min", low), ("max", high)):
            if value is not None and not 0 <= value <= 1:
                problems.append(Located((*path, key), "a share lies between 0 and 1"))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _question_spec(item: dict[str, Any]) -> QuestionSpec | None:
    question_id, kind, choices = item.get("id"), item.get("type"), item.get("choices")
    if not isinstance(question_id, str) or kind not in QUESTION_TYPES:
        return None
    if kind == "choice":
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            return None
        return QuestionSpec(question_id, kind, tuple(choices))
    return QuestionSpec(question_id, str(kind))


def _check_levels(data: dict[str, Any], problems: list[Located]) -> list[str]:
    items = _items(data, "levels")
    _check_duplicate_ids("levels", items, problems, fold=True)
    for index, item in items:
        response = item.get("response")
        if isinstance(response, dict):
            _check_response(response, ("levels", index, "response"), problems)
    return [item["id"] for _, item in items if isinstance(item.get("id"), str)]


def _check_response(response: dict[str, Any], path: Path, problems: list[Located]) -> None:
    _check_escalation_order(response, path, problems)
    notify = response.get("notify")
    notified = {str(a) for a in notify} if isinstance(notify, list) else set()
    updates = response.get("updates")
    if isinstance(updates, dict) and isinstance(notify, list):
        for audience in updates:
            # An audience that does not exist at all is reported by the shape check.
            if str(audience) in _AUDIENCES and str(audience) not in notified:
                message = f"{audience} get status updates but are not in notify; add them there"
                problems.append(Located((*path, "updates", audience), message))
    comms = response.get("customer_communication") is True
    if comms and isinstance(notify, list) and "customers" not in notified:
        message = "customer communication is required, so notify must include customers"
        problems.append(Located((*path, "customer_communication"), message))
    postmortem = response.get("postmortem")
    if isinstance(postmortem, dict):
        _check_postmortem(postmortem, (*path, "postmortem"), problems)


def _check_escalation_order(response: dict[str, Any], path: Path, problems: list[Located]) -> None:
    previous: timedelta | None = None
    for index, step in _items(response, "escalation"):
        after = _as_duration(step.get("after"))
        if after is None:
            continue
        if previous is not None and after <= previous:
            message = "escalation steps must be in order of time, each later than the one before"
            problems.append(Located((*path, "escalation", index, "after"), message))
        previous = after


def _check_postmortem(postmortem: dict[str, Any], path: Path, problems: list[Located]) -> None:
    required, due = postmortem.get("required"), postmortem.get("due")
    if required is True and due is None:
        problems.append(Located((*path, "due"), "a required postmortem needs a due time, e.g. 5d"))
    if required is False and due is not None:
        message = "due is set but the postmortem is not required; remove due or set required: true"
        problems.append(Located((*path, "due"), message))


def _as_duration(value: Any) -> timedelta | None:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except (InputError, OverflowError):
            return None
    return None


def _check_rules(
    data: dict[str, Any],
    questions: dict[str, QuestionSpec],
    level_ids: list[str],
    problems: list[Located],
    compiled: Compiled,
) -> None:
    items = _items(data, "rules")
    _check_duplicate_ids("rules", items, problems, fold=False)
    for index, item in items:
        level = item.get("level")
        if isinstance(level, str) and level_ids and not _is_level(level, level_ids):
            problems.append(Located(("rules", index, "level"), _unknown_level(level, level_ids)))
        when = item.get("when")
        if isinstance(when, str) and when.strip():
            condition = _compile(when, questions, ("rules", index, "when"), problems)
            if condition is not None and isinstance(item.get("id"), str):
                compiled.rules[item["id"]] = condition


def _compile(
    text: str,
    questions: dict[str, QuestionSpec],
    path: Path,
    problems: list[Located],
    *,
    earlier_only: bool = False,
) -> Condition | None:
    try:
        return compile_condition(text, questions)
    except ConditionError as error:
        message = str(error)
        if earlier_only and message.startswith("unknown question"):
            message += " (ask_if may only use questions listed before this one)"
        problems.append(Located(path, message))
        return None


def _is_level(level: str, level_ids: list[str]) -> bool:
    return level.lower() in {level_id.lower() for level_id in level_ids}


def _unknown_level(level: str, level_ids: list[str]) -> str:
    return f"unknown level {level!r}; the levels are {', '.join(level_ids)}"
