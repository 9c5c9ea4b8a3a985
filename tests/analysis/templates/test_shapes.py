"""Shapes of digit-masked keys: bad input, and the bulk (DuckDB) path equals the Python path."""

from __future__ import annotations

from warroom.analysis.templates import shapes
from warroom.analysis.templates.masking import mask_digit_words
from warroom.analysis.templates.shapes import EMPTY, UNPARSABLE, shapes_of_keys

TEXTS = [
    "Failed to parse quantity '1.5' for user=alice",
    "GET /api/cart/7?x=1 HTTP/1.1 from 10.0.0.1:443",
    "",
    "   ",
    "\ufffd\ufffd\x01\x02",
    "tab\tseparated\x07bell",
    "job 9f1c0a3e-2b4d-4c5e-8f90-1a2b3c4d5e6f done at 2026-03-04T14:00:00Z",
]


def test_shapes_bulk_path_equals_python_path(monkeypatch) -> None:
    keys = [mask_digit_words(text) for text in TEXTS]
    one_by_one = shapes_of_keys(keys)
    monkeypatch.setattr(shapes, "BULK_KEYS", 1)
    assert shapes_of_keys(keys) == one_by_one
    assert one_by_one[2:5] == [EMPTY, EMPTY, UNPARSABLE]
    assert one_by_one[5] == "tab separated bell"
