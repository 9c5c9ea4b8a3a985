"""Times and durations as responders type them, always stored as aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.errors import InputError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "hr": 3600,
    "d": 86400,
    "w": 604800,
}
_RELATIVE = re.compile(r"^\s*-\s*(\d+(?:\.\d+)?\s*[a-z]+)\s*(?:ago)?\s*$", re.IGNORECASE)
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_TIME_HINT = "use ISO 8601 (2026-03-04T14:02:00Z), 'now', a clock time (14:02) or '-15m'"


def utcnow() -> datetime:
    """The current time, aware, in UTC (the only 'now' the code should use)."""
    return datetime.now(UTC)


def zone(name: str) -> tzinfo:
    """An IANA time zone by name, with a clear error for a typo."""
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            f"unknown time zone {name!r}", hint="use an IANA name such as Europe/Berlin or UTC"
        ) from exc


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '1h', '5d', '2w' -> timedelta."""
    match = _DURATION.match(text)
    if not match:
        raise InputError(
            f"malformed duration {text!r}", hint="write a number and a unit: 30s, 15m, 1h, 5d, 2w"
        )
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()])


def format_duration(delta: timedelta) -> str:
    """Compact human form: '1h 05m', '3d 2h', '45s'."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h" if hours else f"{sign}{days}d"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s" if secs else f"{sign}{minutes}m"
    return f"{sign}{secs}s"


def parse_time(text: str, *, tz: tzinfo = UTC, now: datetime | None = None) -> datetime:
    """Parse a time as a responder types it and return it in UTC.

    Accepts ISO 8601 (an offset or Z; without one, `tz` applies), 'now', a clock time
    ('14:02', today in `tz`, or yesterday if that would be in the future) and relative
    times ('-15m', '-2h ago').
    """
    now = now or utcnow()
    stripped = text.strip()
    if stripped.lower() == "now":
        return now
    relative = _RELATIVE.match(stripped)
    if relative:
        return now - parse_duration(relative.group(1))
    clock = _CLOCK.match(stripped)
    if clock:
        return _from_clock(clock, tz=tz, now=now)
    try:
        parsed = datetime.fromisoformat(stripped.replace("z", "Z"))
    except ValueError as exc:
        raise InputError(f"malformed time {text!r}", hint=_TIME_HINT) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def _from_clock(match: re.Match[str], *, tz: tzinfo, now: datetime) -> datetime:
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise InputError(f"malformed time {match.group(0).strip()!r}", hint=_TIME_HINT)
    local_today: date = now.astimezone(tz).date()
    candidate = datetime.combine(local_today, time(hour, minute, second), tzinfo=tz)
    if candidate > now:
        candidate -= timedelta(days=1)
    return candidate.astimezone(UTC)


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a trailing Z, the form every output of warroom uses."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def iso_seconds(moment: datetime) -> str:
    """ISO 8601 UTC to the second, for sentences people read ('2026-03-04T14:02:10Z')."""
    return iso_z(moment.replace(microsecond=0))


def ensure_utc(moment: datetime) -> datetime:
    """Attach UTC to a naive datetime read back from a database that drops the offset."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
