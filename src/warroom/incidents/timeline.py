"""The append-only timeline: the one function that writes entries, and the readers.

Sequence numbers come from `incidents.last_seq`, incremented by an UPDATE ... RETURNING inside
the writer's transaction. On PostgreSQL the UPDATE takes the incident's row lock until commit; on
SQLite the transaction already holds the database write lock (BEGIN IMMEDIATE). Either way two
writers can never read the same value, and a rolled-back write gives its number back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warroom.incidents.enums import EntryKind
from warroom.incidents.models import Incident, TimelineEntry
from warroom.incidents.schemas import TimelineEntryView
from warroom.timeutil import utcnow


def append(
    *,
    session: Session,
    incident_id: int,
    kind: EntryKind,
    text: str,
    author: str,
    occurred_at: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> TimelineEntry:
    """Add one entry at the end of the incident's timeline and return it."""
    seq = session.execute(
        update(Incident)
        .where(Incident.id == incident_id)
        .values(last_seq=Incident.last_seq + 1)
        .returning(Incident.last_seq),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    now = utcnow()
    entry = TimelineEntry(
        incident_id=incident_id,
        seq=seq,
        occurred_at=occurred_at or now,
        recorded_at=now,
        author=author,
        kind=kind.value,
        text=text,
        data=data or {},
    )
    session.add(entry)
    session.flush()
    return entry


def entries(
    *,
    session: Session,
    incident_id: int,
    kinds: Sequence[EntryKind] | None = None,
    since: datetime | None = None,
) -> list[TimelineEntryView]:
    """The timeline in the order things happened (recording order breaks ties)."""
    query = select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)
    if kinds:
        query = query.where(TimelineEntry.kind.in_([k.value for k in kinds]))
    if since is not None:
        query = query.where(TimelineEntry.occurred_at >= since)
    query = query.order_by(TimelineEntry.occurred_at, TimelineEntry.seq)
    return [TimelineEntryView.model_validate(row) for row in session.scalars(query)]
