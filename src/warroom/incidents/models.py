"""SQLAlchemy models of the incident record.

The timeline is append-only: rows are never updated or deleted (database triggers refuse it,
see the initial migration). Its sequence numbers are allocated from `Incident.last_seq`
under a row lock, so concurrent writers never produce duplicates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warroom.db.base import Base


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str] = mapped_column(String(32), index=True)
    framework: Mapped[str] = mapped_column(String(64))
    not_incident_reason: Mapped[str | None] = mapped_column(Text)
    assessment: Mapped[dict[str, Any] | None]
    created_by: Mapped[str] = mapped_column(String(120))
    last_seq: Mapped[int] = mapped_column(default=0)

    impact_started_at: Mapped[datetime | None]
    detected_at: Mapped[datetime | None]
    declared_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    mitigated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    services: Mapped[list[IncidentService]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentService.service"
    )
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="incident", order_by="RoleAssignment.id"
    )
    hypotheses: Mapped[list[Hypothesis]] = relationship(
        back_populates="incident", order_by="Hypothesis.id"
    )
    actions: Mapped[list[Action]] = relationship(back_populates="incident", order_by="Action.id")

    @property
    def ref(self) -> str:
        return f"INC-{self.id}"

    @property
    def service_names(self) -> list[str]:
        return [s.service for s in self.services]


class IncidentService(Base):
    __tablename__ = "incident_services"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    service: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)

    incident: Mapped[Incident] = relationship(back_populates="services")


class RoleAssignment(Base):
    """Who held a role from when to when; current holders have no `relieved_at`."""

    __tablename__ = "role_assignments"
    __table_args__ = (Index("ix_role_assignments_current", "incident_id", "role", "relieved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    role: Mapped[str] = mapped_column(String(32))
    person: Mapped[str] = mapped_column(String(120))
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[str] = mapped_column(String(120))
    relieved_at: Mapped[datetime | None]
    relieved_by: Mapped[str | None] = mapped_column(String(120))

    incident: Mapped[Incident] = relationship(back_populates="roles")


class TimelineEntry(Base):
    __tablename__ = "timeline_entries"
    __table_args__ = (UniqueConstraint("incident_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    seq: Mapped[int]
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    recorded_at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]


class Hypothesis(Base):
    """A possible cause: open until eliminated or confirmed, always with the why."""

    __tablename__ = "hypotheses"
    __table_args__ = (UniqueConstraint("incident_id", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    why: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[Any]]
    # Set when the hypothesis came from an investigation, so a later run updates it in place.
    source_key: Mapped[str | None] = mapped_column(String(300))

    incident: Mapped[Incident] = relationship(back_populates="hypotheses")


class Action(Base):
    """Something tried during the response, who did it, when, and what it did."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    hypothesis_id: Mapped[int | None] = mapped_column(ForeignKey("hypotheses.id"))
    recorded_by: Mapped[str] = mapped_column(String(120))

    incident: Mapped[Incident] = relationship(back_populates="actions")
