"""SQL that turns the time forms of the contract into UTC `TIMESTAMP`s, on whole columns.

Forms: ISO 8601 with `T` or a space, `-` or `/` in the date, `.` or `,` before the fraction,
and `Z`, `+hh:mm`, `+hhmm` or `+hh` (a time without an offset is in the bundle's time zone);
epoch seconds, milliseconds, microseconds or nanoseconds told apart by magnitude; durations
as plain numbers or Go duration strings (`1.5s`, `1m2s`, `350ms`). Every builder returns a
SQL expression that is NULL when its input cannot be read, never an error.

DuckDB's `TIMESTAMP` cast silently drops an offset, so the offset is always cut off and
applied here.
"""

from __future__ import annotations

from typing import Final

from warroom.evidence.logs.records import literal

# The offset at the end of an ISO time (after the minutes, seconds or fraction).
_OFFSET = r"\d:\d{2}(?:\.\d+)?\s?([Zz]|[+-]\d{2}(?::?\d{2})?)$"
_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
_GO_DURATION = r"(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+"
_UTC_NAMES: Final = frozenset({"UTC", "ETC/UTC", "Z", "GMT", "ETC/GMT", "UCT", "UNIVERSAL"})
# Milliseconds per Go duration unit.
_UNIT_MS: Final = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}


def local_to_utc(naive_sql: str, *, timezone: str) -> str:
    """A wall-clock TIMESTAMP in `timezone` -> the same instant as a UTC TIMESTAMP."""
    if timezone.upper() in _UTC_NAMES:
        return naive_sql
    return f"timezone('UTC', timezone({literal(timezone)}, {naive_sql}))"


def offset_minutes(offset_sql: str) -> str:
    """`Z`, `+05:30`, `-0700`, `+02` -> minutes east of UTC (NULL when empty)."""
    digits = f"replace({offset_sql}[2:], ':', '')"
    minutes = f"coalesce(TRY_CAST({digits}[3:4] AS INTEGER), 0)"
    size = f"(CAST(left({digits}, 2) AS INTEGER) * 60 + {minutes})"
    return (
        f"CASE WHEN {offset_sql} = 'Z' THEN 0 "
        f"WHEN {offset_sql} LIKE '-%' THEN -{size} "
        f"WHEN {offset_sql} LIKE '+%' THEN {size} END"
    )


def shift_to_utc(naive_sql: str, offset_sql: str, *, timezone: str) -> str:
    """A wall-clock TIMESTAMP and its offset text -> UTC; no offset means `timezone`."""
    local = local_to_utc(naive_sql, timezone=timezone)
    return (
        f"CASE WHEN coalesce({offset_sql}, '') = '' THEN {local} "
        f"ELSE {naive_sql} - to_minutes({offset_minutes(offset_sql)}) END"
    )


def iso_to_utc(text_sql: str, *, timezone: str) -> str:
    """ISO 8601 text (and its common log variants) -> UTC TIMESTAMP.

    DuckDB's own casts read the usual forms fast; the rare rest (a space or a lower-case `z`
    before the offset) goes through `_spelled_out`.
    """
    clean = (
        f"CASE WHEN contains({text_sql}, ',') OR contains({text_sql}, '/') "
        f"THEN replace(replace({text_sql}, ',', '.'), '/', '-') ELSE {text_sql} END"
    )
    has_offset = f"(ends_with({text_sql}, 'Z') OR regexp_matches({text_sql}, {literal(_OFFSET)}))"
    fast = (
        f"CASE WHEN {has_offset} THEN make_timestamp(epoch_us(TRY_CAST({clean} AS TIMESTAMPTZ))) "
        f"ELSE {local_to_utc(f'TRY_CAST({clean} AS TIMESTAMP)', timezone=timezone)} END"
    )
    return f"coalesce({fast}, {_spelled_out(clean, timezone=timezone)})"


def _spelled_out(clean_sql: str, *, timezone: str) -> str:
    """Cut the offset off by pattern, read the wall-clock time, then apply the offset."""
    upper = f"upper(trim({clean_sql}))"
    offset = f"regexp_extract({upper}, {literal(_OFFSET)}, 1)"
    naive = f"TRY_CAST(left({upper}, length({upper}) - length({offset})) AS TIMESTAMP)"
    return shift_to_utc(naive, offset, timezone=timezone)


def epoch_to_utc(number_sql: str) -> str:
    """Epoch s / ms / µs / ns (told apart by magnitude) -> UTC TIMESTAMP."""
    value = f"TRY_CAST({number_sql} AS DOUBLE)"
    micros = (
        f"CASE WHEN abs({value}) < 1e11 THEN {value} * 1e6 "
        f"WHEN abs({value}) < 1e14 THEN {value} * 1e3 "
        f"WHEN abs({value}) < 1e17 THEN {value} ELSE {value} / 1e3 END"
    )
    return f"TRY(make_timestamp(TRY_CAST(round({micros}) AS BIGINT)))"


def any_time_to_utc(text_sql: str, *, timezone: str) -> str:
    """A time value of a JSON or logfmt record: an epoch number or ISO text -> UTC TIMESTAMP."""
    return (
        f"CASE WHEN regexp_full_match({text_sql}, {literal(_NUMBER)}) "
        f"THEN {epoch_to_utc(text_sql)} ELSE {iso_to_utc(text_sql, timezone=timezone)} END"
    )


def duration_to_ms(text_sql: str, *, unit_ms: float) -> str:
    """A duration -> milliseconds: a number in `unit_ms` units, or a Go duration string."""
    parts = f"regexp_extract_all({text_sql}, '(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)')"
    per_unit = " ".join(f"WHEN {literal(unit)} THEN {ms!r}" for unit, ms in _UNIT_MS.items())
    summed = (
        f"list_sum(list_transform({parts}, lambda p: "
        f"CAST(regexp_extract(p, '^[0-9.]+') AS DOUBLE) * "
        f"CASE regexp_extract(p, '[a-zµ]+$') {per_unit} END))"
    )
    return (
        f"CASE WHEN regexp_full_match({text_sql}, {literal(_NUMBER)}) "
        f"THEN TRY_CAST({text_sql} AS DOUBLE) * {unit_ms!r} "
        f"WHEN regexp_full_match({text_sql}, {literal(_GO_DURATION)}) THEN {summed} END"
    )
