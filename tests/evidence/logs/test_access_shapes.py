"""The access parser's cheap paths (shape checked on the parts around the request, a request
of three words split at spaces) accept exactly the lines the whole-line expression accepts,
and read the request as the first-and-last-space rule does, on odd lines too."""

from __future__ import annotations

import random
import re
from pathlib import Path

import duckdb

from warroom.evidence.logs import load_log
from warroom.evidence.logs.access import _SHAPE
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
