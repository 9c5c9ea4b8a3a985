"""A level's policy on an incident's clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from warroom.severity.audience import Audience
from warroom.severity.framework import load_framework
from warroom.severity.triggers import expand_targets, triggers

DECLARED = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
SEV1 = load_framework("default").level("SEV1")


def test_triggers_page_escalate_and_follow_through_at_concrete_times() -> None:
    result = triggers(SEV1, declared_at=DECLARED, now=DECLARED + timedelta(minutes=20))
    assert result.page_now == [
        "incident commander on-call",
        "on-call: <service> primary",
        "communications lead on-call",
    ]
    assert [(e.due_at, e.page, e.reached) for e in result.escalations] == [
        (DECLARED + timedelta(minutes=15), ["engineering manager of <service>"], True),
        (DECLARED + timedelta(minutes=30), ["VP engineering"], False),
        (DECLARED + timedelta(hours=1), ["executive sponsor (CTO on-call)"], False),
    ]
    assert Audience.PARTNERS in result.notify
    assert result.customer_communication is True
    assert result.postmortem_required is True
    assert result.postmortem_due_at == DECLARED + timedelta(days=5)
    assert result.follow_ups_due_at == DECLARED + timedelta(days=14)
    assert result.due_dates_from == "declared"


def test_triggers_next_update_is_the_next_slot_on_schedule() -> None:
    result = triggers(SEV1, declared_at=DECLARED, now=DECLARED + timedelta(minutes=20))
    due = {update.audience: update.next_due_at for update in result.updates}
    assert due[Audience.RESPONDERS] == DECLARED + timedelta(minutes=30)  # slots at :15, :30
    assert due[Audience.EXECUTIVES] == DECLARED + timedelta(minutes=30)
    assert due[Audience.PARTNERS] == DECLARED + timedelta(hours=1)
    assert not any(update.overdue for update in result.updates)


def test_triggers_at_declaration_first_updates_are_one_cadence_away() -> None:
    result = triggers(SEV1, declared_at=DECLARED, now=DECLARED)
    due = {update.audience: update.next_due_at for update in result.updates}
    assert due[Audience.RESPONDERS] == DECLARED + timedelta(minutes=15)
    assert not any(escalation.reached for escalation in result.escalations)


def test_triggers_last_updates_make_the_next_one_due_or_overdue() -> None:
    now = DECLARED + timedelta(minutes=50)
    last = {"executives": DECLARED + timedelta(minutes=25)}
    result = triggers(SEV1, declared_at=DECLARED, now=now, last_updates=last)
    by_audience = {update.audience: update for update in result.updates}
    executives = by_audience[Audience.EXECUTIVES]
    assert (executives.next_due_at, executives.overdue) == (DECLARED + timedelta(minutes=55), False)
    # Nothing sent to responders yet: due 15 minutes after the declaration, long overdue now.
    responders = by_audience[Audience.RESPONDERS]
    assert (responders.next_due_at, responders.overdue) == (DECLARED + timedelta(minutes=15), True)


def test_triggers_due_dates_count_from_resolution_when_known() -> None:
    resolved = DECLARED + timedelta(hours=3)
    result = triggers(SEV1, declared_at=DECLARED, now=resolved, resolved_at=resolved)
    assert result.postmortem_due_at == resolved + timedelta(days=5)
    assert result.follow_ups_due_at == resolved + timedelta(days=14)
    assert result.due_dates_from == "resolved"


def test_triggers_fill_in_services_in_paging_targets() -> None:
    result = triggers(SEV1, declared_at=DECLARED, now=DECLARED, services=["checkout", "billing"])
    assert result.page_now == [
        "incident commander on-call",
        "on-call: checkout primary",
        "on-call: billing primary",
        "communications lead on-call",
    ]
    assert result.escalations[0].page == [
        "engineering manager of checkout",
        "engineering manager of billing",
    ]


def test_triggers_expand_targets_drops_repeats() -> None:
    assert expand_targets(["a <service>", "a x"], ["x", "y"]) == ["a x", "a y"]


def test_triggers_optional_postmortem_has_no_due_time() -> None:
    sev3 = load_framework("default").level("SEV3")
    result = triggers(sev3, declared_at=DECLARED, now=DECLARED)
    assert (result.postmortem_required, result.postmortem_due_at) == (False, None)
    assert result.follow_ups_due_at == DECLARED + timedelta(days=90)


def test_triggers_naive_times_are_taken_as_utc_and_json_uses_z() -> None:
    naive = datetime(2026, 3, 4, 14, 0)  # noqa: DTZ001 - what a database without offsets returns
    result = triggers(SEV1, declared_at=naive, now=naive)
    data = json.loads(result.model_dump_json())
    assert data["declared_at"] == "2026-03-04T14:00:00Z"
    assert data["escalations"][0]["after"] == "15m"
    assert data["updates"][0] == {
        "audience": "responders",
        "label": "responders",
        "every": "15m",
        "next_due_at": "2026-03-04T14:15:00Z",
        "overdue": False,
    }
