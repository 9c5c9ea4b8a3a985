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
the month jumps back by more than six, a running sum (a window function) adds a year.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final

import duckdb

from warroom.evidence.logs.levels import syslog_severity_level
from warroom.evidence.logs.reading import Scratch
from warroom.evidence.logs.records import (
    Parsed,
    attrs_from_entries,
    collect_rejected,
    entry,
    literal,
    literal_list,
    text_or_null,
)
from warroom.evidence.logs.timestamps import iso_to_utc, local_to_utc
from warroom.evidence.types import LoadContext
from warroom.timeutil import utcnow, zone

_SD = r'-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+'
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
_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
# One pattern, three shapes; a line fills the groups of the shape it has.
SYSLOG_LINE: Final = (
    r"(?s)^(?:<(\d{1,3})>)?(?:"
    rf"1 (\S+) (\S+) (\S+) (\S+) (\S+) ({_SD})(?: (.*))?"
    rf"|({'|'.join(_MONTHS)}) +(\d{{1,2}}) (\d{{2}}):(\d{{2}}):(\d{{2}}) (\S+) (.*)"
    rf"|({_ISO}) (\S+) (.*)"
    r")$"
)
SYSLOG_LINE_RE: Final = re.compile(SYSLOG_LINE)
_GROUPS = (
    "['pri', 'ts5424', 'host5424', 'app', 'procid', 'msgid', 'sd', 'msg5424', "
    "'mon', 'day', 'hh', 'mi', 'ss', 'host3164', 'rest3164', 'iso', 'hostiso', 'restiso']"
)
_TAG = r"(?s)^([^\s:\[\]]+)(?:\[([^\]]*)\])?: ?(.*)$"
_FACILITIES: Final = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
    "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
)  # fmt: skip
_SD_ELEMENT = r'\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\]'
_SD_PARAM = r'([^\s=\]"]+)="((?:[^"\\]|\\.)*)"'
_SD_ID = r"^\[([^\s\]]+)"
_SD_VALUE = r'="(.*)"$'


def is_syslog_line(line: str) -> bool:
    """Whether a line is a syslog line of one of the three shapes (used by the sniffer)."""
    return SYSLOG_LINE_RE.match(line) is not None


def parse_syslog(
    con: duckdb.DuckDBPyConnection, *, lines: str, ctx: LoadContext, scratch: Scratch
) -> Parsed:
    """Parse the raw lines of a syslog file; lines of another shape are rejected."""
    parsed = scratch.table("syslog")
    con.execute(
        f"CREATE TEMP TABLE {parsed} AS SELECT line, raw, m, "
        "CASE WHEN m.ts5424 <> '' THEN '5424' WHEN m.mon <> '' THEN '3164' "
        "WHEN m.iso <> '' THEN 'iso' END AS shape FROM ("
        f"SELECT line, raw, regexp_extract(raw, {literal(SYSLOG_LINE)}, {_GROUPS}) AS m "
        f"FROM {lines} WHERE raw IS NOT NULL AND trim(raw) <> '')"
    )
    steps = scratch.table("syslog_years")
    con.execute(f"CREATE TEMP TABLE {steps} AS {_year_steps_sql(parsed)}")
    base_year = _base_year(_span(con, steps), ctx)
    dated = scratch.table("syslog_dated")
    con.execute(
        f"CREATE TEMP TABLE {dated} AS SELECT p.*, {_timestamp(base_year, ctx)} AS ts "
        f"FROM {parsed} p LEFT JOIN {steps} y USING (line) WHERE p.shape IS NOT NULL"
    )
    rejected = collect_rejected(
        con, table=parsed, where="shape IS NULL", reason="not a syslog line"
    )
    bad_time = collect_rejected(con, table=dated, where="ts IS NULL", reason="time not understood")
    rejected.add(bad_time.count, bad_time.examples)
    return Parsed(_events_select(dated, ctx=ctx), rejected)


