"""The access parser's cheap paths (shape checked on the parts around the request, a request
of three words split at spaces) accept exactly the lines the whole-line expression accepts,
and read the request as the first-and-last-space rule does, on odd lines too."""

from __future__ import annotations

import random
import re
from pathlib import Path

import duckdb

from warroom.evidence.logs import load_log
from warroom.evidence.logs.access import (
    _SHAPE,
    _fields,
    _general_fields,
    _general_seconds,
    _plain_line,
    _seconds,
)
from warroom.evidence.schema import create_statement
from warroom.evidence.types import LoadContext

from .conftest import event_rows

_HEAD = "10.1.2.3 - alice [04/Mar/2026:14:02:11 +0100] "
_PIECES = [
    '"', "\\", '\\"', " ", "  ", "-", "GET", "get", "G3T", "/a?b=1&c=2", "HTTP/1.1", "500",
    "1234", '"-"', '"Mozilla/5.0"', " 0.153", ' rt=0.1 uct="0.2"', "[", "]", "\t", "x y",
]  # fmt: skip
_BASE = '"GET /api/orders?page=2 HTTP/1.1" 500 1234 "https://shop.example/" "Mozilla/5.0" 0.153'


def _odd_lines(count: int) -> list[str]:
    """Access lines with pieces spliced in (the time stays readable), seeded: the same every run."""
    rng = random.Random(20260304)
    lines = []
    for _ in range(count):
        tail = list(_BASE)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(tail) + 1)
            tail[at : at + rng.randint(0, 3)] = list(rng.choice(_PIECES))
        lines.append(_HEAD + "".join(tail))
    return lines


def _request(message: str) -> tuple[str | None, str | None, str | None]:
    """The documented rule: the method before the first space, the protocol after the last."""
    method, space, after = message.partition(" ")
    if not space or not re.fullmatch(r"[A-Za-z]+", method):
        return None, None, None
    target, gap, protocol = after.rpartition(" ")
    return (method.upper(), target, protocol) if gap else (method.upper(), after, None)


def test_access_odd_lines_accepted_as_the_whole_line_shape_says(tmp_path: Path) -> None:
    lines = _odd_lines(3000)
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n")
    con = duckdb.connect()
    con.execute(create_statement("events"))
    loaded = load_log(con, path, fmt="access", ctx=LoadContext(root=tmp_path))
    rows = event_rows(con)
    shaped = [number for number, line in enumerate(lines, start=1) if re.match(_SHAPE, line)]
    assert [row["line"] for row in rows] == shaped
    assert loaded.rejected == len(lines) - len(shaped)
    assert 0 < len(shaped) < len(lines)  # both kinds are there
    for row in rows:
        method, target, protocol = _request(row["message"])
        assert row["method"] == method
        assert (row["attrs"] or {}).get("protocol") == protocol
        if target is not None and "?" not in target and "#" not in target and target:
            assert row["path"] == target


_HEADS = [
    "10.1.2.3 - - [04/Mar/2026:14:02:11 +0100] ", "10.1.2.3 - alice [04/Mar/2026:14:02:11] ",
    "a[b - - [04/Mar/2026:14:02:11 +0100] ", "10.1.2.3 - - [04/[Mar/2026:14:02:11 +0100] ",
    "10.1.2.3\t- - [04/Mar/2026:14:02:11 +0100] ", "10.1.2.3 - -  [04/Mar/2026:14:02:11 +0100] ",
    "10.1.2.3 x - - [04/Mar/2026:14:02:11 +0100] ", "- - - [x] ", "10.1.2.3 - - [] ",
    "hôte - élodie [04/Mar/2026:14:02:11 +0100] ", "10.1.2.3 - - [04/Mär/2026:14:02:11 +0100] ",
]  # fmt: skip
_NUMBERS = [" 200 1234 ", " 304 - ", " - - ", " 2000 1 ", " 200 12 34 ", " 200 1234", "200 1 "]
_RESTS = ["", " 0.153", " 1e3", " .5", "  5", " 5 x", "\t5", " 1_000", " 0.5 rt=1", "5", " -1"]


def test_access_plain_lines_read_as_the_general_expression_reads_them() -> None:
    """The position shortcut for plain combined lines gives the fields, and the request time,
    that the general expression gives, on plain lines and on lines nearly plain."""
    rng = random.Random(7)
    lines = _odd_lines(2000) + [
        rng.choice(_HEADS)
        + '"GET /a?b=1 HTTP/1.1"'
        + rng.choice(_NUMBERS)
        + rng.choice(['"-" "curl/8"', '"r" "a b"', '"\\"x" "y"', '"" ""', '"a"  "b"'])
        + rng.choice(_RESTS)
        for _ in range(3000)
    ]
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT unnest($1::VARCHAR[]) AS raw", [lines])
    split = "SELECT raw, string_split(raw, '\"') AS q FROM t"
    fields = (
        f"SELECT raw, {_plain_line()} AS plain, {_fields()} AS m, {_general_fields()} AS general "
        f"FROM ({split})"
    )
    plain, differ = con.execute(
        f"SELECT count(*) FILTER (WHERE plain), count(*) FILTER (WHERE m IS DISTINCT FROM general) "
        f"FROM ({fields})"
    ).fetchone()
    assert differ == 0
    assert 500 < plain < len(lines)  # both paths are taken
    tail = "CASE WHEN contains(m.rest, '=') OR contains(m.rest, '\"') THEN m.rest END AS tail"
    seconds, differ = con.execute(
        f"SELECT count({_seconds()}), count(*) FILTER (WHERE {_seconds()} IS DISTINCT FROM "
        f"{_general_seconds()}) FROM (SELECT m, {tail} FROM ({fields}) WHERE m IS NOT NULL)"
    ).fetchone()
    assert differ == 0
    assert seconds > 1000
