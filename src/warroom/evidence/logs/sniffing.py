"""Recognise a log format from the first lines of a file, by content (never by name).

The checks run in order, each with the same patterns its parser uses: JSON lines (mostly
objects, at least half of them with a time key of the contract), access logs, syslog, logfmt,
plain logs. Single-line formats need 80% of the sample to match, so a few malformed lines do
not hide a format (they are rejected at load time). Anything else is not a log: a JSON
array, CSV, a crontab, Prometheus text, JSON objects without a time key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Final

from warroom.evidence.logs.access import is_access_line
from warroom.evidence.logs.fields import TIME_KEYS
from warroom.evidence.logs.levels import LEVEL_WORDS
from warroom.evidence.logs.logfmt import PAIR_RE, split_line
from warroom.evidence.logs.plain import has_level, is_record_start
from warroom.evidence.logs.syslog import SYSLOG_LINE_RE

SAMPLE_LINES: Final = 64
_MOST: Final = 0.8
_LEVEL_NAMES: Final = frozenset(name for names in LEVEL_WORDS.values() for name in names)
_LOGFMT_TIME_KEYS: Final = TIME_KEYS | {"t"}
# Go's log package and NGINX date their lines 2026/03/04; their records may have no level.
_SLASH_DATE: Final = re.compile(r"\[?\d{4}/\d{2}/\d{2} ")

_SNIFF_CHARS: Final = 4096  # of a logfmt body, enough to tell its shape


def sniff_log(sample: list[str]) -> str | None:
    """The log format of a file from its first non-empty lines (decoded, up to ~64), or None."""
    lines = [line.rstrip("\r\n") for line in sample if line.strip()][:SAMPLE_LINES]
    if not lines:
        return None
    if lines[0].lstrip().startswith("{"):
        return "jsonl" if _is_json_log(lines) else None
    if _json_array_start(lines[0]):
        return None
    checks: tuple[tuple[str, Callable[[list[str]], bool]], ...] = (
        ("access", lambda found: _most(found, is_access_line)),
        ("syslog", lambda found: _most(found, _is_syslog_line)),
        ("logfmt", _is_logfmt),
        ("plain", _is_plain),
    )
    return next((name for name, check in checks if check(lines)), None)


def _most(lines: list[str], matches: Callable[[str], bool]) -> bool:
    return sum(1 for line in lines if matches(line)) >= _MOST * len(lines)


def _is_json_log(lines: list[str]) -> bool:
    # A JSON log may have plain lines in between (a trace printed raw): half is enough.
    objects = [found for found in map(_json_object, lines) if found is not None]
    if len(objects) * 2 < len(lines):
        return False
    timed = sum(1 for found in objects if TIME_KEYS & set(_flat_keys(found)))
    return timed * 2 >= len(objects)


def _json_array_start(line: str) -> bool:
    stripped = line.strip()
    if stripped == "[":
        return True
    try:
        return isinstance(json.loads(stripped), list)
    except ValueError:
        return stripped.startswith("[{") or stripped.startswith('["')


def _json_object(line: str) -> dict[str, Any] | None:
    try:
        found = json.loads(line)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _flat_keys(found: dict[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in found.items():
        name = f"{prefix}{key}".lower()
        yield name
        if isinstance(value, dict):
            yield from _flat_keys(value, prefix=f"{name}.")


def _is_syslog_line(line: str) -> bool:
    match = SYSLOG_LINE_RE.match(line)
    if match is None:
        return False
    host = match.group(17)  # the host of the ISO-dated shape, which plain logs resemble
    return host is None or (not host.endswith(":") and host.lower() not in _LEVEL_NAMES)


def _is_logfmt(lines: list[str]) -> bool:
    shaped = [_logfmt_shape(line) for line in lines]
    if sum(1 for shape in shaped if shape is not None) < _MOST * len(lines):
        return False
    return any(shape for shape in shaped)


def _logfmt_shape(line: str) -> bool | None:
    """None if the line is not logfmt, else whether it carries a time."""
    time, tag, body = split_line(line)
    # PAIR_RE's key class retries from every character of a long word without "=", which is
    # quadratic: a 16 kB first line took 26 s. The first few kB decide the shape just as well.
    body = body[:_SNIFF_CHARS]
    pairs = PAIR_RE.findall(body)
    pure = len(pairs) >= 2 and not PAIR_RE.sub("", body).strip()
    if not (pure or (time and tag)):
        return None
    return bool(time) or any(key.lower() in _LOGFMT_TIME_KEYS for key, _ in pairs)


def _is_plain(lines: list[str]) -> bool:
    starts = [line for line in lines if is_record_start(line)]
    if not starts or not (is_record_start(lines[0]) or len(starts) >= 0.2 * len(lines)):
        return False
    leveled = any(has_level(line) or _SLASH_DATE.match(line) for line in starts)
    return leveled or len(starts) * 2 >= len(lines)
