"""Message templates of the events table: the template miner (`analysis/templates/`) in the engine.

`message_templates(ctx)` mines the `message` column once per investigation and keeps the
result on the connection; the messages analyzer and the input-pattern analysis share it.
The cost grows with the number of distinct message shapes, not with lines:
1. in the engine, identical messages are grouped with counts, then those that differ only in
   their digits, and the digit-word rule (every word holding a digit becomes `0`) runs once
   per group, giving its *key*;
2. the keys are grouped again; the other masking rules run in SQL over the distinct keys, and
   the miner groups the distinct masked shapes, weighted by their line counts;
3. a temporary table `key -> template_id, template` joins the templates back (`with_templates`).

`template_parameters(ctx, template_id)` gives the events of one template with the values
behind each `<*>` (`params`), for the input-pattern analysis.
Host and service names without digits stay in templates on purpose: they tell which
upstream failed ("timeout after <*> ms calling payments-gateway:<*> (order <*>)").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import ibis

from warroom.analysis.templates.catalog import Catalog
from warroom.analysis.templates.engine import mine_keys
from warroom.analysis.templates.masking import PLACEHOLDER, digit_words_expr, zero_digits_expr
from warroom.analysis.templates.params import template_regex

MAX_MESSAGE_CHARS: Final = 2000  # a template is read from the start (a 10 MB line is data)
MAP_TABLE: Final = "_warroom_message_templates"
_MEMO: Final = "message_templates"


@dataclass(frozen=True)
class MessageTemplates:
    """The mined templates of the events' messages; `table` (Ibis): key, template_id,
    template, lines (one row per distinct key)."""

    catalog: Catalog
    table: Any

    def template_of(self, template_id: str) -> str:
        return self.catalog.templates[self.catalog.template_ids.index(template_id)]


def message_key(message: Any) -> Any:
    """Ibis string: the digit-masked key of a message; equal keys share a template."""
    return digit_words_expr(message.substr(0, MAX_MESSAGE_CHARS))


def digits_zeroed(message: Any) -> Any:
    """Ibis string: the part of a message its key is read from, every digit written `0`:
    `key_of_zeroed(digits_zeroed(m)) == message_key(m)` (`masking.zero_digits_sql`), and
    messages that differ only in their digits (ids, counts, times) are keyed once."""
    return zero_digits_expr(message.substr(0, MAX_MESSAGE_CHARS))


def key_of_zeroed(zeroed: Any) -> Any:
    """Ibis string: the key of a message from its `digits_zeroed` form."""
    return digit_words_expr(zeroed)


def message_templates(ctx: Any) -> MessageTemplates:
    """Mine the events' messages (once per context; later calls return the same result)."""
    found = ctx.memo.get(_MEMO)
    if isinstance(found, MessageTemplates):
        return found
    events = ctx.table("events")
    messages = events.filter(events.message.notnull())
    distinct = messages.group_by("message").aggregate(n=messages.count())
    zeroed = distinct.group_by(zeroed=digits_zeroed(distinct.message)).aggregate(n=distinct.n.sum())
    keyed = zeroed.group_by(key=key_of_zeroed(zeroed.zeroed)).aggregate(n=zeroed.n.sum())
    catalog = mine_keys(
        ctx.con, key_counts=ibis.to_sql(keyed, dialect="duckdb"), map_table=MAP_TABLE
    )
    mined = MessageTemplates(catalog, ctx.backend.table(MAP_TABLE, database="temp"))
    ctx.memo[_MEMO] = mined
    return mined


def with_templates(mined: MessageTemplates, table: Any, *, key: str = "key") -> Any:
    """`table` (Ibis, with a `message_key` column named `key`) plus `template_id`, `template`."""
    mapping = mined.table.select(
        _map_key=mined.table.key, template_id=mined.table.template_id, template=mined.table.template
    )
    joined = table.join(mapping, table[key] == mapping._map_key)
    return joined.drop("_map_key")


def template_parameters(ctx: Any, template_id: str) -> Any:
    """Ibis table: the events of one template, with `params` (array of strings): the values
    behind each `<*>` of the template, in order ('' where a value could not be read)."""
    template = message_templates(ctx).template_of(template_id)
    return with_parameters(templates_lines(ctx, [template_id]).drop("template_id"), template)


def templates_lines(ctx: Any, template_ids: list[str], *, where: Any = None) -> Any:
    """Ibis table: the events of several templates with their `template_id`, keyed in one pass.

    `where` (an Ibis predicate builder over the events) keeps only some events, before their
    messages are keyed: the key is a regular expression per line, the costly part at scale."""
    mined = message_templates(ctx)
    events = ctx.table("events")
    wanted = events.message.notnull() if where is None else events.message.notnull() & where(events)
    keyed = events.filter(wanted).mutate(_key=message_key(events.message))
    mapping = mined.table.filter(mined.table.template_id.isin(template_ids)).select(
        _map_key=mined.table.key, template_id=mined.table.template_id
    )
    rows = keyed.join(mapping, keyed._key == mapping._map_key)
    return rows.select(*events.columns, "template_id")


def with_parameters(rows: Any, template: str) -> Any:
    """`rows` (events of `template`) plus `params`, as `template_parameters` gives them."""
    return rows.mutate(params=_params(template, rows.message.substr(0, MAX_MESSAGE_CHARS)))


def _params(template: str, message: Any) -> Any:
    """Ibis array: one regular-expression group per `<*>` (the pattern of `params.py`)."""
    count = template.count(PLACEHOLDER)
    if count == 0:
        return ibis.literal([], type="array<string>")
    pattern = "(?s)" + template_regex(template)
    return ibis.array([message.re_extract(pattern, group) for group in range(1, count + 1)])
