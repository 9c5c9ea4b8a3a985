"""Who holds which role, and since when. History is kept: relieving sets `relieved_at`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.errors import ConflictError, InputError
from warroom.incidents import timeline
from warroom.incidents.enums import EntryKind, Role
from warroom.incidents.models import Incident, RoleAssignment
from warroom.incidents.schemas import RoleAssignmentView
from warroom.timeutil import utcnow


def current(
    *, session: Session, incident_id: int, role: Role | None = None
) -> list[RoleAssignment]:
    query = select(RoleAssignment).where(
        RoleAssignment.incident_id == incident_id, RoleAssignment.relieved_at.is_(None)
    )
    if role is not None:
        query = query.where(RoleAssignment.role == role.value)
    return list(session.scalars(query.order_by(RoleAssignment.id)))


def holders(*, session: Session, incident_id: int) -> dict[str, list[str]]:
    """Current holders per role, every role present (empty list when nobody holds it)."""
    result: dict[str, list[str]] = {role.value: [] for role in Role}
    for assignment in current(session=session, incident_id=incident_id):
        result[assignment.role].append(assignment.person)
    return result


def history(*, session: Session, incident_id: int) -> list[RoleAssignmentView]:
    query = select(RoleAssignment).where(RoleAssignment.incident_id == incident_id)
    rows = session.scalars(query.order_by(RoleAssignment.assigned_at, RoleAssignment.id))
    return [RoleAssignmentView.model_validate(row) for row in rows]


def assign(
    *,
    session: Session,
    incident: Incident,
    role: Role,
    person: str,
    author: str,
    at: datetime | None = None,
) -> RoleAssignment:
    """Give `person` the role; a single-holder role (commander, ...) is handed over."""
    person = _clean(person)
    moment = at or utcnow()
    holding = current(session=session, incident_id=incident.id, role=role)
    if any(a.person == person for a in holding):
        raise ConflictError(f"{person} is already {role.label} of {incident.ref}")
    previous = holding[0].person if role.is_single and holding else None
    if role.is_single:
        for assignment in holding:
            assignment.relieved_at, assignment.relieved_by = moment, author
    assignment = RoleAssignment(
        incident_id=incident.id,
        role=role.value,
        person=person,
        assigned_at=moment,
        assigned_by=author,
    )
    session.add(assignment)
    text = f"{person} is now {role.label}" + (f" (took over from {previous})" if previous else "")
    timeline.append(
        session=session,
        incident_id=incident.id,
        kind=EntryKind.ROLE_CHANGE,
        text=text,
        author=author,
        occurred_at=moment,
        data={"role": role.value, "person": person, "previous": previous, "change": "assigned"},
    )
    return assignment


def relieve(
    *,
    session: Session,
    incident: Incident,
    role: Role,
    author: str,
    person: str | None = None,
    at: datetime | None = None,
) -> RoleAssignment:
    """End someone's time in a role (for responders, say who)."""
    holding = current(session=session, incident_id=incident.id, role=role)
    if person is not None:
        holding = [a for a in holding if a.person == _clean(person)]
    if not holding:
        who = f"{person} " if person else "anyone "
        raise ConflictError(f"{who}is not {role.label} of {incident.ref}")
    if len(holding) > 1:
        raise InputError(f"several people are {role.label}s", hint="say which one: --person NAME")
    assignment = holding[0]
    assignment.relieved_at, assignment.relieved_by = at or utcnow(), author
    timeline.append(
        session=session,
        incident_id=incident.id,
        kind=EntryKind.ROLE_CHANGE,
        text=f"{assignment.person} is no longer {role.label}",
        author=author,
        occurred_at=assignment.relieved_at,
        data={"role": role.value, "person": assignment.person, "change": "relieved"},
    )
    return assignment


def _clean(person: str) -> str:
    name = person.strip()
    if not name or len(name) > 120:
        raise InputError(
            f"{person!r} is not a usable name", hint="give a name or handle, e.g. alice"
        )
    return name
