"""Message templates: log messages with their variable parts masked, computed in the engine.

`with_templates(events)` is the one interface the messages analyzer uses. This first version
masks variables with regular expressions over the whole column (numbers, hex, UUIDs, IPs and
ports, paths, URLs, e-mails, quoted strings, key=value values, timestamps), so
"timeout after 5000 ms calling payments-gateway:443 (order 81723)" and the same line for order
81724 share the template "timeout after <*> ms calling payments-gateway:<*> (order <*>)".
Host and service names are kept on purpose: they tell which upstream failed.

The template miner (`warroom.analysis.templates`) can replace the masking behind the same
function: it receives the events expression and must return it with a `template` column.
"""

from __future__ import annotations

from typing import Any

WILDCARD = "<*>"
MAX_TEMPLATE_CHARS = 300

# Applied in order: wide shapes first, so a URL is not masked piece by piece as a path and numbers.
MASKS: tuple[tuple[str, str], ...] = (
    (r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+", WILDCARD),  # URL
    (r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", WILDCARD),  # e-mail
    (
        r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
        WILDCARD,
    ),  # timestamp or date
    (r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b", WILDCARD),  # time of day
    (r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", WILDCARD),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b", WILDCARD),  # IPv4 with optional port
    (r"\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b", WILDCARD),  # IPv6 (full forms)
    (r"(^|[\s=(\[\"',])(?:/[^\s\"'()\[\],;/]+){2,}/?", r"\1" + WILDCARD),  # paths, 2+ segments
    (r"\"[^\"]*\"|'[^']*'", WILDCARD),  # quoted strings
    (r"\b([\w.-]+)=[^\s,;&)\]]+", r"\1=" + WILDCARD),  # key=value
    (r"\b0x[0-9a-fA-F]+\b|\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b", WILDCARD),
    (r"\b[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*[0-9][0-9a-fA-F]*\b", WILDCARD),  # hex with letters
    (r"[-+]?\b\d+(?:\.\d+)?(?:[a-zA-Z%]{1,3})?\b", WILDCARD),  # numbers, with units (500ms)
    (r"(?:<\*>[\s,.:;/-]{0,2})*<\*>", WILDCARD),  # runs of variables collapse into one
)


def template_of(message: Any) -> Any:
    """Ibis string: one message column with its variables masked (engine-side, vectorised)."""
    masked = message
    for pattern, replacement in MASKS:
        masked = masked.re_replace(pattern, replacement)
    return masked.strip().substr(0, MAX_TEMPLATE_CHARS)


def with_templates(events: Any, *, column: str = "message", name: str = "template") -> Any:
    """`events` (an Ibis table) plus a string column `name` holding each row's template."""
    return events.mutate(**{name: template_of(events[column])})
