"""The catalog: stable ids, bad-input groups kept apart, counts per template."""

from __future__ import annotations

from warroom.analysis.templates.catalog import build_catalog, template_id
from warroom.analysis.templates.shapes import EMPTY, UNPARSABLE


def test_catalog_ids_are_a_hash_of_the_template_text() -> None:
    assert template_id("a <*>") == template_id("a <*>")
    assert template_id("a <*>") != template_id("b <*>")
    assert len(template_id("a <*>")) == 12


def test_catalog_keeps_empty_and_unparsable_lines_apart() -> None:
    catalog = build_catalog(["a <*>", EMPTY, UNPARSABLE, "b <*>"], [3, 2, 1, 4])
    names = [catalog.templates[index] for index in catalog.of_shape]
    assert names == ["a <*>", EMPTY, UNPARSABLE, "b <*>"]
    assert dict(zip(catalog.templates, catalog.counts.tolist(), strict=True)) == {
        "a <*>": 3,
        EMPTY: 2,
        UNPARSABLE: 1,
        "b <*>": 4,
    }
