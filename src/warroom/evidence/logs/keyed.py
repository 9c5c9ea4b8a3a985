"""Records made of keys and values (JSON lines, logfmt): from source keys to typed events.

A parser hands over, per line, the text of each source key it found; this module picks each
event field's value by the contract's keys (see `fields`) and converts it (times, levels,
numbers, durations, paths), in one SQL projection over whole columns. The parser names the
other keys as `attrs` (see `attrs.AttrSources`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from warroom.evidence.logs.levels import normalise_level
from warroom.evidence.logs.paths import query_text, target_path
from warroom.evidence.logs.records import text_or_null
from warroom.evidence.logs.stacks import exception_type
from warroom.evidence.logs.timestamps import any_time_to_utc, duration_to_ms
from warroom.evidence.types import LoadContext

# The event columns a keyed stage computes (all but `attrs`, which `attrs.events_select` adds).
TYPED = (
    "ts",
    "host",
    "container",
    "service",
    "level",
    "status",
    "method",
    "path",
    "duration_ms",
    "message",
    "exception_type",
    "stack",
    "user",
    "line",
)


def field_values(
    keys: dict[str, tuple[str, ...]], lookup: Callable[[str], Iterable[str]]
) -> dict[str, str]:
    """Field -> `coalesce` of the texts of its source keys, in priority order.

    `lookup(key)` gives the SQL expressions of the source keys equal to `key` (lower case).
    """
    values: dict[str, str] = {}
    for name, sources in keys.items():
        found = [expression for key in sources for expression in lookup(key)]
        values[name] = _first_text(found)
    return values


def shadowed_columns(
    keys: dict[str, tuple[str, ...]], lookup: Callable[[str], Iterable[tuple[str, str]]]
) -> dict[str, str]:
    """attrs columns for source keys that a key before them won on a row.

    `lookup(key)` gives (attrs name, SQL text) of the source keys equal to `key`. When a
    record has both `host` and `server` and the manifest prefers `server`, `host` is kept in
    attrs rather than lost.
    """
    columns: dict[str, str] = {}
    for sources in keys.values():
        found = [named for key in sources for named in lookup(key)]
        for index, (name, expression) in enumerate(found[1:], start=1):
            earlier = _first_text([sql for _, sql in found[:index]])
            columns[name] = f"CASE WHEN {earlier} IS NOT NULL THEN nullif({expression}, '') END"
    return columns


def _first_text(expressions: list[str]) -> str:
    if not expressions:
        return "NULL::VARCHAR"
    cleaned = [f"nullif({expression}, '')" for expression in expressions]
    return cleaned[0] if len(cleaned) == 1 else f"coalesce({', '.join(cleaned)})"


def source_columns(values: dict[str, str]) -> str:
    """The SELECT list `<text> AS f_<field>, ...` that `typed_columns` reads."""
    return ", ".join(f"{expression} AS f_{name}" for name, expression in values.items())


def typed_columns(*, ctx: LoadContext) -> str:
    """The SELECT list of the typed event columns of TYPED but `line`, from `f_<field>` texts,
    plus `f_path` and its query lists (for `attrs.AttrSources.query`)."""
    return ", ".join(
        [
            f"{any_time_to_utc('f_ts', timezone=ctx.timezone)} AS ts",
            f"coalesce(f_host, {text_or_null(ctx.host)}) AS host",
            "f_container AS container",
            f"coalesce(f_service, {text_or_null(ctx.default_service)}) AS service",
            f"{normalise_level('f_level')} AS level",
            "TRY_CAST(TRY_CAST(f_status AS DOUBLE) AS SMALLINT) AS status",
            "upper(f_method) AS method",
            f"{target_path('f_path')} AS path",
            "coalesce("
            f"{duration_to_ms('f_duration_ms', unit_ms=1.0)}, "
            f"{duration_to_ms('f_duration_s', unit_ms=1000.0)}) AS duration_ms",
            "f_message AS message",
            f"coalesce(f_exception_type, {exception_type('f_stack', message_sql='f_message')}) "
            "AS exception_type",
            "f_stack AS stack",
            "f_user AS user",
            "f_path",
            f"{query_text('f_path')} AS _q",
        ]
    )
