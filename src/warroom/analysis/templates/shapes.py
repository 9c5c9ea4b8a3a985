"""From a digit-masked key to the masked shape the miner groups, bad input included.

Every line gets a shape: blank lines are `<empty>`; lines that are mostly not text (binary,
invalid UTF-8) are `<unparsable>`; control characters become spaces; a shape longer than
`MAX_SHAPE_CHARS` is cut and ends in `<*>`, so a 1 MB line costs the miner no more than a
long one. Those special shapes are never merged with others.
"""

from __future__ import annotations

from typing import Final

from warroom.analysis.templates.masking import PLACEHOLDER, finish, mask_internal

EMPTY: Final = "<empty>"
UNPARSABLE: Final = "<unparsable>"
SPECIAL_SHAPES: Final = frozenset({EMPTY, UNPARSABLE})
MAX_SHAPE_CHARS: Final = 4000
UNPARSABLE_SHARE: Final = 0.3  # lines with more non-text characters than this are binary

_CONTROL_TO_SPACE: Final = dict.fromkeys((*range(32), 127), " ")


def key_text(key: bytes) -> str:
    """A digit-masked key as text: invalid UTF-8 becomes U+FFFD, the line end is dropped."""
    return key.decode("utf-8", errors="replace").rstrip("\r")


def shape_of_key(text: str) -> str:
    """The masked shape of one digit-masked key."""
    special = special_shape(text)
    if special is not None:
        return special
    return shape_of_clean(mask_internal(text.translate(_CONTROL_TO_SPACE)))


def special_shape(text: str) -> str | None:
    """`<empty>` or `<unparsable>` when `text` is not a message, else None."""
    if not text.strip():
        return EMPTY
    sample = text[:4096]
    bad = sum(1 for char in sample if char == "\ufffd" or not (char.isprintable() or char == "\t"))
    return UNPARSABLE if bad > UNPARSABLE_SHARE * len(sample) else None


def shape_of_clean(internal: str) -> str:
    """Finish an internally masked message: visible placeholders, bounded length."""
    shape = finish(internal)
    if len(shape) > MAX_SHAPE_CHARS:
        shape = shape[:MAX_SHAPE_CHARS].rsplit(" ", 1)[0] + " " + PLACEHOLDER
    return shape
