"""Stack-trace fingerprints: exception type + normalised in-app frames + message template.

Trace parsing has one implementation, the engine expressions of `analysis/frames.py`
(language, exception type, in-app frames innermost first, root cause, exception message for
Python, Java and other JVM languages, Go and Node.js). This module adds the message part,
from the template miner: messages are keyed by the digit-word rule, masked and mined
*together*, so `KeyError: 'sku-123'` and `KeyError: 'sku-9'` share a template, and a word
variable with many values merges as it does in log lines.
Two traces share a fingerprint when the same exception type was raised from the same top
in-app frames (`frames.DEPTH`) with the same message template, whatever the line numbers,
addresses, ids or values in them; a different caller or another message does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from warroom import duck
from warroom.analysis.templates.catalog import build_catalog, template_id
from warroom.analysis.templates.masking import digit_words_expr
from warroom.analysis.templates.shapes import shapes_of_keys

UNKNOWN_EXCEPTION: Final = "(unknown exception)"
MAX_MESSAGE_CHARS: Final = 2000


@dataclass(frozen=True)
class StackFingerprint:
    """What identifies one kind of failure."""

    fingerprint: str
    language: str | None  # python, java, go, node; None when no frame format is recognised
    exception_type: str
    message_template: str
    frames: tuple[str, ...]  # top in-app frames, innermost (the throw site) first
    root_cause: str | None  # the last `Caused by:` type of a JVM trace


def stack_fingerprint(exception_type: str, frames: Sequence[str], message_template: str) -> str:
    """The fingerprint of a failure: a hash of its type, top in-app frames and message template."""
    from warroom.analysis.frames import DEPTH

    return template_id("\n".join([exception_type, *frames[:DEPTH], "", message_template]))


def message_key(message: Any) -> Any:
    """Ibis string: the digit-masked key of an exception message (its start, as for logs)."""
    return digit_words_expr(message.substr(0, MAX_MESSAGE_CHARS))


def templates_of_keys(keys: Sequence[str], counts: Sequence[int]) -> list[str]:
    """The template of each distinct digit-masked message key, mined together."""
    shapes = shapes_of_keys(list(keys))
    shape_index: dict[str, int] = {}
    of_key = [shape_index.setdefault(shape, len(shape_index)) for shape in shapes]
    shape_counts = [0] * len(shape_index)
    for index, count in zip(of_key, counts, strict=True):
        shape_counts[index] += int(count)
    catalog = build_catalog(list(shape_index), shape_counts)
    return [catalog.templates[catalog.of_shape[index]] for index in of_key]


def fingerprint_stack(stack: str) -> StackFingerprint:
    """Fingerprint one trace (its message template comes from the masking rules alone)."""
    return fingerprint_stacks([stack])[0]


def fingerprint_stacks(stacks: Sequence[str]) -> list[StackFingerprint]:
    """Fingerprint many traces, parsed in the engine, their messages mined together."""
    parsed = _parsed(stacks)
    keys = sorted(set(parsed["key"]))
    count_of = parsed["key"].value_counts()
    template_of = dict(
        zip(keys, templates_of_keys(keys, [int(count_of[key]) for key in keys]), strict=True)
    )
    return [_result(row, template_of[row.key]) for row in parsed.sort_values("i").itertuples()]


def _parsed(stacks: Sequence[str]) -> Any:
    import ibis
    import pyarrow as pa  # type: ignore[import-untyped]

    from warroom.analysis import frames

    connection = duck.connect()
    try:
        table = pa.table({"i": pa.array(range(len(stacks)), pa.int64()), "stack": list(stacks)})
        connection.register("stacks", table)
        rows = ibis.duckdb.from_connection(connection).table("stacks")
        text = rows.stack
        found = frames.app_frames(text)
        return rows.select(
            "i",
            lang=frames.language(text),
            kind=frames.parsed_exception_type(text).fill_null(UNKNOWN_EXCEPTION),
            top=found[: frames.DEPTH],
            root=frames.root_cause(text),
            key=message_key(frames.exception_message(text)),
        ).execute()
    finally:
        connection.close()


def _result(row: Any, template: str) -> StackFingerprint:
    top = tuple(str(frame) for frame in row.top) if row.top is not None else ()
    return StackFingerprint(
        fingerprint=stack_fingerprint(row.kind, top, template),
        language=row.lang if isinstance(row.lang, str) else None,
        exception_type=row.kind,
        message_template=template,
        frames=top,
        root_cause=row.root if isinstance(row.root, str) else None,
    )
