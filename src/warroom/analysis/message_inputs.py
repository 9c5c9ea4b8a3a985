"""Values inside log messages: the same message template logged as an error and as a normal line.

Not every input reaches a request field. "Parsing quantity '3' for sku A-7" (info) and
"Parsing quantity '1.5' for sku B-2" (error) are one template, `Parsing quantity '<*>' for sku
<*>`; its values, error lines against the other lines of the same template, are compared just
like request fields (`input_stats.find_separators`: values and value shapes, Fisher + BH, id-like
fields listed). The messages analyzer names the templates with enough lines of both kinds
(`facts["messages"]["mixed_levels"]`); each variable is named after the word before it
(`message.quantity`, `message.sku`), each template is a "route" of its own.

The lines of those few templates are found and read in one query (the template of a message by
its digit-masked key, as `message_keys` does; the values by one regular expression per template),
and counted into the two tables the request comparison reads: lines per template, period and
level, and per template x variable x value.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from warroom.analysis import signals
from warroom.analysis.context import AnalysisContext
from warroom.analysis.message_keys import MAP_TABLE, MAX_MESSAGE_CHARS, message_templates
from warroom.analysis.request_fields import (
    RequestTables,
    drop_tables,
    period_sql,
)
from warroom.analysis.templates.masking import (
    PLACEHOLDER,
    digit_words_sql,
    zero_digits_sql,
)
from warroom.analysis.templates.params import template_regex
from warroom.analysis.windows import Window
from warroom.evidence.logs.records import literal, literal_list

ROUTE_PREFIX: Final = "message: "  # how a template stands where a route would
_WORD_BEFORE_RE: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\W{0,3}$")
_numbers = itertools.count(1)
# `signals.is_error` in SQL: a 5xx status, an error/fatal level or an exception
FAILED_SQL: Final = (
    "(coalesce(status, 0) >= 500 OR coalesce(level, '') IN "
    f"({', '.join(repr(level) for level in signals.ERROR_LEVELS)}) OR exception_type IS NOT NULL)"
)


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
    tables = RequestTables.named("message_line", next(_numbers))
    stage = f"{tables.request_counts}_stage"
    period, bounds = period_sql(periods)
    message_templates(ctx)  # mined once per investigation: leaves the key -> template table
    con = ctx.con
    try:
        con.execute(_stage_sql(stage, period, chosen), bounds)
        con.execute(
            f'CREATE TEMP TABLE "{tables.request_counts}" AS SELECT route, period, failed, '
            f'CAST(sum(n) AS BIGINT) AS n FROM "{stage}" GROUP BY ALL'
        )
        con.execute(
            f'CREATE TEMP TABLE "{tables.field_counts}" AS SELECT route, names[i] AS key, '
            "params[i] AS value, period, failed, CAST(sum(n) AS BIGINT) AS n FROM "
            f'(SELECT *, generate_subscripts(params, 1) AS i FROM "{stage}") '
            "WHERE params[i] IS NOT NULL AND params[i] <> '' GROUP BY ALL"
        )
        yield tables
    finally:
        drop_tables(con, tables)
        con.execute(f'DROP TABLE IF EXISTS temp."{stage}"')


def _stage_sql(stage: str, period: str, chosen: list[dict[str, str]]) -> str:
    """Lines of the chosen templates counted per (template, period, failed, values).

    Equal messages are counted first, so that reading the values (a regular expression per
    template) runs once per distinct message, and keying (another) once per distinct message
    with its digits zeroed: the definitions of `message_keys` (`message_key`,
    `with_parameters`) in plain SQL."""
    text = f"substring(message, 1, {MAX_MESSAGE_CHARS})"
    routes, params, names = [], [], []
    for found in chosen:
        when = f"WHEN {literal(found['template_id'])} THEN"
        pattern = literal("(?s)" + template_regex(found["template"]))
        count = found["template"].count(PLACEHOLDER)
        values = ", ".join(f"regexp_extract({text}, {pattern}, {g})" for g in range(1, count + 1))
        routes.append(f"{when} {literal(ROUTE_PREFIX + found['template'])}")
        params.append(f"{when} [{values}]::VARCHAR[]")
        names.append(f"{when} {literal_list(parameter_names(found['template']))}")
    ids = ", ".join(literal(found["template_id"]) for found in chosen)
    return f"""
CREATE TEMP TABLE "{stage}" AS
WITH counted AS (
  SELECT message, period, failed, count(*) AS n FROM (
    SELECT message, {period} AS period, {FAILED_SQL} AS failed
    FROM events WHERE message IS NOT NULL)
  WHERE period IS NOT NULL GROUP BY ALL
), zeroed AS (
  SELECT *, {zero_digits_sql(text)} AS zeroed FROM counted
), chosen AS (
  SELECT z.zeroed, m.template_id FROM (SELECT DISTINCT zeroed FROM zeroed) z
  JOIN temp."{MAP_TABLE}" m ON {digit_words_sql("z.zeroed")} = m.key
  WHERE m.template_id IN ({ids})
), keyed AS (
  SELECT z.*, c.template_id FROM zeroed z JOIN chosen c USING (zeroed)
)
SELECT CASE template_id {" ".join(routes)} END AS route, period, failed,
  CASE template_id {" ".join(params)} END AS params,
  CASE template_id {" ".join(names)} END AS names,
  CAST(sum(n) AS BIGINT) AS n
FROM keyed GROUP BY ALL
"""
