"""A coarse error signature: what kind of failure an event is, without its variable parts.

Exception type when there is one, else the HTTP status class, else the message with numbers,
hex ids and quoted values masked. The template miner refines messages further; this is the
cheap, engine-side key used to tell "the new error" from background noise.
"""

from __future__ import annotations

from typing import Any

import ibis

_VARIABLE = r"0x[0-9a-fA-F]+|[0-9a-fA-F]{8,}|\d+(\.\d+)?|'[^']*'|\"[^\"]*\""


def masked_message(message: Any) -> Any:
    return message.re_replace(_VARIABLE, "<*>").substr(0, 160)


def signature(events: Any) -> Any:
    """Ibis string expression over an events table."""
    status = ibis.ifelse(
        events.status >= 500, "HTTP " + events.status.cast("string"), ibis.null("string")
    )
    return ibis.coalesce(
        events.exception_type, status, masked_message(events.message.fill_null(""))
    )
