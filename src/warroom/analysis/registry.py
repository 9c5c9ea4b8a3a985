"""Analyzers: the protocol they follow and the order they run in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult


@runtime_checkable
class Analyzer(Protocol):
    """One question answered from the evidence.

    `id` is versioned (`onset:v1`) and recorded in every report; its family (`onset`) is what
    `after` names. `needs` lists the tables without which the analyzer cannot run.
    """

    id: str
    title: str
    question: str
    needs: tuple[str, ...]
    after: tuple[str, ...]

    def run(self, ctx: AnalysisContext) -> AnalyzerResult: ...


def family(analyzer_id: str) -> str:
    return analyzer_id.split(":", 1)[0]


def registered_analyzers() -> list[Analyzer]:
    """Every analyzer from every plugin, in dependency order."""
    from warroom.plugins import plugin_manager

    found = [a for batch in plugin_manager().hook.register_analyzers() for a in batch]
    return ordered(found)


def ordered(analyzers: Sequence[Analyzer]) -> list[Analyzer]:
    """Topological order by `after`, ties kept in registration order (deterministic)."""
    ids = [a.id for a in analyzers]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate analyzer ids: {sorted(i for i in ids if ids.count(i) > 1)}")
    families = {family(a.id) for a in analyzers}
    done: set[str] = set()
    result: list[Analyzer] = []
    pending = list(analyzers)
    while pending:
        ready = [a for a in pending if all(d in done or d not in families for d in a.after)]
        if not ready:
            raise ValueError(f"analyzers wait on each other: {[a.id for a in pending]}")
        first = ready[0]
        result.append(first)
        pending.remove(first)
        if not any(family(a.id) == family(first.id) for a in pending):
            done.add(family(first.id))
    return result
