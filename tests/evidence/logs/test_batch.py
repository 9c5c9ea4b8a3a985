"""load_logs parses many files of one format in one pass and gives exactly what load_log gives
file by file: the same events (hosts, sources, line numbers) and the same per-file counts and
rejected-line examples, with junk, gzip, invalid UTF-8 and orphan continuation lines mixed in."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warroom.evidence.bundle import load_bundle
from warroom.evidence.logs import batching, load_log, load_logs, sniff_log
from warroom.evidence.logs.batching import batches
from warroom.evidence.schema import create_statement
from warroom.evidence.types import FileLoad, LoadContext

from .conftest import FIXTURES, event_rows

BATCHED = ("jsonl", "access", "plain", "logfmt")


def _fixtures(fmt: str) -> list[Path]:
    found = []
    for path in sorted(FIXTURES.iterdir()):
        if path.is_file() and not path.name.endswith(".gz"):
            head = path.read_text(errors="replace").splitlines()[:50]
            if sniff_log(head) == fmt:
                found.append(path)
    return found


def _bundle(root: Path, fmt: str) -> list[Path]:
    """Each fixture of `fmt` as a clean copy, one with junk around it (and a continuation
    line on top, which belongs to no record), a gzip copy, and one with invalid UTF-8."""
    files = []
    for number, fixture in enumerate(_fixtures(fmt)):
        data = fixture.read_bytes()
        variants = {
            "clean": data,
            "junk": b"    at com.example.Orphan(Orphan.java:1)\nxx junk 1\n"
            + data
            + b"\nxx junk 2\n",
            "zipped": gzip.compress(data),
            "badbytes": data + b"\nxx \xff\xfe bad bytes\n" + data,
        }
        for variant, content in variants.items():
            path = root / f"host-{variant}" / f"{number}-{fixture.name}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            files.append(path)
    return files


def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(create_statement("events"))
    return con


def _ctx(root: Path, path: Path) -> LoadContext:
    return LoadContext(root=root, host=path.parent.name, default_service="shop")


def _one_by_one(root: Path, files: list[Path], fmt: str) -> tuple[list[FileLoad], list[Any]]:
    con = _connection()
    loads = [load_log(con, path, fmt=fmt, ctx=_ctx(root, path)) for path in files]
    return loads, event_rows(con)


def _batched(root: Path, files: list[Path], fmt: str) -> tuple[list[FileLoad], list[Any]]:
    con = _connection()
    loads = load_logs(con, [(path, _ctx(root, path)) for path in files], fmt=fmt)
    return loads, event_rows(con)


@pytest.mark.parametrize("fmt", BATCHED)
def test_load_logs_batch_equals_file_by_file(tmp_path: Path, fmt: str) -> None:
    files = _bundle(tmp_path, fmt)
    assert len(files) >= 4
    expected_loads, expected_rows = _one_by_one(tmp_path, files, fmt)
    loads, rows = _batched(tmp_path, files, fmt)
    assert loads == expected_loads
    assert rows == expected_rows
    # The comparison is not vacuous: records, hosts and rejected lines are all there.
    assert sum(load.rows for load in loads) > 0
    assert {row["host"] for row in rows} >= {"host-clean", "host-junk"} or fmt == "jsonl"
    junk = [load for load in loads if load.path.startswith("host-junk/")]
    assert all(load.rejected >= 2 for load in junk)
    assert all(example.startswith("line ") for load in junk for example in load.rejected_examples)


def test_load_logs_numbers_lines_per_file(tmp_path: Path) -> None:
    lines = [f"2026-03-04 14:02:{second:02d},000 ERROR failed {second}" for second in range(3)]
    first, second = tmp_path / "a" / "app.log", tmp_path / "b" / "app.log"
    for path in (first, second):
        path.parent.mkdir()
    first.write_text("\n".join(lines) + "\n")
    second.write_text("Traceback (most recent call last):\nxx\n" + "\n".join(lines) + "\n")
    con = _connection()
    loads = load_logs(con, [(p, _ctx(tmp_path, p)) for p in (first, second)], fmt="plain")
    assert [(load.rows, load.rejected) for load in loads] == [(3, 0), (3, 2)]
    assert loads[1].rejected_examples[0].startswith("line 1: text before the first record")
    found = con.execute("SELECT source, host, line, stack FROM events ORDER BY source, line")
    assert found.fetchall() == [
        ("a/app.log", "a", 1, None),
        ("a/app.log", "a", 2, None),
        ("a/app.log", "a", 3, None),
        ("b/app.log", "b", 3, None),
        ("b/app.log", "b", 4, None),
        ("b/app.log", "b", 5, None),
    ]


def test_batches_keep_json_dialects_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ecs = '{"@timestamp": "2026-03-04T14:02:11Z", "message": "ok", "service": {"name": "api"}}\n'
    flat = '{"ts": "2026-03-04T14:02:11Z", "msg": "ok", "service": "api"}\n'
    odd = '{"ts": "2026-03-04T14:02:11Z", "msg": "ok", "service": {"name": "api"}}\n'
    paths = []
    for name, line in (("a", ecs), ("b", flat), ("c", ecs), ("d", flat), ("e", odd)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text(line * 20)
        paths.append(path)
    # Same dialect together; a file whose `service` is an object never joins the flat ones.
    assert batches(paths, fmt="jsonl") == [[0, 2], [1, 3], [4]]
    assert batches(paths, fmt="access") == [[0, 1, 2, 3, 4]]
    monkeypatch.setattr(batching, "MAX_BATCH_BYTES", len(ecs) * 50)
    assert batches(paths, fmt="access") == [[0, 1], [2, 3], [4]]


def test_bundle_with_a_corrupt_gzip_loads_the_rest_once(tmp_path: Path) -> None:
    lines = "".join(
        f'{{"ts": "2026-03-04T14:02:{second:02d}Z", "level": "info", "msg": "ok {second}"}}\n'
        for second in range(30)
    ).encode()
    for host in ("web-1", "web-2"):
        (tmp_path / host).mkdir()
        (tmp_path / host / "app.jsonl").write_bytes(lines)
        (tmp_path / host / "old.jsonl.gz").write_bytes(gzip.compress(lines))
    broken = gzip.compress(lines)
    (tmp_path / "web-2" / "old.jsonl.gz").write_bytes(broken[: len(broken) // 2])
    with load_bundle(tmp_path) as bundle:
        loaded = {load.path: load.rows for load in bundle.files}
        counts = dict(
            bundle.con.execute("SELECT source, count(*) FROM events GROUP BY ALL").fetchall()
        )
        skipped = [item.path for item in bundle.skipped]
    assert loaded == {"web-1/app.jsonl": 30, "web-1/old.jsonl.gz": 30, "web-2/app.jsonl": 30}
    assert counts == loaded  # the rows of the failed batch were not left behind twice
    assert skipped == ["web-2/old.jsonl.gz"]
