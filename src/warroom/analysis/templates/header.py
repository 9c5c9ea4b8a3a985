"""`--raw` fallback: strip the header fields of log lines in a format `investigate` cannot read.

Generic and data-free on purpose: it knows the *kinds* of field a header is made of, not any
one format. From the start of a line it removes, while they last: numbers and timestamps
(`081109`, `2015-10-18`, `18:01:47,978`, `17/06/09`), month names, level words (with up to
two upper-case words before them, as in `RAS KERNEL INFO`), lone dashes, bracketed fields
(`[main]`, `[QuorumPeer[myid=1]/...]`), host-like words that hold a digit (`dn228`,
`R02-M1-N0-C:J12-U11`) and `user@host`; after a level word only brackets and dashes; then one
component: a name followed by `:` (`dfs.DataNode$X:`, `crond(pam_unix)[2915]:`) or a dotted
name followed by a bracketed field.
It stops at the first word that is none of these, so a message is never cut in the middle.
`raw.py` uses the format parsers of `warroom investigate` first; this rule serves only the
formats they do not know (most Loghub systems).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

_LEVEL = (
    r"(?i:trace|debug|info|notice|warn|warning|error|err|crit|critical|alert|emerg|fatal|severe)"
)
BRACKETED = r"\[(?:[^\[\]]|\[[^\]]*\])*\]"
_FIELD = "|".join(
    (
        r"[0-9][0-9:.,/_+-]*(?:T[0-9][0-9:.,+-]*Z?)?",  # numbers, dates, times, epochs
        r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)",
        r"-|NULL",  # empty fields
        BRACKETED,
        r"[A-Za-z][\w.-]*[0-9][\w:./-]*",  # host-like words with a digit
        r"[\w.-]+@[\w.-]+",  # user@host
    )
)
# After the level only brackets and dashes belong to the header ("INFO [main]", "- INFO [x] -").
_LEVEL_PART = rf"(?:[A-Z]+\s+){{0,2}}{_LEVEL}:?\s+(?:(?:{BRACKETED}|-)\s+)*"
_COMPONENT = r"(?:[\w.$/-]+(?:\([^)\s]*\))?(?:\[[^\]\s]*\])?:|[\w$-]+(?:\.[\w$-]+)+\s+\[[^\]]*\])"

HEADER_PATTERN: Final = rf"^\s*(?:(?:{_FIELD})\s+)*(?:{_LEVEL_PART})?(?:{_COMPONENT}\s+)?"


def strip_header(line: str) -> str:
    """The Python form, for one line."""
    return _compiled().sub("", line, count=1)


def strip_header_sql(expression: str) -> str:
    """The SQL form (DuckDB / RE2), for a whole column."""
    pattern = HEADER_PATTERN.replace("'", "''")
    return f"regexp_replace({expression}, '{pattern}', '')"


def strip_headers(data: bytes) -> bytes:
    """Strip the header of every line of `data`; same number of lines, in the same order."""
    import pyarrow as pa  # type: ignore[import-untyped]

    from warroom import duck

    text = data.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    table = pa.table({"line": pa.array(lines, type=pa.large_string())})
    connection = duck.connect()
    try:
        connection.register("raw_lines", table)
        stripped = connection.sql(f"SELECT {strip_header_sql('line')} AS m FROM raw_lines")
        messages = stripped.to_arrow_table().column("m").to_pylist()
    finally:
        connection.close()
    return ("\n".join(messages) + "\n").encode("utf-8") if messages else b""


@cache
def _compiled() -> re.Pattern[str]:
    return re.compile(HEADER_PATTERN, re.ASCII)
