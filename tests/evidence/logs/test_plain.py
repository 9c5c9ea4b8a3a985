"""Plain application logs: Python, log4j/logback, Go, Node and NGINX error logs."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warroom.evidence.logs.plain import (
    _GROUPS,
    _MAY_START,
    _PLAIN_START,
    RECORD_START,
    _plain_start,
    _plain_time,
)
from warroom.evidence.logs.records import literal, regex_struct
from warroom.evidence.logs.timestamps import iso_to_utc
from warroom.evidence.types import LoadContext

PICK = ("line", "ts", "level", "message", "exception_type")


def _picked(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [tuple(row[name] for name in PICK) for row in rows]


def test_plain_python_traceback_is_one_record(load):
    loaded, rows = load("python_app.log", "plain", host="web-3", default_service="checkout")
    assert (loaded.rows, loaded.rejected, loaded.format) == (4, 0, "plain")
    assert _picked(rows) == [
        (
            1,
            datetime(2026, 3, 4, 14, 1, 58, 12000, tzinfo=UTC),
            "info",
            "Listening on 0.0.0.0:8000",
            None,
        ),
        (
            2,
            datetime(2026, 3, 4, 14, 2, 11, 123000, tzinfo=UTC),
            "error",
            "Order 42 could not be saved",
            "checkout.errors.OrderConflict",
        ),
        (
            19,
            datetime(2026, 3, 4, 14, 2, 11, 130000, tzinfo=UTC),
            "warn",
            "Returning 409 for POST /orders",
            None,
        ),
        (
            20,
            datetime(2026, 3, 4, 14, 2, 12, 500000, tzinfo=UTC),
            "info",
            "in health: GET /health 200",
            None,
        ),
    ]
    trace = rows[1]["stack"]
    assert trace.startswith('Traceback (most recent call last):\n  File "/srv/checkout/db.py"')
    assert trace.endswith("checkout.errors.OrderConflict: order 42 already exists")
    assert "\n\nDuring handling of the above exception, another exception occurred:\n\n" in trace
    assert rows[0]["stack"] is None
    assert {row["host"] for row in rows} == {"web-3"}
    assert {row["service"] for row in rows} == {"checkout"}
    assert rows[0]["attrs"] == {"prefix": "checkout.api"}
    assert rows[3]["attrs"] == {}
    assert all(row["source"] == "python_app.log" and row["format"] == "plain" for row in rows)


def test_plain_java_trace_keeps_first_exception_class(load):
    _, rows = load("java_app.log", "plain")
    assert [row["line"] for row in rows] == [1, 2, 15, 16, 21]
    assert [row["level"] for row in rows] == ["info", "error", "warn", "error", "debug"]
    assert rows[1]["exception_type"] == "org.springframework.web.util.NestedServletException"
    assert rows[3]["exception_type"] == "java.lang.NullPointerException"
    stack = rows[1]["stack"]
    assert stack.count("\n") == 11
    assert "Caused by: java.lang.IllegalStateException: Inventory unavailable" in stack
    assert stack.endswith("\t... 14 more")
    assert rows[1]["message"] == "c.e.shop.web.OrderController - Request processing failed"
    assert rows[1]["attrs"] == {"prefix": "[http-nio-8080-exec-3]"}
    assert rows[0]["exception_type"] is None
    assert rows[0]["stack"] is None


def test_plain_go_panics_without_levels(load):
    _, rows = load("go_app.log", "plain", timezone="Europe/Berlin")
    assert [row["line"] for row in rows] == [1, 2, 14, 15]
    # Go's log writes local time: Berlin is UTC+1 in March.
    assert rows[0]["ts"] == datetime(2026, 3, 4, 13, 2, 10, tzinfo=UTC)
    assert {row["level"] for row in rows} == {None}
    assert rows[1]["exception_type"] == "runtime.Error"
    assert rows[1]["stack"].startswith("goroutine 42 [running]:\nnet/http.(*conn).serve.func1()")
    assert rows[3]["exception_type"] == "panic"
    assert rows[3]["stack"].startswith("panic: reconcile: order 7 has no customer\n\ngoroutine 1")
    assert rows[3]["stack"].endswith("exit status 2")
    assert rows[2]["stack"] is None


def test_plain_node_stack_names_the_error(load):
    _, rows = load("node_app.log", "plain")
    assert _picked(rows) == [
        (
            1,
            datetime(2026, 3, 4, 14, 2, 10, 4000, tzinfo=UTC),
            "info",
            "checkout listening on port 3000",
            None,
        ),
        (
            2,
            datetime(2026, 3, 4, 14, 2, 11, 731000, tzinfo=UTC),
            "error",
            "Unhandled error in POST /api/orders",
            "TypeError",
        ),
        (
            8,
            datetime(2026, 3, 4, 14, 2, 11, 735000, tzinfo=UTC),
            "warn",
            "responding 500 to POST /api/orders",
            None,
        ),
    ]
    assert (
        rows[1]["stack"].splitlines()[1] == "    at computeTotal (/app/src/orders/total.js:14:28)"
    )


def test_plain_nginx_error_log_details(load):
    _, rows = load("nginx_error.log", "plain")
    assert [row["level"] for row in rows] == ["error", "warn", "info", "fatal"]
    first = rows[0]
    assert first["ts"] == datetime(2026, 4, 22, 17, 11, 2, tzinfo=UTC)
    assert (first["method"], first["path"]) == ("GET", "/api/cart")
    assert first["message"].startswith("connect() failed (111: Connection refused) while")
    assert first["attrs"] == {
        "pid": "1895",
        "tid": "1895",
        "connection": "1",
        "client": "10.0.0.7",
        "server": "shop.example.com",
        "request": "GET /api/cart?id=7 HTTP/1.1",
        "upstream": "http://127.0.0.1:8080/api/cart?id=7",
        "host": "shop.example.com",
        "query.id": "7",
    }
    assert rows[1]["attrs"]["referrer"] == "https://shop.example.com/"
    assert rows[2]["attrs"] == {"pid": "1894", "tid": "1894"}
    assert rows[2]["message"] == "signal process started"


def test_plain_text_before_the_first_record_is_rejected(load, tmp_path):
    path = tmp_path / "rotated.log"
    path.write_text(
        "\tat com.example.Tail.run(Tail.java:1)\n"
        "... 3 more\n"
        "\n"
        "2026-03-04 14:02:11,123 ERROR boom\n"
        "2026-13-04 14:02:12,000 ERROR a month that does not exist\n"
        "  continues the bad record\n"
        "2026-03-04 14:02:13,000 INFO fine\n"
    )
    loaded, rows = load(path, "plain")
    assert [row["line"] for row in rows] == [4, 7]
    assert loaded.rejected == 3
    assert loaded.rejected_examples == [
        "line 1: text before the first record: \tat com.example.Tail.run(Tail.java:1)",
        "line 2: text before the first record: ... 3 more",
        "line 5: time not understood: 2026-13-04 14:02:12,000 ERROR a month that does not exist",
    ]
    assert rows[0]["stack"] is None


def test_plain_starts_read_as_the_record_expression_reads_them():
    """The position shortcut for plain starts (time with milliseconds, a level in capitals)
    gives the fields and the time the general expression gives, on lines nearly plain too."""
    rng = random.Random(11)
    times = ["2026-03-04 14:02:11,123", "2026-03-04 14:02:11.123", "2026-02-30 14:02:11,123",
             "2026-03-04 14:02:11,1234", "2026-03-04T14:02:11,123", "2026-03-04 14:02:11,123Z",
             "2026/03/04 14:02:11,123", "2026-03-04 14:02:11"]  # fmt: skip
    gaps = [" ", "  ", "\t", " \t"]
    levels = ["INFO", "WARN", "WARNING", "ERR", "ERROR", "CRIT", "INFORMATION", "info", "[INFO]",
              "INFO:", "app.db", "DPANIC", "-"]  # fmt: skip
    messages = ["ok", "é ok", "- ok", "-ok", "| x", ": x", ":x", "[a] b", "", " x",
                "1895#1895: *1 y"]  # fmt: skip

    def pick(options: list[str]) -> str:  # the plain option (first) most of the time
        return options[0] if rng.random() < 0.6 else rng.choice(options)

    lines = [
        pick(times) + pick(gaps) + rng.choice(levels) + pick(gaps) + rng.choice(messages)
        for _ in range(4000)
    ]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE t AS SELECT unnest($1::VARCHAR[]) AS raw", [lines])
    general = regex_struct("raw", RECORD_START, _GROUPS, rest="message")
    fields = (
        f"SELECT {_plain_start()} AS m, {general} AS g FROM t "
        f"WHERE regexp_matches(raw, {literal(_PLAIN_START)})"
    )
    ctx = LoadContext(root=Path("."), timezone="Europe/Berlin")
    plain, differ, timed, times_differ = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE m IS DISTINCT FROM g), "
        f"count({_plain_time(ctx)}), "
        f"count(*) FILTER (WHERE {_plain_time(ctx)} IS DISTINCT FROM "
        f"{iso_to_utc('m.time', timezone=ctx.timezone)}) FROM ({fields})"
    ).fetchone()
    assert (differ, times_differ) == (0, 0)
    assert 300 < plain < len(lines) / 2  # both paths are taken
    assert 0 < timed < plain  # some times are unreadable (30 February)


def test_plain_lines_that_cannot_start_a_record_skip_the_expression():
    lines = ["Traceback (most recent call last):", "  at x.y(Z.java:1)", "é", "", "\t2026", "x",
             "[2026-03-04 14:02:11] INFO ok", "2026-03-04 14:02:11 ok", "[x] ERROR y", "9 ok",
             "2026/03/04 14:02:11 go", ":", "[", "0"]  # fmt: skip
    con = duckdb.connect()
    general = regex_struct("raw", RECORD_START, _GROUPS, rest="message")
    rows = con.execute(
        f"SELECT {general} IS NOT NULL, CASE WHEN {_MAY_START} THEN {general} END "
        f"IS NOT DISTINCT FROM {general} FROM unnest($1::VARCHAR[]) t(raw)",
        [lines],
    ).fetchall()
    assert all(same for _, same in rows)
    assert sum(start for start, _ in rows) == 3
