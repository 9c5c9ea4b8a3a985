"""Prometheus text sample lines: the cheap cut of the usual line gives the parts that the
whole-line expression captures, on odd lines too (seeded, the same every run)."""

from __future__ import annotations

import random

import duckdb

from warroom.evidence.metrics import _PROM_LINE, _sample_parts
from warroom.evidence.tabular import literal

_PIECES = [
    "cpu_used", "_total", "a:b", " ", "  ", "\t", "{", "}", '{host="web-1"}', '{a="}"}',
    '{a="x",b="y z"}', "7.4", "-1e3", "NaN", "1776549600", "1776549600.5", "#", "x}", "{}",
]  # fmt: skip


def _lines(count: int) -> list[str]:
    rng = random.Random(759)
    base = 'cpu_used_percent{host="web-1",mode="user"} 7.4 1776549600'
    lines = []
    for _ in range(count):
        if rng.random() < 0.6:
            line = list(base)
            for _ in range(rng.randint(0, 3)):
                at = rng.randrange(len(line) + 1)
                line[at : at + rng.randint(0, 4)] = list(rng.choice(_PIECES))
            lines.append("".join(line).strip())
        else:
            lines.append("".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 8))).strip())
    return [line for line in lines if line and not line.startswith("#")]


def test_sample_parts_equal_the_captures_of_the_whole_line() -> None:
    con = duckdb.connect()
    lines = _lines(6000)
    con.execute("CREATE TABLE clean (n BIGINT, line VARCHAR, body VARCHAR)")
    con.executemany("INSERT INTO clean VALUES (?, ?, ?)", [[i, s, s] for i, s in enumerate(lines)])
    groups = "['name', 'braces', 'labels', 'value', 'tsgroup', 'ts']"
    captured = (
        f"list_transform([regexp_extract(body, {literal(_PROM_LINE)}, {groups})], "
        "lambda x: struct_pack(name := x.name, labels := x.labels, value := x.value, "
        "ts := x.ts))[1] AS q"
    )
    rows = con.execute(
        f"SELECT c.n, c.body, p.p, c.q FROM (SELECT n, body, {captured} FROM clean) c "
        f"JOIN ({_sample_parts('clean')}) p USING (n) ORDER BY c.n"
    ).fetchall()
    assert len(rows) == len(lines)
    differing = [(body, cut, whole) for _, body, cut, whole in rows if cut != whole]
    assert differing == []
    usual = sum(1 for _, _, cut, _ in rows if cut["name"])
    assert 0 < usual < len(rows)  # matched and unmatched lines are both there
