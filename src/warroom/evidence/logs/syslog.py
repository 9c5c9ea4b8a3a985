"""Syslog files: RFC 5424, RFC 3164 (BSD) and rsyslog's ISO-dated file format.

    <165>1 2026-03-04T14:02:11.003Z web-3 checkout 811 ID47 [origin ip="10.0.0.5"] message
    <34>Mar  4 14:02:11 web-3 sshd[811]: Failed password for root
    Mar  4 14:02:11 web-3 sshd[811]: Failed password for root          (no PRI, as in files)
    2026-03-04T14:02:11.512345+01:00 web-3 sshd[811]: Failed password   (RSYSLOG_FileFormat)

The level comes from the PRI's severity (none without a PRI), the service from APP-NAME or
the tag, the host from the line. RFC 5424 structured data goes to `attrs` as
`<sd-id>.<param>`; the PRI's facility as `facility`, the process id as `pid`.

RFC 3164 times have no year and no offset: the offset is the bundle's time zone, and the
year is the one that puts the file's records nearest `LoadContext.reference_time` (without
one, the current year). A file that runs past December 31 rolls into the next year: wherever
the month jumps back by more than six a running sum (a window function) adds a year, and
wherever it jumps forward by more than six (a late line of the old year) takes one away.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final

import duckdb

from warroom.evidence.logs.attrs import AttrSources, events_select
from warroom.evidence.logs.levels import syslog_severity_level
from warroom.evidence.logs.reading import Scratch
from warroom.evidence.logs.records import (
    NOT_BLANK,
    Parsed,
    collect_rejected,
    literal,
    literal_list,
    regex_struct,
    text_or_null,
)
from warroom.evidence.logs.syslog_pairs import has_paired_bodies, paired_records
from warroom.evidence.logs.timestamps import iso_to_utc, local_to_utc
from warroom.evidence.types import LoadContext
from warroom.timeutil import utcnow, zone

_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_PRI = r"^(?:<(\d{1,3})>)?"
_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
_SD = r'-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+'
# Each shape's head; what follows it is the rest of the line (see `records.regex_struct`).
_HEAD_5424 = rf"{_PRI}1 (\S+) (\S+) (\S+) (\S+) (\S+) "
_HEAD_3164 = rf"{_PRI}({'|'.join(_MONTHS)}) +(\d{{1,2}}) (\d{{2}}):(\d{{2}}):(\d{{2}}) (\S+) "
_HEAD_ISO = rf"{_PRI}({_ISO}) (\S+) "
_STRUCTURED = rf"^({_SD}) ?"
_TAG = r"^([^\s:\[\]]+)(?:\[([^\]]*)\])?: ?"
# One pattern for the three shapes, for the sniffer; group 17 is the host of the ISO shape.
SYSLOG_LINE: Final = (
    r"(?s)^(?:<(\d{1,3})>)?(?:"
    rf"1 (\S+) (\S+) (\S+) (\S+) (\S+) ({_SD})(?: (.*))?"
    rf"|({'|'.join(_MONTHS)}) +(\d{{1,2}}) (\d{{2}}):(\d{{2}}):(\d{{2}}) (\S+) (.*)"
    rf"|({_ISO}) (\S+) (.*)"
    r")$"
)
SYSLOG_LINE_RE: Final = re.compile(SYSLOG_LINE)
_FACILITIES: Final = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
    "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
)  # fmt: skip
_SD_ELEMENT = r'\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\]'
_SD_PARAM = r'([^\s=\]"]+)="((?:[^"\\]|\\.)*)"'
_SD_ID = r"^\[([^\s\]]+)"
_SD_VALUE = r'="(.*)"$'


_NAMES_5424: Final = ("pri", "time", "host", "app", "procid", "msgid")
_NAMES_3164: Final = ("pri", "mon", "day", "hh", "mi", "ss", "host")
_NAMES_ISO: Final = ("pri", "time", "host")


def is_syslog_line(line: str) -> bool:
    """Whether a line is a syslog line of one of the three shapes (used by the sniffer)."""
    return SYSLOG_LINE_RE.match(line) is not None


def parse_syslog(
    con: duckdb.DuckDBPyConnection, *, lines: str, ctx: LoadContext, scratch: Scratch
) -> Parsed:
    """Parse the raw lines of a syslog file; lines of another shape are rejected."""
    parsed = scratch.table("syslog")
    con.execute(f"CREATE TEMP TABLE {parsed} AS {_parsed_sql(lines)}")
    scratch.release(lines)
    steps = scratch.table("syslog_years")
    con.execute(f"CREATE TEMP TABLE {steps} AS {_year_steps_sql(parsed)}")
    base_year = _base_year(_span(con, steps), ctx)
    dated = scratch.table("syslog_dated")
    con.execute(
        f"CREATE TEMP TABLE {dated} AS SELECT *, {_tagged_columns()} FROM ("
        f"SELECT p.*, {_timestamp(base_year, ctx)} AS ts "
        f"FROM {parsed} p LEFT JOIN {steps} y USING (line) WHERE p.shape IS NOT NULL)"
    )
    rejected = collect_rejected(
        con, table=parsed, where="shape IS NULL", reason="not a syslog line"
    )
    bad_time = collect_rejected(con, table=dated, where="ts IS NULL", reason="time not understood")
    rejected.add(bad_time)
    if has_paired_bodies(con, table=dated, body_sql=_body()):
        return Parsed(_paired_select(con, dated=dated, ctx=ctx, scratch=scratch), rejected)
    sources = AttrSources(columns=_attr_columns(), extra=_structured_entries())
    select = events_select(
        con, table=dated, where="ts IS NOT NULL", sources=sources, columns=_columns(ctx)
    )
    return Parsed(select, rejected)


def _paired_select(
    con: duckdb.DuckDBPyConnection, *, dated: str, ctx: LoadContext, scratch: Scratch
) -> str:
    """The events of a file whose bodies are (at least sometimes) key=value pairs."""
    paired = paired_records(
        con, table=dated, body_sql=_body(), where="ts IS NOT NULL", ctx=ctx, scratch=scratch
    )
    extra = _structured_entries()
    if paired.extra is not None:
        extra = f"list_concat(coalesce({extra}, []), {paired.extra})"
    sources = AttrSources(
        columns={**paired.attr_columns, **_attr_columns()}, extra=extra, query="f_path"
    )
    return events_select(
        con,
        table=f"({paired.select})",
        where="true",
        sources=sources,
        columns=_paired_columns(ctx),
    )


def _parsed_sql(lines: str) -> str:
    """Each line's shape (a cheap test first), then the head of that shape."""
    shapes = (
        f"CASE WHEN regexp_matches(raw, {literal(_PRI + '1 ')}) THEN '5424' "
        f"WHEN regexp_matches(raw, {literal(_PRI + '[A-Z][a-z]{2} ')}) THEN '3164' "
        f"WHEN regexp_matches(raw, {literal(_PRI + '[0-9]{4}-')}) THEN 'iso' END"
    )
    heads = (
        "CASE kind "
        f"WHEN '5424' THEN {regex_struct('raw', _HEAD_5424, _NAMES_5424, rest='rest')} END AS h5, "
        "CASE kind "
        f"WHEN '3164' THEN {regex_struct('raw', _HEAD_3164, _NAMES_3164, rest='rest')} END AS h3, "
        f"CASE kind WHEN 'iso' THEN {regex_struct('raw', _HEAD_ISO, _NAMES_ISO, rest='rest')} END "
        "AS hi"
    )
    return (
        "SELECT *, CASE WHEN h5 IS NOT NULL THEN '5424' WHEN h3 IS NOT NULL THEN '3164' "
        "WHEN hi IS NOT NULL THEN 'iso' END AS shape FROM ("
        f"SELECT line, raw, {heads} FROM (SELECT line, raw, {shapes} AS kind "
        f"FROM {lines} WHERE {NOT_BLANK}))"
    )


