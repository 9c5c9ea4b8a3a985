"""Keying a message after writing its digits `0` gives its key: the shortcut the template
miner, the messages analyzer and the message inputs take to key lines that differ only in their
digits once. Checked against the direct key on hand-picked and random messages."""

from __future__ import annotations

import duckdb
import ibis
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from warroom.analysis.message_keys import (
    MAX_MESSAGE_CHARS,
    digits_zeroed,
    key_of_zeroed,
    message_key,
)
from warroom.analysis.templates.masking import zero_digits_sql

PICKED = [
    "blk_-7128370237687728475 served to /10.251.73.220:50010",
    "user 42 logged in at 12:03:59.123Z after 3 attempts",
    "x1y2 and a-1 b_-9 __3 _-_7 9-",
    "Arabic ٣ and fullwidth ９ digits are no ASCII digits",
    "no digits here at all",
    "",
    "GET /api/products/80405?sku=A-7&qty=1.5 HTTP/1.1",
    "a" * (MAX_MESSAGE_CHARS - 4) + "123456789 cut inside a digit word",
]


def _random_messages(seed: int, count: int) -> list[str]:
    rng = np.random.default_rng(seed)
    alphabet = [*"ab_-19 0.:/Z٣", "\t", "é"]
    return ["".join(rng.choice(alphabet, size=int(rng.integers(0, 40)))) for _ in range(count)]


def test_key_of_zeroed_digits_is_the_key() -> None:
    messages = PICKED + _random_messages(seed=5, count=2000)
    con = duckdb.connect()
    backend = ibis.duckdb.from_connection(con)
    con.register("messages", pa.table({"message": messages}))
    table = backend.table("messages")
    found = table.select(
        table.message,
        key=message_key(table.message),
        zeroed=digits_zeroed(table.message),
        via_zeroed=key_of_zeroed(digits_zeroed(table.message)),
    ).to_pyarrow()
    rows = found.to_pylist()
    assert len(rows) == len(messages)
    for row in rows:
        assert row["via_zeroed"] == row["key"], row["message"]
        assert not any(d in row["zeroed"] for d in "123456789")
    # the shortcut groups: fewer distinct zeroed messages than messages
    assert len({r["zeroed"] for r in rows}) < len(set(messages))
    # the SQL spelling writes the same
    sql = con.execute(
        f"SELECT message, {zero_digits_sql(f'substring(message, 1, {MAX_MESSAGE_CHARS})')} "
        "FROM messages"
    ).fetchall()
    assert dict(sql) == {r["message"]: r["zeroed"] for r in rows}
