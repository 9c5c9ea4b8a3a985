"""Closed vocabularies of the incident record. Values are stored as these strings."""

from __future__ import annotations

from enum import StrEnum


class IncidentStatus(StrEnum):
    TRIAGE = "triage"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    CLOSED = "closed"
    NOT_INCIDENT = "not_incident"

    @property
    def is_active(self) -> bool:
        """Still needs responders (not yet resolved, closed or dismissed)."""
        return self in {self.TRIAGE, self.INVESTIGATING, self.IDENTIFIED, self.MITIGATED}


class Role(StrEnum):
    COMMANDER = "commander"
    COMMUNICATIONS_LEAD = "communications_lead"
    SCRIBE = "scribe"
    RESPONDER = "responder"

    @property
    def is_single(self) -> bool:
        """One person at a time holds this role; assigning it relieves the previous holder."""
        return self is not Role.RESPONDER

    @property
    def label(self) -> str:
        return {
            Role.COMMANDER: "incident commander",
            Role.COMMUNICATIONS_LEAD: "communications lead",
            Role.SCRIBE: "scribe",
            Role.RESPONDER: "responder",
        }[self]


class EntryKind(StrEnum):
    NOTE = "note"
    FINDING = "finding"
    HYPOTHESIS = "hypothesis"
    ACTION = "action"
    STATUS_UPDATE = "status_update"
    SEVERITY_CHANGE = "severity_change"
    ROLE_CHANGE = "role_change"
    STATUS_CHANGE = "status_change"
    LINK = "link"
    KEY_TIME = "key_time"


class HypothesisStatus(StrEnum):
    OPEN = "open"
    ELIMINATED = "eliminated"
    CONFIRMED = "confirmed"


class ActionOutcome(StrEnum):
    PENDING = "pending"
    HELPED = "helped"
    NO_EFFECT = "no_effect"
    MADE_WORSE = "made_worse"
    REVERTED = "reverted"


class KeyTime(StrEnum):
    """The moments an incident's durations are measured between."""

    IMPACT_STARTED = "impact_started"
    DETECTED = "detected"
    DECLARED = "declared"
    ACKNOWLEDGED = "acknowledged"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def column(self) -> str:
        return f"{self.value}_at"


class EvidenceKind(StrEnum):
    """What a hypothesis decision may cite."""

    LINK = "link"
    FINDING = "finding"
    OUTPUT = "output"
    NOTE = "note"
