"""Raw bytes to per-line templates: order, output, summary, bad input, determinism."""

from __future__ import annotations

import random

from warroom.analysis.templates.pipeline import mine_lines, summarize, tsv_output
from warroom.analysis.templates.shapes import EMPTY, UNPARSABLE

LINES = [
    "Failed to parse quantity 1.5 for order 77",
    "Connection reset by peer",
    "Failed to parse quantity 12 for order 4120",
    "",
    "12 34 56",
    "98 7 1234",
    "Failed to parse quantity 3 for order 9",
]


def _per_line(data: bytes) -> list[str]:
    mined = mine_lines(data)
    return [mined.catalog.templates[index] for index in mined.line_template]


def test_pipeline_gives_each_line_its_template_in_order() -> None:
    assert _per_line(("\n".join(LINES) + "\n").encode()) == [
        "Failed to parse quantity <*> for order <*>",
        "Connection reset by peer",
        "Failed to parse quantity <*> for order <*>",
        EMPTY,
        "<*> <*> <*>",
        "<*> <*> <*>",
        "Failed to parse quantity <*> for order <*>",
    ]


def test_pipeline_tsv_output_is_one_id_and_template_per_line() -> None:
    mined = mine_lines(("\n".join(LINES) + "\n").encode())
    rows = bytes(tsv_output(mined)).decode().splitlines()
    assert len(rows) == len(LINES)
    ids = [row.split("\t")[0] for row in rows]
    assert ids[0] == ids[2] == ids[6] != ids[1]
    assert rows[1].split("\t")[1] == "Connection reset by peer"


def test_pipeline_summary_counts_first_last_and_example() -> None:
    data = ("\n".join(LINES) + "\n").encode()
    rows = summarize(mine_lines(data), data)
    top = rows[0]
    assert (top.template, top.count, top.first_line, top.last_line) == (
        "Failed to parse quantity <*> for order <*>",
        3,
        1,
        7,
    )
    assert top.example == LINES[0]
    assert sum(row.count for row in rows) == len(LINES)


def test_pipeline_survives_bad_input() -> None:
    data = b"\xff\xfe\xfd\xfc\x00\x01\x02\n" + b"word " * 200_000 + b"\n \t \nok 5\r\n"
    assert _per_line(data) == [UNPARSABLE, _per_line(b"word " * 200_000)[0], EMPTY, "ok <*>"]
    assert _per_line(b"word " * 200_000)[0].endswith(" <*>")


def test_pipeline_ids_do_not_depend_on_line_order() -> None:
    lines = [f"user u{i % 13} bought {i} items" for i in range(200)] + LINES
    shuffled = lines[:]
    random.Random(3).shuffle(shuffled)
    first, second = (
        mine_lines(("\n".join(lines)).encode()),
        mine_lines(("\n".join(shuffled)).encode()),
    )
    pairs_first = {
        (t, i) for t, i in zip(first.catalog.templates, first.catalog.template_ids, strict=True)
    }
    pairs_second = {
        (t, i) for t, i in zip(second.catalog.templates, second.catalog.template_ids, strict=True)
    }
    assert pairs_first == pairs_second


def test_pipeline_empty_input_has_no_lines() -> None:
    mined = mine_lines(b"")
    assert len(mined.line_template) == 0
    assert bytes(tsv_output(mined)) == b""
