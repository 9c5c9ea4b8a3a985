"""Read models of the incident record: what `show`, `list`, `--json` and the API return."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class EvidenceItem(BaseModel):
    """Something a hypothesis decision cites: a link, a finding id, a command's output, a note."""

    kind: str
    value: str
    label: str | None = None


class TimelineEntryView(View):
    seq: int
    occurred_at: datetime
    recorded_at: datetime
    author: str
    kind: str
    text: str
    data: dict[str, Any] = Field(default_factory=dict)


class RoleAssignmentView(View):
    role: str
    person: str
    assigned_at: datetime
    assigned_by: str
    relieved_at: datetime | None = None
    relieved_by: str | None = None


class HypothesisView(View):
    id: int
    statement: str
    status: str
    created_by: str
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    why: str | None = None
    evidence: list[EvidenceItem] = Field(default_factory=list)
    source_key: str | None = None

    @property
    def ref(self) -> str:
        return f"H{self.id}"


class ActionView(View):
    id: int
    what: str
    who: str
    at: datetime
    outcome: str
    outcome_note: str | None = None
    hypothesis_id: int | None = None

    @property
    def ref(self) -> str:
        return f"A{self.id}"


class IncidentSummary(View):
    id: int
    ref: str
    title: str
    status: str
    severity: str
    services: list[str]
    commander: str | None
    declared_at: datetime
    resolved_at: datetime | None


class IncidentView(View):
    id: int
    ref: str
    title: str
    summary: str
    status: str
    severity: str
    framework: str
    services: list[str]
    not_incident_reason: str | None
    created_by: str
    key_times: dict[str, datetime | None]
    durations: dict[str, float | None]  # seconds, see service.DURATIONS
    roles: dict[str, list[str]]  # current holders per role
    role_history: list[RoleAssignmentView]
    assessment: dict[str, Any] | None
    open_hypotheses: list[HypothesisView]
    eliminated: list[HypothesisView]
    confirmed: list[HypothesisView]
    actions: list[ActionView]
    timeline_count: int
