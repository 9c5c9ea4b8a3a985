"""The contract's source keys for each event field (JSON lines and logfmt), and manifest extras.

Keys are compared in lower case, after nested JSON objects are flattened with dots. When a
record carries several keys of one field, the first in the list below wins; keys the manifest
adds (`fields:` in warroom.yaml) come before the contract's, because a user names them on
purpose, e.g. `host: [server]` when `host` holds the HTTP Host header.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from warroom.errors import InputError

# Event field -> source keys, in priority order (contract section 2).
CONTRACT_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "ts": ("timestamp", "@timestamp", "ts", "time", "datetime"),
    "level": ("level", "severity", "lvl", "log.level", "levelname"),
    "message": ("message", "msg", "log", "event"),
    "host": ("host", "hostname", "host.name", "node"),
    "container": (
        "container",
        "container_id",
        "container.id",
        "container.name",
        "pod",
        "k8s.pod.name",
    ),
    "service": ("service", "service.name", "app", "application"),
    "status": ("status", "status_code", "http.status_code", "http.response.status_code"),
    "method": ("method", "http.method", "http.request.method"),
    "path": ("path", "route", "url", "url.path", "http.target", "http.route"),
    "duration_ms": ("duration_ms", "latency_ms", "elapsed_ms", "response_time_ms"),
    "duration_s": ("duration", "response_time"),
    "exception_type": ("error", "error.type", "exception", "exception.type", "error.kind"),
    "stack": (
        "stack",
        "stacktrace",
        "stack_trace",
        "error.stack_trace",
        "exception.stacktrace",
        "traceback",
    ),
    "user": ("user", "user_id", "user.id", "customer_id", "account_id"),
}

# Extra keys only logfmt lines use for time and level (log15 `t`, Heroku router `at`).
LOGFMT_EXTRA_KEYS: Final[dict[str, tuple[str, ...]]] = {"ts": ("t",), "level": ("at",)}

TIME_KEYS: Final = frozenset(CONTRACT_KEYS["ts"])


def field_keys(
    extra: Mapping[str, tuple[str, ...]] | None = None,
    *,
    base: Mapping[str, tuple[str, ...]] = CONTRACT_KEYS,
) -> dict[str, tuple[str, ...]]:
    """Field -> lower-case source keys: the manifest's extras first, then `base`.

    A key the manifest gives to one field is taken away from the field the contract gave it to.
    """
    unknown = sorted(set(extra or {}) - set(CONTRACT_KEYS) - {"duration_s"})
    if unknown:
        raise InputError(
            f"unknown event field {unknown[0]!r} in the manifest's fields",
            hint="map one of: " + ", ".join(name for name in CONTRACT_KEYS if name != "duration_s"),
        )
    claimed = {key.lower() for keys in (extra or {}).values() for key in keys}
    keys: dict[str, tuple[str, ...]] = {}
    for name, defaults in base.items():
        mine = [key.lower() for key in (extra or {}).get(name, ())]
        rest = [key for key in defaults if key not in claimed]
        keys[name] = tuple(dict.fromkeys([*mine, *rest]))
    return keys


def logfmt_keys(extra: Mapping[str, tuple[str, ...]] | None = None) -> dict[str, tuple[str, ...]]:
    """`field_keys` with logfmt's extra time and level keys after the contract's."""
    base = {
        name: (*defaults, *LOGFMT_EXTRA_KEYS.get(name, ()))
        for name, defaults in CONTRACT_KEYS.items()
    }
    return field_keys(extra, base=base)
