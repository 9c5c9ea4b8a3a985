"""Writer plumbing: lines straight from Arrow buffers, per-host splitting, JSON assembly."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from warroom.simulate.writers.jsonl import json_line
from warroom.simulate.writers.sql import install_macros, logfmt_pairs, offset_text
from warroom.simulate.writers.table import split_by_host, write_lines


def test_writers_write_lines_handles_slices_and_headers(tmp_path: Path) -> None:
    lines = pa.chunked_array([["a\n", "bb\n"], ["ccc\n", "d\n", "e\n"]]).slice(1, 3)
    write_lines(tmp_path / "x.txt", lines, header="head\n", footer="# EOF\n")
    assert (tmp_path / "x.txt").read_text(encoding="utf-8") == "head\nbb\nccc\nd\n# EOF\n"


def test_writers_split_by_host_restores_the_table_order() -> None:
    # DuckDB may return rows of a parallel scan out of order; row_id puts them back.
    rows = np.arange(6)
    hosts = np.array([0, 0, 0, 2, 2, 5])
    shuffled = np.array([4, 0, 5, 2, 1, 3])
    table = pa.table(
        {
            "host_code": hosts[shuffled],
            "row_id": rows[shuffled],
            "line": [f"{h}:{r}\n" for h, r in zip(hosts[shuffled], rows[shuffled], strict=True)],
        }
    )
    split = {code: lines.to_pylist() for code, lines in split_by_host(table)}
    assert split == {0: ["0:0\n", "0:1\n", "0:2\n"], 2: ["2:3\n", "2:4\n"], 5: ["5:5\n"]}


def test_writers_json_line_leaves_out_absent_fields_and_escapes_text() -> None:
    con = duckdb.connect()
    fields = [
        ("t", "t", "name"),
        ("n", "n", "number"),
        ("msg", "msg", "text"),
        ("obj", "n IS NOT NULL", [("a", "msg", "text"), ("b", "n", "number")]),
    ]
    rows = con.sql(
        f"SELECT {json_line(fields)} AS line FROM (VALUES ('x', 1, 'say \"hi\"\nok'), "
        "('y', NULL, NULL)) AS v(t, n, msg)"
    ).fetchall()
    first, second = (json.loads(line) for (line,) in rows)
    assert first == {"t": "x", "n": 1, "msg": 'say "hi"\nok', "obj": {"a": 'say "hi"\nok', "b": 1}}
    assert second == {"t": "y"}


def test_writers_logfmt_quotes_only_what_needs_it() -> None:
    con = duckdb.connect()
    install_macros(con)
    sql = logfmt_pairs([("a", "a"), ("b", "b"), ("c", "c")])
    rows = con.sql(f"SELECT {sql} FROM (VALUES ('plain', 'two words', NULL)) AS v(a, b, c)")
    assert rows.fetchall() == [('a=plain b="two words"',)]
    quoted = con.sql(f"SELECT {logfmt_pairs([('q', 'q')])} FROM (VALUES ('say \"x\"=1')) AS v(q)")
    assert quoted.fetchall() == [(r'q="say \"x\"=1"',)]


def test_writers_offset_text() -> None:
    assert offset_text(7200) == "+02:00"
    assert offset_text(-14400) == "-04:00"
    assert offset_text(0) == "+00:00"
