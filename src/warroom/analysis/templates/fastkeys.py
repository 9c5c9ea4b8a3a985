"""The digit-words stage on raw bytes, vectorised with numpy: the only per-line work.

`digit_word_keys` turns a block of newline-separated log lines into one key per line (the line
with every digit-bearing word replaced by `0`, exactly as `masking.DIGIT_WORDS` does it) and
dictionary-encodes the keys, so that everything after it runs once per distinct key.
It works on bytes: invalid UTF-8, NUL bytes and 1 MB lines pass through untouched, and are
only decoded (with replacement characters) once per distinct key.

Two stages keep it fast: digits are first translated to `0` (C speed) and the translated
lines dictionary-encoded (Arrow), so lines that differ only in their digits are one; the
word-level rule then runs over the distinct translated lines only, in chunks of whole lines
on a thread pool (numpy releases the GIL). Memory stays near three times the input size.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

CHUNK_BYTES = 8 << 20
NEWLINE = 10
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


@dataclass(frozen=True)
class LineKeys:
    """Per-line index into `keys`; `keys` are the distinct digit-masked lines (bytes)."""

    indices: npt.NDArray[np.int32]
    keys: list[bytes]

    @property
    def line_count(self) -> int:
        return len(self.indices)


def digit_word_keys(data: bytes, *, workers: int = 2) -> LineKeys:
    """Split `data` into lines and key each line by its digit-masked form."""
    if not data:
        return LineKeys(np.zeros(0, dtype=np.int32), [])
    # Lines that differ only in which digits they hold get the same key, so they are grouped
    # first by a C-speed translation; the word-level masking then runs per distinct line.
    coarse_indices, coarse_lines = _encode(data.translate(_DIGITS_TO_ZERO))
    distinct = _contiguous(coarse_lines)
    fine_indices, fine_lines = _encode(_mask_buffer(distinct, workers))
    keys = [key[:-1] if key.endswith(b"\n") else key for key in fine_lines.to_pylist()]
    return LineKeys(fine_indices[coarse_indices], keys)


def _encode(data: Any) -> tuple[npt.NDArray[np.int32], Any]:
    """Dictionary-encode the lines of `data` (each value keeps its newline)."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buffer == NEWLINE) + 1
    if len(buffer) and buffer[-1] != NEWLINE:
        ends = np.append(ends, len(buffer))
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    values = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    encoded = pc.dictionary_encode(values)
    # Read the int32 indices straight from their buffer: the array protocol imports pandas.
    codes = encoded.indices
    indices = np.frombuffer(codes.buffers()[1], dtype=np.int32)[
        codes.offset : codes.offset + len(codes)
    ]
    return indices, encoded.dictionary


def _contiguous(lines: Any) -> bytes:
    """The bytes of a binary array's values, back to back, ending with a newline."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[
        lines.offset : lines.offset + len(lines) + 1
    ]
    data = lines.buffers()[2]
    raw = data.to_pybytes()[int(offsets[0]) : int(offsets[-1])] if data is not None else b""
    return raw if raw.endswith(b"\n") else raw + b"\n"


def _mask_buffer(data: bytes, workers: int) -> npt.NDArray[np.uint8]:
    buffer = np.frombuffer(data, dtype=np.uint8)
    bounds = _chunk_bounds(data)
    if len(bounds) == 1:
        return _mask_chunk(buffer)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(lambda b: _mask_chunk(buffer[b[0] : b[1]]), bounds))
    return np.concatenate(parts)


def _chunk_bounds(data: bytes) -> list[tuple[int, int]]:
    """Chunks of about CHUNK_BYTES that end just after a newline (`data` ends with one)."""
    bounds = []
    start = 0
    size = len(data)
    while start < size:
        stop = data.find(b"\n", min(start + CHUNK_BYTES, size - 1)) + 1
        bounds.append((start, stop))
        start = stop
    return bounds


def _mask_chunk(chunk: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Replace every run of word characters that holds a digit with a single `0`."""
    # Unsigned wrap-around turns each range test into one subtraction and one comparison.
    digit = (chunk - np.uint8(ord("0"))) < 10
    underscore = chunk == ord("_")
    dash_after_underscore = chunk[1:] == ord("-")
    dash_after_underscore &= underscore[:-1]
    # Word characters as in the regex: letters, digits, `_`, and `-` right after `_`.
    word = ((chunk | np.uint8(0x20)) - np.uint8(ord("a"))) < 26
    word |= digit
    word |= underscore
    word[1:] |= dash_after_underscore
    # Segments alternate between word runs and the gaps between them.
    changes = np.flatnonzero(word[1:] != word[:-1]) + 1
    bounds = np.concatenate(([0], changes, [len(chunk)]))
    seg_starts = bounds[:-1]
    seg_digit = np.maximum.reduceat(digit.view(np.uint8), seg_starts)
    masked_seg = word[seg_starts] & (seg_digit > 0)
    drop = np.repeat(masked_seg, np.diff(bounds))
    first = seg_starts[masked_seg]
    drop[first] = False
    out = chunk.copy()
    out[first] = ord("0")
    return out[~drop]
