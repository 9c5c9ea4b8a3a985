"""JSON-lines logs: key aliases, nesting, epochs, rare keys, mixed shapes, manifest aliases."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from warroom.evidence.logs.attrs import PATTERN_SAMPLE_HEAD, PATTERN_SAMPLE_STRIDE
from warroom.evidence.logs.shapes import SAMPLE_HEAD


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def test_jsonl_fixture_rows(load):
    loaded, rows = load("app.jsonl", "jsonl", default_service="svc", host="web-9")
    assert (loaded.rows, loaded.rejected) == (5, 3)
    assert loaded.rejected_examples == [
        "line 3: not a JSON object: not json at all",
        'line 6: no readable time: {"message": "a record without a time"}',
        "line 8: not a JSON object: [1, 2, 3]",
    ]
    ecs, pino, flat, failure, mixed_case = rows
    assert ecs["ts"] == datetime(2026, 3, 4, 14, 2, 11, 123000, tzinfo=UTC)
    assert (ecs["host"], ecs["container"], ecs["service"], ecs["level"]) == (
        "web-3",
        "4f9c2e1d",
        "checkout",
        "error",
    )
    assert (ecs["status"], ecs["method"], ecs["path"], ecs["user"]) == (
        502,
        "POST",
        "/api/orders",
        "u-17",
    )
    assert (ecs["exception_type"], ecs["message"]) == ("PaymentTimeout", "charge failed")
    assert ecs["stack"] == "PaymentTimeout: provider timed out\n    at charge (/app/pay.js:10:5)"
    assert ecs["attrs"] == {
        "error.message": "provider timed out",
        "event.duration": "1503000000",
        "host.ip": '["10.0.0.3"]',
        "params.coupon": "",
        "params.quantity": "0",
        "url.query": "page=2",
    }
    assert pino["ts"] == datetime(2026, 3, 4, 14, 3, 20, 123000, tzinfo=UTC)  # epoch milliseconds
    assert (pino["level"], pino["host"], pino["service"]) == ("info", "web-4", "svc")
    assert pino["attrs"] == {
        "pid": "4211",
        "req.method": "GET",
        "req.url": "/api/orders/42?expand=items",
        "responseTime": "12",
    }
    assert flat["ts"] == datetime(2026, 3, 4, 14, 3, 21, 500000, tzinfo=UTC)  # epoch seconds
    assert (flat["level"], flat["duration_ms"], flat["user"]) == ("warn", 750.0, "1234")
    assert flat["path"] == "/api/orders/{id}"
    assert flat["attrs"] == {"region": "eu-west-1", "query.verbose": "1,2"}
    assert (failure["exception_type"], failure["status"], failure["duration_ms"]) == (
        "KeyError",
        500,
        41.5,
    )
    assert (failure["container"], failure["service"], failure["user"]) == (
        "checkout-7d9f",
        "pricing",
        "c-88",
    )
    assert failure["stack"].startswith("Traceback (most recent call last):")
    assert failure["attrs"] == {"flag": "true", "tags": '["a","b"]', "query.sku": "sku-9"}
    assert mixed_case["ts"] == datetime(2026, 3, 4, 13, 2, 15, tzinfo=UTC)  # +01:00
    assert (mixed_case["level"], mixed_case["message"]) == ("info", "mixed case keys")
    assert mixed_case["attrs"] == {"Region": "us-east-1"}


def test_jsonl_rare_keys_after_the_sample_are_found(load, tmp_path):
    quiet = [
        {"ts": f"2026-03-04T14:00:{n % 60:02d}Z", "level": "info", "msg": "ok", "n": n}
        for n in range(SAMPLE_HEAD + 500)
    ]
    late = [
        {
            "ts": "2026-03-04T15:00:00Z",
            "level": "error",
            "msg": "charge failed",
            "n": 1,
            "error": {"type": "CardDeclined", "stack_trace": "CardDeclined: no\n\tat x"},
            "order": {"id": "o-1", "items": 3},
        },
        {"ts": "2026-03-04T15:00:01Z", "level": "warn", "msg": "scalar now", "n": {"k": "v"}},
    ]
    loaded, rows = load(_write_jsonl(tmp_path / "big.jsonl", quiet + late), "jsonl")
    assert (loaded.rows, loaded.rejected) == (SAMPLE_HEAD + 502, 0)
    failed, reshaped = rows[-2], rows[-1]
    assert failed["exception_type"] == "CardDeclined"
    assert failed["stack"] == "CardDeclined: no\n\tat x"
    assert failed["attrs"] == {"n": "1", "order.id": "o-1", "order.items": "3"}
    # `n` was a number on every other line: here it is an object, whose keys are kept too.
    assert reshaped["attrs"] == {"n.k": "v"}
    assert rows[0]["attrs"] == {"n": "0"}


def test_jsonl_rare_keys_reparse_only_their_lines(load, tmp_path):
    # New keys on late lines, none reshaped: only those lines are parsed a second time, and
    # the records of both parses sit side by side, each with its own keys.
    records = [
        {"ts": f"2026-03-04T14:00:{n % 60:02d}Z", "level": "info", "msg": "ok", "n": n}
        for n in range(SAMPLE_HEAD + 50)
    ]
    records[SAMPLE_HEAD + 7] = {
        "ts": "2026-03-04T15:00:00Z",
        "level": "error",
        "msg": "charge failed",
        "n": 7,
        "exception": "CardDeclined",
        "order": {"id": "o-1"},
    }
    loaded, rows = load(_write_jsonl(tmp_path / "rare.jsonl", records), "jsonl")
    assert (loaded.rows, loaded.rejected) == (SAMPLE_HEAD + 50, 0)
    assert [row["line"] for row in rows] == list(range(1, SAMPLE_HEAD + 51))
    failed = rows[SAMPLE_HEAD + 7]
    assert (failed["exception_type"], failed["message"]) == ("CardDeclined", "charge failed")
    assert failed["attrs"] == {"n": "7", "order.id": "o-1"}
    assert rows[SAMPLE_HEAD + 8]["attrs"] == {"n": str(SAMPLE_HEAD + 8)}
    assert {row["level"] for row in rows} == {"info", "error"}


def test_jsonl_attrs_of_a_pattern_outside_the_pattern_sample(load, tmp_path):
    # Presence patterns are counted on a sample of lines; a line whose attrs pattern the
    # sample never saw takes the general path and still gets every attr.
    total = PATTERN_SAMPLE_HEAD + 40
    unseen = next(n for n in range(PATTERN_SAMPLE_HEAD + 1, total) if n % PATTERN_SAMPLE_STRIDE)
    records = [{"ts": "2026-03-04T14:00:00Z", "msg": "ok", "region": "eu"} for _ in range(total)]
    records[unseen - 1] = {"ts": "2026-03-04T14:00:01Z", "msg": "odd", "order": "o-1", "n": 2}
    loaded, rows = load(_write_jsonl(tmp_path / "patterns.jsonl", records), "jsonl")
    assert loaded.rows == total
    assert rows[unseen - 1]["attrs"] == {"order": "o-1", "n": "2"}
    assert rows[0]["attrs"] == {"region": "eu"}


def test_jsonl_colons_inside_values_are_not_taken_for_keys(load, tmp_path):
    # `":` inside a string value (an escaped quote) or inside an array of objects is no key:
    # the plan stays complete and the values come through whole.
    # Past the sampled head, so that the completeness check decides.
    filler = [{"ts": "2026-03-04T13:00:00Z", "msg": "ok", "n": 0}] * (SAMPLE_HEAD + 1)
    records = [
        {"ts": "2026-03-04T14:00:00Z", "msg": 'said "a": b', "n": 1},
        {"ts": "2026-03-04T14:00:01Z", "msg": "items", "items": [{"id": 1}, {"id": 2}]},
        {"ts": "2026-03-04T14:00:02Z", "msg": "nested", "n": {"deep": "x"}},
    ]
    loaded, rows = load(_write_jsonl(tmp_path / "colons.jsonl", filler + records), "jsonl")
    assert (loaded.rows, loaded.rejected) == (SAMPLE_HEAD + 4, 0)
    said, items, nested = rows[-3:]
    assert said["message"] == 'said "a": b'
    assert said["attrs"] == {"n": "1"}
    assert items["attrs"] == {"items": '[{"id":1},{"id":2}]'}
    assert nested["attrs"] == {"n.deep": "x"}
    assert rows[0]["attrs"] == {"n": "0"}


def test_jsonl_epochs_told_apart_by_magnitude(load, tmp_path):
    seconds = 1772632931  # 2026-03-04T14:02:11Z
    records = [
        {"time": seconds, "msg": "s"},
        {"time": seconds * 1000 + 250, "msg": "ms"},
        {"time": seconds * 1_000_000 + 250_000, "msg": "us"},
        {"time": seconds * 1_000_000_000 + 250_000_000, "msg": "ns"},
        {"time": seconds + 0.25, "msg": "fractional s"},
        {"time": "2026-03-04T14:02:11.25", "msg": "naive ISO, in the bundle's zone"},
    ]
    _, rows = load(
        _write_jsonl(tmp_path / "epochs.jsonl", records), "jsonl", timezone="Asia/Kolkata"
    )
    assert [row["ts"] for row in rows] == [
        datetime(2026, 3, 4, 14, 2, 11, tzinfo=UTC),
        datetime(2026, 3, 4, 14, 2, 11, 250000, tzinfo=UTC),
        datetime(2026, 3, 4, 14, 2, 11, 250000, tzinfo=UTC),
        datetime(2026, 3, 4, 14, 2, 11, 250000, tzinfo=UTC),
        datetime(2026, 3, 4, 14, 2, 11, 250000, tzinfo=UTC),
        datetime(2026, 3, 4, 8, 32, 11, 250000, tzinfo=UTC),
    ]


def test_jsonl_levels_in_words_and_numbers(load, tmp_path):
    levels = ["WARNING", "err", "CRITICAL", "SEVERE", "E", 10, 20, 30, 40, 50, 60, 3, "Trace"]
    records = [{"ts": "2026-03-04T14:02:11Z", "level": level} for level in levels]
    _, rows = load(_write_jsonl(tmp_path / "levels.jsonl", records), "jsonl")
    assert [row["level"] for row in rows] == [
        "warn",
        "error",
        "fatal",
        "error",
        "error",
        "trace",
        "debug",
        "info",
        "warn",
        "error",
        "fatal",
        "error",
        "trace",
    ]


def test_jsonl_manifest_aliases_come_first(load, tmp_path):
    records = [
        {"ts": "2026-03-04T14:02:11Z", "host": "shop.example.com", "server": "web-7", "who": "ann"}
    ]
    path = _write_jsonl(tmp_path / "aliases.jsonl", records)
    _, rows = load(path, "jsonl", field_aliases={"host": ("Server",), "user": ("who",)})
    assert (rows[0]["host"], rows[0]["user"]) == ("web-7", "ann")
    assert rows[0]["attrs"] == {"host": "shop.example.com"}


def test_jsonl_keys_unknown_to_structs(load, tmp_path):
    records = [
        {"ts": "2026-03-04T14:02:11Z", "": "empty key", "a.b": "dotted", "A": {"b": "nested"}},
        {"ts": "2026-03-04T14:02:12Z", "a": "lower", "Msg": "message in capitals", "x": None},
    ]
    _, rows = load(_write_jsonl(tmp_path / "odd.jsonl", records), "jsonl")
    assert rows[0]["attrs"] == {"": "empty key", "a.b": "dotted", "A.b": "nested"}
    assert rows[1]["attrs"] == {"a": "lower"}
    assert rows[1]["message"] == "message in capitals"
