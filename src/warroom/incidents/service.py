"""Incidents: declare, find, move through the lifecycle, change severity, stamp key times.

Every write also appends to the timeline, inside the caller's transaction, so the record and its
history can never disagree. Roles live in `roles.py`, the notebook in `notebook.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.errors import ConflictError, InputError, NotFoundError
from warroom.incidents import lifecycle, roles, timeline
from warroom.incidents.enums import EntryKind, IncidentStatus, KeyTime, Role
from warroom.incidents.models import Incident, IncidentService
from warroom.timeutil import format_duration, iso_seconds, iso_z, utcnow

_REF = re.compile(r"^\s*(?:inc-?)?(\d+)\s*$", re.IGNORECASE)


class SeverityLevel(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def rank(self) -> int: ...


class SeverityScale(Protocol):
    """What the incident record needs from a severity framework."""

    @property
    def id(self) -> str: ...
    def level(self, level_id: str) -> SeverityLevel: ...


def parse_ref(text: str) -> int:
    """'INC-12', 'inc12' or '12' -> 12."""
    match = _REF.match(str(text))
    if not match:
        raise InputError(f"{text!r} is not an incident id", hint="write it as INC-12 or 12")
    return int(match.group(1))


def get(*, session: Session, incident_id: int, for_update: bool = False) -> Incident:
    query = select(Incident).where(Incident.id == incident_id)
    if for_update:  # PostgreSQL row lock; SQLite already holds the database write lock
        query = query.with_for_update()
    incident = session.scalars(query).one_or_none()
    if incident is None:
        raise NotFoundError(f"no incident INC-{incident_id}", hint="`warroom list` shows them all")
    return incident


def declare(
    *,
    session: Session,
    scale: SeverityScale,
    title: str,
    severity: str,
    author: str,
    services: Sequence[str] = (),
    commander: str | None = None,
    summary: str = "",
    impact_started_at: datetime | None = None,
    detected_at: datetime | None = None,
    declared_at: datetime | None = None,
    assessment: dict[str, Any] | None = None,
) -> Incident:
    """Open a new incident in triage, with its severity and (optionally) its commander."""
    title = title.strip()
    if not title:
        raise InputError("an incident needs a title", hint='say what is broken: --title "..."')
    level = scale.level(severity)
    incident = Incident(
        title=title,
        summary=summary.strip(),
        status=IncidentStatus.TRIAGE.value,
        severity=level.id,
        framework=scale.id,
        assessment=assessment,
        created_by=author,
        declared_at=declared_at or utcnow(),
        impact_started_at=impact_started_at,
        detected_at=detected_at,
        services=[IncidentService(service=name) for name in _clean_services(services)],
    )
    _check_time_order(incident)
    session.add(incident)
    session.flush()
    timeline.append(
        session=session,
        incident_id=incident.id,
        kind=EntryKind.STATUS_CHANGE,
        text=f"Declared {level.id}: {title}",
        author=author,
        occurred_at=incident.declared_at,
        data={"from": None, "to": IncidentStatus.TRIAGE.value, "severity": level.id},
    )
    if commander:
        roles.assign(
            session=session,
            incident=incident,
            role=Role.COMMANDER,
            person=commander,
            author=author,
            at=incident.declared_at,
        )
    return incident


def _clean_services(services: Sequence[str]) -> list[str]:
    names = sorted({s.strip() for s in services if s and s.strip()})
    for name in names:
        if len(name) > 120:
            raise InputError(f"service name too long: {name[:40]}...", hint="use the short name")
    return names


def list_incidents(
    *,
    session: Session,
    statuses: Sequence[IncidentStatus] = (),
    severities: Sequence[str] = (),
    service: str | None = None,
    active_only: bool = False,
) -> list[Incident]:
    """Incidents, newest first, filtered by status, severity and service."""
    query = select(Incident).order_by(Incident.declared_at.desc(), Incident.id.desc())
    if statuses:
        query = query.where(Incident.status.in_([s.value for s in statuses]))
    if active_only:
        active = [s.value for s in IncidentStatus if s.is_active]
        query = query.where(Incident.status.in_(active))
    if severities:
        query = query.where(func.upper(Incident.severity).in_([s.upper() for s in severities]))
    if service:
        query = query.where(Incident.services.any(IncidentService.service == service))
    return list(session.scalars(query))


def transition(
    *,
    session: Session,
    incident_id: int,
    target: IncidentStatus,
    author: str,
    reason: str | None = None,
    at: datetime | None = None,
) -> Incident:
    """Move the incident to `target`, stamping key times; illegal moves raise ConflictError."""
    incident = get(session=session, incident_id=incident_id, for_update=True)
    current = IncidentStatus(incident.status)
    lifecycle.check_transition(current, target)
    reason = (reason or "").strip() or None
    if lifecycle.needs_reason(current, target) and not reason:
        raise InputError(
            f"moving to {target.value} needs a reason", hint='add --reason "why it is (not) one"'
        )
    moment = at or utcnow()
    for key in lifecycle.cleared_times(current, target):
        setattr(incident, key.column, None)
    for key in lifecycle.stamped_times(current, target):
        if getattr(incident, key.column) is None:
            setattr(incident, key.column, moment)
    _check_time_order(incident)
    incident.status = target.value
    incident.not_incident_reason = reason if target is IncidentStatus.NOT_INCIDENT else None
    text = f"Status {current.value} → {target.value}" + (f": {reason}" if reason else "")
    timeline.append(
        session=session,
        incident_id=incident.id,
        kind=EntryKind.STATUS_CHANGE,
        text=text,
        author=author,
        occurred_at=moment,
        data={"from": current.value, "to": target.value, "reason": reason},
    )
    return incident


def change_severity(
    *,
    session: Session,
    scale: SeverityScale,
    incident_id: int,
    severity: str,
    reason: str,
    author: str,
) -> Incident:
    """Raise or lower the severity; the reason, who and when go on the timeline."""
    incident = get(session=session, incident_id=incident_id, for_update=True)
    new, old_id = scale.level(severity), incident.severity
    if not reason.strip():
        raise InputError("a severity change needs a reason", hint='add --reason "what changed"')
    if new.id == old_id:
        raise ConflictError(f"{incident.ref} is already {old_id}")
    direction = _direction(scale, old_id, new)
    incident.severity = new.id
    timeline.append(
        session=session,
        incident_id=incident.id,
        kind=EntryKind.SEVERITY_CHANGE,
        text=f"Severity {direction} {old_id} → {new.id}: {reason.strip()}",
        author=author,
        data={"from": old_id, "to": new.id, "reason": reason.strip(), "direction": direction},
    )
    return incident


def _direction(scale: SeverityScale, old_id: str, new: SeverityLevel) -> str:
    try:
        old_rank = scale.level(old_id).rank
    except NotFoundError:  # declared under another framework: no order to compare
        return "changed"
    return "raised" if new.rank < old_rank else "lowered"


def mark_time(
    *, session: Session, incident_id: int, key: KeyTime, at: datetime, author: str
) -> Incident:
    """Record when impact started, was detected, acknowledged (or correct the declaration)."""
    if key not in MARKABLE:
        raise InputError(
            f"{key.value} is set by the status, not by hand",
            hint=f"use `warroom status ID {key.value}`; markable: "
            + ", ".join(k.value for k in MARKABLE),
        )
    incident = get(session=session, incident_id=incident_id, for_update=True)
    previous = getattr(incident, key.column)
    setattr(incident, key.column, at)
    _check_time_order(incident)
    label = key.value.replace("_", " ")
    text = f"{label.capitalize()} at {iso_seconds(at)}" + (
        f" (was {iso_seconds(previous)})" if previous else ""
    )
    timeline.append(
        session=session,
        incident_id=incident.id,
        kind=EntryKind.KEY_TIME,
        text=text,
        author=author,
        occurred_at=at,
        data={"key": key.value, "at": iso_z(at), "previous": iso_z(previous) if previous else None},
    )
    return incident


MARKABLE = (KeyTime.IMPACT_STARTED, KeyTime.DETECTED, KeyTime.ACKNOWLEDGED, KeyTime.DECLARED)

# Pairs that must be in order when both are known: (earlier, later).
_ORDER = (
    (KeyTime.IMPACT_STARTED, KeyTime.DETECTED),
    (KeyTime.IMPACT_STARTED, KeyTime.MITIGATED),
    (KeyTime.DETECTED, KeyTime.DECLARED),
    (KeyTime.DETECTED, KeyTime.ACKNOWLEDGED),
    (KeyTime.MITIGATED, KeyTime.RESOLVED),
    (KeyTime.RESOLVED, KeyTime.CLOSED),
)


def _check_time_order(incident: Incident) -> None:
    for earlier, later in _ORDER:
        first, second = getattr(incident, earlier.column), getattr(incident, later.column)
        if first is not None and second is not None and first > second:
            raise InputError(
                f"{earlier.value} ({iso_z(first)}) cannot be after {later.value} ({iso_z(second)})",
                hint=f"correct one of them with `warroom mark {incident.id or 'ID'} ...`",
            )


# Named durations: (start candidates, first known wins; end). Mitigation and resolution are
# measured from the impact start when known, else from detection, else from the declaration.
DURATIONS: dict[str, tuple[tuple[KeyTime, ...], KeyTime]] = {
    "time_to_detect": ((KeyTime.IMPACT_STARTED,), KeyTime.DETECTED),
    "time_to_declare": ((KeyTime.DETECTED,), KeyTime.DECLARED),
    "time_to_acknowledge": ((KeyTime.DETECTED, KeyTime.DECLARED), KeyTime.ACKNOWLEDGED),
    "time_to_mitigate": (
        (KeyTime.IMPACT_STARTED, KeyTime.DETECTED, KeyTime.DECLARED),
        KeyTime.MITIGATED,
    ),
    "time_to_resolve": (
        (KeyTime.IMPACT_STARTED, KeyTime.DETECTED, KeyTime.DECLARED),
        KeyTime.RESOLVED,
    ),
}


def key_times(incident: Incident) -> dict[str, datetime | None]:
    return {key.value: getattr(incident, key.column) for key in KeyTime}


def durations(incident: Incident) -> dict[str, float | None]:
    """Seconds for each named duration whose start and end are known."""
    times = key_times(incident)
    result: dict[str, float | None] = {}
    for name, (starts, end_key) in DURATIONS.items():
        start = next((times[k.value] for k in starts if times[k.value] is not None), None)
        end = times[end_key.value]
        result[name] = (end - start).total_seconds() if start and end else None
    return result


def describe_duration(seconds: float | None) -> str:
    return "—" if seconds is None else format_duration(timedelta(seconds=seconds))
