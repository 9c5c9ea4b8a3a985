from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from warroom.db.session import Store
from warroom.errors import ConflictError, InputError, NotFoundError
from warroom.incidents import roles, timeline, views
from warroom.incidents import service as incidents
from warroom.incidents.enums import EntryKind, IncidentStatus, KeyTime, Role
from warroom.incidents.models import Incident, TimelineEntry

T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def _declare(store: Store, framework: Any, **overrides: Any) -> int:
    fields: dict[str, Any] = {
        "title": "Checkout returns 500s",
        "severity": "SEV2",
        "author": "alice",
        "services": ["checkout", "payments", "checkout "],
        "commander": "alice",
    }
    fields.update(overrides)
    with store.transaction() as session:
        return incidents.declare(session=session, scale=framework, **fields).id


def _timeline_count(store: Store) -> int:
    with store.reader() as session:
        return int(session.scalar(select(func.count()).select_from(TimelineEntry)) or 0)


def test_declare_starts_in_triage_with_commander_and_timeline(store: Store, framework: Any) -> None:
    incident_id = _declare(store, framework, severity="sev2")
    with store.reader() as session:
        view = views.incident_view(session=session, incident_id=incident_id)
        entries = timeline.entries(session=session, incident_id=incident_id)
    assert view.status == "triage"
    assert view.severity == "SEV2"
    assert view.services == ["checkout", "payments"]
    assert view.roles["commander"] == ["alice"]
    assert [e.seq for e in entries] == [1, 2]
    assert entries[0].kind == "status_change" and entries[0].text.startswith("Declared SEV2")
    assert entries[1].kind == "role_change"


def test_declare_unknown_severity_writes_nothing(store: Store, framework: Any) -> None:
    with pytest.raises(NotFoundError, match="SEV9"):
        _declare(store, framework, severity="SEV9")
    with store.reader() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0


def test_declare_needs_a_title(store: Store, framework: Any) -> None:
    with pytest.raises(InputError, match="needs a title"):
        _declare(store, framework, title="   ")


def test_declare_refuses_detection_before_impact(store: Store, framework: Any) -> None:
    with pytest.raises(InputError, match=r"impact_started .* cannot be after detected"):
        _declare(store, framework, impact_started_at=T0, detected_at=T0 - timedelta(minutes=5))


def test_get_unknown_incident_is_not_found(store: Store) -> None:
    with store.reader() as session, pytest.raises(NotFoundError, match="no incident INC-42"):
        incidents.get(session=session, incident_id=42)


def test_parse_ref_forms() -> None:
    assert (
        incidents.parse_ref("INC-12")
        == incidents.parse_ref("inc12")
        == incidents.parse_ref("12")
        == 12
    )
    with pytest.raises(InputError, match="not an incident id"):
        incidents.parse_ref("checkout")


def test_transition_stamps_and_clears_key_times(store: Store, framework: Any) -> None:
    incident_id = _declare(
        store,
        framework,
        impact_started_at=T0,
        detected_at=T0 + timedelta(minutes=4),
        declared_at=T0 + timedelta(minutes=6),
    )
    steps = [
        (IncidentStatus.INVESTIGATING, T0 + timedelta(minutes=8), None),
        (IncidentStatus.MITIGATED, T0 + timedelta(minutes=30), None),
        (IncidentStatus.INVESTIGATING, T0 + timedelta(minutes=40), None),  # fix did not hold
        (IncidentStatus.RESOLVED, T0 + timedelta(minutes=65), None),
        (IncidentStatus.CLOSED, T0 + timedelta(days=2), None),
    ]
    for target, at, reason in steps:
        with store.transaction() as session:
            incidents.transition(
                session=session,
                incident_id=incident_id,
                target=target,
                author="bob",
                reason=reason,
                at=at,
            )
    with store.reader() as session:
        view = views.incident_view(session=session, incident_id=incident_id)
    assert view.status == "closed"
    assert view.key_times["acknowledged"] == T0 + timedelta(minutes=8)
    assert view.key_times["mitigated"] == T0 + timedelta(
        minutes=65
    )  # the first mitigation was cleared
    assert view.durations == {
        "time_to_detect": 240.0,
        "time_to_declare": 120.0,
        "time_to_acknowledge": 240.0,
        "time_to_mitigate": 3900.0,
        "time_to_resolve": 3900.0,
    }


def test_transition_illegal_is_refused_and_writes_nothing(store: Store, framework: Any) -> None:
    incident_id = _declare(store, framework)
    before = _timeline_count(store)
    with (
        store.transaction() as session,
        pytest.raises(ConflictError, match="from triage to closed"),
    ):
        incidents.transition(
            session=session, incident_id=incident_id, target=IncidentStatus.CLOSED, author="bob"
        )
    assert _timeline_count(store) == before
    with store.reader() as session:
        assert incidents.get(session=session, incident_id=incident_id).status == "triage"


def test_transition_not_incident_needs_reason_and_keeps_it(store: Store, framework: Any) -> None:
    incident_id = _declare(store, framework)
    with store.transaction() as session, pytest.raises(InputError, match="needs a reason"):
        incidents.transition(
            session=session,
            incident_id=incident_id,
            target=IncidentStatus.NOT_INCIDENT,
            author="bob",
        )
    with store.transaction() as session:
        incidents.transition(
            session=session,
            incident_id=incident_id,
            target=IncidentStatus.NOT_INCIDENT,
            author="bob",
            reason="known UI bug, tracked as BUG-812",
        )
    with store.reader() as session:
        view = views.incident_view(session=session, incident_id=incident_id)
    assert view.status == "not_incident"
    assert view.not_incident_reason == "known UI bug, tracked as BUG-812"


