"""From a digit-masked key to the masked shape the miner groups, bad input included.

Every line gets a shape: blank lines are `<empty>`; lines that are mostly not text (binary,
invalid UTF-8) are `<unparsable>`; control characters become spaces; a shape longer than
`MAX_SHAPE_CHARS` is cut and ends in `<*>`, so a 1 MB line costs the miner no more than a
long one. Those special shapes are never merged with others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from warroom import duck
from warroom.analysis.templates.masking import (
    PLACEHOLDER,
    finish,
    mask_internal,
    mask_internal_sql,
)

EMPTY: Final = "<empty>"
UNPARSABLE: Final = "<unparsable>"
SPECIAL_SHAPES: Final = frozenset({EMPTY, UNPARSABLE})
MAX_SHAPE_CHARS: Final = 4000
UNPARSABLE_SHARE: Final = 0.3  # lines with more non-text characters than this are binary
BULK_KEYS: Final = 5000  # from this many distinct keys on, mask them in DuckDB

_CONTROL_TO_SPACE: Final = dict.fromkeys((*range(32), 127), " ")


def key_text(key: bytes) -> str:
    """A digit-masked key as text: invalid UTF-8 becomes U+FFFD, the line end is dropped."""
    return key.decode("utf-8", errors="replace").rstrip("\r")


def shape_of_key(text: str) -> str:
    """The masked shape of one digit-masked key."""
    return shapes_of_keys([text])[0]


def shapes_of_keys(texts: Sequence[str]) -> list[str]:
    """The masked shapes of digit-masked keys; many keys are masked in DuckDB, in bulk."""
    specials = [special_shape(text) for text in texts]
    regular = [
        text.translate(_CONTROL_TO_SPACE)
        for text, s in zip(texts, specials, strict=True)
        if s is None
    ]
    if len(regular) >= BULK_KEYS:
        masked = iter(_mask_in_duckdb(regular))
    else:
        masked = iter([mask_internal(text) for text in regular])
    return [special or shape_of_clean(next(masked)) for special in specials]


def _mask_in_duckdb(texts: list[str]) -> list[str]:
    # The SQL form of the same rules (tests hold both forms equal), vectorised on all cores.
    import pyarrow as pa  # type: ignore[import-untyped]

    connection = duck.connect()
    try:
        connection.register("mask_keys", pa.table({"key": pa.array(texts, type=pa.large_string())}))
        query = f"SELECT {mask_internal_sql('key')} AS internal FROM mask_keys"
        result: list[str] = connection.sql(query).to_arrow_table().column("internal").to_pylist()
    finally:
        connection.close()
    return result


def special_shape(text: str) -> str | None:
    """`<empty>` or `<unparsable>` when `text` is not a message, else None."""
    if not text.strip():
        return EMPTY
    if "\ufffd" not in text and text.isprintable():  # the usual case, checked in C
        return None
    sample = text[:4096]
    bad = sum(1 for char in sample if char == "\ufffd" or not (char.isprintable() or char == "\t"))
    return UNPARSABLE if bad > UNPARSABLE_SHARE * len(sample) else None


def shape_of_clean(internal: str) -> str:
    """Finish an internally masked message: visible placeholders, bounded length."""
    shape = finish(internal)
    if len(shape) > MAX_SHAPE_CHARS:
        shape = shape[:MAX_SHAPE_CHARS].rsplit(" ", 1)[0] + " " + PLACEHOLDER
    return shape
