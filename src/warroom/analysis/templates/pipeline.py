"""Templates for a block of raw log lines (bytes): the path `warroom templates` takes.

Cost: one vectorised pass over the bytes (`fastkeys`), then Python work per distinct key
and per distinct shape only. Same input, same output, whatever the order of the lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from warroom.analysis.templates.catalog import Catalog, build_catalog
from warroom.analysis.templates.fastkeys import digit_word_keys
from warroom.analysis.templates.miner import DEFAULT_CONFIG, MinerConfig
from warroom.analysis.templates.shapes import key_text, shapes_of_keys


@dataclass(frozen=True)
class MinedLines:
    """Every line's template (`line_template[i]` indexes `catalog.templates`)."""

    line_template: npt.NDArray[np.int32]
    catalog: Catalog


@dataclass(frozen=True)
class TemplateSummary:
    """One row of `warroom templates --summary`."""

    template_id: str
    template: str
    count: int
    first_line: int  # 1-based
    last_line: int
    example: str


def mine_lines(data: bytes, *, config: MinerConfig = DEFAULT_CONFIG) -> MinedLines:
    """Mine templates for newline-separated `data`; one template per line, in order."""
    keys = digit_word_keys(data)
    key_counts = np.bincount(keys.indices, minlength=len(keys.keys))
    shape_index: dict[str, int] = {}
    shape_of_key_index = np.fromiter(
        (
            shape_index.setdefault(shape, len(shape_index))
            for shape in shapes_of_keys([key_text(key) for key in keys.keys])
        ),
        dtype=np.int32,
        count=len(keys.keys),
    )
    shape_counts = np.bincount(shape_of_key_index, weights=key_counts, minlength=len(shape_index))
    catalog = build_catalog(
        list(shape_index), shape_counts.astype(np.int64).tolist(), config=config
    )
    template_of_key = catalog.of_shape[shape_of_key_index] if len(keys.keys) else catalog.of_shape
    return MinedLines(template_of_key[keys.indices], catalog)


def tsv_output(mined: MinedLines) -> pa.Buffer:
    """`ID<TAB>TEMPLATE` for every line, in input order, as one buffer to write out."""
    catalog = mined.catalog
    rows = [
        f"{tid}\t{text}\n".encode()
        for tid, text in zip(catalog.template_ids, catalog.templates, strict=True)
    ]
    per_template = _binary_array(rows)
    # Wrap the numpy indices without a copy (`pa.array` on numpy would import pandas).
    line_template = np.ascontiguousarray(mined.line_template, dtype=np.int32)
    indices = pa.Array.from_buffers(
        pa.int32(), len(line_template), [None, pa.py_buffer(line_template)]
    )
    taken = per_template.take(indices)
    # A sliced or taken string array keeps its values contiguous: the data buffer is the output.
    offsets = np.frombuffer(taken.buffers()[1], dtype=np.int64)[taken.offset :]
    data = taken.buffers()[2]
    if data is None:
        return pa.py_buffer(b"")
    return data.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def _binary_array(values: list[bytes]) -> Any:
    # Built from buffers: `pa.array` on a Python list imports pandas, a second of start-up.
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(value) for value in values])
    data = pa.py_buffer(b"".join(values))
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(values), [None, pa.py_buffer(offsets), data]
    )


def summarize(mined: MinedLines, data: bytes) -> list[TemplateSummary]:
    """Templates with counts, first and last line, and the first line as an example."""
    lines = mined.line_template
    if len(lines) == 0:
        return []
    ids, first = np.unique(lines, return_index=True)
    _, last_reversed = np.unique(lines[::-1], return_index=True)
    last = len(lines) - 1 - last_reversed
    starts = _line_starts(data)
    catalog = mined.catalog
    rows = [
        TemplateSummary(
            template_id=catalog.template_ids[t],
            template=catalog.templates[t],
            count=int(catalog.counts[t]),
            first_line=int(f) + 1,
            last_line=int(lst) + 1,
            example=_line_at(data, starts, int(f)),
        )
        for t, f, lst in zip(ids.tolist(), first.tolist(), last.tolist(), strict=True)
    ]
    return sorted(rows, key=lambda row: (-row.count, row.template))


def _line_starts(data: bytes) -> npt.NDArray[Any]:
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    return np.concatenate(([0], newlines + 1))


def _line_at(data: bytes, starts: npt.NDArray[Any], index: int) -> str:
    start = int(starts[index])
    end = int(starts[index + 1]) - 1 if index + 1 < len(starts) else len(data)
    return data[start:end].decode("utf-8", errors="replace").rstrip("\r")
