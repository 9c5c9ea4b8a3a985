"""Suggest a severity level from a responder's answers, by the framework's own rules.

The decision, in the order a responder would reason:
1. Every rule whose condition holds suggests its level; the most severe suggestion wins and the
   others are listed as beaten ("between two levels, the higher one").
2. An unknown answer is not guessed: each of its possible values is tried, and a rule that holds
   for *some* of them counts, so the suggestion is the worst case until someone knows. The
   output names each such unknown and what it would be otherwise.
3. Optional questions (usually figures such as the share of failing requests) are the exception:
   rules that read an unanswered optional question wait for it instead of assuming the worst,
   and the output says which answers could still raise the level.
4. If no rule holds, the framework's default level applies and the output says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise, product

from pydantic import BaseModel, Field

from warroom.severity.answers import Answers, AnswerValue, checked_answers
from warroom.severity.conditions import Condition
from warroom.severity.explain import explanation, unknown_note
from warroom.severity.models import Framework, Question, Rule

__all__ = ["Answers", "Assessment", "RuleMatch", "answer_domains", "assess", "could_hold"]

Domains = Mapping[str, Sequence[AnswerValue]]
# Trying every combination of unknown answers is exact; beyond this many it is also slow, and
# the assessment then only reports the worst case.
MAX_COMBINATIONS = 4096


class RuleMatch(BaseModel):
    """A rule that holds (`certain`), or could hold if unknown answers are as in `assuming`."""

    rule: str
    level: str
    because: str
    certain: bool
    assuming: dict[str, AnswerValue] = Field(default_factory=dict)


class UnknownTreatment(BaseModel):
    """An unknown answer that was taken as its worse case, and what it would be otherwise."""

    question: str
    label: str
    assumed: AnswerValue
    otherwise: str | None
    otherwise_if: AnswerValue | None
    note: str


class WaitingRule(BaseModel):
    """A rule of a more severe level that waits for answers to optional questions."""

    rule: str
    level: str
    because: str
    needs: list[str]


class Assessment(BaseModel):
    """The suggested level and everything that led to it; stored with the incident as JSON."""

    framework: str
    level: str
    level_name: str
    rule: str | None
    because: str
    assuming: dict[str, AnswerValue]
    certain: bool
    lowest_level: str | None
    no_rule_matched: bool
    other_matches: list[RuleMatch]
    unknowns: list[UnknownTreatment]
    could_raise: list[WaitingRule]
    answers: dict[str, AnswerValue | None]
    explanation: list[str]


def assess(framework: Framework, answers: Answers) -> Assessment:
    """Run the framework's rules over `answers` (unknown answers included) and explain it."""
    known = checked_answers(framework, answers)
    judge = _Judge(framework, known)
    matches = judge.matches(known)
    rank = judge.top_rank(known)
    level = framework.levels[rank]
    at_top = [match for match in matches if judge.rank_of(match.level) == rank]
    deciding = next((m for m in at_top if m.certain), at_top[0] if at_top else None)
    lowest = judge.lowest_rank(known, matches)
    certain = lowest == rank
    assessment = Assessment(
        framework=framework.id,
        level=level.id,
        level_name=level.name,
        rule=deciding.rule if deciding else None,
        because=deciding.because if deciding else "No rule matched; the default level applies.",
        assuming=deciding.assuming if deciding else {},
        certain=certain,
        lowest_level=framework.levels[lowest].id if lowest is not None else None,
        no_rule_matched=deciding is None,
        other_matches=[match for match in matches if match is not deciding],
        unknowns=[] if certain else judge.treatments(known, at_top, rank),
        could_raise=judge.waiting(known, rank),
        answers={question.id: known.get(question.id) for question in framework.questions},
        explanation=[],
    )
    return assessment.model_copy(update={"explanation": explanation(framework, assessment)})


def answer_domains(framework: Framework) -> dict[str, tuple[AnswerValue, ...]]:
    """For each question, values that between them cover every outcome of every condition."""
    conditions = [framework.condition(rule) for rule in framework.rules]
    conditions += [c for q in framework.questions if (c := framework.ask_if_condition(q))]
    domains: dict[str, tuple[AnswerValue, ...]] = {}
    for question in framework.questions:
        if question.type == "yes_no":
            domains[question.id] = (True, False)
        elif question.type == "choice":
            domains[question.id] = tuple(question.choices or ())
        else:
            cuts = sorted({n for c in conditions for n in c.numbers.get(question.id, ())})
            domains[question.id] = _representatives(cuts, question)
    return domains


def could_hold(condition: Condition, known: Mapping[str, AnswerValue], domains: Domains) -> bool:
    """Whether `condition` is true for at least one way of filling in the unknown answers."""
    return any(outcome for _, outcome in condition.possibilities(known, domains))


def _representatives(cuts: list[float], question: Question) -> tuple[float, ...]:
    # Conditions only compare a number with constants, so one value per region between (and at)
    # the constants reproduces every outcome.
    low = question.min if question.min is not None else (0.0 if question.is_share else None)
    high = question.max if question.max is not None else (1.0 if question.is_share else None)
    candidates = [*cuts, *((a + b) / 2 for a, b in pairwise(cuts))]
    candidates += [cuts[0] - 1, cuts[-1] + 1] if cuts else [0.0]
    candidates += [bound for bound in (low, high) if bound is not None]
    inside = sorted(
        {v for v in candidates if (low is None or v >= low) and (high is None or v <= high)}
    )
    return tuple(inside) or (low if low is not None else 0.0,)


