from __future__ import annotations

import itertools

import pytest

from warroom.errors import ConflictError
from warroom.incidents import lifecycle
from warroom.incidents.enums import IncidentStatus as S
from warroom.incidents.enums import KeyTime

PAIRS = [(a, b) for a, b in itertools.product(S, S) if a != b]


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_lifecycle_check_transition_follows_table(current: S, target: S) -> None:
    if target in lifecycle.ALLOWED[current]:
        lifecycle.check_transition(current, target)
    else:
        with pytest.raises(ConflictError, match=f"from {current.value} to {target.value}"):
            lifecycle.check_transition(current, target)


def test_lifecycle_closed_is_final() -> None:
    assert lifecycle.ALLOWED[S.CLOSED] == ()
    with pytest.raises(ConflictError) as caught:
        lifecycle.check_transition(S.CLOSED, S.INVESTIGATING)
    assert caught.value.hint is not None and "closed is final" in caught.value.hint


def test_lifecycle_same_status_is_refused() -> None:
    with pytest.raises(ConflictError, match="already mitigated"):
        lifecycle.check_transition(S.MITIGATED, S.MITIGATED)


def test_lifecycle_every_status_reachable_from_triage() -> None:
    seen, frontier = {S.TRIAGE}, [S.TRIAGE]
    while frontier:
        for nxt in lifecycle.ALLOWED[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(S)


def test_lifecycle_resolving_stamps_mitigation_too() -> None:
    assert lifecycle.stamped_times(S.INVESTIGATING, S.RESOLVED) == (
        KeyTime.MITIGATED,
        KeyTime.RESOLVED,
    )
    assert lifecycle.cleared_times(S.MITIGATED, S.INVESTIGATING) == (
        KeyTime.MITIGATED,
        KeyTime.RESOLVED,
    )
    assert lifecycle.needs_reason(S.INVESTIGATING, S.NOT_INCIDENT)
    assert lifecycle.needs_reason(S.RESOLVED, S.INVESTIGATING)
    assert not lifecycle.needs_reason(S.TRIAGE, S.INVESTIGATING)
