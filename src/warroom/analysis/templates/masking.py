"""Variable masking: the rules as data, with a Python form for single strings and a SQL form.

Masking runs in two stages. The first, *digit words*, turns every word that holds a digit
(`blk_-7128`, `0x1f`, `10`, `attempt_01_m_2`) into the single character `0`; it is the only
stage that must touch every line, so it also has a vectorised numpy form (`fastkeys.py`).
After it, the character `0` can only mean "a variable was here", so every later rule matches
shapes of placeholders (`0.0.0.0` for an IP address) and writes `0` back. The last step turns
each `0` into the visible `<*>`. The later rules run on distinct digit-masked messages only,
which is why they may be many without costing time on a million lines.

Every pattern is valid in both Python `re` (with `re.ASCII`) and RE2 (DuckDB), and avoids
look-around, which RE2 lacks; a prefix that must be kept is captured and written back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

PLACEHOLDER: Final = "<*>"
INTERNAL: Final = "0"  # how a variable is written between rules


@dataclass(frozen=True)
class MaskRule:
    """One masking rule: every match of `pattern` is replaced by `replacement`.

    `replacement` uses RE2's syntax (`\\1` for group 1); `0` is the internal placeholder.
    """

    name: str
    pattern: str
    example: str  # an input the rule masks, for the docs and the tests
    replacement: str = INTERNAL

    @property
    def replacement_python(self) -> str:
        return re.sub(r"\\(\d)", r"\\g<\1>", self.replacement)


# Characters after which a value may start (captured, and written back unchanged).
_BEFORE = r"(^|[\s=(\[{,:;'\"<>|])"

DIGIT_WORDS: Final = MaskRule(
    "digit_words",
    r"(?:[A-Za-z0-9]|_-?)*[0-9](?:[A-Za-z0-9]|_-?)*",
    "blk_-7128370237687728475",
)

# Order matters: each rule sees the output of the ones above it.
RULES: Final[tuple[MaskRule, ...]] = (
    MaskRule(
        "http_request",
        r"\b(GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS) [^\s\"]+ HTTP/0(?:\.0)?",
        "GET /cart?id=7 HTTP/1.1",
        "\\1 0",
    ),
    MaskRule("url", r"(\b[A-Za-z][\w+.-]*://)[^\s\"'<>\])]+", "hdfs://nn:9000/a", "\\10"),
    MaskRule("email", r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b", "ops@example.com"),
    MaskRule(
        "path", _BEFORE + r"(?:~|\.{1,2})?/[\w.~%+@#*$-]+(?:/[\w.~%+@#*$-]*)*", "/var/log/x", "\\10"
    ),
    MaskRule("windows_path", _BEFORE + r"[A-Za-z]:\\[^\s\"']+", "C:\\Temp\\x.log", "\\10"),
    MaskRule(
        "host_name",
        _BEFORE + r"[A-Za-z-]*0[\w-]*(?:\.[A-Za-z][\w-]*){2,}",
        "ip-10-0-0-7.ec2.internal",
        "\\10",
    ),
    MaskRule("dashed_name", r"\b[A-Za-z]+(?:-[A-Za-z]+)+-0\b", "web-prod-3"),
    MaskRule("uuid", r"\b0(?:-0){4}\b", "9f1c0a3e-2b4d-4c5e-8f90-1a2b3c4d5e6f"),
    MaskRule("mac_or_ipv6", r"\b0(?::0){5,7}\b", "00:1a:2b:3c:4d:5e"),
    MaskRule(
        "timestamp",
        r"\b0-0-0(?:[T ]0:0(?::0)?(?:[.,]0)?)?(?:Z|[+-]0(?::0)?)?",
        "2026-03-04T14:00:00.123Z",
    ),
    MaskRule("ip_address", _BEFORE + r"/?0(?:\.0){3}\b", "/10.251.73.220", "\\10"),
    MaskRule("dotted_number", r"-?\b0(?:\.0)+\b", "1.7.0_79"),
    MaskRule("time_of_day", r"\b0:0:0\b", "14:03:59"),
    MaskRule("byte_size", r"\b0 ?(?:[KMGTP]i?)?B\b", "16.0 KB"),
    MaskRule("negative_number", r"(^|[^\w.-])-0\b", "-17", "\\10"),
    MaskRule("quoted", r"(\")[^\s\"]+\"|(')[^\s']+'", "'sku-abc'", "\\1\\20\\1\\2"),
    MaskRule("key_value", r"(\b[A-Za-z_][\w.-]*=)[^\s,;)\]}&\"'<>]+", "user=alice", "\\10"),
)


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    rules = (DIGIT_WORDS, *RULES)
    return tuple((re.compile(rule.pattern, re.ASCII), rule.replacement_python) for rule in rules)


def mask_digit_words(text: str) -> str:
    """The first stage only: every word that holds a digit becomes `0`."""
    return _compiled()[0][0].sub(INTERNAL, text)


def mask_internal(digit_masked: str) -> str:
    """The later rules, on text that went through `mask_digit_words`; variables stay `0`."""
    text = digit_masked
    for pattern, replacement in _compiled()[1:]:
        text = pattern.sub(replacement, text)
    return text


def finish(internal: str) -> str:
    """Turn the internal placeholder into the visible `<*>`."""
    return internal.replace(INTERNAL, PLACEHOLDER)


def mask(text: str) -> str:
    """Mask one message: the Python form of the whole rule chain."""
    return finish(mask_internal(mask_digit_words(text)))


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def digit_words_sql(expression: str) -> str:
    """SQL (DuckDB / RE2) for the first stage, on every line of a column."""
    return f"regexp_replace({expression}, {_sql_string(DIGIT_WORDS.pattern)}, '0', 'g')"


def digit_words_expr(expression: Any) -> Any:
    """The first stage on an Ibis string expression (DuckDB / RE2 underneath)."""
    return expression.re_replace(DIGIT_WORDS.pattern, INTERNAL)


_NONZERO_DIGITS: Final = "123456789"


def zero_digits_sql(expression: str) -> str:
    """SQL: every digit written `0` (nine `replace`s: DuckDB's `translate` is several times
    slower). The digit-word stage gives the same key on the result as on the original: digits
    stay digits, every other character is untouched, and every digit is inside a match that
    becomes `0`. Messages that differ only in their digits become one, to be keyed once."""
    for digit in _NONZERO_DIGITS:
        expression = f"replace({expression}, '{digit}', '0')"
    return expression


def zero_digits_expr(expression: Any) -> Any:
    """`zero_digits_sql` on an Ibis string expression."""
    for digit in _NONZERO_DIGITS:
        expression = expression.replace(digit, "0")
    return expression


def mask_internal_sql(expression: str) -> str:
    """SQL for the later rules, on an expression that went through `digit_words_sql`."""
    for rule in RULES:
        pattern, replacement = _sql_string(rule.pattern), _sql_string(rule.replacement)
        expression = f"regexp_replace({expression}, {pattern}, {replacement}, 'g')"
    return expression


def finish_sql(expression: str) -> str:
    return f"replace({expression}, '{INTERNAL}', '{PLACEHOLDER}')"
