"""The investigation: windows, analyzers, ranking — from a loaded bundle to an `Investigation`.

The caller (CLI, web, demo) loads the bundle; this module only reads the normalised tables on
the DuckDB connection, so the same code runs on any bundle source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from warroom.analysis.context import AnalysisContext, Params
from warroom.analysis.detect import detect_incident
from warroom.analysis.investigation import Investigation, Onset
from warroom.analysis.rank import rank
from warroom.analysis.registry import Analyzer, registered_analyzers
from warroom.analysis.runner import run_all
from warroom.analysis.windows import Windows, make_windows
from warroom.errors import InputError
from warroom.evidence.schema import TABLES
from warroom.timeutil import iso_z

FALLBACK_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class WindowRequest:
    """What the user said about windows: command line first, then the manifest."""

    incident: tuple[datetime, datetime] | None = None
    baselines: list[tuple[datetime, datetime]] | None = None
    source: str = "given"


def investigate(
    con: Any,
    *,
    inputs: dict[str, Any],
    timezone: str = "UTC",
    request: WindowRequest | None = None,
    analyzers: Sequence[Analyzer] | None = None,
    params: Params | None = None,
    on_step: Callable[[Analyzer], None] | None = None,
) -> Investigation:
    row_counts = {name: _count(con, name) for name in TABLES}
    span = _data_span(con, row_counts)
    windows = resolve_windows(con, request or WindowRequest(), span, timezone)
    ctx = AnalysisContext(
        con=con, windows=windows, params=params or Params(), row_counts=row_counts
    )
    chosen = list(analyzers) if analyzers is not None else registered_analyzers()
    outcome = run_all(ctx, chosen, on_step=on_step)
    eliminated = outcome.eliminated
    suspects = rank(outcome.findings, eliminated)
    onset_facts = ctx.facts.get("onset", {})
    onset = Onset(
        at=onset_facts.get("at"),
        confidence=float(onset_facts.get("confidence", 0.0)),
        signal=_signal(onset_facts),
    )
    notes = [*windows.notes, *_missing_inputs(row_counts), *outcome.notes]
    return Investigation(
        windows, inputs, onset, outcome.findings, suspects, eliminated, outcome.coverage, notes
    )


def _signal(facts: dict[str, Any]) -> str:
    if facts.get("at") is None:
        return "none: no significant rise in errors"
    signature = facts.get("signature")
    return f"error rate ({signature})" if signature else "error rate"


def _missing_inputs(row_counts: dict[str, int]) -> list[str]:
    words = {
        "events": "no logs: onset, spread, HTTP and message analyses could not run",
        "metrics": "no metrics: resource saturation could not be checked",
        "changes": "no change events or git history: recent changes could not be checked",
        "cron_jobs": "no crontabs: scheduled jobs could not be checked",
        "reports": "no customer reports",
    }
    return [text for table, text in words.items() if row_counts.get(table, 0) == 0]


def _count(con: Any, table: str) -> int:
    return int(con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def _data_span(con: Any, row_counts: dict[str, int]) -> tuple[datetime, datetime] | None:
    for table in ("events", "metrics"):
        if row_counts.get(table):
            low, high = con.execute(f'SELECT min(ts), max(ts) FROM "{table}"').fetchone()
            if low is not None:
                return low.replace(tzinfo=UTC), high.replace(tzinfo=UTC)
    return None


def resolve_windows(
    con: Any, request: WindowRequest, span: tuple[datetime, datetime] | None, timezone: str
) -> Windows:
    if request.incident is not None:
        return make_windows(
            request.incident,
            baselines=request.baselines,
            data_start=span[0] if span else None,
            data_end=span[1] if span else None,
            timezone=timezone,
            source=request.source,
        )
    if span is None:
        raise InputError(
            "the bundle holds no timed records, so there is no incident window to analyse",
            hint="add logs or metrics, or give --start and --end",
        )
    start, end = span
    detected = detect_incident(_events(con), start, end) if _has_events(con) else None
    if detected is not None:
        windows = make_windows(
            (detected.start, detected.end),
            baselines=None,
            data_start=start,
            data_end=end,
            timezone=timezone,
            source="detected",
        )
        note = (
            "incident window detected from the error rate: "
            f"{iso_z(detected.start)} – {iso_z(detected.end)}"
        )
        return Windows(
            windows.incident, windows.baselines, timezone, "detected", (note, *windows.notes)
        )
    fallback = (max(end - FALLBACK_WINDOW, start), end + timedelta(seconds=1))
    windows = make_windows(
        fallback,
        baselines=None,
        data_start=start,
        data_end=end,
        timezone=timezone,
        source="fallback",
    )
    note = "no incident window given and no rise in errors found: analysed the last hour of data"
    return Windows(
        windows.incident, windows.baselines, timezone, "fallback", (note, *windows.notes)
    )


def _has_events(con: Any) -> bool:
    return _count(con, "events") > 0


def _events(con: Any) -> Any:
    import ibis

    return ibis.duckdb.from_connection(con).table("events")