def _year_steps_sql(parsed: str) -> str:
    """Per RFC 3164 line: its date parts, and how many new years began since the first line."""
    month = f"list_position({literal_list(_MONTHS)}, m.mon)"
    back = "CASE WHEN lag(month) OVER (ORDER BY line) - month > 6 THEN 1 ELSE 0 END"
    return (
        "SELECT line, month, day, hh, mi, ss, "
        "CAST(sum(back) OVER (ORDER BY line ROWS UNBOUNDED PRECEDING) AS INTEGER) AS step "
        f"FROM (SELECT *, {back} AS back FROM (SELECT line, {month} AS month, "
        "CAST(m.day AS INTEGER) AS day, CAST(m.hh AS INTEGER) AS hh, "
        "CAST(m.mi AS INTEGER) AS mi, CAST(m.ss AS DOUBLE) AS ss "
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
        f"CASE p.shape WHEN '5424' THEN {iso_to_utc('p.m.ts5424', timezone=ctx.timezone)} "
        f"WHEN 'iso' THEN {iso_to_utc('p.m.iso', timezone=ctx.timezone)} ELSE {bsd} END"
    )


def _events_select(dated: str, *, ctx: LoadContext) -> str:
    rest = "coalesce(nullif(m.rest3164, ''), m.restiso)"
    fields = (
        "SELECT line, ts, m, shape, TRY_CAST(nullif(m.pri, '') AS INTEGER) AS pri, "
        f"CASE WHEN shape <> '5424' THEN regexp_extract({rest}, {literal(_TAG)}, "
        f"['tag', 'pid', 'msg']) END AS tagged FROM {dated}"
    )
    unified = (
        "SELECT line, ts, pri, shape, m.sd, "
        "CASE shape WHEN '5424' THEN m.host5424 WHEN '3164' THEN m.host3164 ELSE m.hostiso END "
        "AS host, CASE WHEN shape = '5424' THEN m.app ELSE nullif(tagged.tag, '') END AS app, "
        "CASE WHEN shape = '5424' THEN m.procid ELSE nullif(tagged.pid, '') END AS pid, "
        "CASE WHEN shape = '5424' THEN m.msg5424 WHEN tagged.tag <> '' THEN tagged.msg "
        "ELSE coalesce(nullif(m.rest3164, ''), m.restiso) END AS msg, "
        f"CASE WHEN shape = '5424' THEN m.msgid END AS msgid FROM ({fields})"
    )
    return (
        f"SELECT ts, coalesce(nullif(nullif(host, '-'), ''), {text_or_null(ctx.host)}) AS host, "
        f"NULL AS container, coalesce(nullif(app, '-'), {text_or_null(ctx.default_service)}) "
        f"AS service, {syslog_severity_level('pri % 8')} AS level, NULL AS status, "
        "NULL AS method, NULL AS path, NULL AS duration_ms, "
        "nullif(trim(ltrim(msg, chr(65279))), '') AS message, NULL AS exception_type, "
        f"NULL AS stack, NULL AS user, {attrs_from_entries(_entries())} AS attrs, line "
        f"FROM ({unified}) WHERE ts IS NOT NULL"
    )


def _entries() -> str:
    facility = f"({literal_list(_FACILITIES)})[pri // 8 + 1]"
    named = [
        entry("'facility'", facility),
        entry("'pid'", "nullif(pid, '-')"),
        entry("'msgid'", "nullif(msgid, '-')"),
    ]
    structured = (
        f"flatten(list_transform(regexp_extract_all(sd, {literal(_SD_ELEMENT)}), lambda el: "
        f"list_transform(regexp_extract_all(el, {literal(_SD_PARAM)}), lambda p: struct_pack("
        f"k := regexp_extract(el, {literal(_SD_ID)}, 1) || '.' || split_part(p, '=', 1), "
        f"v := {_sd_unescaped(f'regexp_extract(p, {literal(_SD_VALUE)}, 1)')}))))"
    )
    return f"list_concat([{', '.join(named)}], CASE WHEN shape = '5424' THEN {structured} END)"


def _sd_unescaped(value_sql: str) -> str:
    # RFC 5424 escapes three characters inside a PARAM-VALUE: '"', '\' and ']'.
    return rf"""replace(replace(replace({value_sql}, '\"', '"'), '\]', ']'), '\\', '\')"""
