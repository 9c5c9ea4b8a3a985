"""What a severity level sets in motion, as concrete times: the level's policy on a clock.

`triggers(level, declared_at=..., now=...)` answers the questions an incident commander asks:
who do I page now, who do I pull in and when, who must hear from us and when is the next update
to each of them due, when is the postmortem due and by when must the follow-ups be done.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel

from warroom.severity.audience import Audience
from warroom.severity.models import SERVICE_PLACEHOLDER, Duration, Level
from warroom.timeutil import ensure_utc, utcnow


class EscalationDue(BaseModel):
    """Pull in `page` if the incident is not mitigated by `due_at`; `reached` once that passed."""

    after: Duration
    due_at: datetime
    page: list[str]
    reached: bool


class UpdateDue(BaseModel):
    """The next status update to one audience."""

    audience: Audience
    label: str
    every: Duration
    next_due_at: datetime
    overdue: bool


class Triggers(BaseModel):
    """A level's response policy applied to one incident's times."""

    level: str
    level_name: str
    declared_at: datetime
    now: datetime
    page_now: list[str]
    escalations: list[EscalationDue]
    notify: list[Audience]
    updates: list[UpdateDue]
    customer_communication: bool
    postmortem_required: bool
    postmortem_due_at: datetime | None
    follow_ups_due_at: datetime
    due_dates_from: str


def triggers(
    level: Level,
    *,
    declared_at: datetime,
    now: datetime | None = None,
    resolved_at: datetime | None = None,
    last_updates: Mapping[str, datetime] | None = None,
    services: Sequence[str] = (),
) -> Triggers:
    """The level's policy on the clock of an incident declared at `declared_at`.

    Postmortem and follow-up due times count from `resolved_at` when it is known, else from
    the declaration. With `last_updates` (audience -> time of the last update sent) the next
    update is due one cadence after it (or after the declaration if none was sent) and may be
    overdue; without it, updates are assumed to run on schedule since the declaration.
    `services` fill in the `<service>` placeholder of paging targets.
    """
    declared = ensure_utc(declared_at)
    current = ensure_utc(now) if now is not None else utcnow()
    response = level.response
    start = ensure_utc(resolved_at) if resolved_at is not None else declared
    postmortem = response.postmortem
    return Triggers(
        level=level.id,
        level_name=level.name,
        declared_at=declared,
        now=current,
        page_now=expand_targets(response.page, services),
        escalations=_escalations(level, declared=declared, now=current, services=services),
        notify=list(response.notify),
        updates=[
            _next_update(audience, every, declared=declared, now=current, last=last_updates)
            for audience, every in response.updates.items()
        ],
        customer_communication=response.customer_communication,
        postmortem_required=postmortem.required,
        postmortem_due_at=start + postmortem.due if postmortem.due is not None else None,
        follow_ups_due_at=start + response.follow_up_due,
        due_dates_from="resolved" if resolved_at is not None else "declared",
    )


def expand_targets(targets: Sequence[str], services: Sequence[str]) -> list[str]:
    """'on-call: <service> primary' becomes one target per service (kept as is without any)."""
    expanded: list[str] = []
    for target in targets:
        if SERVICE_PLACEHOLDER in target and services:
            expanded += [target.replace(SERVICE_PLACEHOLDER, service) for service in services]
        else:
            expanded.append(target)
    return list(dict.fromkeys(expanded))


def _escalations(
    level: Level, *, declared: datetime, now: datetime, services: Sequence[str]
) -> list[EscalationDue]:
    return [
        EscalationDue(
            after=step.after,
            due_at=declared + step.after,
            page=expand_targets(step.page, services),
            reached=declared + step.after <= now,
        )
        for step in level.response.escalation
    ]


def _next_update(
    audience: Audience,
    every: timedelta,
    *,
    declared: datetime,
    now: datetime,
    last: Mapping[str, datetime] | None,
) -> UpdateDue:
    if last is not None:
        previous = last.get(audience.value)
        due = (ensure_utc(previous) if previous is not None else declared) + every
        overdue = due <= now
    else:
        # On schedule since the declaration: the first slot strictly after now.
        slots = max(1, math.floor((now - declared) / every) + 1)
        due, overdue = declared + slots * every, False
    return UpdateDue(
        audience=audience, label=audience.label, every=every, next_due_at=due, overdue=overdue
    )
