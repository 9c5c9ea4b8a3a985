"""A Parquet cache of parsed bundles, so that a second run on the same files skips parsing.

The key is a hash of every listed file's relative path, size and modification time, the
manifest's text, the time zone and warroom's version: change any file (or upgrade warroom) and
the bundle is parsed again. Only what comes from files is cached; git history and live
Prometheus are read on every run. An entry is written into a temporary folder and renamed into
place, so a reader never sees half an entry, and two runs racing on one bundle do no harm.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import duckdb

from warroom import __version__
from warroom.evidence.discover import Listing, Skipped
from warroom.evidence.loaders import Parsed
from warroom.evidence.schema import TABLES, create_statement
from warroom.evidence.tabular import ident, literal, run
from warroom.evidence.types import FileLoad

CACHE_FORMAT = 1
VIEW_TABLES = frozenset({"events"})
_META = "meta.json"


def cache_key(*, listing: Listing, root: Path, manifest_text: str, timezone: str) -> str:
    """A hash of everything that decides the parsed tables (see the module docstring)."""
    digest = hashlib.sha256()
    digest.update(f"warroom {__version__} cache {CACHE_FORMAT} tz {timezone}\n".encode())
    digest.update(manifest_text.encode("utf-8", errors="replace") + b"\x00")
    for path in listing.files:
        status = path.stat()
        rel = path.relative_to(root).as_posix()
        digest.update(f"{rel}\x1f{status.st_size}\x1f{status.st_mtime_ns}\n".encode())
    for skipped in listing.skipped:
        digest.update(f"skip\x1f{skipped.path}\x1f{skipped.reason}\n".encode())
    return digest.hexdigest()


def read_cache(con: duckdb.DuckDBPyConnection, entry: Path) -> Parsed | None:
    """Fill the (empty) tables from a cache entry; None when there is no usable entry."""
    meta_path = entry / _META
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != CACHE_FORMAT:
            raise ValueError("an entry written by another version of the cache")
        for table in TABLES:
            _restore(con, table, entry / f"{table}.parquet")
        return Parsed(
            files=[FileLoad(**item) for item in meta["files"]],
            skipped=[Skipped(**item) for item in meta["skipped"]],
        )
    except (OSError, ValueError, KeyError, TypeError, duckdb.Error):
        _reset(con)  # a damaged entry: parse again rather than half-load
        shutil.rmtree(entry, ignore_errors=True)  # so that this run writes a good one
        return None


def _restore(con: duckdb.DuckDBPyConnection, table: str, parquet: Path) -> None:
    """Events, by far the largest table and never added to after parsing, become a view on the
    Parquet file (nothing is copied, so this is instant); the others are copied into tables
    because git history and live Prometheus add rows to `changes` and `metrics`."""
    columns = ", ".join(
        f"CAST({ident(name)} AS {kind}) AS {ident(name)}" for name, kind in TABLES[table].items()
    )
    select = f"SELECT {columns} FROM read_parquet({literal(str(parquet))})"
    if table in VIEW_TABLES:
        run(con, f"DROP TABLE {ident(table)}")
        run(con, f"CREATE VIEW {ident(table)} AS {select}")
        run(con, f"SELECT count(*) FROM {ident(table)}")  # fails now, not later, if damaged
    else:
        run(con, f"INSERT INTO {ident(table)} {select}")


def _reset(con: duckdb.DuckDBPyConnection) -> None:
    """Back to the five empty tables, whatever a failed restore left."""
    views = {row[0] for row in run(con, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    for table in TABLES:
        if table in views:
            run(con, f"DROP VIEW {ident(table)}")
            run(con, create_statement(table))
        else:
            run(con, f"DELETE FROM {ident(table)}")


def write_cache(con: duckdb.DuckDBPyConnection, entry: Path, parsed: Parsed) -> None:
    """Write the tables and what was loaded or skipped into `entry`, atomically."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = entry.parent / f".{entry.name}.{os.getpid()}.{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        for table in TABLES:
            target = literal(str(staging / f"{table}.parquet"))
            run(con, f"COPY {ident(table)} TO {target} (FORMAT parquet, COMPRESSION snappy)")
        meta = {
            "format": CACHE_FORMAT,
            "files": [dataclasses.asdict(item) for item in parsed.files],
            "skipped": [dataclasses.asdict(item) for item in parsed.skipped],
        }
        (staging / _META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        try:
            staging.rename(entry)
        except OSError:
            if not (entry / _META).is_file():  # not a lost race: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
