"""The SQL builders on their own: times, durations, levels, paths, query strings, regex
structs, attrs maps and exception types, each evaluated by DuckDB on a column of values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest

from warroom.evidence.logs.attrs import attrs_from_entries
from warroom.evidence.logs.levels import normalise_level
from warroom.evidence.logs.paths import query_entries, query_text, query_value, target_path
from warroom.evidence.logs.records import NOT_BLANK, regex_struct
from warroom.evidence.logs.stacks import exception_type
from warroom.evidence.logs.timestamps import any_time_to_utc, duration_to_ms, iso_to_utc


def _apply(expression: str, values: list[Any]) -> list[Any]:
    """Evaluate `expression` (over the column `v`) for each value, in order."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    rows = con.execute(f"SELECT {expression} FROM t ORDER BY i").fetchall()
    # TIMESTAMPs come back without an offset; they are UTC.
    return [r[0].replace(tzinfo=UTC) if isinstance(r[0], datetime) else r[0] for r in rows]


def test_iso_to_utc_forms():
    values = [
        "2026-03-04T14:02:11.123Z",
        "2026-03-04 14:02:11,123",
        "2026/03/04 14:02:11",
        "2026-03-04T14:02:11+05:30",
        "2026-03-04T14:02:11.5-0700",
        "2026-03-04T14:02:11+02",
        "2026-03-04t14:02:11z",
        "2026-03-04T14:02:11 +0100",
        "2026-07-04T14:02:11",
        "2026-03-04T14:02:11.123456789Z",
        "garbage",
        "2026-13-45 99:00:00",
        None,
    ]
    assert _apply(iso_to_utc("v", timezone="Europe/Berlin"), values) == [
        datetime(2026, 3, 4, 14, 2, 11, 123000, tzinfo=UTC),
        datetime(2026, 3, 4, 13, 2, 11, 123000, tzinfo=UTC),  # no offset: Berlin, UTC+1 in winter
        datetime(2026, 3, 4, 13, 2, 11, tzinfo=UTC),
        datetime(2026, 3, 4, 8, 32, 11, tzinfo=UTC),
        datetime(2026, 3, 4, 21, 2, 11, 500000, tzinfo=UTC),
        datetime(2026, 3, 4, 12, 2, 11, tzinfo=UTC),
        datetime(2026, 3, 4, 14, 2, 11, tzinfo=UTC),
        datetime(2026, 3, 4, 13, 2, 11, tzinfo=UTC),
        datetime(2026, 7, 4, 12, 2, 11, tzinfo=UTC),  # summer time: UTC+2
        datetime(2026, 3, 4, 14, 2, 11, 123456, tzinfo=UTC),
        None,
        None,
        None,
    ]


def test_any_time_to_utc_epochs_and_text():
    values = ["1772632931", "1772632931.5", "1772632931500", "1772632931500000", "-5", "1e400"]
    assert _apply(any_time_to_utc("v", timezone="UTC"), [*values, "2026-03-04T14:02:11Z"]) == [
        datetime(2026, 3, 4, 14, 2, 11, tzinfo=UTC),
        datetime(2026, 3, 4, 14, 2, 11, 500000, tzinfo=UTC),
        datetime(2026, 3, 4, 14, 2, 11, 500000, tzinfo=UTC),
        datetime(2026, 3, 4, 14, 2, 11, 500000, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 55, tzinfo=UTC),
        None,
        datetime(2026, 3, 4, 14, 2, 11, tzinfo=UTC),
    ]


def test_duration_to_ms_numbers_and_go_durations():
    values = ["1.5", "1m2.5s", "350ms", "12µs", "250us", "2h", "abc", None]
    assert _apply(duration_to_ms("v", unit_ms=1000.0), values) == [
        1500.0,
        62500.0,
        350.0,
        0.012,
        0.25,
        7_200_000.0,
        None,
        None,
    ]


def test_normalise_level_words_letters_and_numbers():
    values = ["WARNING", "[error]", "E", "notice:", " Info ", "Critical", "SEVERE", "fine"]
    numbers = ["10", "30", "50", "60", "0", "3", "7", "9", "99", "-1"]
    assert _apply(normalise_level("v"), [*values, *numbers, "banana", None]) == [
        "warn",
        "error",
        "error",
        "info",
        "info",
        "fatal",
        "error",
        "debug",
        "trace",
        "info",
        "error",
        "fatal",
        "fatal",  # syslog 0: emergency
        "error",  # syslog 3: error
        "debug",  # syslog 7: debug
        None,
        None,
        None,
        None,
        None,
    ]


