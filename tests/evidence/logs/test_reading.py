"""Reading any file as numbered raw lines: huge lines, NUL bytes, bad UTF-8, gzip, CRLF."""

from __future__ import annotations

import gzip

import duckdb
import pytest

from warroom.errors import InputError
from warroom.evidence.logs import reading
from warroom.evidence.logs.reading import is_gzip, read_batch, read_lines, scratch_space
from warroom.evidence.logs.records import FILE_SHIFT, LINE_MASK


def _lines(con: duckdb.DuckDBPyConnection, path) -> tuple[list[tuple[int, str | None]], list]:
    with scratch_space(con) as scratch:
        raw = read_lines(con, path, scratch=scratch)
        rows = con.execute(f"SELECT line, raw FROM {raw.view} ORDER BY line").fetchall()
        return rows, raw.rejected.examples


def test_read_lines_numbers_blank_lines_too(con, tmp_path):
    path = tmp_path / "a.log"
    path.write_bytes(b"one\n\ntwo\nthree")
    rows, rejected = _lines(con, path)
    assert rows == [(1, "one"), (2, None), (3, "two"), (4, "three")]
    assert rejected == []


def test_read_lines_crlf_file(con, tmp_path):
    path = tmp_path / "windows.log"
    path.write_bytes(b"a\r\nb\r\n\r\nc\r\n")
    assert _lines(con, path)[0] == [(1, "a"), (2, "b"), (3, None), (4, "c")]


def test_read_lines_keeps_a_ten_megabyte_line(con, tmp_path):
    path = tmp_path / "huge.log"
    huge = b"x" * (10 * 1024 * 1024)
    path.write_bytes(b"before\n" + huge + b"\nafter\n")
    with scratch_space(con) as scratch:
        view = read_lines(con, path, scratch=scratch).view
        rows = con.execute(f"SELECT line, length(raw) FROM {view} ORDER BY line").fetchall()
    assert rows == [(1, 6), (2, len(huge)), (3, 5)]


def test_read_lines_rejects_lines_over_the_limit(con, tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 2 * 1024 * 1024)
    path = tmp_path / "too_long.log"
    path.write_bytes(b"first\n" + b"y" * (3 * 1024 * 1024) + b"\nlast\n")
    rows, examples = _lines(con, path)
    assert rows == [(1, "first"), (3, "last")]
    assert len(examples) == 1
    line, text = examples[0]
    assert line == 2
    assert text == "line 2: line longer than 2 MiB: " + "y" * 200


def test_read_lines_nul_bytes_and_invalid_utf8(con, tmp_path):
    path = tmp_path / "binary.log"
    path.write_bytes(b"ok\nnul \x00 inside\nbad \xff\xfe bytes\ncaf\xc3\xa9\n\xc3(\n")
    rows, rejected = _lines(con, path)
    assert rows == [
        (1, "ok"),
        (2, "nul \x00 inside"),
        (3, "bad ?? bytes"),  # each invalid byte becomes '?'
        (4, "café"),
        (5, "??"),  # a lead byte without its continuation
    ]
    assert rejected == []


def test_read_lines_invalid_utf8_deep_in_a_large_file(con, tmp_path):
    lines = [f"line {n}".encode() for n in range(1, 300_001)]
    lines[149_999] = b"line 150000 \xff"
    path = tmp_path / "large.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with scratch_space(con) as scratch:
        view = read_lines(con, path, scratch=scratch).view
        picked = con.execute(
            f"SELECT line, raw FROM {view} WHERE line IN (1, 149999, 150000, 150001, 300000) "
            "ORDER BY line"
        ).fetchall()
        total = con.execute(f"SELECT count(*), max(line) FROM {view}").fetchone()
    assert picked == [
        (1, "line 1"),
        (149_999, "line 149999"),
        (150_000, "line 150000 ?"),
        (150_001, "line 150001"),
        (300_000, "line 300000"),
    ]
    assert total == (300_000, 300_000)


def test_read_lines_empty_file(con, tmp_path):
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    assert _lines(con, path) == ([], [])


def test_read_lines_gzip_by_content_not_name(con, tmp_path):
    path = tmp_path / "rotated.1"
    path.write_bytes(gzip.compress(b"zipped one\nzipped two\n"))
    assert is_gzip(path)
    assert _lines(con, path)[0] == [(1, "zipped one"), (2, "zipped two")]


def test_read_lines_corrupt_gzip_is_an_input_error(con, tmp_path):
    path = tmp_path / "broken.log.gz"
    path.write_bytes(b"\x1f\x8b" + b"not deflate at all" * 4)
    with (
        scratch_space(con) as scratch,
        pytest.raises(InputError, match=r"cannot read broken\.log\.gz"),
    ):
        read_lines(con, path, scratch=scratch)


def test_scratch_space_drops_its_tables(con, tmp_path):
    path = tmp_path / "a.log"
    path.write_bytes(b"\xff\nx\n")  # a rejected-then-recovered line makes the most tables
    before = con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()
    _lines(con, path)
    after = con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()
    views = con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone()
    assert before == after
    assert views == (0,)


def test_read_batch_keys_are_bigints_numbering_each_file(con, tmp_path):
    # BIGINT keys (not HUGEINT): parsers filter, sort and join on them for every line.
    paths = [tmp_path / "a.log", tmp_path / "b.log"]
    paths[0].write_text("a1\n\na3\n")
    paths[1].write_text("b1\nb2\n")
    with scratch_space(con) as scratch:
        batch = read_batch(con, paths, gzip=False, scratch=scratch)
        rows = con.execute(
            f"SELECT typeof(line), line >> {FILE_SHIFT}, line & {LINE_MASK}, raw "
            f"FROM {batch.view} ORDER BY line"
        ).fetchall()
    assert rows == [
        ("BIGINT", 0, 1, "a1"),
        ("BIGINT", 0, 2, None),
        ("BIGINT", 0, 3, "a3"),
        ("BIGINT", 1, 1, "b1"),
        ("BIGINT", 1, 2, "b2"),
    ]
