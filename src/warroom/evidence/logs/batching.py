"""Which log files of one format to parse together: batches that are cheap to parse as one.

A batch is parsed with one plan, so its cost is set by what its files have in common:
- JSON-lines files that disagree on a key (an object in one file, `{"service": {"name":
  ...}}`, a string in another, `"service": "api"`) would make that key mixed for all of
  them, read through JSON pointers on every line, and a plan widened that way parses the
  whole batch again. Files are grouped by dialect (the keys nearly every one of their first
  lines has: files written by the same code), and within that so that no top-level key is
  an object in one and a scalar in another (judged on their first lines; a disagreement
  further down, on the rare error lines, costs time, never correctness).
- A batch's scratch tables live in memory until it is inserted: batches stop at
  `MAX_BATCH_BYTES` of log text, so that peak memory stays flat however large the bundle.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Final

from warroom.evidence.logs.reading import is_gzip

MAX_BATCH_BYTES: Final = 256 * 1024 * 1024
GZIP_RATIO: Final = 8  # a gzip file's text is counted as this many times its size
HEAD_LINES: Final = 200  # lines read from each JSON-lines file to learn its keys' kinds
COMMON_SHARE: Final = 0.9  # a key on this share of the first records is of the dialect
_HEAD_BYTES: Final = 1024 * 1024


def batches(paths: list[Path], *, fmt: str) -> list[list[int]]:
    """The files (by index) to parse together, each batch in the order given."""
    groups: list[tuple[frozenset[str], dict[str, bool], list[int]]] = []
    for index, path in enumerate(paths):
        dialect, kinds = _head_keys(path) if fmt == "jsonl" else (frozenset(), {})
        for common, known, members in groups:
            if common == dialect and all(known.get(k, kind) == kind for k, kind in kinds.items()):
                known.update(kinds)
                members.append(index)
                break
        else:
            groups.append((dialect, dict(kinds), [index]))
    return [part for _, _, members in groups for part in _by_size(paths, members)]


def _by_size(paths: list[Path], members: list[int]) -> list[list[int]]:
    parts: list[list[int]] = [[]]
    size = 0
    for index in members:
        path = paths[index]
        text = path.stat().st_size * (GZIP_RATIO if is_gzip(path) else 1)
        if parts[-1] and size + text > MAX_BATCH_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(index)
        size += text
    return parts


def _head_keys(path: Path) -> tuple[frozenset[str], dict[str, bool]]:
    """Over the first lines of a JSON-lines file: the keys of nearly every record, and per
    top-level key whether it holds an object (a key that is both counts as an object: the
    file alone is parsed with it mixed anyway)."""
    kinds: dict[str, bool] = {}
    seen: dict[str, int] = {}
    records = 0
    try:
        with path.open("rb") as raw:
            head = raw.read(_HEAD_BYTES)
        if head.startswith(b"\x1f\x8b"):
            with gzip.open(io.BytesIO(head)) as unzipped:
                head = _readable(unzipped)
    except (OSError, EOFError):
        return frozenset(), kinds
    for line in head.splitlines()[:HEAD_LINES]:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records += 1
            for key, value in record.items():
                kinds[key] = kinds.get(key, False) or isinstance(value, dict)
                seen[key] = seen.get(key, 0) + 1
    common = frozenset(key for key, count in seen.items() if count >= COMMON_SHARE * records)
    return common, kinds


def _readable(unzipped: gzip.GzipFile) -> bytes:
    """As much of a gzip head's text as the truncated stream gives."""
    chunks: list[bytes] = []
    try:
        while sum(map(len, chunks)) < _HEAD_BYTES and (chunk := unzipped.read(64 * 1024)):
            chunks.append(chunk)
    except (OSError, EOFError):
        pass  # the head was cut mid-stream: keep what came out
    return b"".join(chunks)
