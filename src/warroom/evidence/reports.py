"""Customer reports and tickets into the `reports` table.

CSV or JSON lines (a JSON array too) with `created_at` (or `timestamp` / `time`), free text in
`subject` and `description` / `body` / `text`, and any of `browser`, `os`, `device`,
`app_version`, `user_agent`, `customer`, `url`, `steps`; other keys go to `attrs`. A user agent
is parsed with ua-parser into `browser` and `os` as "Name Major" ("Mobile Safari 17", "iOS 17")
where the report does not name them itself. A report without a time is kept with `ts` NULL: its
text and client still count, it just cannot be placed in a window.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
import ua_parser
import ua_parser.loaders
import ua_parser.re2

from warroom.evidence.sniff import REPORT_EXTRA, REPORT_TEXT, REPORT_TIME
from warroom.evidence.tabular import (
    CsvShape,
    insert,
    json_text,
    literal,
    read_documents,
    relative_source,
    run,
    staged,
)
from warroom.evidence.types import FileLoad, LoadContext

_COLUMNS = ("browser", "os", "device", "app_version", "user_agent", "customer", "url", "steps")
# "Safari 17.2.1" -> "Safari 17": the contract's "Name Major"
_NAME_MAJOR = r"regexp_replace({0}, '^(.*?)\s*v?(\d+)(\.[\w.]*)?$', '\1 \2')"
_ua_tables = itertools.count()


def name_major(family: str | None, major: str | None) -> str | None:
    """'Mobile Safari', '17' -> 'Mobile Safari 17'; ua-parser's 'Other' means unknown."""
    if not family or family == "Other":
        return None
    return f"{family} {major}" if major else family


@functools.cache
def _agent_parser() -> ua_parser.Parser:
    """ua-parser over the browser and OS patterns only (nothing here reads the device, whose
    patterns are the most numerous), matched with re2, which tries every pattern of a domain
    at once; lazy matchers compile a pattern in Python only when re2 says it matched. First use
    ~0.1 s instead of ~0.4 s, then ~0.1 ms an agent instead of 1-5 ms: real traffic has
    thousands of distinct agents (benchmarks/user_agents.py)."""
    browsers, systems, _devices = ua_parser.loaders.load_lazy_builtins()
    return ua_parser.Parser(ua_parser.re2.Resolver((browsers, systems, [])))


def parse_user_agents(agents: list[str]) -> pa.Table:
    """(user_agent, browser, os) for each distinct user agent string."""
    browsers: list[str | None] = []
    systems: list[str | None] = []
    parse = _agent_parser()
    for agent in agents:
        result = parse(agent, ua_parser.Domain.USER_AGENT | ua_parser.Domain.OS)
        client, system = result.user_agent, result.os
        browsers.append(name_major(client.family, client.major) if client else None)
        systems.append(name_major(system.family, system.major) if system else None)
    return pa.table(
        {
            "user_agent": pa.array(agents, pa.string()),
            "browser": pa.array(browsers, pa.string()),
            "os": pa.array(systems, pa.string()),
        }
    )


def load_reports(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    layout: str,
    shape: CsvShape | None,
    ctx: LoadContext,
) -> FileLoad:
    """Load a report file whose layout is 'jsonl', 'json' or 'csv'."""
    source = relative_source(path, ctx.root)
    docs = read_documents(con, path, layout=layout, shape=shape)
    used = {*REPORT_TIME, *REPORT_TEXT, *REPORT_EXTRA}
    known = ", ".join(literal(key) for key in sorted(used))
    attrs = (
        "map_from_entries(list_transform(list_filter(json_keys(doc), lambda k: lower(k) NOT IN "
        f"({known}) AND NULLIF(trim(doc ->> k), '') IS NOT NULL), "
        "lambda k: {'key': k, 'value': trim(doc ->> k)}))"
    )
    fields = ", ".join(f"{json_text('doc', docs.keys(c))} AS {c}" for c in _COLUMNS)
    select = f"""SELECT warroom_ts({json_text("doc", docs.keys(*REPORT_TIME))},
        {literal(ctx.timezone)}) AS ts, {json_text("doc", docs.keys("subject"))} AS subject,
        {json_text("doc", docs.keys("description", "body", "text"))} AS text, {fields},
        {attrs} AS attrs FROM {docs.docs}"""
    with staged(con, select) as stage:
        rows = _insert_with_clients(con, stage, source=source)
    bad, examples = docs.malformed(con)
    return FileLoad(
        path=source,
        table="reports",
        format=f"reports_{layout}",
        rows=rows,
        rejected=bad,
        rejected_examples=examples,
    )


def _insert_with_clients(con: duckdb.DuckDBPyConnection, stage: str, *, source: str) -> int:
    """Insert the staged reports, filling browser and OS from the user agent where missing."""
    agents = run(
        con,
        f"SELECT DISTINCT user_agent FROM {stage} WHERE user_agent IS NOT NULL "
        "AND (browser IS NULL OR os IS NULL) ORDER BY 1",
    )
    parsed = parse_user_agents([row[0] for row in agents])
    view = f"warroom_user_agents_{next(_ua_tables)}"
    con.register(view, parsed)
    try:
        browser = f"coalesce({_NAME_MAJOR.format('s.browser')}, ua.browser)"
        system = f"coalesce({_NAME_MAJOR.format('s.os')}, ua.os)"
        return insert(
            con,
            table="reports",
            select=f"""SELECT s.ts, s.subject, s.text, {browser}, {system}, s.device,
                s.app_version, s.user_agent, s.customer, s.url, s.steps, s.attrs,
                {literal(source)} FROM {stage} AS s
                LEFT JOIN {view} AS ua ON ua.user_agent = s.user_agent""",
        )
    finally:
        con.unregister(view)
