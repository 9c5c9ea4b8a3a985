"""What counts as an error, a request, a client error — one definition for every analyzer."""

from __future__ import annotations

from typing import Any

ERROR_LEVELS = ("error", "fatal")

# The same definitions as SQL over the `events` table, for analyzers that speak SQL directly.
IS_ERROR_SQL = (
    "(coalesce(status, 0) >= 500 OR coalesce(level, '') IN ('error', 'fatal') "
    "OR exception_type IS NOT NULL)"
)
IS_REQUEST_SQL = "(status IS NOT NULL OR method IS NOT NULL)"
IS_CLIENT_ERROR_SQL = "(status BETWEEN 400 AND 499)"


def is_error(events: Any) -> Any:
    """Ibis boolean: a server-side failure (5xx), an error/fatal log line, or an exception."""
    return (
        (events.status.fill_null(0) >= 500)
        | events.level.fill_null("").isin(ERROR_LEVELS)
        | events.exception_type.notnull()
    )


def is_request(events: Any) -> Any:
    """Ibis boolean: an HTTP request record (access log line or a JSON line with a status)."""
    return events.status.notnull() | events.method.notnull()


def is_client_error(events: Any) -> Any:
    return events.status.between(400, 499)
