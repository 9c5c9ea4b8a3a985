"""The investigation notebook: hypotheses (open / eliminated / confirmed, each with its why),
actions tried with their outcome, notes and links. Every change is also a timeline entry, so the
notebook's history is never lost even when a hypothesis is reopened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.errors import ConflictError, InputError, NotFoundError
from warroom.incidents import timeline
from warroom.incidents.enums import ActionOutcome, EntryKind, HypothesisStatus
from warroom.incidents.models import Action, Hypothesis, TimelineEntry
from warroom.incidents.schemas import EvidenceItem
from warroom.incidents.service import get
from warroom.timeutil import utcnow

MAX_EVIDENCE_CHARS = 20_000  # a command's output is kept, but not a whole log file
_REF = re.compile(r"^\s*[a-z]?(\d+)\s*$", re.IGNORECASE)


def parse_item_ref(text: str, *, prefix: str) -> int:
    """'H3', 'h3' or '3' -> 3 (prefix H for hypotheses, A for actions)."""
    match = _REF.match(str(text))
    if not match or (text.strip()[0].isalpha() and text.strip()[0].upper() != prefix):
        raise InputError(f"{text!r} is not a {prefix}-number", hint=f"write it as {prefix}3 or 3")
    return int(match.group(1))


def _evidence_json(evidence: Sequence[EvidenceItem]) -> list[dict[str, str | None]]:
    items = []
    for item in evidence:
        value = (
            item.value
            if len(item.value) <= MAX_EVIDENCE_CHARS
            else (
                item.value[:MAX_EVIDENCE_CHARS]
                + f"\n… ({len(item.value) - MAX_EVIDENCE_CHARS} more characters)"
            )
        )
        items.append({"kind": item.kind, "value": value, "label": item.label})
    return items


def add_hypothesis(
    *,
    session: Session,
    incident_id: int,
    statement: str,
    author: str,
    evidence: Sequence[EvidenceItem] = (),
    source_key: str | None = None,
    at: datetime | None = None,
) -> Hypothesis:
    """Write down a possible cause, open until it is eliminated or confirmed.

    `at` backdates it, for notes written up after the fact."""
    incident = get(session=session, incident_id=incident_id)
    if not statement.strip():
        raise InputError(
            "a hypothesis needs a statement", hint='e.g. "the 14:02 deploy broke checkout"'
        )
    hypothesis = Hypothesis(
        incident_id=incident.id,
        statement=statement.strip(),
        status=HypothesisStatus.OPEN.value,
        created_by=author,
        created_at=at or utcnow(),
        evidence=_evidence_json(evidence),
        source_key=source_key,
    )
    session.add(hypothesis)
    session.flush()
    text = f"Hypothesis H{hypothesis.id} opened: {hypothesis.statement}"
    _log(session, hypothesis, text, author, at=hypothesis.created_at)
    return hypothesis


def get_hypothesis(*, session: Session, hypothesis_id: int, for_update: bool = False) -> Hypothesis:
    query = select(Hypothesis).where(Hypothesis.id == hypothesis_id)
    hypothesis = session.scalars(query.with_for_update() if for_update else query).one_or_none()
    if hypothesis is None:
        raise NotFoundError(f"no hypothesis H{hypothesis_id}", hint="`warroom show ID` lists them")
    return hypothesis


def decide(
    *,
    session: Session,
    hypothesis_id: int,
    status: HypothesisStatus,
    why: str,
    author: str,
    evidence: Sequence[EvidenceItem] = (),
    at: datetime | None = None,
) -> Hypothesis:
    """Eliminate, confirm or reopen a hypothesis. The why is required: it is the point."""
    hypothesis = get_hypothesis(session=session, hypothesis_id=hypothesis_id, for_update=True)
    verb = {HypothesisStatus.ELIMINATED: "eliminate", HypothesisStatus.CONFIRMED: "confirm"}.get(
        status, "reopen"
    )
    if not why.strip():
        raise InputError(
            f"say why you {verb} H{hypothesis.id}",
            hint='add --why "what you saw", so a responder joining later knows',
        )
    _check_decision(hypothesis, status)
    previous = hypothesis.status
    hypothesis.status = status.value
    hypothesis.why = why.strip()
    hypothesis.decided_by, hypothesis.decided_at = author, at or utcnow()
    hypothesis.evidence = [*hypothesis.evidence, *_evidence_json(evidence)]
    past = {"eliminate": "eliminated", "confirm": "confirmed", "reopen": "reopened"}[verb]
    text = f"Hypothesis H{hypothesis.id} {past}: {hypothesis.statement} — because {hypothesis.why}"
    _log(
        session,
        hypothesis,
        text,
        author,
        at=hypothesis.decided_at,
        previous=previous,
        evidence=_evidence_json(evidence),
    )
    return hypothesis


def _check_decision(hypothesis: Hypothesis, status: HypothesisStatus) -> None:
    current = HypothesisStatus(hypothesis.status)
    if status is HypothesisStatus.OPEN and current is HypothesisStatus.OPEN:
        raise ConflictError(f"H{hypothesis.id} is already open")
    if status is not HypothesisStatus.OPEN and current is not HypothesisStatus.OPEN:
        raise ConflictError(
            f"H{hypothesis.id} is already {current.value}",
            hint=f'reopen it first: `warroom hypothesis reopen H{hypothesis.id} --why "..."`',
        )


def _log(
    session: Session,
    hypothesis: Hypothesis,
    text: str,
    author: str,
    *,
    at: datetime | None = None,
    previous: str | None = None,
    evidence: list[dict[str, str | None]] | None = None,
) -> TimelineEntry:
    return timeline.append(
        session=session,
        incident_id=hypothesis.incident_id,
        kind=EntryKind.HYPOTHESIS,
        text=text,
        author=author,
        occurred_at=at,
        data={
            "hypothesis_id": hypothesis.id,
            "status": hypothesis.status,
            "previous": previous,
            "why": hypothesis.why,
            "evidence": evidence if evidence is not None else hypothesis.evidence,
        },
    )


def add_action(
    *,
    session: Session,
    incident_id: int,
    what: str,
    author: str,
    who: str | None = None,
    at: datetime | None = None,
    outcome: ActionOutcome = ActionOutcome.PENDING,
    note: str | None = None,
    hypothesis_id: int | None = None,
) -> Action:
    """Record a change tried during the response (restart, rollback, config change, ...)."""
    incident = get(session=session, incident_id=incident_id)
    if not what.strip():
        raise InputError("an action needs a description", hint='e.g. "rolled back api to 4.2.0"')
    if hypothesis_id is not None:
        tested = get_hypothesis(session=session, hypothesis_id=hypothesis_id)
        if tested.incident_id != incident.id:
            raise InputError(
                f"H{hypothesis_id} belongs to INC-{tested.incident_id}, not {incident.ref}"
            )
    action = Action(
        incident_id=incident.id,
        what=what.strip(),
        who=(who or author).strip(),
        at=at or utcnow(),
        outcome=outcome.value,
        outcome_note=(note or "").strip() or None,
        hypothesis_id=hypothesis_id,
        recorded_by=author,
    )
    session.add(action)
    session.flush()
    text = f"Action A{action.id} by {action.who}: {action.what}"
    if outcome is not ActionOutcome.PENDING:
        text += f" — {_outcome_words(outcome)}" + (
            f" ({action.outcome_note})" if action.outcome_note else ""
        )
    _log_action(session, action, text, author)
    return action


def set_outcome(
    *,
    session: Session,
    action_id: int,
    outcome: ActionOutcome,
    author: str,
    note: str | None = None,
) -> Action:
    """Say what an action did once it is known."""
    action = session.scalars(
        select(Action).where(Action.id == action_id).with_for_update()
    ).one_or_none()
    if action is None:
        raise NotFoundError(f"no action A{action_id}", hint="`warroom show ID` lists them")
    if action.outcome == outcome.value and not note:
        raise ConflictError(f"A{action.id} is already recorded as {outcome.value}")
    previous = action.outcome
    action.outcome = outcome.value
    action.outcome_note = (note or "").strip() or action.outcome_note
    text = f"Action A{action.id} ({action.what}): {_outcome_words(outcome)}"
    text += f" ({action.outcome_note})" if note else ""
    _log_action(session, action, text, author, previous=previous)
    return action


def _outcome_words(outcome: ActionOutcome) -> str:
    return {
        ActionOutcome.PENDING: "outcome not known yet",
        ActionOutcome.HELPED: "helped",
        ActionOutcome.NO_EFFECT: "no effect",
        ActionOutcome.MADE_WORSE: "made it worse",
        ActionOutcome.REVERTED: "reverted",
    }[outcome]


def _log_action(
    session: Session, action: Action, text: str, author: str, *, previous: str | None = None
) -> None:
    timeline.append(
        session=session,
        incident_id=action.incident_id,
        kind=EntryKind.ACTION,
        text=text,
        author=author,
        occurred_at=action.at if previous is None else None,
        data={
            "action_id": action.id,
            "outcome": action.outcome,
            "previous": previous,
            "who": action.who,
            "hypothesis_id": action.hypothesis_id,
        },
    )


def add_note(
    *, session: Session, incident_id: int, text: str, author: str, at: datetime | None = None
) -> TimelineEntry:
    incident = get(session=session, incident_id=incident_id)
    if not text.strip():
        raise InputError("the note is empty", hint='write what you saw: warroom note ID "..."')
    return timeline.append(
        session=session,
        incident_id=incident.id,
        kind=EntryKind.NOTE,
        text=text.strip(),
        author=author,
        occurred_at=at,
    )


def add_link(
    *,
    session: Session,
    incident_id: int,
    url: str,
    author: str,
    title: str | None = None,
    at: datetime | None = None,
) -> TimelineEntry:
    incident = get(session=session, incident_id=incident_id)
    if not re.match(r"^[a-z][a-z0-9+.-]*://\S+$", url.strip(), re.IGNORECASE):
        raise InputError(f"{url!r} is not a URL", hint="give the full address, https://...")
    label = (title or "").strip() or url.strip()
    return timeline.append(
        session=session,
        incident_id=incident.id,
        kind=EntryKind.LINK,
        text=f"Link: {label}",
        author=author,
        occurred_at=at,
        data={"url": url.strip(), "title": title},
    )
