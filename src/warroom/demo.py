"""`warroom demo`: a whole incident, start to finish, on simulated evidence.

A bad release is simulated (a realistic bundle with a known answer), investigated, and handled
the way a good team would: declared with an assessed severity, roles filled, the investigation
recorded in the notebook, two tempting causes eliminated with their why, the real one confirmed
after the rollback helped, and the incident resolved. Everything lands in the local store, so
`warroom show` and `warroom timeline` work on it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from warroom.config import Settings
from warroom.db.session import Store
from warroom.incidents import notebook, roles
from warroom.incidents import service as incidents
from warroom.incidents.enums import ActionOutcome, HypothesisStatus, IncidentStatus, KeyTime, Role
from warroom.incidents.investigations import record_investigation
from warroom.incidents.schemas import EvidenceItem
from warroom.severity.answers import Answers
from warroom.severity.assess import assess
from warroom.severity.models import Framework
from warroom.timeutil import parse_time

SCENARIO = "bad_deploy"
COMMS_LEAD, SCRIBE, RESPONDERS = "sam", "lee", ("marco", "jun")


@dataclass
class DemoResult:
    incident_id: int
    bundle: Path
    investigation: Any  # warroom.analysis.investigation.Investigation
    truth: Any  # warroom.simulate.Truth


def run_demo(
    *, settings: Settings, store: Store, framework: Framework, seed: int, progress: Any = None
) -> DemoResult:
    from warroom.simulate import generate
    from warroom.workflows import investigate_bundle

    bundle = settings.data_dir / "demo" / f"{SCENARIO}-{seed}"
    bundle.parent.mkdir(parents=True, exist_ok=True)
    truth = generate(SCENARIO, seed=seed, out=bundle, force=True)
    result = investigate_bundle(bundle, settings=settings, progress=progress)
    onset = parse_time(truth.onset) if truth.onset else result.windows.incident.start
    with store.transaction() as session:
        incident_id = _respond(session, framework, result, truth, onset)
    return DemoResult(incident_id, bundle, result, truth)


def _respond(
    session: Session, framework: Framework, result: Any, truth: Any, onset: datetime
) -> int:
    def at(minutes: float) -> datetime:
        return onset + timedelta(minutes=minutes)

    incident_id = _declare(session, framework, at)
    _staff(session, incident_id, at)
    notebook.add_note(
        session=session,
        incident_id=incident_id,
        at=at(3),
        text="PagerDuty: api 5xx rate 24% (threshold 2%) on the checkout path",
        author="lee",
    )
    incidents.transition(
        session=session,
        incident_id=incident_id,
        target=IncidentStatus.INVESTIGATING,
        author="priya",
        at=at(8),
    )
    record_investigation(
        session=session,
        incident_id=incident_id,
        report=result.to_json(),
        author="warroom",
        at=at(11),
    )
    incidents.mark_time(
        session=session,
        incident_id=incident_id,
        key=KeyTime.IMPACT_STARTED,
        at=result.onset.at or onset,
        author="lee",
    )
    _rule_out_the_usual(session, incident_id, at)
    _fix(session, incident_id, result, truth, at)
    return incident_id


def _declare(session: Session, framework: Framework, at: Any) -> int:
    answers = Answers(
        values={
            "customer_facing": True,
            "scope": "subset",
            "data_breach": False,
            "core_impacted": True,
            "workaround": False,
            "performance_only": False,
            "failing_share": 0.24,
        }
    )
    assessment = assess(framework, answers)
    incident = incidents.declare(
        session=session,
        scale=framework,
        title="API requests failing after the afternoon release",
        severity=assessment.level,
        author="priya",
        services=["api", "web"],
        commander="priya",
        summary="About a quarter of api requests fail with 500; checkout and product pages.",
        detected_at=at(3),
        declared_at=at(6),
        assessment=assessment.model_dump(mode="json"),
    )
    return incident.id


def _staff(session: Session, incident_id: int, at: Any) -> None:
    incident = incidents.get(session=session, incident_id=incident_id)
    roles.assign(
        session=session,
        incident=incident,
        role=Role.COMMUNICATIONS_LEAD,
        person=COMMS_LEAD,
        author="priya",
        at=at(7),
    )
    roles.assign(
        session=session,
        incident=incident,
        role=Role.SCRIBE,
        person=SCRIBE,
        author="priya",
        at=at(7),
    )
    for person in RESPONDERS:
        roles.assign(
            session=session,
            incident=incident,
            role=Role.RESPONDER,
            person=person,
            author="priya",
            at=at(7.5),
        )
    notebook.add_link(
        session=session,
        incident_id=incident_id,
        url="https://grafana.example.com/d/api-overview",
        title="api overview dashboard",
        author="lee",
    )


def _rule_out_the_usual(session: Session, incident_id: int, at: Any) -> None:
    provider = notebook.add_hypothesis(
        session=session,
        incident_id=incident_id,
        statement="the payments provider is down",
        author="marco",
    )
    database = notebook.add_hypothesis(
        session=session,
        incident_id=incident_id,
        statement="the orders database is overloaded",
        author="jun",
    )
    notebook.decide(
        session=session,
        hypothesis_id=provider.id,
        status=HypothesisStatus.ELIMINATED,
        author="marco",
        why="provider status page green; no timeouts to payments-gateway in the api logs",
        evidence=[EvidenceItem(kind="link", value="https://status.payments.example.com")],
    )
    notebook.decide(
        session=session,
        hypothesis_id=database.id,
        status=HypothesisStatus.ELIMINATED,
        author="jun",
        why="database CPU 35%, p99 query time flat at 4 ms since the morning",
        evidence=[
            EvidenceItem(
                kind="output",
                label="psql: pg_stat_statements top 3",
                value="mean_ms  calls  query\n 3.9  18211  SELECT ... FROM orders ...",
            )
        ],
    )
    notebook.add_action(
        session=session,
        incident_id=incident_id,
        what="restarted api-2",
        author="lee",
        who="marco",
        at=at(14),
        outcome=ActionOutcome.NO_EFFECT,
        note="errors continued at the same rate",
    )


def _fix(session: Session, incident_id: int, result: Any, truth: Any, at: Any) -> None:
    suspect = next((s for s in result.suspects if truth.accepts(s.kind, s.ref)), None)
    cause = _cause_hypothesis(session, incident_id, suspect, truth)
    incidents.transition(
        session=session,
        incident_id=incident_id,
        target=IncidentStatus.IDENTIFIED,
        author="priya",
        at=at(16),
    )
    rollback = notebook.add_action(
        session=session,
        incident_id=incident_id,
        author="lee",
        who="jun",
        at=at(18),
        what=f"rolled back {truth.answer.ref} (api to the previous release)",
        hypothesis_id=cause,
        outcome=ActionOutcome.HELPED,
        note="5xx back to the baseline rate within 2 minutes",
    )
    notebook.decide(
        session=session,
        hypothesis_id=cause,
        status=HypothesisStatus.CONFIRMED,
        author="priya",
        why="only requests served by the new release failed, from the minute it landed; "
        f"the errors stopped after the rollback (A{rollback.id})",
        evidence=[
            EvidenceItem(kind="finding", value=fid)
            for fid in (suspect.finding_ids if suspect else ())
        ],
    )
    incidents.transition(
        session=session,
        incident_id=incident_id,
        target=IncidentStatus.MITIGATED,
        author="priya",
        at=at(20),
    )
    notebook.add_note(
        session=session,
        incident_id=incident_id,
        at=at(35),
        author="sam",
        text="Status page updated: resolved. Support briefed; 3 customer tickets linked.",
    )
    incidents.transition(
        session=session,
        incident_id=incident_id,
        target=IncidentStatus.RESOLVED,
        author="priya",
        at=at(40),
    )


def _cause_hypothesis(session: Session, incident_id: int, suspect: Any, truth: Any) -> int:
    """The investigation's hypothesis for the real cause, or the team's own if it was missed."""
    if suspect is not None:
        incident = incidents.get(session=session, incident_id=incident_id)
        key = f"suspect:{suspect.kind}:{suspect.ref}"
        found = next((h for h in incident.hypotheses if h.source_key == key), None)
        if found is not None and found.status == HypothesisStatus.OPEN.value:
            return found.id
    own = notebook.add_hypothesis(
        session=session,
        incident_id=incident_id,
        author="priya",
        statement=f"the release {truth.answer.ref} broke the api",
    )
    return own.id
