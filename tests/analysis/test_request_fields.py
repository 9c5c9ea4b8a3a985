"""Request fields: one value per request and key, the first one given (attrs, then the
message's key=value pairs, then the query string), whether or not a request can repeat a key."""

from __future__ import annotations

from tests.analysis.http_data import INCIDENT, context
from tests.analysis.synthetic import empty_store
from warroom.analysis.request_fields import request_tables


def test_request_fields_one_value_per_key_the_first_given() -> None:
    con = empty_store()
    start = INCIDENT[0].replace(tzinfo=None)
    rows = [
        # attrs only: keys are unique already
        (200, "GET", "/a", "ok", "MAP {'a': '1', 'b': '2', 'n': NULL}"),
        # attrs and a query string that repeats a key and names one attrs has
        (500, "GET", "/p?x=1&x=2&y=3", "failed", "MAP {'query.x': 'A'}"),
        # no status nor method: they and the fields come from the message, `k` twice
        (None, None, None, "status=503 method=POST path=/q k=1 k=2", "MAP {'k': 'attr'}"),
    ]
    for offset, (status, method, path, message, attrs) in enumerate(rows):
        con.execute(
            "INSERT INTO events (ts, status, method, path, message, attrs, source, line, format) "
            f"VALUES (? + INTERVAL {offset} MINUTE, ?, ?, ?, ?, {attrs}, 'app.log', ?, 'jsonl')",
            [start, status, method, path, message, offset + 1],
        )
    ctx = context(con)
    with request_tables(ctx, {"incident": (ctx.incident,)}) as tables:
        # each request has a route of its own
        found = con.execute(
            f'SELECT route, failed, key, value, n FROM "{tables.field_counts}" ORDER BY route, key'
        ).fetchall()
        requests = con.execute(
            f'SELECT route, failed, n FROM "{tables.request_counts}" ORDER BY route'
        ).fetchall()
    assert found == [
        ("GET /a", False, "a", "1", 1),
        ("GET /a", False, "b", "2", 1),
        ("GET /p", True, "query.x", "A", 1),
        ("GET /p", True, "query.y", "3", 1),
        ("POST /q", True, "k", "attr", 1),
        ("POST /q", True, "method", "POST", 1),
        ("POST /q", True, "path", "/q", 1),
        ("POST /q", True, "status", "503", 1),
    ]
    assert requests == [("GET /a", False, 1), ("GET /p", True, 1), ("POST /q", True, 1)]
