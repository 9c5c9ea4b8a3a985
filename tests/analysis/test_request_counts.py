"""The request and message-line tables hold counts, not a row per request: the counts must equal
what counting one row per request (and per request x field) gives, computed here directly, one
request at a time, from the same events (repeated keys, missing values, several routes, both
periods, requests without fields, records whose request is in the message)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from tests.analysis.http_data import context
from tests.analysis.synthetic import T0, add_events, empty_store, worker_lines
from warroom.analysis import input_stats
from warroom.analysis.analyzers.messages import Messages
from warroom.analysis.analyzers.onset import Onset
from warroom.analysis.context import Params
from warroom.analysis.message_inputs import message_tables, parameter_names
from warroom.analysis.message_keys import templates_lines, with_parameters
from warroom.analysis.paths import DIGIT_RUN_RE, route_of
from warroom.analysis.request_fields import KEY_VALUE_RE, RequestTables, request_tables
from warroom.analysis.windows import Window

INCIDENT = Window(T0 + timedelta(hours=5), T0 + timedelta(hours=6), "incident")
BASELINE = (
    Window(T0 + timedelta(hours=1), T0 + timedelta(hours=2), "baseline 1"),
    Window(T0 + timedelta(hours=3), T0 + timedelta(hours=4), "baseline 2"),
)
PERIODS = {"incident": (INCIDENT,), "baseline": BASELINE}
ATTR_VALUES: dict[str, list[str | None]] = {
    "payment_method": ["card", "sepa", None],
    "quantity": ["1", "1.5", "", " 2", "-3"],
    "query.q": ["shoes", "hats"],
    "user_agent": ["curl/8.0", "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"],
    "k": ["attr"],
}
ROUTES = [("GET", "/orders/123456"), ("GET", "/orders/98765"), ("POST", "/cart"), ("GET", None)]
QUERIES = ["", "?q=boots", "?q=shoes&q=boots&page=2", "?x=%ff&y=caf%C3%A9&empty=", "?page=1#top"]
MESSAGES = [
    'status=503 method=POST path=/q k=1 k=2 quantity="3"',
    "method=get path=/orders/55555?q=x note='a b'",
    "status=200 path=/cart empty=",
    "status=oops path=/cart k=",  # a status that is no number: not a request unless a method
    "disk almost full",  # no pairs: not a request
]


def _events(seed: int, count: int = 900) -> pa.Table:
    rng = np.random.default_rng(seed)
    columns = ("ts", "status", "method", "path", "level", "message", "exception_type")
    rows: dict[str, list[Any]] = {c: [] for c in (*columns, "keys", "values")}
    for _ in range(count):
        rows["ts"].append(
            (T0 + timedelta(seconds=float(rng.uniform(0, 6 * 3600)))).replace(tzinfo=None)
        )
        in_message = rng.uniform() < 0.25
        method, path = ROUTES[int(rng.integers(len(ROUTES)))]
        if in_message:
            status, method, path = None, None, None
            message = MESSAGES[int(rng.integers(len(MESSAGES)))]
        else:
            status = int(rng.choice([200, 200, 201, 404, 500, 503]))
            path = None if path is None else path + QUERIES[int(rng.integers(len(QUERIES)))]
            message = f"{method} {path}"
        keys = [k for k in ATTR_VALUES if rng.uniform() < 0.6]
        values = [ATTR_VALUES[k][int(rng.integers(len(ATTR_VALUES[k])))] for k in keys]
        rows["status"].append(status)
        rows["method"].append(method)
        rows["path"].append(path)
        rows["level"].append(str(rng.choice(["info", "info", "error", "warn"])))
        rows["message"].append(message)
        rows["exception_type"].append("ValueError" if rng.uniform() < 0.05 else None)
        rows["keys"].append(keys)
        rows["values"].append(values)
    return pa.table(
        {
            **{c: rows[c] for c in ("ts", "method", "path", "level", "message", "exception_type")},
            "status": pa.array(rows["status"], pa.int16()),
            "keys": pa.array(rows["keys"], pa.list_(pa.string())),
            "values": pa.array(rows["values"], pa.list_(pa.string())),
        }
    )


def _store(events: pa.Table) -> Any:
    con = empty_store()
    con.register("incoming", events)
    con.execute(
        "INSERT INTO events (ts, status, method, path, level, message, exception_type, attrs, "
        "source, line, format) SELECT ts, status, method, path, level, message, exception_type, "
        "map(keys, \"values\"), 'app.log', row_number() OVER (), 'jsonl' FROM incoming"
    )
    con.unregister("incoming")
    return con


def _period(ts: datetime) -> str | None:
    for name, windows in PERIODS.items():
        for window in windows:
            if window.start.replace(tzinfo=None) <= ts < window.end.replace(tzinfo=None):
                return name
    return None


def _decoded(text: str) -> str:
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text


def _one_request(row: dict[str, Any]) -> tuple[str, bool, list[tuple[str, str]]] | None:
    """Route, failed and fields of one event, or None when it is no request: the definition of
    request_fields.py, one event at a time."""
    pairs: list[tuple[str, str | None]] = list(zip(row["keys"], row["values"], strict=True))
    kvs: list[tuple[str, str]] = []
    if row["status"] is None and row["method"] is None and "=" in row["message"]:
        kvs = [
            (m.group(1), re.sub(r"^[\"']|[\"']$", "", m.group(2)))
            for m in re.finditer(KEY_VALUE_RE, row["message"])
        ]
    first = dict(reversed(kvs))  # the first given wins
    status = row["status"]
    if status is None and re.fullmatch(r"[+-]?\d+", first.get("status", "x")):
        status = int(first["status"])
    verb = row["method"] or first.get("method")
    verb = verb.upper() if verb else None
    target = row["path"] or first.get("path")
    if status is None and verb is None:
        return None
    failed = (status or 0) >= 500 or row["level"] in ("error", "fatal")
    failed = failed or row["exception_type"] is not None
    query = re.findall(r"[?&][^=&#]+=[^&#]*", target) if target and "?" in target else []
    pairs += kvs
    pairs += [("query." + _decoded(x[1:].split("=", 1)[0]), _decoded(x.split("=", 1)[1]))
              for x in query]  # fmt: skip
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key and value is not None and key not in fields:
            fields[key] = value
    coarse = re.sub(DIGIT_RUN_RE, "0000", re.sub(r"[?#].*$", "", target)) if target else None
    route = route_of(verb, coarse) if coarse else f"{verb or 'ANY'} (no path)"
    return route, failed, list(fields.items())


def _direct_counts(events: pa.Table) -> tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]:
    requests: Counter[tuple[Any, ...]] = Counter()
    fields: Counter[tuple[Any, ...]] = Counter()
    for row in events.to_pylist():
        period = _period(row["ts"])
        found = _one_request(row) if period else None
        if found is None:
            continue
        route, failed, pairs = found
        requests[(route, period, failed)] += 1
        for key, value in pairs:
            fields[(route, key, value, period, failed)] += 1
    return requests, fields


def _counted(con: Any, table: str, columns: str) -> Counter[tuple[Any, ...]]:
    rows = con.execute(f'SELECT {columns}, n FROM "{table}"').fetchall()
    assert len(rows) == len({row[:-1] for row in rows}), "one row per group"
    return Counter({row[:-1]: row[-1] for row in rows})


def _check(con: Any, tables: RequestTables, requests: Counter[Any], fields: Counter[Any]) -> None:
    assert _counted(con, tables.request_counts, "route, period, failed") == requests
    assert _counted(con, tables.field_counts, "route, key, value, period, failed") == fields


def test_request_counts_equal_counting_each_request() -> None:
    events = _events(seed=7)
    requests, fields = _direct_counts(events)
    # the data exercise what the counts must get right
    assert len({r for r, _, _ in requests}) >= 5  # several routes, "no path" among them
    assert {p for _, p, _ in requests} == {"incident", "baseline"}
    assert fields[("POST /q", "k", "attr", "incident", True)] > 0  # attrs before the message
    assert any(k == "query.q" and v == "shoes" and r.startswith("GET /orders")
               for r, k, v, _, _ in fields)  # fmt: skip
    assert any(k == "query.x" and v == "%ff" for _, k, v, _, _ in fields)  # not UTF-8: raw
    con = _store(events)
    ctx = context(con, (INCIDENT.start, INCIDENT.end))
    with request_tables(ctx, PERIODS) as tables:
        _check(con, tables, requests, fields)


def test_request_counts_with_no_request_at_all() -> None:
    events = _events(seed=3, count=50).filter(pa.compute.field("status").is_null())
    events = events.set_column(
        events.schema.get_field_index("message"),
        "message",
        pa.array(["disk almost full"] * events.num_rows),
    )
    con = _store(events)
    ctx = context(con, (INCIDENT.start, INCIDENT.end))
    with request_tables(ctx, PERIODS) as tables:
        _check(con, tables, Counter(), Counter())
        report = input_stats.find_separators(con, tables, Params())
    assert report.routes == [] and report.separators == []


TEMPLATE_LINES = ("Processing quantity '{q}' for sku {s}", "Charged {q} EUR for sku {s} in {t} ms")


def _template_events(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    count = 3000
    offsets = np.sort(rng.uniform(0, 6 * 3600, count))
    ts = pd.Timestamp(T0.replace(tzinfo=None)) + pd.to_timedelta(offsets, unit="s")
    late = np.asarray(ts >= pd.Timestamp(INCIDENT.start.replace(tzinfo=None)))
    quantity = np.where(rng.uniform(size=count) < 0.3, "1.5", rng.integers(1, 5, count).astype(str))
    failing = (late & (quantity == "1.5")) | (rng.uniform(size=count) < 0.05)
    which = rng.integers(0, 2, count)
    sku = rng.choice(["A-7", "B-2", "C-9"], size=count)
    message = [
        TEMPLATE_LINES[w].format(q=q, s=s, t=int(t))
        for w, q, s, t in zip(which, quantity, sku, rng.integers(10, 99, count), strict=True)
    ]
    return worker_lines(ts, message, failing, host="worker-1")


def test_message_line_counts_equal_counting_each_line() -> None:
    con = empty_store()
    add_events(con, _template_events(seed=11))
    ctx = context(con, (INCIDENT.start, INCIDENT.end))
    ctx.facts["onset"] = Onset().run(ctx).facts
    templates = Messages().run(ctx).facts["mixed_levels"]
    assert len(templates) == 2, templates
    # directly: one row per line with its values, counted here
    lines = templates_lines(ctx, [t["template_id"] for t in templates])
    requests: Counter[tuple[Any, ...]] = Counter()
    fields: Counter[tuple[Any, ...]] = Counter()
    for chosen in templates:
        mine = lines.filter(lines.template_id == chosen["template_id"])
        rows = with_parameters(mine, chosen["template"]).execute()
        names = parameter_names(chosen["template"])
        route = "message: " + chosen["template"]
        for ts, level, params in zip(rows["ts"], rows["level"], rows["params"], strict=True):
            period = _period(ts.to_pydatetime())
            if period is None:
                continue
            failed = level == "error"
            requests[(route, period, failed)] += 1
            for name, value in zip(names, params, strict=True):
                if value:
                    fields[(route, name, value, period, failed)] += 1
    assert sum(requests.values()) > 1000
    with message_tables(ctx, PERIODS, templates) as tables:
        assert tables is not None
        _check(con, tables, requests, fields)
    # dropped on exit
    left = con.execute(
        "SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE $1), "
        "(SELECT count(*) FROM duckdb_views() WHERE view_name LIKE $1)",
        ["_warroom_message_line%"],
    ).fetchone()
    assert left == (0, 0)