class _Judge:
    """Evaluates the rules of one framework for one set of known answers and its variations."""

    def __init__(self, framework: Framework, known: Mapping[str, AnswerValue]) -> None:
        self.framework = framework
        self.domains = answer_domains(framework)
        self.waiting_for = {q.id for q in framework.questions if q.optional and q.id not in known}
        self.ranks = {level.id: level.rank for level in framework.levels}
        self.by_severity = sorted(
            (
                (framework.level(rule.level).rank, framework.condition(rule))
                for rule in framework.rules
            ),
            key=lambda pair: pair[0],
        )

    def rank_of(self, level_id: str) -> int:
        return self.ranks[level_id]

    def matches(self, known: Mapping[str, AnswerValue]) -> list[RuleMatch]:
        """Rules that hold or could hold, most severe level first, then in file order."""
        found = [m for rule in self.framework.rules if (m := self._match(rule, known))]
        return sorted(found, key=lambda match: self.ranks[match.level])

    def top_rank(self, known: Mapping[str, AnswerValue]) -> int:
        """The rank of the most severe rule that could hold, else of the default level."""
        for rank, condition in self.by_severity:
            if not condition.names & self.waiting_for and could_hold(
                condition, known, self.domains
            ):
                return rank
        return self.framework.default_level.rank

    def lowest_rank(self, known: Mapping[str, AnswerValue], matches: list[RuleMatch]) -> int | None:
        """The level's rank if every unknown answer turns out the better way (None: too many)."""
        rules = {rule.id: rule for rule in self.framework.rules}
        unknown: set[str] = set()
        for match in matches:
            if not match.certain:
                unknown |= self.framework.condition(rules[match.rule]).names - known.keys()
        names = sorted(unknown)
        if math.prod(len(self.domains[name]) for name in names) > MAX_COMBINATIONS:
            return None
        least_severe = len(self.framework.levels) - 1
        lowest = -1
        for combination in product(*(self.domains[name] for name in names)):
            lowest = max(
                lowest, self.top_rank({**known, **dict(zip(names, combination, strict=True))})
            )
            if lowest >= least_severe:
                break
        return lowest

    def _match(self, rule: Rule, known: Mapping[str, AnswerValue]) -> RuleMatch | None:
        condition = self.framework.condition(rule)
        if condition.names & self.waiting_for:
            return None
        outcomes = list(condition.possibilities(known, self.domains))
        holds = [assumed for assumed, outcome in outcomes if outcome]
        if not holds:
            return None
        certain = len(holds) == len(outcomes)
        return RuleMatch(
            rule=rule.id,
            level=self.framework.level(rule.level).id,
            because=rule.because,
            certain=certain,
            assuming={} if certain else self._essential(condition, known, holds[0]),
        )

    def _essential(
        self,
        condition: Condition,
        known: Mapping[str, AnswerValue],
        assumed: dict[str, AnswerValue],
    ) -> dict[str, AnswerValue]:
        """Drop assumptions the rule does not need: `a or b` needs only `a` to be assumed."""
        kept = dict(assumed)
        for name in sorted(assumed):
            trial = {key: value for key, value in kept.items() if key != name}
            outcomes = condition.possibilities({**known, **trial}, self.domains)
            if all(outcome for _, outcome in outcomes):
                kept = trial
        return {q.id: kept[q.id] for q in self.framework.questions if q.id in kept}

    def treatments(
        self, known: Mapping[str, AnswerValue], at_top: list[RuleMatch], rank: int
    ) -> list[UnknownTreatment]:
        """Each unknown answer taken as its worse case, and the level if it were otherwise."""
        assumed: dict[str, AnswerValue] = {}
        for match in at_top:
            for name, value in match.assuming.items():
                assumed.setdefault(name, value)
        order = [q.id for q in self.framework.questions]
        return [
            self._treatment(known, name, assumed[name], rank)
            for name in sorted(assumed, key=order.index)
        ]

    def _treatment(
        self, known: Mapping[str, AnswerValue], name: str, value: AnswerValue, rank: int
    ) -> UnknownTreatment:
        question = self.framework.question(name)
        others = [v for v in self.domains[name] if v != value]
        ranked = [(self.top_rank({**known, name: other}), other) for other in others]
        best_rank, best_value = max(ranked, key=lambda pair: pair[0], default=(rank, None))
        otherwise = self.framework.levels[best_rank].id if best_rank > rank else None
        shown_if = best_value if otherwise else None
        level = self.framework.levels[rank].id
        return UnknownTreatment(
            question=name,
            label=question.short_label,
            assumed=value,
            otherwise=otherwise,
            otherwise_if=shown_if,
            note=unknown_note(question, level=level, otherwise=otherwise, otherwise_if=shown_if),
        )

    def waiting(self, known: Mapping[str, AnswerValue], rank: int) -> list[WaitingRule]:
        """Rules above `rank` that could still hold once the optional questions are answered."""
        found: list[WaitingRule] = []
        for rule in self.framework.rules:
            condition = self.framework.condition(rule)
            needs = condition.names & self.waiting_for
            level = self.framework.level(rule.level)
            if needs and level.rank < rank and could_hold(condition, known, self.domains):
                order = [q.id for q in self.framework.questions]
                found.append(
                    WaitingRule(
                        rule=rule.id,
                        level=level.id,
                        because=rule.because,
                        needs=sorted(needs, key=order.index),
                    )
                )
        return sorted(found, key=lambda waiting: self.ranks[waiting.level])
