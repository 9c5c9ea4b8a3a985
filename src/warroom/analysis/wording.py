"""Numbers in findings' statements, written the same way by every analyzer."""

from __future__ import annotations

import hashlib


def count_of(hits: int, total: int | float) -> str:
    """`412 of 2,931`."""
    return f"{hits:,} of {int(total):,}"


def q_text(q_value: float | None, name: str = "q") -> str:
    """`q = 3e-41`, `q = 0.0031`, `q < 1e-300`."""
    if q_value is None:
        return "too few to test"
    if q_value <= 1e-300:
        return f"{name} < 1e-300"
    return f"{name} = {q_value:.2g}" if q_value < 0.001 else f"{name} = {q_value:.3f}"


def rate_text(count: int, seconds: float) -> str:
    """Events per minute or per hour, whichever reads better: `12.0/min`, `0.5/h`, `none`."""
    if count == 0:
        return "none"
    per_minute = count * 60.0 / seconds if seconds > 0 else 0.0
    return f"{per_minute:.1f}/min" if per_minute >= 0.1 else f"{per_minute * 60:.2f}/h"


def short_key(text: str) -> str:
    """A stable 10-hex-digit key for long texts (templates, fingerprints) in finding ids."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
