"""The severity framework as typed objects: questions, rules, levels and their response policy.

These models describe the *shape* of a framework file. Checks that span several parts of the
file (a rule naming an unknown level, escalation steps out of order, ...) live in
`validation.py`; `Framework` runs them after the shape is valid, so a `Framework` that exists
is always a usable one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    computed_field,
    model_validator,
)

from warroom.errors import InputError, NotFoundError
from warroom.severity.audience import Audience
from warroom.severity.conditions import Condition
from warroom.severity.validation import Compiled, SemanticProblems, check_semantics
from warroom.timeutil import parse_duration

IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"
LEVEL_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"
SERVICE_PLACEHOLDER = "<service>"
_LONGEST = timedelta(days=3650)  # beyond this, due dates stop meaning anything (and overflow)


def _duration(value: Any) -> timedelta:
    # YAML reads `after: 15` as an int: refuse it rather than guess the unit.
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError(f"write a number and a unit such as 15m, 1h, 5d or 2w (got {value!r})")
    try:
        delta = parse_duration(value)
    except InputError as exc:
        raise ValueError(f"{exc.message}; {exc.hint}") from exc
    except OverflowError as exc:
        raise ValueError(
            f"{value!r} is longer than any incident policy needs (at most 3650d)"
        ) from exc
    if delta <= timedelta(0):
        raise ValueError(f"a duration must be longer than zero (got {value!r})")
    if delta > _LONGEST:
        raise ValueError(f"{value!r} is longer than any incident policy needs (at most 3650d)")
    return delta


def compact_duration(delta: timedelta) -> str:
    """The shortest exact form that `parse_duration` reads back: 90s -> '90s', 3600s -> '1h'."""
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


Duration = Annotated[
    timedelta, BeforeValidator(_duration), PlainSerializer(compact_duration, return_type=str)
]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    # Unknown keys are errors: a misspelt `postmortm:` must not silently drop a policy.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(_Strict):
    """One question the assessment asks; rules refer to it by `id`."""

    id: Annotated[str, Field(pattern=IDENTIFIER_PATTERN)]
    prompt: Text
    type: Literal["yes_no", "choice", "number"]
    label: str | None = None
    help: str = ""
    choices: list[Text] | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    optional: bool = False
    ask_if: str | None = None

    @property
    def short_label(self) -> str:
        """How output names the question: its label, else its id in words."""
        return self.label or self.id.replace("_", " ")

    @property
    def is_share(self) -> bool:
        """A fraction between 0 and 1 that people may also type as a percentage."""
        return self.type == "number" and self.unit == "share"


class Rule(_Strict):
    """When `when` holds, the rule suggests `level`, and `because` says why in plain words."""

    id: Annotated[str, Field(pattern=LEVEL_ID_PATTERN)]
    level: Text
    when: Text
    because: Text


class EscalationStep(_Strict):
    """Who is pulled in once the incident has gone `after` without mitigation."""

    after: Duration
    page: list[Text] = Field(min_length=1)


class Postmortem(_Strict):
    required: bool
    due: Duration | None = None


class Response(_Strict):
    """What declaring an incident at this level sets in motion."""

    page: list[Text]
    escalation: list[EscalationStep] = Field(default_factory=list)
    notify: list[Audience] = Field(min_length=1)
    updates: dict[Audience, Duration] = Field(default_factory=dict)
    customer_communication: bool
    postmortem: Postmortem
    follow_up_due: Duration


class Level(_Strict):
    """One level of the scale. Levels are listed most severe first; `rank` 0 is the most severe."""

    id: Annotated[str, Field(pattern=LEVEL_ID_PATTERN)]
    name: Text
    summary: Text
    description: str = ""
    examples: list[Text] = Field(default_factory=list)
    response: Response
    _rank: int = PrivateAttr(default=0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rank(self) -> int:
        return self._rank

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})"


class Framework(_Strict):
    """A whole severity scale: its levels, the questions of the assessment, and its rules."""

    id: Annotated[str, Field(pattern=LEVEL_ID_PATTERN)]
    name: Text
    description: str = ""
    default_level_id: str = Field(alias="default_level", min_length=1)
    questions: list[Question] = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)
    rules: list[Rule] = Field(default_factory=list)
    _compiled: Compiled = PrivateAttr(default_factory=Compiled)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _check_whole(self) -> Framework:
        problems, compiled = check_semantics(self.model_dump(by_alias=True))
        if problems:
            raise SemanticProblems(problems)
        for rank, level in enumerate(self.levels):
            level._rank = rank
        self._compiled = compiled
        return self

    @property
    def default_level(self) -> Level:
        """The level suggested when no rule matches (usually the least severe)."""
        return self.level(self.default_level_id)

    def level(self, level_id: str) -> Level:
        """The level with this id, matched without regard to case."""
        wanted = level_id.strip().lower()
        for level in self.levels:
            if level.id.lower() == wanted:
                return level
        valid = ", ".join(level.id for level in self.levels)
        raise NotFoundError(
            f"unknown severity {level_id!r} in framework {self.id!r}", hint=f"use one of: {valid}"
        )

    def question(self, question_id: str) -> Question:
        """The question with this id (exact match: ids are lower-case identifiers)."""
        for question in self.questions:
            if question.id == question_id:
                return question
        valid = ", ".join(question.id for question in self.questions)
        raise NotFoundError(
            f"framework {self.id!r} has no question {question_id!r}",
            hint=f"its questions are: {valid}",
        )

    def condition(self, rule: Rule) -> Condition:
        """The compiled `when` of a rule of this framework."""
        return self._compiled.rules[rule.id]

    def ask_if_condition(self, question: Question) -> Condition | None:
        """The compiled `ask_if` of a question, or None when it is always asked."""
        return self._compiled.ask_if.get(question.id)
