"""The manifest: every key, times in the manifest's zone, and errors that name key and line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from warroom.errors import InputError
from warroom.evidence.manifest import Manifest, parse_manifest

FULL = """\
timezone: Europe/Berlin
window:
  incident: ["2026-03-04T14:00:00", 2026-03-04T15:00:00Z]
  baseline:
    - ["2026-03-04T02:00:00Z", "2026-03-04T13:45:00Z"]
service: checkout
hosts:
  "logs/web-3/*": web-3
fields:
  host: [server, machine]
  user: login
git: ["../checkout-service"]
prometheus:
  url: http://127.0.0.1:9090/
  queries: {queue_depth: "sum by (instance) (jobs_queued)"}
"""


def test_manifest_reads_every_key() -> None:
    manifest = parse_manifest(FULL, timezone=None)
    assert manifest.timezone == "Europe/Berlin"
    # a time without an offset is read in the manifest's zone (CET, UTC+1 in March)
    assert manifest.window.incident == (
        datetime(2026, 3, 4, 13, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )
    assert manifest.window.baseline == (
        (datetime(2026, 3, 4, 2, 0, tzinfo=UTC), datetime(2026, 3, 4, 13, 45, tzinfo=UTC)),
    )
    assert manifest.service == "checkout"
    assert manifest.hosts == {"logs/web-3/*": "web-3"}
    assert manifest.fields.as_mapping() == {"host": ("server", "machine"), "user": ("login",)}
    assert manifest.git == ("../checkout-service",)
    assert manifest.prometheus is not None
    assert manifest.prometheus.url == "http://127.0.0.1:9090"
    assert manifest.prometheus.queries == {"queue_depth": "sum by (instance) (jobs_queued)"}


def test_manifest_span_covers_the_windows() -> None:
    manifest = parse_manifest(FULL, timezone=None)
    assert manifest.span() == (
        datetime(2026, 3, 4, 2, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )


def test_manifest_span_without_baseline_looks_a_day_back() -> None:
    text = 'window:\n  incident: ["2026-03-04T14:00:00Z", "2026-03-04T15:00:00Z"]\n'
    assert parse_manifest(text, timezone=None).span() == (
        datetime(2026, 3, 3, 14, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )


def test_manifest_without_window_has_no_span() -> None:
    assert Manifest().span() is None


def test_manifest_naive_times_use_the_callers_zone_when_the_manifest_has_none() -> None:
    text = 'window:\n  incident: ["2026-07-01T12:00:00", "2026-07-01T13:00:00"]\n'
    manifest = parse_manifest(text, timezone="America/New_York")
    assert manifest.window.incident is not None
    assert manifest.window.incident[0] == datetime(2026, 7, 1, 16, 0, tzinfo=UTC)


def test_manifest_empty_text_is_an_empty_manifest() -> None:
    assert parse_manifest("", timezone=None) == Manifest()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("service: a\nservce: b\n", "warroom.yaml line 2: unknown key 'servce'"),
        ("fields:\n  host: [a]\n  hots: [b]\n", "warroom.yaml line 3: unknown key 'fields.hots'"),
        (
            "window:\n  incident: [2026-03-04T14:00:00Z, 2026-03-04T15:00:00Z]\n  basline: []\n",
            "warroom.yaml line 3: unknown key 'window.basline'",
        ),
        (
            "prometheus:\n  url: http://x\n  query: {}\n",
            "warroom.yaml line 3: unknown key 'prometheus.query'",
        ),
    ],
)
def test_manifest_unknown_key_names_key_and_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_manifest(text, timezone=None)
    assert caught.value.message == message
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("the keys allowed there are: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "window:\n  incident: [yesterday, 2026-03-04T15:00:00Z]\n",
            "warroom.yaml line 2: window.incident: 'yesterday' is not an ISO 8601 time",
        ),
        (
            "window:\n  incident: [2026-03-04T15:00:00Z, 2026-03-04T14:00:00Z]\n",
            "warroom.yaml line 2: window.incident: the end must come after the start",
        ),
        (
            "service: a\ntimezone: Mars/Olympus\n",
            "warroom.yaml line 2: timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            "prometheus:\n  url: ftp://x\n",
            "warroom.yaml line 2: prometheus.url: the URL must start with http:// or https://",
        ),
        ("- a\n- b\n", "warroom.yaml line 1: the manifest must be a mapping of keys"),
        ("service: [a\n", "warroom.yaml line 2: not valid YAML"),
    ],
)
def test_manifest_bad_values_name_key_and_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_manifest(text, timezone=None)
    assert caught.value.message == message
