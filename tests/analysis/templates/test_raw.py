"""`--raw`: whole log lines read by investigate's parsers, one message per input line."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warroom.analysis.templates.pipeline import mine_lines
from warroom.analysis.templates.raw import raw_messages
from warroom.analysis.templates.shapes import EMPTY, UNPARSABLE
from warroom.evidence.logs import load_log
from warroom.evidence.schema import create_statement
from warroom.evidence.types import LoadContext
from warroom.simulate import generate

PLAIN = (
    "2026-03-04 14:00:01,001 ERROR [http-1] shop: Failed to parse quantity 1.5 for order 77\n"
    "2026-03-04 14:00:01,500 INFO  [main] org.acme.cart.CartService: Cart 7 is empty\n"
    "2026-03-04 14:00:02,002 - INFO  [Worker[id=3]/0.0.0.0:2181:Election@77] - New election\n"
    "2026-03-04 14:00:02.100  INFO 1341 --- [scheduling-1] c.s.checkout.Application : health ok\n"
    "2026-03-04 14:00:03,003 ERROR app.db: Error: connection refused\n"
    "Traceback (most recent call last):\n"
    '  File "/srv/app/db.py", line 12, in connect\n'
    "\n"
    "2026-03-04 14:00:04,004 WARNING retry 3 of 5\n"
)


def test_raw_plain_lines_lose_time_level_and_component() -> None:
    found = raw_messages(PLAIN.encode())
    assert found.format == "plain"
    assert found.data.decode().split("\n")[:-1] == [
        "Failed to parse quantity 1.5 for order 77",
        "Cart 7 is empty",
        "New election",
        "health ok",
        "Error: connection refused",  # a plain word with a colon is message, not component
        "Traceback (most recent call last):",  # continuation lines stay as they are
        '  File "/srv/app/db.py", line 12, in connect',
        "",
        "retry 3 of 5",
    ]


def test_raw_unknown_format_falls_back_to_the_generic_header_rule() -> None:
    lines = (
        "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating\n"
        "081109 203807 222 INFO dfs.DataNode$PacketResponder: PacketResponder 0 terminating\n"
    )
    found = raw_messages(lines.encode())
    assert found.format is None and "generic" in found.note
    assert found.data == b"PacketResponder 1 terminating\nPacketResponder 0 terminating\n"


def _investigate_messages(path: Path, fmt: str) -> dict[int, str]:
    connection = duckdb.connect()
    connection.execute(create_statement("events"))
    load_log(connection, path, fmt=fmt, ctx=LoadContext(root=path.parent))
    rows = connection.execute(
        'SELECT "line", message FROM events WHERE message IS NOT NULL'
    ).fetchall()
    return {int(line): str(message) for line, message in rows}


@pytest.mark.parametrize("fmt", ["jsonl", "logfmt", "syslog", "access"])
def test_raw_simulated_logs_give_investigates_messages(tmp_path: Path, fmt: str) -> None:
    generate("bad_deploy", seed=2, out=tmp_path / "bundle", fmt=fmt, lines=5_000)
    path = max((tmp_path / "bundle" / "logs").rglob("*.*"), key=lambda p: p.stat().st_size)
    data = path.read_bytes()
    found = raw_messages(data)
    assert found.format == fmt
    out = found.data.decode().split("\n")[:-1]
    assert len(out) == data.count(b"\n")
    expected = _investigate_messages(path, fmt)
    assert len(expected) > 100
    # Simulated messages carry no component: each line is exactly investigate's message.
    assert {line: out[line - 1] for line in expected} == expected


def test_raw_bad_lines_keep_their_place_and_get_a_template() -> None:
    header = "2026-03-04 14:00:0{} INFO [http-1] shop: "
    lines = [
        header.format(1).encode() + b"has a lone \r carriage return",
        header.format(2).encode() + b"x" * 1_200_000,  # a 1 MB line
        header.format(3).encode() + b"\x00\x01 nul bytes",
        b"\xff\xfe\xfa not utf-8",
        b"",
        header.format(4).encode() + b"12 34 56",  # only variables
        header.format(5).encode() + b"last",
        b"\xff\xfe\xfa\xfb",
    ]
    data = b"\n".join(lines) + b"\n"
    found = raw_messages(data)
    assert found.format == "plain"
    out = found.data.split(b"\n")[:-1]
    assert len(out) == len(lines)
    assert out[0] == b"has a lone   carriage return"
    assert out[1] == b"x" * 1_200_000
    assert out[5:7] == [b"12 34 56", b"last"]
    mined = mine_lines(found.data)
    templates = [mined.catalog.templates[i] for i in mined.line_template.tolist()]
    assert templates[4] == EMPTY and templates[7] == UNPARSABLE
    assert templates[5] == "<*> <*> <*>" and templates[6] == "last"
    assert len(templates[1]) < 5000


def test_raw_binary_input_falls_back_without_a_crash() -> None:
    data = bytes(b for b in range(256) if b != 10) * 40 + b"\n" + b"\x00" * 100 + b"\n"
    found = raw_messages(data)
    assert found.format is None
    assert found.data.count(b"\n") == 2
    mined = mine_lines(found.data)
    assert set(mined.catalog.templates) == {UNPARSABLE}
