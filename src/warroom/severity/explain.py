"""The sentences that explain an assessment, as a responder (and later, the postmortem) reads them.

Kept apart from the rule evaluation so that the wording can change without touching the logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.severity.conditions import Value
from warroom.severity.models import Framework, Question

if TYPE_CHECKING:
    from warroom.severity.assess import Assessment, RuleMatch


def shown(value: Value) -> str:
    """An answer as people say it: yes / no, the choice, the number."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        return f"{value:g}"
    return value


def unknown_note(
    question: Question, *, level: str, otherwise: str | None, otherwise_if: Value | None
) -> str:
    """'customer data breached or lost: unknown — treated as the worse case (SEV1) until ...'."""
    note = f"{question.short_label}: unknown — treated as the worse case ({level}) until you know"
    if otherwise is None:
        return note + "."
    if question.type == "number" or otherwise_if is None:
        return note + f"; another answer could make it {otherwise}."
    return note + f"; answering {shown(otherwise_if)!r} would make it {otherwise}."


def explanation(framework: Framework, assessment: Assessment) -> list[str]:
    """Why this level: the deciding rule, what it beat, the unknowns, what could still change."""
    level = framework.level(assessment.level)
    lines = [_decision(framework, assessment)]
    # Only rules that certainly hold are worth a line; the JSON lists the possible ones too.
    certain = [m for m in assessment.other_matches if m.certain]
    same = [m for m in certain if m.level == level.id]
    lower = [m for m in certain if m.level != level.id]
    if same:
        lines.append(f"Also pointing to {level.id}: {_listed(same)}.")
    if lower:
        lines.append(
            f"Also matched: {_listed(lower)}. Between two levels the more severe one wins, "
            f"so {level.id}."
        )
    if not assessment.certain:
        lowest = assessment.lowest_level
        could = f"could be as low as {lowest}" if lowest else "could be lower"
        lines.append(f"Some answers are unknown: once they are known the level {could}.")
    lines += [treatment.note for treatment in assessment.unknowns]
    lines += _waiting_lines(framework, assessment)
    return lines


def _decision(framework: Framework, assessment: Assessment) -> str:
    level = framework.level(assessment.level)
    if assessment.rule is None:
        return f"No rule matched, so the default level applies: {level.label}."
    assuming = ""
    if assessment.assuming:
        parts = [
            f"{framework.question(key).short_label}: {shown(value)}"
            for key, value in assessment.assuming.items()
        ]
        assuming = f" (assuming {', '.join(parts)})"
    return f"{level.label}: rule {assessment.rule}{assuming} — {assessment.because}"


def _waiting_lines(framework: Framework, assessment: Assessment) -> list[str]:
    lines: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for waiting in assessment.could_raise:  # most severe first: one line per missing answer set
        if tuple(waiting.needs) in seen:
            continue
        seen.add(tuple(waiting.needs))
        labels = ", ".join(framework.question(need).short_label for need in waiting.needs)
        lines.append(
            f"Not answered: {labels}. It could raise the level to {waiting.level} "
            f"(rule {waiting.rule}: {waiting.because.rstrip('.')})."
        )
    return lines


def _listed(matches: list[RuleMatch]) -> str:
    return ", ".join(f"{match.rule} ({match.level})" for match in matches)
