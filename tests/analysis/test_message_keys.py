from __future__ import annotations

import duckdb
import ibis
import pandas as pd
import pytest

from warroom.analysis.message_keys import with_templates

CASES = [
    (
        "timeout after 5000 ms calling payments-gateway:443 (order 81723)",
        "timeout after <*> ms calling payments-gateway:<*> (order <*>)",
    ),
    ("GET https://api.example.com/v1/x?id=3 failed", "GET <*> failed"),
    ("user bob@example.com logged in from 10.0.0.12:5543", "user <*> logged in from <*>"),
    ("job 9f8e7d6c completed in 12.5s", "job <*> completed in <*>"),
    (
        "request id=550e8400-e29b-41d4-a716-446655440000 user=42 done",
        "request id=<*> user=<*> done",
    ),
    ('payment declined reason="card expired" code=51', "payment declined reason=<*> code=<*>"),
    ("opened /var/lib/app/data/file.db for writing", "opened <*> for writing"),
    ("Failed to parse quantity '1.5'", "Failed to parse quantity <*>"),
    ("at 2026-03-04T14:00:00Z retry 3/5", "at <*> retry <*>"),
    ("ptr 0x7ffe12 is null", "ptr <*> is null"),
    ("connection refused (postgres)", "connection refused (postgres)"),
    ("v2 api over ipv6 with oauth2", "v2 api over ipv6 with oauth2"),
    ("heartbeat ok", "heartbeat ok"),
    ("fe80:0:0:0:202:b3ff:fe1e:8329 unreachable", "<*> unreachable"),
]


def _templates(messages: list[str | None]) -> list[str | None]:
    con = duckdb.connect()
    con.register("m", pd.DataFrame({"i": range(len(messages)), "message": messages}))
    table = ibis.duckdb.from_connection(con).table("m")
    out = with_templates(table).order_by("i").execute()
    return [t if isinstance(t, str) else None for t in out["template"]]


def test_message_keys_mask_variables_in_the_engine() -> None:
    assert _templates([m for m, _ in CASES]) == [t for _, t in CASES]


@pytest.mark.parametrize(
    "variants",
    [
        ["order 81723 not found", "order 5 not found", "order 99999999 not found"],
        ["GET /api/orders/1/items took 12ms", "GET /api/orders/734/items took 1500ms"],
        ["lock 'a' held by 10.1.1.1", 'lock "bb cc" held by 192.168.0.254'],
    ],
)
def test_message_keys_same_message_different_values_share_a_template(variants: list[str]) -> None:
    assert len(set(_templates(list(variants)))) == 1


def test_message_keys_different_messages_stay_apart_and_null_stays_null() -> None:
    templates = _templates(["order 1 not found", "order 1 shipped", None])
    assert templates[0] != templates[1]
    assert templates[2] is None
