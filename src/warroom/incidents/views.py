"""Assemble the read models the CLI, the API and reports show."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.incidents import roles
from warroom.incidents.enums import HypothesisStatus, Role
from warroom.incidents.models import Incident, TimelineEntry
from warroom.incidents.schemas import ActionView, HypothesisView, IncidentSummary, IncidentView
from warroom.incidents.service import durations, get, key_times


def summary(*, session: Session, incident: Incident) -> IncidentSummary:
    commanders = roles.current(session=session, incident_id=incident.id, role=Role.COMMANDER)
    return IncidentSummary(
        id=incident.id,
        ref=incident.ref,
        title=incident.title,
        status=incident.status,
        severity=incident.severity,
        services=incident.service_names,
        commander=commanders[0].person if commanders else None,
        declared_at=incident.declared_at,
        resolved_at=incident.resolved_at,
    )


def incident_view(*, session: Session, incident_id: int) -> IncidentView:
    """All a late joiner needs: status, roles, what is ruled out, what was tried."""
    incident = get(session=session, incident_id=incident_id)
    hypotheses = [HypothesisView.model_validate(h) for h in incident.hypotheses]
    by_status = {s: [h for h in hypotheses if h.status == s.value] for s in HypothesisStatus}
    count = session.scalar(
        select(func.count())
        .select_from(TimelineEntry)
        .where(TimelineEntry.incident_id == incident.id)
    )
    return IncidentView(
        id=incident.id,
        ref=incident.ref,
        title=incident.title,
        summary=incident.summary,
        status=incident.status,
        severity=incident.severity,
        framework=incident.framework,
        services=incident.service_names,
        not_incident_reason=incident.not_incident_reason,
        created_by=incident.created_by,
        key_times=key_times(incident),
        durations=durations(incident),
        roles=roles.holders(session=session, incident_id=incident.id),
        role_history=roles.history(session=session, incident_id=incident.id),
        assessment=incident.assessment,
        open_hypotheses=by_status[HypothesisStatus.OPEN],
        eliminated=by_status[HypothesisStatus.ELIMINATED],
        confirmed=by_status[HypothesisStatus.CONFIRMED],
        actions=[ActionView.model_validate(a) for a in incident.actions],
        timeline_count=count or 0,
    )
