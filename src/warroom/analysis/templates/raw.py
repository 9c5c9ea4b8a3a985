"""`warroom templates --raw`: the message of every whole log line, by investigate's own parsers.

The format is sniffed and the lines parsed by `warroom.evidence.logs` exactly as `warroom
investigate` loads a log file (JSON lines, access, plain, syslog, logfmt): the time, level,
host, tag and the other header fields are recognised by those parsers, and a line that starts
a record is replaced by the record's message. Then a leading *component* is cut from the
message, which the parsers leave in it: bracketed fields and dashes (`[main]`, `[QuorumPeer
[myid=1]/…] -`) followed by a logger name (`org.apache.hadoop.mapred.Task:`,
`dfs.DataNode$PacketResponder:`, `sshd[811]:`). Every other line (a stack-trace continuation,
a line the parser rejects, a blank line) stays as it is, so the output keeps one line per
input line, in order.

Formats `investigate` does not know (most Loghub systems: `081109 203615 148 INFO …`) fall
back to the generic header rule of `header.py`, and the caller is told so.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from warroom import duck
from warroom.analysis.templates.header import BRACKETED, strip_headers

# Sniffed like `warroom investigate` sniffs a file: non-empty lines of its first 64 KiB.
SNIFF_BYTES: Final = 64 * 1024
SNIFF_LINES: Final = 64
# Longer lines are left out of the sample: a format shows in ordinary lines, and some of the
# sniffer's Python patterns take quadratic time on one very long word.
SNIFF_MAX_LINE_CHARS: Final = 2000
# A logger name standing first: dotted or with `$` (`org.x.Y:`, `dfs.DataNode$X:`), or a tag
# with a process id (`sshd[811]:`, `crond(pam_unix)[2915]:`). A plain first word with a colon
# ("Error: …") is message, not component, and stays; after a bracketed field it is a logger.
_LOGGER = r"(?:[\w$-]+(?:[.$/][\w$-]+)+(?:\[[^\]\s]*\])?|[\w-]+(?:\([^)\s]*\))?\[[^\]\s]*\])"
# Spring Boot puts the process id and `---` first: `1341 --- [main] c.s.App : started`.
COMPONENT_PATTERN: Final = (
    rf"^\s*(?:\d+\s+---\s+)?(?:(?:(?:{BRACKETED}|-+)\s+)+(?:[\w$.-]+\s?:\s+)?"
    rf"|{_LOGGER}(?:\s?:|\s+-)\s+)?(?:-\s+)?"
)


@dataclass(frozen=True)
class RawMessages:
    """One message per input line (newline-separated bytes), and how they were found."""

    data: bytes
    format: str | None  # the investigate format, None when the generic rule was used
    note: str


def raw_messages(data: bytes) -> RawMessages:
    """The message of every line of `data`, one per line, in order."""
    fmt = _sniff(data)
    if fmt is None:
        return RawMessages(
            strip_headers(data),
            None,
            "the log format is none that `warroom investigate` reads; the leading header "
            "fields were stripped by the generic rule",
        )
    return RawMessages(_parsed_messages(data, fmt), fmt, f"lines parsed as {fmt} logs")


def _sniff(data: bytes) -> str | None:
    from warroom.evidence.logs import sniff_log

    lines = data[:SNIFF_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    if len(data) > SNIFF_BYTES and lines:
        lines.pop()  # cut in the middle
    sample = [line for line in lines if line.strip() and len(line) <= SNIFF_MAX_LINE_CHARS]
    return sniff_log(sample[:SNIFF_LINES]) if sample else None


def _parsed_messages(data: bytes, fmt: str) -> bytes:
    """Load `data` with investigate's loader; join each record's message to its line."""

    from warroom.evidence.logs import load_log
    from warroom.evidence.schema import create_statement
    from warroom.evidence.types import LoadContext

    # The loader's reader also ends a line at a lone carriage return; `line` numbers must
    # count newlines only, as the output does.
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b" ")
    connection = duck.connect()
    try:
        connection.execute(create_statement("events"))
        with tempfile.TemporaryDirectory(prefix="warroom-raw-") as folder:
            path = Path(folder) / "input.log"
            path.write_bytes(data)
            load_log(connection, path, fmt=fmt, ctx=LoadContext(root=Path(folder)))
        connection.register("raw_input", _lines_table(data))
        component = COMPONENT_PATTERN.replace("'", "''")
        rows = connection.sql(
            "SELECT coalesce(regexp_replace(replace(e.message, chr(10), ' '), "
            f"'{component}', ''), r.raw) AS m FROM raw_input r "
            'LEFT JOIN (SELECT "line", any_value(message) AS message FROM events '
            'WHERE message IS NOT NULL GROUP BY 1) e ON e."line" = r.line ORDER BY r.line'
        ).to_arrow_table()
    finally:
        connection.close()
    messages = rows.column("m").to_pylist()
    return ("\n".join(messages) + "\n").encode("utf-8") if messages else b""


def _lines_table(data: bytes) -> object:
    import pyarrow as pa  # type: ignore[import-untyped]

    text = data.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return pa.table(
        {
            "line": pa.array(range(1, len(lines) + 1), type=pa.int64()),
            "raw": pa.array(lines, type=pa.large_string()),
        }
    )
