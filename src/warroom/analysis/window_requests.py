"""The HTTP requests of the windows, kept once per investigation.

The route counts of `http` and the volume counts of `traffic` both group the requests of the
incident and baseline windows (traffic also the span just before the incident). Each used to
scan every event for them; this narrow temp table (ts, service, host, method, path, status) is
built on the first ask and read by both, like `routes`' failed requests, as long as the
connection.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import ibis

from warroom.analysis import signals
from warroom.analysis.context import AnalysisContext
from warroom.analysis.windows import Window

COLUMNS = ("ts", "service", "host", "method", "path", "status")
_numbers = itertools.count(1)


def around_incident(incident: Window) -> Window:
    """The incident and the span just before it (as long as the incident, at least 30 min)."""
    length = incident.end - incident.start
    return Window(incident.start - max(length, timedelta(minutes=30)), incident.end, "around")


def window_requests(ctx: AnalysisContext) -> Any:
    """Ibis: the requests of `around_incident` and of every baseline window."""
    name = ctx.remember("window_requests", lambda: _stage(ctx))
    return ctx.backend.table(name, database="temp")


def _stage(ctx: AnalysisContext) -> str:
    events = ctx.table("events")
    rows = events.filter(signals.is_request(events))
    inside = ctx.in_window(rows.ts, around_incident(ctx.incident)) | ctx.in_baseline(rows.ts)
    rows = rows.filter(inside).select(*COLUMNS)
    name = f"_warroom_window_requests_{next(_numbers)}"
    ctx.con.execute(f'CREATE TEMP TABLE "{name}" AS {ibis.to_sql(rows, dialect="duckdb")}')
    return name
