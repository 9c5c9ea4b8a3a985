"""The Parquet cache: a second load of an unchanged bundle reads the cache and parses nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warroom.evidence import bundle as bundle_module
from warroom.evidence.bundle import load_bundle

TABLES_SQL = {
    "metrics": "SELECT * FROM metrics ORDER BY ALL",
    "changes": "SELECT * FROM changes ORDER BY ALL",
    "cron_jobs": "SELECT * FROM cron_jobs ORDER BY ALL",
    "reports": "SELECT * FROM reports ORDER BY source, ts NULLS LAST",
    "events": "SELECT * FROM events ORDER BY ALL",
}


def _snapshot(path: Path, cache: Path) -> tuple[dict[str, object], dict[str, object], bool]:
    with load_bundle(path, cache_dir=cache) as loaded:
        tables = {name: loaded.con.execute(sql).fetchall() for name, sql in TABLES_SQL.items()}
        return tables, loaded.inputs(), loaded.from_cache


class _CountingLoader:
    def __init__(self) -> None:
        self.calls = 0
        self.real = bundle_module.load_files

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        return self.real(*args, **kwargs)  # type: ignore[arg-type]


def test_cache_second_load_reads_the_cache_without_parsing(
    basic_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    counting = _CountingLoader()
    monkeypatch.setattr(bundle_module, "load_files", counting)
    first_tables, first_inputs, first_cached = _snapshot(basic_bundle, cache)
    second_tables, second_inputs, second_cached = _snapshot(basic_bundle, cache)
    assert counting.calls == 1
    assert (first_cached, second_cached) == (False, True)
    assert second_tables == first_tables
    assert second_inputs == first_inputs
    entries = list(cache.iterdir())
    assert len(entries) == 1  # one entry, no staging folder left behind
    assert sorted(p.name for p in entries[0].iterdir()) == [
        "changes.parquet",
        "cron_jobs.parquet",
        "events.parquet",
        "meta.json",
        "metrics.parquet",
        "reports.parquet",
    ]


def test_cache_keeps_rejected_examples_and_skips(basic_bundle: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with load_bundle(basic_bundle, cache_dir=cache) as fresh:
        fresh_files, fresh_skipped = fresh.files, fresh.skipped
    with load_bundle(basic_bundle, cache_dir=cache) as cached:
        assert cached.from_cache
        assert cached.files == fresh_files
        assert cached.skipped == fresh_skipped


def test_cache_changed_file_is_parsed_again(basic_bundle: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _snapshot(basic_bundle, cache)
    target = basic_bundle / "metrics" / "long.csv"
    with target.open("a") as handle:
        handle.write("2026-03-04T14:09:00Z,cpu,0.1,web-9,checkout,\n")
    tables, _, from_cache = _snapshot(basic_bundle, cache)
    assert not from_cache
    assert ("web-9",) in [(row[3],) for row in tables["metrics"]]  # type: ignore[index,union-attr]


def test_cache_touched_file_is_parsed_again(basic_bundle: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _snapshot(basic_bundle, cache)
    target = basic_bundle / "web-3" / "crontab"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert _snapshot(basic_bundle, cache)[2] is False


def test_cache_manifest_change_is_parsed_again(basic_bundle: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _snapshot(basic_bundle, cache)
    manifest = basic_bundle / "warroom.yaml"
    manifest.write_text(manifest.read_text().replace("Europe/Berlin", "UTC"))
    tables, _, from_cache = _snapshot(basic_bundle, cache)
    assert not from_cache
    times = [row[0] for row in tables["reports"] if row[1] == "Checkout broken"]  # type: ignore[index,union-attr]
    assert [t.hour for t in times] == [15]  # a naive 15:05 is now read as UTC


def test_cache_damaged_entry_is_ignored_and_rewritten(basic_bundle: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first_tables = _snapshot(basic_bundle, cache)[0]
    entry = next(cache.iterdir())
    (entry / "metrics.parquet").write_bytes(b"not parquet")
    tables, _, from_cache = _snapshot(basic_bundle, cache)
    assert not from_cache
    assert tables == first_tables
    assert _snapshot(basic_bundle, cache)[2] is True
