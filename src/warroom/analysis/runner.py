"""Run the analyzers one by one; a failing or slow analyzer is recorded, never fatal."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import Elimination, Finding
from warroom.analysis.registry import Analyzer, family

SLOW_ANALYZER_S = 30.0


@dataclass(frozen=True)
class Coverage:
    """What one analyzer did in this run."""

    analyzer: str
    title: str
    status: str  # ran | skipped | failed
    seconds: float
    findings: int = 0
    note: str = ""


@dataclass
class RunOutcome:
    findings: list[Finding] = field(default_factory=list)
    eliminated: list[Elimination] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run_all(
    ctx: AnalysisContext,
    analyzers: Sequence[Analyzer],
    *,
    on_step: Callable[[Analyzer], None] | None = None,
) -> RunOutcome:
    outcome = RunOutcome()
    for analyzer in analyzers:
        if on_step is not None:
            on_step(analyzer)
        missing = [t for t in analyzer.needs if not ctx.has(t)]
        if missing:
            note = f"no {', '.join(missing)} in the evidence"
            outcome.coverage.append(
                Coverage(analyzer.id, analyzer.title, "skipped", 0.0, note=note)
            )
            continue
        outcome.coverage.append(_run_one(ctx, analyzer, outcome))
    return outcome


def _run_one(ctx: AnalysisContext, analyzer: Analyzer, outcome: RunOutcome) -> Coverage:
    started = time.perf_counter()
    try:
        result = analyzer.run(ctx)
    except Exception as error:  # one analyzer must never sink the investigation
        seconds = time.perf_counter() - started
        where = traceback.extract_tb(error.__traceback__)[-1]
        note = (
            f"{type(error).__name__}: {error} ({where.filename.rsplit('/', 1)[-1]}:{where.lineno})"
        )
        return Coverage(analyzer.id, analyzer.title, "failed", round(seconds, 3), note=note)
    seconds = time.perf_counter() - started
    outcome.findings.extend(result.findings)
    outcome.eliminated.extend(result.eliminated)
    outcome.notes.extend(result.notes)
    ctx.facts[family(analyzer.id)] = result.facts
    note = "; ".join(result.notes)
    if seconds > SLOW_ANALYZER_S:
        note = (note + "; " if note else "") + f"slow: {seconds:.0f} s"
    return Coverage(
        analyzer.id, analyzer.title, "ran", round(seconds, 3), len(result.findings), note
    )
