"""The public API: load_log's contract with the bundle reader, and the key aliases."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from warroom.errors import InputError
from warroom.evidence.logs import LOG_FORMATS, load_log
from warroom.evidence.logs.fields import CONTRACT_KEYS, field_keys
from warroom.evidence.logs.plan import MIXED
from warroom.evidence.logs.shapes import merge_shapes
from warroom.evidence.schema import EVENTS
from warroom.evidence.types import LoadContext

FIXTURES = Path(__file__).parent / "fixtures"


def test_load_log_formats_are_the_contracts():
    assert LOG_FORMATS == ("jsonl", "access", "plain", "syslog", "logfmt")


def test_load_log_source_is_relative_with_forward_slashes(con, tmp_path):
    folder = tmp_path / "logs" / "web-3"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "access_common.log", folder / "access.log")
    loaded = load_log(con, folder / "access.log", fmt="access", ctx=LoadContext(root=tmp_path))
    assert (loaded.path, loaded.table, loaded.format) == (
        "logs/web-3/access.log",
        "events",
        "access",
    )
    sources = con.execute("SELECT DISTINCT source, format FROM events").fetchall()
    assert sources == [("logs/web-3/access.log", "access")]


def test_load_log_reads_gzip(con, tmp_path):
    path = tmp_path / "app.log.gz"
    path.write_bytes(gzip.compress((FIXTURES / "python_app.log").read_bytes()))
    loaded = load_log(con, path, fmt="plain", ctx=LoadContext(root=tmp_path))
    assert (loaded.rows, loaded.rejected) == (4, 0)


def test_load_log_appends_to_the_events_table(con):
    ctx = LoadContext(root=FIXTURES)
    load_log(con, FIXTURES / "go_logfmt.log", fmt="logfmt", ctx=ctx)
    load_log(con, FIXTURES / "access_common.log", fmt="access", ctx=ctx)
    counts = con.execute("SELECT format, count(*) FROM events GROUP BY 1 ORDER BY 1").fetchall()
    assert counts == [("access", 3), ("logfmt", 4)]
    columns = [row[0] for row in con.execute("DESCRIBE events").fetchall()]
    assert columns == list(EVENTS)


def test_load_log_unknown_format_is_an_input_error(con):
    with pytest.raises(InputError, match="unknown log format 'csv'"):
        load_log(con, FIXTURES / "app.jsonl", fmt="csv", ctx=LoadContext(root=FIXTURES))


def test_load_log_leaves_no_scratch_behind(con):
    before = con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()
    for fixture, fmt in [
        ("app.jsonl", "jsonl"),
        ("java_app.log", "plain"),
        ("syslog_5424.log", "syslog"),
    ]:
        load_log(con, FIXTURES / fixture, fmt=fmt, ctx=LoadContext(root=FIXTURES))
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == before


def test_load_log_is_deterministic(con):
    ctx = LoadContext(root=FIXTURES)
    for _ in range(2):
        load_log(con, FIXTURES / "app.jsonl", fmt="jsonl", ctx=ctx)
    first, second = (
        con.execute(
            "SELECT * EXCLUDE (attrs), map_keys(attrs), map_values(attrs) FROM events "
            f"ORDER BY rowid LIMIT 5 OFFSET {offset}"
        ).fetchall()
        for offset in (0, 5)
    )
    assert first == second


def test_field_keys_puts_manifest_keys_first_and_takes_them_from_other_fields():
    keys = field_keys({"host": ("Server", "node"), "user": ("host",)})
    assert keys["host"][:2] == ("server", "node")
    assert "host" not in keys["host"]  # the manifest gave `host` to the user field
    assert keys["user"][0] == "host"
    assert keys["container"] == CONTRACT_KEYS["container"]


def test_field_keys_unknown_field_is_an_input_error():
    with pytest.raises(InputError, match="unknown event field 'hostname'"):
        field_keys({"hostname": ("server",)})


def test_merge_shapes_marks_objects_that_are_also_scalars():
    assert merge_shapes({"a": "VARCHAR"}, {"b": {"c": "VARCHAR"}}) == {
        "a": "VARCHAR",
        "b": {"c": "VARCHAR"},
    }
    assert merge_shapes({"a": "VARCHAR"}, {"a": {"c": "VARCHAR"}}) == {
        "a": {MIXED: True, "c": "VARCHAR"}
    }
    assert merge_shapes(None, "NULL") == "NULL"
    assert merge_shapes({"a": "NULL"}, {"a": "UBIGINT"}) == {"a": "UBIGINT"}
