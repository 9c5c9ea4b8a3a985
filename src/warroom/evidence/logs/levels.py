"""Level normalisation: every spelling of a level -> trace, debug, info, warn, error or fatal.

Words (any case, brackets and trailing colons ignored): the names of Python logging, log4j,
java.util.logging, syslog, Go and Node loggers, and single letters (T D I W E F, glog and
Android style). Numbers: 0..7 are syslog severities (GELF uses them), 10..60 are bunyan/pino
levels. Anything else is NULL: an unknown level is better left unknown than guessed.
"""

from __future__ import annotations

from typing import Final

from warroom.evidence.logs.records import literal, literal_list

LEVEL_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "trace": ("trace", "trc", "finest", "finer", "verbose", "v", "t"),
    "debug": ("debug", "dbg", "fine", "config", "d"),
    "info": ("info", "inf", "information", "informational", "notice", "i", "n"),
    "warn": ("warn", "warning", "wrn", "w"),
    "error": ("error", "err", "eror", "severe", "e"),
    "fatal": (
        "fatal",
        "critical",
        "crit",
        "alert",
        "emerg",
        "emergency",
        "panic",
        "dpanic",
        "f",
        "c",
        "a",
    ),
}

# Syslog severity 0..7 -> level.
SYSLOG_SEVERITIES: Final = ("fatal", "fatal", "fatal", "error", "warn", "info", "info", "debug")
# Upper bounds (exclusive) of the bunyan/pino ranges, from trace (10) up to fatal (60).
_BUNYAN: Final = (("trace", 20), ("debug", 30), ("info", 40), ("warn", 50), ("error", 60))
# Characters around a level word that do not change it: `[error]`, `<warn>`, `info:`.
_DECORATION: Final = " []:<>()"


def syslog_severity_level(severity_sql: str) -> str:
    """A syslog severity number (0..7) -> level."""
    return f"({literal_list(SYSLOG_SEVERITIES)})[TRY_CAST({severity_sql} AS INTEGER) + 1]"


def normalise_level(text_sql: str) -> str:
    """Any level text or number -> one of the six levels, or NULL."""
    words = [word for names in LEVEL_WORDS.values() for word in names]
    targets = [level for level, names in LEVEL_WORDS.items() for _ in names]
    lookup = f"({literal_list(targets)})[list_position({literal_list(words)}, {{word}})]"
    number = f"TRY_CAST({text_sql} AS INTEGER)"
    bunyan = " ".join(f"WHEN {number} < {bound} THEN {literal(level)}" for level, bound in _BUNYAN)
    numeric = (
        f"CASE WHEN {number} BETWEEN 0 AND 7 THEN {syslog_severity_level(number)} "
        f"WHEN {number} < 10 THEN NULL {bunyan} WHEN {number} < 70 THEN 'fatal' END"
    )
    # Most values are bare words: look them up first; trim and parse only what is left.
    return (
        f"coalesce({lookup.format(word=f'lower({text_sql})')}, "
        f"CASE WHEN {text_sql}[1] BETWEEN '0' AND '9' THEN {numeric} "
        f"ELSE {lookup.format(word=f'lower(trim({text_sql}, {literal(_DECORATION)}))')} END)"
    )
