from __future__ import annotations

from typing import Any

import pytest

from warroom.db.session import Store
from warroom.errors import ConflictError, InputError, NotFoundError
from warroom.incidents import notebook, timeline, views
from warroom.incidents import service as incidents
from warroom.incidents.enums import ActionOutcome, EntryKind, HypothesisStatus
from warroom.incidents.schemas import EvidenceItem


@pytest.fixture
def incident_id(store: Store, framework: Any) -> int:
    with store.transaction() as session:
        return incidents.declare(
            session=session,
            scale=framework,
            title="Orders failing",
            severity="SEV2",
            author="alice",
        ).id


def _hypothesis(store: Store, incident_id: int, statement: str) -> int:
    with store.transaction() as session:
        return notebook.add_hypothesis(
            session=session, incident_id=incident_id, statement=statement, author="alice"
        ).id


def test_hypotheses_eliminated_and_confirmed_with_why(store: Store, incident_id: int) -> None:
    deploy = _hypothesis(store, incident_id, "the 14:02 deploy of api 4.3.0 broke orders")
    database = _hypothesis(store, incident_id, "the orders database is overloaded")
    parser = _hypothesis(store, incident_id, "quantity parsing fails on decimals")
    with store.transaction() as session:
        notebook.decide(
            session=session,
            hypothesis_id=deploy,
            status=HypothesisStatus.ELIMINATED,
            why="errors began 40 min before the deploy",
            author="bob",
            evidence=[EvidenceItem(kind="finding", value="onset:v1:errors")],
        )
        notebook.decide(
            session=session,
            hypothesis_id=database,
            status=HypothesisStatus.ELIMINATED,
            why="p99 query time flat at 4 ms",
            author="bob",
            evidence=[EvidenceItem(kind="link", value="https://grafana.example/d/db")],
        )
        notebook.decide(
            session=session,
            hypothesis_id=parser,
            status=HypothesisStatus.CONFIRMED,
            why="412 of 412 failing requests had a decimal quantity",
            author="carol",
        )
    with store.reader() as session:
        view = views.incident_view(session=session, incident_id=incident_id)
        entries = timeline.entries(
            session=session, incident_id=incident_id, kinds=[EntryKind.HYPOTHESIS]
        )
    assert [h.id for h in view.eliminated] == [deploy, database]
    assert view.eliminated[0].why == "errors began 40 min before the deploy"
    assert view.eliminated[0].evidence[0].value == "onset:v1:errors"
    assert [h.id for h in view.confirmed] == [parser]
    assert view.open_hypotheses == []
    assert len(entries) == 6
    assert "because errors began 40 min before the deploy" in entries[3].text


def test_eliminate_without_why_is_refused_and_writes_nothing(
    store: Store, incident_id: int
) -> None:
    hypothesis = _hypothesis(store, incident_id, "bad config push")
    with store.transaction() as session, pytest.raises(InputError, match="say why you eliminate"):
        notebook.decide(
            session=session,
            hypothesis_id=hypothesis,
            status=HypothesisStatus.ELIMINATED,
            why="  ",
            author="bob",
        )
    with store.reader() as session:
        view = views.incident_view(session=session, incident_id=incident_id)
    assert [h.id for h in view.open_hypotheses] == [hypothesis]


def test_decided_hypothesis_must_be_reopened_first(store: Store, incident_id: int) -> None:
    hypothesis = _hypothesis(store, incident_id, "DNS")
    with store.transaction() as session:
        notebook.decide(
            session=session,
            hypothesis_id=hypothesis,
            status=HypothesisStatus.ELIMINATED,
            why="resolves fine from every host",
            author="bob",
        )
    with (
        store.transaction() as session,
        pytest.raises(ConflictError, match="already eliminated") as caught,
    ):
        notebook.decide(
            session=session,
            hypothesis_id=hypothesis,
            status=HypothesisStatus.CONFIRMED,
            why="it is always DNS",
            author="bob",
        )
    assert caught.value.hint is not None
    assert "reopen it first" in caught.value.hint
    with store.transaction() as session:
        notebook.decide(
            session=session,
            hypothesis_id=hypothesis,
            status=HypothesisStatus.OPEN,
            why="TTL was cached on the bastion",
            author="bob",
        )
        reopened = notebook.get_hypothesis(session=session, hypothesis_id=hypothesis)
    assert reopened.status == "open"


