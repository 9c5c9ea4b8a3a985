"""Recognise a file by the head of its content (never by its name) and pick its loader.

Only the first 64 KiB of a file are read (decompressed on the fly for `.gz`). The non-log
sniffers run first, in this order: crontab, CSV (changes, then reports, then metrics long, then
metrics wide), Prometheus text, JSON change events, JSON reports; the log sniffer of
`warroom.evidence.logs` runs last. A file nothing recognises is skipped with the reason.
"""

from __future__ import annotations

import csv
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from warroom.evidence import cron
from warroom.evidence.logapi import log_api
from warroom.evidence.tabular import CsvShape

HEAD_BYTES = 64 * 1024
SAMPLE_LINES = 64

CHANGE_TYPES = frozenset(
    {"deploy", "rollback", "config", "feature_flag", "migration", "infra", "other"}
)
CHANGE_TIME = ("timestamp", "at", "time")
CHANGE_KEYS = frozenset({"id", "service", "version", "hosts", "author", "description", "commit"})
REPORT_TIME = ("created_at", "timestamp", "time")
REPORT_TEXT = ("subject", "description", "body", "text")
REPORT_EXTRA = frozenset(
    {"browser", "os", "device", "app_version", "user_agent", "customer", "url", "steps"}
)
LOG_LEVEL_KEYS = frozenset({"level", "severity", "lvl", "levelname", "log.level"})
METRIC_TIME = ("timestamp", "time", "ts", "datetime", "date")

_HEADER_FIELD = re.compile(r"^[A-Za-z_@][\w.@ -]{0,63}$")
_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
_PROM_SAMPLE = re.compile(
    r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?Inf|NaN)"
    r"(\s+[+-]?\d+(\.\d+)?)?\s*(#\s*\{.*)?$"
)
_PROM_COMMENT = re.compile(r"^#\s*(TYPE|HELP|UNIT|EOF)\b")


@dataclass(frozen=True)
class Sniffed:
    """A recognised file: the table it feeds and its format (the loader's key)."""

    table: str  # events, metrics, changes, cron_jobs, reports
    format: str
    csv: CsvShape | None = None


@dataclass(frozen=True)
class Head:
    """The decoded head of a file, or why it cannot be evidence."""

    lines: list[str]  # the first non-empty lines, without line endings
    problem: str | None = None


def read_head(path: Path) -> Head:
    """The first non-empty lines of a file, reading only its first 64 KiB (gzip: decompressed)."""
    with path.open("rb") as handle:
        raw = handle.read(HEAD_BYTES)
        truncated = bool(handle.read(1))
    if raw[:2] == b"\x1f\x8b":
        inflated = _inflate_head(raw)
        if inflated is None:
            return Head([], "compressed with gzip but not readable (corrupt or truncated)")
        raw, cut = inflated
        truncated = truncated or cut
    problem = _binary_problem(raw)
    if problem:
        return Head([], problem)
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if truncated and lines:
        lines = lines[:-1]  # the last line may be cut in the middle
    sample = [line for line in lines if line.strip()][:SAMPLE_LINES]
    return Head(sample, None if sample else "empty file")


def _inflate_head(raw: bytes) -> tuple[bytes, bool] | None:
    """The first HEAD_BYTES of a gzip stream's content and whether there is more; None if bad."""
    inflater = zlib.decompressobj(wbits=47)
    try:
        content = inflater.decompress(raw, HEAD_BYTES)
    except zlib.error:
        return None
    if not content and not inflater.eof:  # not even the first block could be read
        return None
    return content, bool(inflater.unconsumed_tail) or not inflater.eof


