"""Which status may follow which, and which key times a transition stamps.

    triage → investigating → identified → mitigated → resolved → closed
       └──────────┴─→ not_incident (kept as a bug, with the reason)

Responders may skip ahead (a quick rollback takes an incident from investigating straight to
mitigated) and step back when a fix does not hold (mitigated → investigating). Closed is final.
"""

from __future__ import annotations

from warroom.errors import ConflictError
from warroom.incidents.enums import IncidentStatus as S
from warroom.incidents.enums import KeyTime

ALLOWED: dict[S, tuple[S, ...]] = {
    S.TRIAGE: (S.INVESTIGATING, S.IDENTIFIED, S.MITIGATED, S.RESOLVED, S.NOT_INCIDENT),
    S.INVESTIGATING: (S.IDENTIFIED, S.MITIGATED, S.RESOLVED, S.NOT_INCIDENT),
    S.IDENTIFIED: (S.INVESTIGATING, S.MITIGATED, S.RESOLVED),
    S.MITIGATED: (S.INVESTIGATING, S.IDENTIFIED, S.RESOLVED),
    S.RESOLVED: (S.CLOSED, S.INVESTIGATING),
    S.CLOSED: (),
    S.NOT_INCIDENT: (S.TRIAGE,),
}

# Moving into these statuses needs a reason: it changes what the record means.
NEEDS_REASON = frozenset({S.NOT_INCIDENT})
REOPENING = frozenset({(S.RESOLVED, S.INVESTIGATING), (S.NOT_INCIDENT, S.TRIAGE)})


def check_transition(current: S, target: S) -> None:
    """Raise ConflictError unless `current → target` is allowed."""
    if current == target:
        raise ConflictError(f"the incident is already {current.value}")
    allowed = ALLOWED[current]
    if target not in allowed:
        options = ", ".join(s.value for s in allowed) or "nothing (closed is final)"
        raise ConflictError(
            f"cannot move an incident from {current.value} to {target.value}",
            hint=f"from {current.value} it can move to: {options}",
        )


def needs_reason(current: S, target: S) -> bool:
    return target in NEEDS_REASON or (current, target) in REOPENING


def stamped_times(current: S, target: S) -> tuple[KeyTime, ...]:
    """Key times a transition sets when they are still empty."""
    if target is S.MITIGATED:
        return (KeyTime.MITIGATED,)
    if target is S.RESOLVED:
        # Resolving implies the impact was mitigated, even if nobody said so first.
        return (KeyTime.MITIGATED, KeyTime.RESOLVED)
    if target is S.CLOSED:
        return (KeyTime.CLOSED,)
    if current is S.TRIAGE and target in {S.INVESTIGATING, S.IDENTIFIED}:
        return (KeyTime.ACKNOWLEDGED,)
    return ()


def cleared_times(current: S, target: S) -> tuple[KeyTime, ...]:
    """Key times that no longer hold when a fix did not stick (the timeline keeps the history)."""
    if target in {S.INVESTIGATING, S.IDENTIFIED} and current in {S.MITIGATED, S.RESOLVED}:
        return (KeyTime.MITIGATED, KeyTime.RESOLVED)
    return ()
