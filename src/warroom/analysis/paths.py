"""Route keys: HTTP paths with their variable parts replaced by `{id}`.

`/api/orders/81723/items` becomes `/api/orders/{id}/items`, so that every request to the same
handler counts towards one route. A path segment is an id when it is
- a number (`81723`), a UUID, or a hex id of 8+ hex digits (`5f3a9c0d`, `0x1f2e3d4c`);
- a long token: 16+ URL-safe characters with at least one digit (API keys, base64 ids);
- a word with a run of 4+ digits (`INV-20240117`) or a short prefix glued to a number
  (`ord_123`, `user-42`); or an e-mail address.
Short words with a digit (`v1`, `oauth2`, `ipv6`, `h264`) stay: they name a handler.

The rules exist twice, as a Python function for single strings and as an Ibis expression for
whole columns in the engine; the tests hold the two equal. Query strings and fragments are cut,
repeated slashes collapsed, a trailing slash dropped (`/api/orders/` is `/api/orders`).
"""

from __future__ import annotations

import re
from typing import Any

ID = "{id}"

# One anchored expression for every shape but the long token, which also needs a length and a
# digit (RE2 has no look-ahead to say both at once).
_ID_SHAPES = (
    r"[0-9]+"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?:0x)?[0-9a-fA-F]{8,}"
    r"|[A-Za-z]{1,12}[-_:.][0-9]+"
    r"|.*[0-9]{4}.*"
    r"|[^@]+@[^@]+"
)
ID_RE = rf"^(?:{_ID_SHAPES})$"
TOKEN_RE = r"^[A-Za-z0-9_~=.-]{16,}$"
TOKEN_MIN = 16
DIGIT_RE = r"[0-9]"
DIGIT_RUN_RE = r"[0-9]{4,}"

_id = re.compile(ID_RE)
_token = re.compile(TOKEN_RE)
_digit = re.compile(DIGIT_RE)


def is_id_segment(segment: str) -> bool:
    """True when one path segment is a variable part (an id) rather than a handler name."""
    if _id.search(segment):
        return True
    return len(segment) >= TOKEN_MIN and bool(_token.search(segment) and _digit.search(segment))


def normalise_path(path: str) -> str:
    """`/api/orders/81723/items?x=1` -> `/api/orders/{id}/items` (Python, one string)."""
    bare = re.sub(r"/{2,}", "/", re.sub(r"[?#].*$", "", path))
    parts = [ID if is_id_segment(part) else part for part in bare.split("/")]
    joined = "/".join(parts)
    joined = re.sub(r"(.)/+$", r"\1", joined)
    return joined or "/"


def route_of(method: str | None, path: str) -> str:
    """The contract's endpoint ref: `METHOD /path` with ids replaced."""
    return f"{(method or 'ANY').upper()} {normalise_path(path)}"


def _is_id_expr(segment: Any) -> Any:
    return segment.re_search(ID_RE) | (
        (segment.length() >= TOKEN_MIN) & segment.re_search(TOKEN_RE) & segment.re_search(DIGIT_RE)
    )


def normalised_path(path: Any) -> Any:
    """The same normalisation as an Ibis string expression over a column of paths."""
    import ibis

    bare = path.re_replace(r"[?#].*$", "").re_replace(r"/{2,}", "/")
    parts = bare.split("/").map(lambda part: ibis.ifelse(_is_id_expr(part), ID, part))
    joined = parts.join("/").re_replace(r"(.)/+$", r"\1")
    return joined.nullif("").fill_null("/")


def coarse_path(path: Any) -> Any:
    """Ibis string: every run of 4+ digits as `0000`. Such a segment is an id before and after,
    so normalising the coarse path gives the same route; grouping by it first leaves far fewer
    distinct paths for the (costlier) segment-by-segment normalisation."""
    return path.re_replace(DIGIT_RUN_RE, "0000")


def route(events: Any) -> Any:
    """Ibis string: `METHOD /path` for each request row of an events table."""
    method = events.method.upper().fill_null("ANY")
    return method + " " + normalised_path(events.path)
