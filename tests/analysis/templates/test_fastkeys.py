"""The vectorised digit-word stage gives exactly the regex's keys, on any bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.analysis.templates import fastkeys
from warroom.analysis.templates.fastkeys import digit_word_keys
from warroom.analysis.templates.masking import mask_digit_words


def _keys(data: bytes) -> list[bytes]:
    result = digit_word_keys(data)
    return [result.keys[index] for index in result.indices]


def test_fastkeys_match_the_regex_per_line() -> None:
    lines = [
        "blk_-123 node-4",
        "a_-1_-2 x_--3 __-9",
        "0x1f at 10.2.3.4:80",
        "",
        "no digits",
        "-_-5",
    ]
    data = ("\n".join(lines) + "\n").encode()
    assert [key.decode() for key in _keys(data)] == [mask_digit_words(line) for line in lines]


def test_fastkeys_group_lines_that_differ_only_in_digits() -> None:
    result = digit_word_keys(b"took 5 ms\ntook 1234 ms\ntook x ms\n")
    assert result.indices.tolist() == [0, 0, 1]
    assert result.keys == [b"took 0 ms", b"took x ms"]


def test_fastkeys_handle_bad_bytes_without_crashing() -> None:
    huge = b"x" * 1_000_000 + b" 42"
    data = b"\xff\xfe\x00 7\r\n" + huge + b"\n\n" + b"last line without newline 9"
    keys = _keys(data)
    assert keys == [
        b"\xff\xfe\x00 0\r",
        b"x" * 1_000_000 + b" 0",
        b"",
        b"last line without newline 0",
    ]


def test_fastkeys_empty_input_has_no_lines() -> None:
    assert digit_word_keys(b"").line_count == 0


def test_fastkeys_chunks_split_only_at_line_ends(monkeypatch) -> None:
    monkeypatch.setattr(fastkeys, "CHUNK_BYTES", 7)
    lines = [f"line {i} id{i * 7}x" for i in range(50)]
    data = ("\n".join(lines) + "\n").encode()
    assert [key.decode() for key in _keys(data)] == [mask_digit_words(line) for line in lines]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="aZ_-09 .:\té€\x00", max_size=40), min_size=1, max_size=30))
def test_fastkeys_equal_the_regex_on_random_text(lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode()
    assert [key.decode() for key in _keys(data)] == [mask_digit_words(line) for line in lines]
