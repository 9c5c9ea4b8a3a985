"""The HTTP requests of the windows, kept once per investigation.

The route counts of `http` and the volume counts of `traffic` both group the requests of the
incident and baseline windows (traffic also the span just before the incident). Each used to
scan every event for them; this narrow temp table (ts, service, host, method, path, status) is
built on the first ask and read by both, like `routes`' failed requests, as long as the
connection.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from warroom.analysis import signals
from warroom.analysis.context import AnalysisContext
from warroom.analysis.scratch import kept_table
from warroom.analysis.windows import Window

COLUMNS = ("ts", "service", "host", "method", "path", "status")


def around_incident(incident: Window) -> Window:
    """The incident and the span just before it (as long as the incident, at least 30 min)."""
    length = incident.end - incident.start
    return Window(incident.start - max(length, timedelta(minutes=30)), incident.end, "around")


def window_requests(ctx: AnalysisContext) -> Any:
    """Ibis: the requests of `around_incident` and of every baseline window."""
    return kept_table(ctx, "window_requests", lambda: _requests(ctx), label="window_requests")


def _requests(ctx: AnalysisContext) -> Any:
    events = ctx.table("events")
    rows = events.filter(signals.is_request(events))
    inside = ctx.in_window(rows.ts, around_incident(ctx.incident)) | ctx.in_baseline(rows.ts)
    return rows.filter(inside).select(*COLUMNS)