def _year_steps_sql(parsed: str) -> str:
    """Per RFC 3164 line: its date parts, and how many new years began since the first line."""
    month = f"list_position({literal_list(_MONTHS)}, h3.mon)"
    # A jump back of more than six months is a new year; forward, a late line of the old one.
    back = (
        "CASE WHEN lag(month) OVER (ORDER BY line) - month > 6 THEN 1 "
        "WHEN month - lag(month) OVER (ORDER BY line) > 6 THEN -1 ELSE 0 END"
    )
    return (
        "SELECT line, month, day, hh, mi, ss, "
        "CAST(sum(back) OVER (ORDER BY line ROWS UNBOUNDED PRECEDING) AS INTEGER) AS step "
        f"FROM (SELECT *, {back} AS back FROM (SELECT line, {month} AS month, "
        "CAST(h3.day AS INTEGER) AS day, CAST(h3.hh AS INTEGER) AS hh, "
        "CAST(h3.mi AS INTEGER) AS mi, CAST(h3.ss AS DOUBLE) AS ss "
        f"FROM {parsed} WHERE shape = '3164'))"
    )


def _local_time(year_sql: str) -> str:
    return f"TRY(make_timestamp({year_sql}, y.month, y.day, y.hh, y.mi, y.ss))"


def _span(con: duckdb.DuckDBPyConnection, steps: str) -> tuple[datetime, datetime] | None:
    """The first and last RFC 3164 time of the file, dated as if it began in 2000 (a leap year)."""
    row = con.execute(
        f"SELECT min(t), max(t) FROM (SELECT {_local_time('2000 + y.step')} AS t FROM {steps} y)"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return row[0], row[1]


def _base_year(span: tuple[datetime, datetime] | None, ctx: LoadContext) -> int:
    """The year of the file's first RFC 3164 line: nearest the reference time, else this year."""
    if ctx.reference_time is None:
        return utcnow().year
    reference = ctx.reference_time
    if reference.tzinfo is not None:
        reference = reference.astimezone(zone(ctx.timezone)).replace(tzinfo=None)
    if span is None:
        return reference.year
    candidates = (reference.year, reference.year - 1, reference.year + 1)
    return min(candidates, key=lambda year: _distance(span, year - 2000, reference))


def _distance(span: tuple[datetime, datetime], shift: int, reference: datetime) -> timedelta:
    first, last = (_shifted(moment, shift) for moment in span)
    if first <= reference <= last:
        return timedelta(0)
    return min(abs(reference - first), abs(reference - last))


def _shifted(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # February 29 in a year that has none
        return moment.replace(year=moment.year + years, day=28)


def _timestamp(base_year: int, ctx: LoadContext) -> str:
    bsd = local_to_utc(_local_time(f"{base_year} + y.step"), timezone=ctx.timezone)
    return (
        f"CASE p.shape WHEN '5424' THEN {iso_to_utc('p.h5.time', timezone=ctx.timezone)} "
        f"WHEN 'iso' THEN {iso_to_utc('p.hi.time', timezone=ctx.timezone)} ELSE {bsd} END"
    )


def _tagged_columns() -> str:
    """host, app, pid, msgid, structured data and message, whatever the shape."""
    rest = "coalesce(h3.rest, hi.rest)"
    tagged = regex_struct(rest, _TAG, ("tag", "pid"), rest="msg")
    structured = regex_struct("h5.rest", _STRUCTURED, ("sd",), rest="msg")
    return (
        "TRY_CAST(nullif(coalesce(h5.pri, h3.pri, hi.pri), '') AS INTEGER) AS pri, "
        "coalesce(h5.host, h3.host, hi.host) AS host, h5.msgid, "
        f"CASE WHEN shape <> '5424' THEN {tagged} END AS tagged, "
        f"CASE WHEN shape = '5424' THEN {structured} END AS structured"
    )


_APP: Final = "CASE WHEN shape = '5424' THEN h5.app ELSE tagged.tag END"


def _body() -> str:
    """The message text after the header, tag and structured data."""
    message = (
        "CASE WHEN shape = '5424' THEN structured.msg "
        "ELSE coalesce(tagged.msg, h3.rest, hi.rest) END"
    )
    return f"nullif(trim(ltrim({message}, chr(65279))), '')"


def _paired_columns(ctx: LoadContext) -> list[str]:
    """The event columns when the body may hold pairs (see `syslog_pairs`): the header keeps
    the time and the host; a pair's level and service outrank the PRI and the tag."""
    return [
        "syslog_ts AS ts",
        "coalesce(nullif(nullif(syslog_host, '-'), ''), host) AS host",
        "container",
        f"coalesce(f_service, nullif({_APP}, '-'), {text_or_null(ctx.default_service)}) AS service",
        f"coalesce(level, {syslog_severity_level('pri % 8')}) AS level",
        *("status", "method", "path", "duration_ms"),
        "coalesce(message, body) AS message",
        *("exception_type", "stack", "user", "line"),
    ]


def _columns(ctx: LoadContext) -> list[str]:
    app = _APP
    return [
        "ts",
        f"coalesce(nullif(nullif(host, '-'), ''), {text_or_null(ctx.host)}) AS host",
        "NULL AS container",
        f"coalesce(nullif({app}, '-'), {text_or_null(ctx.default_service)}) AS service",
        f"{syslog_severity_level('pri % 8')} AS level",
        "NULL AS status",
        "NULL AS method",
        "NULL AS path",
        "NULL AS duration_ms",
        f"{_body()} AS message",
        "NULL AS exception_type",
        "NULL AS stack",
        "NULL AS user",
        "line",
    ]


def _attr_columns() -> dict[str, str]:
    return {
        "facility": f"({literal_list(_FACILITIES)})[pri // 8 + 1]",
        "pid": "nullif(nullif(CASE WHEN shape = '5424' THEN h5.procid ELSE tagged.pid END, "
        "'-'), '')",
        "msgid": "nullif(msgid, '-')",
    }


def _structured_entries() -> str:
    """RFC 5424 structured data as `<sd-id>.<param>` entries (NULL for other lines)."""
    elements = f"regexp_extract_all(structured.sd, {literal(_SD_ELEMENT)})"
    value = _sd_unescaped(f"regexp_extract(p, {literal(_SD_VALUE)}, 1)")
    return (
        f"CASE WHEN starts_with(structured.sd, '[') THEN flatten(list_transform({elements}, "
        f"lambda el: list_transform(regexp_extract_all(el, {literal(_SD_PARAM)}), "
        f"lambda p: struct_pack(k := regexp_extract(el, {literal(_SD_ID)}, 1) || '.' || "
        f"split_part(p, '=', 1), v := {value})))) END"
    )


def _sd_unescaped(value_sql: str) -> str:
    # RFC 5424 escapes three characters inside a PARAM-VALUE: '"', '\' and ']'.
    return rf"""replace(replace(replace({value_sql}, '\"', '"'), '\]', ']'), '\\', '\')"""