def test_change_severity_records_direction_and_reason(store: Store, framework: Any) -> None:
    incident_id = _declare(store, framework)
    with store.transaction() as session:
        incidents.change_severity(
            session=session,
            scale=framework,
            incident_id=incident_id,
            severity="SEV1",
            reason="all EU customers affected",
            author="carol",
        )
    with store.reader() as session:
        changes = timeline.entries(
            session=session, incident_id=incident_id, kinds=[EntryKind.SEVERITY_CHANGE]
        )
    assert len(changes) == 1
    assert changes[0].author == "carol"
    assert changes[0].data == {
        "from": "SEV2",
        "to": "SEV1",
        "reason": "all EU customers affected",
        "direction": "raised",
    }


@pytest.mark.parametrize(
    ("severity", "reason", "error"),
    [
        ("SEV2", "no change", ConflictError),
        ("SEV3", "  ", InputError),
        ("SEV7", "typo", NotFoundError),
    ],
)
def test_change_severity_refusals(
    store: Store, framework: Any, severity: str, reason: str, error: type[Exception]
) -> None:
    incident_id = _declare(store, framework)
    before = _timeline_count(store)
    with store.transaction() as session, pytest.raises(error):
        incidents.change_severity(
            session=session,
            scale=framework,
            incident_id=incident_id,
            severity=severity,
            reason=reason,
            author="carol",
        )
    assert _timeline_count(store) == before


def test_mark_time_sets_and_corrects(store: Store, framework: Any) -> None:
    incident_id = _declare(store, framework, declared_at=T0)
    with store.transaction() as session:
        incidents.mark_time(
            session=session,
            incident_id=incident_id,
            key=KeyTime.DETECTED,
            at=T0 - timedelta(minutes=3),
            author="bob",
        )
        incidents.mark_time(
            session=session,
            incident_id=incident_id,
            key=KeyTime.IMPACT_STARTED,
            at=T0 - timedelta(minutes=20),
            author="bob",
        )
    with store.reader() as session:
        view = views.incident_view(session=session, incident_id=incident_id)
    assert view.durations["time_to_detect"] == 17 * 60
    with store.transaction() as session, pytest.raises(InputError, match="set by the status"):
        incidents.mark_time(
            session=session, incident_id=incident_id, key=KeyTime.RESOLVED, at=T0, author="bob"
        )


def test_roles_single_holder_handover_and_history(store: Store, framework: Any) -> None:
    incident_id = _declare(store, framework)
    with store.transaction() as session:
        incident = incidents.get(session=session, incident_id=incident_id)
        roles.assign(
            session=session, incident=incident, role=Role.COMMANDER, person="dana", author="alice"
        )
        roles.assign(
            session=session, incident=incident, role=Role.RESPONDER, person="erin", author="dana"
        )
        roles.assign(
            session=session, incident=incident, role=Role.RESPONDER, person="frank", author="dana"
        )
        roles.relieve(
            session=session, incident=incident, role=Role.RESPONDER, person="erin", author="dana"
        )
    with store.reader() as session:
        holders = roles.holders(session=session, incident_id=incident_id)
        history = roles.history(session=session, incident_id=incident_id)
    assert holders["commander"] == ["dana"]
    assert holders["responder"] == ["frank"]
    alice = next(h for h in history if h.person == "alice")
    assert alice.relieved_at is not None and alice.relieved_by == "alice"
    assert [h.person for h in history] == ["alice", "dana", "erin", "frank"]


def test_roles_refuse_duplicates_and_unknown_relief(store: Store, framework: Any) -> None:
    incident_id = _declare(store, framework)
    with store.transaction() as session:
        incident = incidents.get(session=session, incident_id=incident_id)
        with pytest.raises(ConflictError, match="already incident commander"):
            roles.assign(
                session=session,
                incident=incident,
                role=Role.COMMANDER,
                person="alice",
                author="alice",
            )
        with pytest.raises(ConflictError, match="is not scribe"):
            roles.relieve(session=session, incident=incident, role=Role.SCRIBE, author="alice")


def test_list_filters(store: Store, framework: Any) -> None:
    first = _declare(store, framework, services=["checkout"])
    second = _declare(store, framework, title="Search slow", severity="SEV3", services=["search"])
    with store.transaction() as session:
        incidents.transition(
            session=session, incident_id=first, target=IncidentStatus.RESOLVED, author="a"
        )
    with store.reader() as session:

        def ids(**kw: Any) -> list[int]:
            return [i.id for i in incidents.list_incidents(session=session, **kw)]

        assert ids() == [second, first]
        assert ids(service="search") == [second]
        assert ids(severities=["sev2"]) == [first]
        assert ids(statuses=[IncidentStatus.RESOLVED]) == [first]
        assert ids(active_only=True) == [second]


def test_timeline_rows_cannot_be_rewritten(store: Store, framework: Any) -> None:
    _declare(store, framework)
    for statement in (
        "UPDATE timeline_entries SET text = 'rewritten'",
        "DELETE FROM timeline_entries",
    ):
        with pytest.raises(DBAPIError, match="append-only"), store.transaction() as session:
            session.execute(text(statement))
    assert _timeline_count(store) == 2