def test_unknown_hypothesis_and_action_are_not_found(store: Store, incident_id: int) -> None:
    with store.transaction() as session:
        with pytest.raises(NotFoundError, match="no hypothesis H99"):
            notebook.decide(
                session=session,
                hypothesis_id=99,
                status=HypothesisStatus.CONFIRMED,
                why="x",
                author="a",
            )
        with pytest.raises(NotFoundError, match="no action A99"):
            notebook.set_outcome(
                session=session, action_id=99, outcome=ActionOutcome.HELPED, author="a"
            )


def test_actions_record_who_when_and_outcome(store: Store, incident_id: int) -> None:
    hypothesis = _hypothesis(store, incident_id, "api-2 is wedged")
    with store.transaction() as session:
        restart = notebook.add_action(
            session=session,
            incident_id=incident_id,
            what="restarted api-2",
            author="alice",
            who="bob",
            hypothesis_id=hypothesis,
        )
        rollback = notebook.add_action(
            session=session,
            incident_id=incident_id,
            what="rolled back api to 4.2.0",
            author="alice",
            outcome=ActionOutcome.HELPED,
            note="5xx back to baseline in 2 min",
        )
    with store.transaction() as session:
        notebook.set_outcome(
            session=session,
            action_id=restart.id,
            outcome=ActionOutcome.NO_EFFECT,
            author="bob",
            note="errors continued",
        )
    with store.reader() as session:
        view = views.incident_view(session=session, incident_id=incident_id)
    outcomes = {a.id: (a.who, a.outcome, a.outcome_note, a.hypothesis_id) for a in view.actions}
    assert outcomes == {
        restart.id: ("bob", "no_effect", "errors continued", hypothesis),
        rollback.id: ("alice", "helped", "5xx back to baseline in 2 min", None),
    }


def test_notes_and_links(store: Store, incident_id: int) -> None:
    with store.transaction() as session:
        notebook.add_note(
            session=session, incident_id=incident_id, text="5xx only on EU hosts", author="a"
        )
        notebook.add_link(
            session=session,
            incident_id=incident_id,
            url="https://status.example/x",
            title="status page",
            author="a",
        )
        with pytest.raises(InputError, match="not a URL"):
            notebook.add_link(
                session=session, incident_id=incident_id, url="status page", author="a"
            )
    with store.reader() as session:
        kinds = [e.kind for e in timeline.entries(session=session, incident_id=incident_id)]
    assert kinds == ["status_change", "note", "link"]


def test_long_command_output_is_kept_but_truncated(store: Store, incident_id: int) -> None:
    hypothesis = _hypothesis(store, incident_id, "disk full on db-1")
    output = "Filesystem Size Used Avail\n" * 2000
    with store.transaction() as session:
        notebook.decide(
            session=session,
            hypothesis_id=hypothesis,
            status=HypothesisStatus.ELIMINATED,
            why="68% used",
            author="bob",
            evidence=[EvidenceItem(kind="output", value=output)],
        )
        row = notebook.get_hypothesis(session=session, hypothesis_id=hypothesis)
    kept = row.evidence[0]["value"]
    assert kept.startswith("Filesystem") and len(kept) < len(output)
    assert "more characters" in kept


def test_item_refs() -> None:
    assert (
        notebook.parse_item_ref("H3", prefix="H") == notebook.parse_item_ref("3", prefix="H") == 3
    )
    with pytest.raises(InputError, match="not a H-number"):
        notebook.parse_item_ref("A3", prefix="H")
