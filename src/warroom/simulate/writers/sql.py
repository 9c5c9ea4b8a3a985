"""SQL fragments shared by the text formats: offsets, logfmt quoting, syslog priorities."""

from __future__ import annotations

import duckdb

# logfmt values are bare unless they hold a space, a quote, an equals sign or nothing at all.
LOGFMT_MACRO = r"""
CREATE OR REPLACE MACRO lf(v) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN v = '' OR regexp_matches(v, '[\s"=\\]')
    THEN '"' || replace(replace(replace(v, '\', '\\'), '"', '\"'), chr(10), '\n') || '"'
  ELSE v END
"""


def offset_text(offset_s: int) -> str:
    """+02:00 / -04:00 / +00:00 for a UTC offset in seconds."""
    sign = "-" if offset_s < 0 else "+"
    minutes = abs(offset_s) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(LOGFMT_MACRO)


def logfmt_pairs(pairs: list[tuple[str, str]]) -> str:
    """`key=value` pairs joined by spaces, skipping the ones whose value is NULL."""
    parts = ", ".join(f"'{key}=' || lf(({expr})::VARCHAR)" for key, expr in pairs)
    return f"concat_ws(' ', {parts})"


# The fields every text format carries for an event, in the order they are written.
REQUEST_FIELDS: list[tuple[str, str]] = [
    ("method", "method"),
    ("path", "path"),
    ("status", "status"),
    ("duration_ms", "duration_ms"),
    ("user", "user_name"),
    ("params.sku", "sku"),
    ("params.quantity", "quantity"),
    ("params.payment_method", "payment"),
    ("user_agent", "user_agent"),
    ("upstream", "upstream"),
    ("job", "job"),
    ("job_id", "CASE WHEN job IS NOT NULL THEN obj END"),
    ("error", "exc_type"),
    ("error_message", "exc_message"),
]
MESSAGE = """CASE WHEN kind = 0 AND status >= 500 THEN 'request failed'
  WHEN kind = 0 THEN 'request completed' ELSE message END"""
