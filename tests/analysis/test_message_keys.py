from __future__ import annotations

import duckdb
import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.analysis.message_keys import coarse_message, template_of, with_templates

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


TOKENS = st.one_of(
    st.sampled_from(["order", "failed", "v2", "ipv6", "took", "user=", "(", ")", ",", "x:"]),
    st.integers(-(10**9), 10**9).map(str),
    st.floats(0, 1e6, allow_nan=False).map(lambda f: f"{f:.3f}"),
    st.integers(0, 99999).map(lambda n: f"{n}ms"),
    st.from_regex(r"10\.0\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{2,5})?", fullmatch=True),
    st.from_regex(r"[a-f0-9]{6,12}", fullmatch=True),
    st.from_regex(r"/api/[a-z]{1,6}/[0-9]{1,6}", fullmatch=True),
    st.from_regex(r"[a-z]{1,8}=[0-9]{1,5}", fullmatch=True),
    st.from_regex(r"'[a-z0-9 .]{0,8}'", fullmatch=True),
)
_TABLE = ibis.table({"i": "int64", "message": "string"}, name="m")
_SQL = str(
    ibis.to_sql(
        _TABLE.mutate(
            plain=template_of(_TABLE.message), coarse=template_of(coarse_message(_TABLE.message))
        ).order_by("i"),
        dialect="duckdb",
    )
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(TOKENS, min_size=1, max_size=8), min_size=1, max_size=30))
def test_message_keys_coarse_message_keeps_the_template(lines: list[list[str]]) -> None:
    messages = [" ".join(tokens) for tokens in lines]
    con = duckdb.connect()
    con.register("m", pd.DataFrame({"i": range(len(messages)), "message": messages}))
    frame = con.execute(_SQL).df()
    assert list(frame["plain"]) == list(frame["coarse"])
