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

# One pass: the alternatives are tried left to right at each position, so the wide shapes come
# first (a URL is not masked piece by piece as a path and numbers). Two alternatives keep what
# precedes the variable, in groups 1 and 2: the key of key=value, the delimiter before a path.
_ALTERNATIVES = (
    r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+",  # URL
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # e-mail
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b",  # time of day
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",  # UUID
    r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b",  # IPv4 with optional port
    r"\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b",  # IPv6 (full forms)
    r"\b([\w.-]+=)(?:\"[^\"]*\"|'[^']*'|[^\s,;&)\]]+)",  # key=value
    r"(^|[\s=(\[\"',])(?:/[^\s\"'()\[\],;/]+){2,}/?",  # path with 2+ segments
    r"\"[^\"]*\"|'[^']*'",  # quoted string
    r"\b0x[0-9a-fA-F]+\b",  # hex literal
    r"\b[0-9a-fA-F]*(?:[0-9][0-9a-fA-F]*[a-fA-F]|[a-fA-F][0-9a-fA-F]*[0-9])[0-9a-fA-F]*\b",
    r"[-+]?\b\d+(?:\.\d+)?(?:[a-zA-Z%]{1,3})?\b",  # number, with a unit (500ms, 12.5s)
)
MASK_RE = "|".join(_ALTERNATIVES)
MASK_REPLACEMENT = r"\1\2" + WILDCARD
RUN_RE = r"(?:<\*>[\s,.:;/-]{0,2})*<\*>"  # runs of variables collapse into one


# Free-standing numbers (ids, durations, counts): `order 81723)`, `took 12ms`, `user=42`.
# Numbers glued to a name, a dot, a colon or a slash are left alone (`v2`, `10.0.0.5`, `:443`).
LOOSE_NUMBER = r"(^|[\s=(\[#,])[-+]?\d+(?:\.\d+)?(?:ms|s)?($|[\s)\],;])"


def coarse_message(message: Any) -> Any:
    """Ibis string: free-standing numbers replaced by `0`. The template of the coarse message is
    the template of the message (both become `<*>`), so callers may group by it first: messages
    that differ only in an id or a duration then cost one masking, not one each."""
    return message.re_replace(LOOSE_NUMBER, r"\10\2")  # RE2 reads \1 then "0": one digit each


def template_of(message: Any) -> Any:
    """Ibis string: one message column with its variables masked (engine-side, vectorised)."""
    masked = message.re_replace(MASK_RE, MASK_REPLACEMENT)
    return masked.re_replace(RUN_RE, WILDCARD).strip().substr(0, MAX_TEMPLATE_CHARS)


def with_templates(events: Any, *, column: str = "message", name: str = "template") -> Any:
    """`events` (an Ibis table) plus a string column `name` holding each row's template.

    Callers pass distinct messages (grouped, with counts) where they can: the cost is per row.
    """
    return events.mutate(**{name: template_of(events[column])})