def _binary_problem(raw: bytes) -> str | None:
    if raw[:4] == b"PK\x03\x04":
        return "nested zip archive; archives inside a bundle are not expanded"
    if len(raw) > 262 and raw[257:262] == b"ustar":
        return "nested tar archive; archives inside a bundle are not expanded"
    if b"\x00" in raw:
        return "binary file (contains NUL bytes)"
    replaced = raw.decode("utf-8", errors="replace").count("\ufffd")
    if replaced > max(4, len(raw) // 100):
        return "binary file (not UTF-8 text)"
    return None


def sniff(head: Head, *, rel_path: str) -> Sniffed | str:
    """The format of a file from its head, or the reason it matches none."""
    lines = head.lines
    cron_format = cron.sniff_crontab(lines, rel_path=rel_path)
    if cron_format:
        return Sniffed("cron_jobs", cron_format)
    shape = _csv_shape(lines)
    if shape is not None:
        found = _sniff_csv(shape, lines[1:])
        if found is not None:
            return found
    if _looks_like_prometheus(lines):
        return Sniffed("metrics", "prometheus")
    documents = _json_documents(lines)
    if documents:
        found = _sniff_json(documents[1], layout=documents[0])
        if found is not None:
            return found
    log_format = log_api().sniff_log(lines)
    if log_format:
        return Sniffed("events", log_format)
    return _unrecognised(lines, shape=shape, is_json=bool(documents))


def _unrecognised(lines: list[str], *, shape: CsvShape | None, is_json: bool) -> str:
    if shape is not None:
        columns = ", ".join(shape.header)
        return f"CSV whose columns ({columns}) match no metrics, changes or reports layout"
    if is_json:
        return "JSON that is neither change events, reports nor log records"
    if lines[0].strip() in ("{", "["):
        return "a single JSON document, not records (JSON lines, or an array of objects)"
    first = lines[0][:80]
    return f"no known format (first line: {first!r})"


def _csv_shape(lines: list[str]) -> CsvShape | None:
    if not lines or lines[0].lstrip().startswith(("{", "[", "#")):
        return None
    for delimiter in (",", ";", "\t", "|"):
        rows = list(csv.reader(lines[:8], delimiter=delimiter))
        header = [field.strip() for field in rows[0]]
        if len(header) < 2 or not all(_HEADER_FIELD.match(field) for field in header):
            continue
        if any(_NUMBER.match(field) for field in header):
            continue
        fitting = sum(len(row) == len(header) for row in rows[1:])
        if fitting * 2 >= len(rows) - 1:  # malformed rows are rejected later, not fatal
            return CsvShape(delimiter, tuple(header))
    return None


def _sniff_csv(shape: CsvShape, data_lines: list[str]) -> Sniffed | None:
    names = {column.strip().lower() for column in shape.header}
    if _is_change_record(names, change_type=None):
        return Sniffed("changes", "changes_csv", shape)
    if _is_report_record(names):
        return Sniffed("reports", "reports_csv", shape)
    time_column = shape.find(*METRIC_TIME)
    if time_column is None:
        return None
    if shape.find("metric", "name") and shape.find("value"):
        return Sniffed("metrics", "csv_long", shape)
    rows = list(csv.reader(data_lines, delimiter=shape.delimiter))
    for index, column in enumerate(shape.header):
        values = [row[index] for row in rows if index < len(row) and row[index].strip()]
        if column != time_column and values and all(_NUMBER.match(v) for v in values):
            return Sniffed("metrics", "csv_wide", shape)
    return None


def _is_change_record(keys: set[str], *, change_type: object) -> bool:
    """A change names its type and time and at least two other change fields, and no level.

    The type's value is not checked here: one outside the contract's list loads as `other`.
    """
    if "type" not in keys or not any(key in keys for key in CHANGE_TIME):
        return False
    if change_type is not None and not isinstance(change_type, str):
        return False
    return len(keys & CHANGE_KEYS) >= 2 and not keys & LOG_LEVEL_KEYS


def _is_report_record(keys: set[str]) -> bool:
    if not any(key in keys for key in REPORT_TEXT) or keys & LOG_LEVEL_KEYS:
        return False
    return "created_at" in keys or bool(keys & REPORT_EXTRA)


def _looks_like_prometheus(lines: list[str]) -> bool:
    samples = [line.strip() for line in lines if not line.startswith("#")]
    matching = [line for line in samples if _PROM_SAMPLE.match(line)]
    if not matching or len(matching) * 5 < len(samples) * 4:  # 80%: bad lines are rejected
        return False
    declared = any(_PROM_COMMENT.match(line) for line in lines)
    return declared or all("{" in line for line in matching)


def _json_documents(lines: list[str]) -> tuple[str, list[dict[str, object]]] | None:
    """('jsonl' | 'json', the first objects) when the head is JSON lines or a JSON array."""
    first = lines[0].lstrip() if lines else ""
    if first.startswith("["):
        decoder = json.JSONDecoder()
        text = "\n".join(lines).lstrip()[1:].lstrip()
        try:
            element, _ = decoder.raw_decode(text)
        except ValueError:
            return None
        return ("json", [element]) if isinstance(element, dict) else None
    objects: list[dict[str, object]] = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            objects.append(value)
    return ("jsonl", objects) if objects and len(objects) * 2 >= len(lines) else None


def _sniff_json(objects: list[dict[str, object]], *, layout: str) -> Sniffed | None:
    keyed = [{key.lower(): value for key, value in obj.items()} for obj in objects]
    changes = sum(_is_change_record(set(obj), change_type=obj.get("type")) for obj in keyed)
    if changes * 2 >= len(keyed):
        return Sniffed("changes", f"changes_{layout}")
    reports = sum(_is_report_record(set(obj)) for obj in keyed)
    if reports * 2 >= len(keyed):
        return Sniffed("reports", f"reports_{layout}")
    return None
