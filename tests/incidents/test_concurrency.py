"""16 processes append 200 entries each to one incident's timeline at the same time."""

from __future__ import annotations

import multiprocessing
from typing import Any

from sqlalchemy import select

from warroom.db.session import Store
from warroom.incidents import notebook
from warroom.incidents import service as incidents
from warroom.incidents.models import TimelineEntry

PROCESSES = 16
ENTRIES_EACH = 200


def _append_notes(url: str, incident_id: int, worker: int, start: Any) -> None:
    store = Store.open(url)
    start.wait()  # every process begins together
    for index in range(ENTRIES_EACH):
        with store.transaction() as session:
            notebook.add_note(
                session=session,
                incident_id=incident_id,
                text=f"w{worker}-{index}",
                author=f"worker-{worker}",
            )
    store.dispose()


def test_concurrent_appends_lose_nothing_and_never_repeat_a_seq(
    store: Store, framework: Any, db_url: str
) -> None:
    with store.transaction() as session:
        incident_id = incidents.declare(
            session=session, scale=framework, title="load", severity="SEV3", author="t"
        ).id
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Event()
    workers = [
        spawn.Process(target=_append_notes, args=(db_url, incident_id, w, start))
        for w in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    with store.reader() as session:
        rows = session.execute(
            select(TimelineEntry.seq, TimelineEntry.text).where(
                TimelineEntry.incident_id == incident_id
            )
        ).all()
    seqs = sorted(seq for seq, _ in rows)
    assert seqs == list(range(1, PROCESSES * ENTRIES_EACH + 2))  # + the declaration
    texts = {text for _, text in rows}
    assert {f"w{w}-{i}" for w in range(PROCESSES) for i in range(ENTRIES_EACH)} <= texts
