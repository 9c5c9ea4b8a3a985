"""Bad input never crashes a load: junk is counted, odd but valid data is kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.evidence.logs import load_log
from warroom.evidence.schema import create_statement
from warroom.evidence.types import LoadContext
from warroom.timeutil import utcnow

VALID = {
    "jsonl": '{{"ts": "2026-03-04T14:02:{n:02d}Z", "msg": "ok {n}"}}',
    "access": '10.0.0.1 - - [04/Mar/2026:14:02:11 +0000] "GET /x?i={n} HTTP/1.1" 200 5 "-" "c"',
    "syslog": "Mar  4 14:02:11 web-3 app[1]: ok {n}",
    "logfmt": 'time=2026-03-04T14:02:11Z level=info msg="ok {n}"',
    "plain": "2026-03-04 14:02:11,000 INFO ok {n}",
}
# Junk never starts a record of any format: it starts with "x". Newlines and carriage
# returns would make more lines; \x01 starts the reader's (never written) delimiter.
_NOT_IN_JUNK = b"\n\r\x01"
junk_bytes = st.one_of(
    st.binary(max_size=60).map(lambda data: bytes(b for b in data if b not in _NOT_IN_JUNK)),
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x01"),
        max_size=60,
    ).map(lambda text: text.encode("utf-8")),
).map(lambda data: b"x" + data)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fmt=st.sampled_from(sorted(VALID)),
    lines=st.lists(st.one_of(st.none(), junk_bytes), min_size=1, max_size=30),
)
def test_junk_lines_never_crash_and_are_counted(tmp_path_factory, fmt, lines):
    """Each line is a valid record (None) or junk; every one is accounted for."""
    path = tmp_path_factory.mktemp("junk") / "mixed.log"
    written = [
        VALID[fmt].format(n=index).encode() if line is None else line
        for index, line in enumerate(lines)
    ]
    path.write_bytes(b"\n".join(written) + b"\n")
    con = duckdb.connect()
    con.execute(create_statement("events"))
    loaded = load_log(con, path, fmt=fmt, ctx=LoadContext(root=path.parent))
    valid = sum(line is None for line in lines)
    junk = len(lines) - valid
    assert loaded.rows == valid
    stored = con.execute("SELECT count(*) FROM events").fetchone()
    assert stored == (valid,)
    assert len(loaded.rejected_examples) == min(loaded.rejected, 5)
    assert all(example.startswith("line ") for example in loaded.rejected_examples)
    if fmt == "plain":  # junk after a record continues it; junk before the first is rejected
        first = next((index for index, line in enumerate(lines) if line is None), len(lines))
        assert loaded.rejected == first
    else:
        assert loaded.rejected == junk


def test_times_in_1970_and_next_year_are_kept(load, tmp_path):
    next_year = utcnow().year + 1
    path = tmp_path / "odd_times.jsonl"
    records = [
        {"ts": 0, "msg": "epoch zero"},
        {"ts": "1970-01-01T00:00:01Z", "msg": "1970"},
        {"ts": f"{next_year}-06-01T00:00:00Z", "msg": "next year"},
        {"ts": "+275760-09-13T00:00:00Z", "msg": "beyond what a timestamp holds"},
    ]
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    loaded, rows = load(path, "jsonl")
    assert [row["ts"] for row in rows] == [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC),
        datetime(next_year, 6, 1, tzinfo=UTC),
    ]
    assert loaded.rejected == 1


def test_unsorted_and_duplicate_lines_are_kept_in_file_order(load, tmp_path):
    line = '10.0.0.1 - - [04/Mar/2026:14:02:{s} +0000] "GET /a HTTP/1.1" 200 5 "-" "c"\n'
    path = tmp_path / "access.log"
    path.write_text(line.format(s="30") + line.format(s="10") + line.format(s="10"))
    _, rows = load(path, "access")
    assert [(row["line"], row["ts"].second) for row in rows] == [(1, 30), (2, 10), (3, 10)]


def test_mixed_time_zones_in_one_file(load, tmp_path):
    path = tmp_path / "zones.log"
    path.write_text(
        "2026-03-04T14:02:11Z INFO utc\n"
        "2026-03-04T19:32:11+05:30 INFO india\n"
        "2026-03-04T07:02:11-07:00 INFO mountain\n"
        "2026-03-04 15:02:11,000 INFO local, the bundle's zone\n"
    )
    _, rows = load(path, "plain", timezone="Europe/Berlin")
    assert {row["ts"] for row in rows} == {datetime(2026, 3, 4, 14, 2, 11, tzinfo=UTC)}


def test_binary_junk_inside_a_json_log(load, tmp_path):
    path = tmp_path / "app.jsonl"
    path.write_bytes(
        b'{"ts": "2026-03-04T14:02:11Z", "msg": "before"}\n'
        b"\x00\x01\x02\xff\xfe\x89PNG\x1a\n"
        b'{"ts": "2026-03-04T14:02:12Z", "msg": "caf\xc3\xa9 \xff"}\n'
    )
    loaded, rows = load(path, "jsonl")
    assert [(row["line"], row["message"]) for row in rows] == [(1, "before"), (3, "café ?")]
    assert loaded.rejected == 1
    assert loaded.rejected_examples[0].startswith("line 2: not a JSON object: ")
