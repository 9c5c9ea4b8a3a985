"""Masking rules: what each masks, and the Python and SQL (RE2) forms agree."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.analysis.templates.masking import (
    RULES,
    digit_words_sql,
    finish_sql,
    mask,
    mask_digit_words,
    mask_internal_sql,
)

LOGHUB = Path(__file__).resolve().parents[3] / ".." / "shared" / "datasets" / "loghub-2k"


def _sql_mask(messages: list[str]) -> list[str]:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE m (i INTEGER, text VARCHAR)")
    connection.executemany("INSERT INTO m VALUES (?, ?)", list(enumerate(messages)))
    expression = finish_sql(mask_internal_sql(digit_words_sql("text")))
    return [row[0] for row in connection.sql(f"SELECT {expression} FROM m ORDER BY i").fetchall()]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_masking_rule_masks_its_example(rule) -> None:
    masked = mask(f"value {rule.example} seen")
    assert rule.example not in masked
    assert "<*>" in masked


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106",
            "Receiving block <*> src: <*>:<*>",
        ),
        (
            '10.11.10.1 "GET /v2/servers/detail?x=1 HTTP/1.1" status: 200',
            '<*> "GET <*>" status: <*>',
        ),
        (
            "Failed to parse quantity '1.5' for user=alice",
            "Failed to parse quantity '<*>' for user=<*>",
        ),
        (
            "Connecting to ResourceManager at msra-sa-41/10.190.173.170:8030",
            "Connecting to ResourceManager at <*>/<*>:<*>",
        ),
        ("deleted /var/lib/app/cache/x.tmp at 2026-03-04T14:00:00Z", "deleted <*> at <*>"),
        ("instance 9f1c0a3e-2b4d-4c5e-8f90-1a2b3c4d5e6f started", "instance <*> started"),
        (
            "Block rdd_2_3 stored (estimated size 16.0 KB, free 1.5 GB)",
            "Block <*> stored (estimated size <*>, free <*>)",
        ),
        ("boot = -1, node-246 ok", "boot = <*>, node-<*> ok"),
        (
            "mail from ops@example.com via https://hooks.example.com/a/b",
            "mail from <*> via https://<*>",
        ),
        ("no digits here at all", "no digits here at all"),
    ],
)
def test_masking_masks_real_message_shapes(message: str, expected: str) -> None:
    assert mask(message) == expected


def test_masking_sql_form_equals_python_form_on_examples() -> None:
    messages = [f"x {rule.example} y" for rule in RULES] + ["", "  ", "a\tb 12", "é 3é ü"]
    assert _sql_mask(messages) == [mask(message) for message in messages]


def test_masking_sql_form_equals_python_form_on_loghub() -> None:
    if not LOGHUB.is_dir():
        pytest.skip("../shared/datasets/loghub-2k is not present")
    messages: list[str] = []
    for path in sorted(LOGHUB.glob("*/*_2k.log_structured.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            messages += [row["Content"] for row in csv.DictReader(handle)]
    assert len(messages) == 16000
    assert _sql_mask(messages) == [mask(message) for message in messages]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab_-0912 .:/=x'\"é", max_size=30), min_size=1, max_size=20))
def test_masking_sql_digit_words_equal_python(messages: list[str]) -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE m (i INTEGER, text VARCHAR)")
    connection.executemany("INSERT INTO m VALUES (?, ?)", list(enumerate(messages)))
    rows = connection.sql(f"SELECT {digit_words_sql('text')} FROM m ORDER BY i").fetchall()
    assert [row[0] for row in rows] == [mask_digit_words(message) for message in messages]