def test_target_path_and_query_text():
    values = ["/a/b?x=1#top", "https://shop.example:8443/p/q?z=1", "/plain", "*", "", "?only=1"]
    assert _apply(target_path("v"), values) == ["/a/b", "/p/q", "/plain", "*", None, None]
    assert _apply(query_text("v"), values) == ["x=1", "z=1", None, None, None, "only=1"]


def test_query_value_and_entries():
    query = "x=1&y=a%20b+c&x=2&flag&=v&bad=%ff"
    assert _apply(query_value("v", "y"), [query]) == ["a b c"]
    assert _apply(query_value("v", "x"), [query]) == ["1"]
    assert _apply(query_value("v", "missing"), [query]) == [None]
    assert _apply(query_entries("v"), ["/p?" + query, "/p"]) == [
        [
            {"k": "query.x", "v": "1,2"},
            {"k": "query.y", "v": "a b c"},
            {"k": "query.flag", "v": ""},
            {"k": "query.bad", "v": "%ff"},  # not UTF-8 once decoded: kept as written
        ],
        [],
    ]


def test_regex_struct_one_pass_groups():
    whole = regex_struct("v", r"^(\w+) (\d+)(?: (y))?$", ("word", "number", "why"))
    assert _apply(whole, ["abc 123", "q 5 y", "no match here", None]) == [
        {"word": "abc", "number": "123", "why": ""},
        {"word": "q", "number": "5", "why": "y"},
        None,
        None,
    ]
    head = regex_struct("v", r"^(\d+)-(\d+) ", ("a", "b"), rest="tail")
    assert _apply(head, ["1-2 the rest, kept\x1fwhole", "1-2"]) == [
        {"a": "1", "b": "2", "tail": "the rest, kept\x1fwhole"},
        None,
    ]
    with pytest.raises(ValueError, match="at most 9 groups"):
        regex_struct("v", "(a)" * 10, [f"g{n}" for n in range(10)])


def test_attrs_from_entries_drops_nulls_and_keeps_the_first_key():
    entries = (
        "[struct_pack(k := 'a', v := v), struct_pack(k := 'a', v := 'second'), "
        "struct_pack(k := 'b', v := NULL::VARCHAR)]"
    )
    assert _apply(attrs_from_entries(entries), ["first", None]) == [
        {"a": "first"},
        {"a": "second"},
    ]


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        (
            'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\n'
            "ValueError: first\n\nDuring handling of the above exception, another exception "
            'occurred:\n\nTraceback (most recent call last):\n  File "b.py", line 2\n'
            "requests.exceptions.ConnectionError: refused",
            "requests.exceptions.ConnectionError",
        ),
        (
            'Traceback (most recent call last):\n  File "a.py"\nKeyboardInterrupt',
            "KeyboardInterrupt",
        ),
        (
            "java.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)\n"
            "Caused by: java.io.IOException: disk\n\t... 3 more",
            "java.lang.IllegalStateException",
        ),
        (
            'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
            "java.lang.OutOfMemoryError",
        ),
        ("TypeError: x is undefined\n    at f (/app/a.js:1:2)", "TypeError"),
        (
            "panic: runtime error: index out of range [3] with length 2\n\ngoroutine 1 [running]:",
            "runtime.Error",
        ),
        ("panic: order has no customer\n\ngoroutine 1 [running]:\nmain.main()", "panic"),
        ("fatal error: concurrent map writes\n\ngoroutine 7 [running]:", "fatal error"),
        ("just some text printed by the app", None),
        ("Note: a remark", None),
        (None, None),
    ],
)
def test_exception_type_from_stacks(stack, expected):
    assert _apply(exception_type("v"), [stack]) == [expected]


def test_not_blank_is_a_search_for_a_non_space():
    texts: list[str | None] = [
        "",
        " ",
        "\t",
        "\x0b",
        "\x0c\r",
        "  x",
        "x",
        "é",
        "\xa0",
        "\x7f",
        "\x01",
        " \t\n",
    ]
    texts.append(None)
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT {NOT_BLANK}, regexp_matches(raw, '\\S') FROM unnest($1::VARCHAR[]) t(raw)", [texts]
    ).fetchall()
    assert [fast for fast, _ in rows] == [searched for _, searched in rows]
    assert [fast for fast, _ in rows].count(True) == 7
