"""Values inside log messages: the same message template logged as an error and as a normal line.

Not every input reaches a request field. "Parsing quantity '3' for sku A-7" (info) and
"Parsing quantity '1.5' for sku B-2" (error) are one template, `Parsing quantity '<*>' for sku
<*>`; its values, error lines against the other lines of the same template, are compared just
like request fields (`input_stats.find_separators`: values and value shapes, Fisher + BH, id-like
fields listed). The messages analyzer names the templates with enough lines of both kinds
(`facts["messages"]["mixed_levels"]`); each variable is named after the word before it
(`message.quantity`, `message.sku`), each template is a "route" of its own.

The lines of those few templates are read with `message_keys.templates_lines` (values by one
regular expression per template, in the engine) and laid out as the two tables the request
comparison reads: one row per line, one row per line x variable.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import ibis

from warroom.analysis import signals
from warroom.analysis.context import AnalysisContext
from warroom.analysis.message_keys import templates_lines, with_parameters
from warroom.analysis.request_fields import RequestTables, period_sql
from warroom.analysis.scratch import scratch_table
from warroom.analysis.templates.masking import PLACEHOLDER
from warroom.analysis.windows import Window

ROUTE_PREFIX: Final = "message: "  # how a template stands where a route would
_WORD_BEFORE_RE: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\W{0,3}$")
_numbers = itertools.count(1)


def parameter_names(template: str) -> list[str]:
    """One field name per `<*>`: the word just before it ("quantity '<*>'" -> message.quantity),
    else its position (message.2); a repeated name gets the position too."""
    chunks = template.split(PLACEHOLDER)[:-1]
    names: list[str] = []
    for position, chunk in enumerate(chunks, start=1):
        found = _WORD_BEFORE_RE.search(chunk)
        word = found.group(1).lower() if found else str(position)
        name = f"message.{word}"
        names.append(f"{name}.{position}" if name in names else name)
    return names


def is_message_route(route: str) -> bool:
    return route.startswith(ROUTE_PREFIX)


@contextmanager
def message_tables(
    ctx: AnalysisContext,
    periods: dict[str, tuple[Window, ...]],
    templates: list[dict[str, str]],
) -> Iterator[RequestTables | None]:
    """The lines of `templates` in `periods` as (requests, fields) temp tables; None when no
    template has a variable. Dropped on exit."""
    chosen = [t for t in templates if PLACEHOLDER in t["template"]]
    if not chosen:
        yield None
        return
    n = next(_numbers)
    raw = f"_warroom_message_lines_{n}"
    tables = RequestTables(f"_warroom_message_requests_{n}", f"_warroom_message_fields_{n}")
    period, bounds = period_sql(periods)
    con = ctx.con
    # the lines of every chosen template in one pass over the events (keying a message is a
    # regular expression per line), staged; then each template's values from its own lines
    lines = templates_lines(
        ctx, [t["template_id"] for t in chosen], where=_in_periods(ctx, periods)
    )
    lines = lines.select("ts", "status", "level", "exception_type", "message", "template_id")
    try:
        with scratch_table(ctx, lines, label="template_lines") as staged:
            parts = [_lines(staged, t["template_id"], t["template"]) for t in chosen]
            con.register(raw, ibis.union(*parts).to_pyarrow())
        con.execute(
            f'CREATE TEMP TABLE "{tables.requests}" AS SELECT row_number() OVER '
            "(ORDER BY ts, route, params) AS rid, period, failed, route, params, names FROM "
            f'(SELECT *, {period} AS period FROM "{raw}") WHERE period IS NOT NULL',
            bounds,
        )
        con.execute(
            f'CREATE TEMP TABLE "{tables.fields}" AS SELECT rid, period, failed, route, '
            "names[i] AS key, params[i] AS value FROM "
            f'(SELECT *, generate_subscripts(params, 1) AS i FROM "{tables.requests}") '
            "WHERE params[i] IS NOT NULL AND params[i] <> ''"
        )
        yield tables
    finally:
        con.unregister(raw)
        for name in (tables.requests, tables.fields):
            con.execute(f'DROP TABLE IF EXISTS temp."{name}"')


def _in_periods(ctx: AnalysisContext, periods: dict[str, tuple[Window, ...]]) -> Any:
    """Predicate builder: an event in one of the windows of `periods` (the lines outside them
    get no period and are dropped anyway; leaving them out first spares keying them)."""
    windows = [w for group in periods.values() for w in group]
    return lambda events: ctx.in_any(events.ts, windows)


def _lines(staged: Any, template_id: str, template: str) -> Any:
    rows = with_parameters(staged.filter(staged.template_id == template_id), template)
    return rows.select(
        ts=rows.ts,
        failed=signals.is_error(rows),
        route=ibis.literal(ROUTE_PREFIX + template),
        params=rows.params,
        names=ibis.literal(parameter_names(template), type="array<string>"),
    )
