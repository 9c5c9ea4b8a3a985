"""Message templates of the events table: the miner in the engine, joined back, params per event."""

from __future__ import annotations

import duckdb
import ibis
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.analysis.http_data import context, log_lines, store
from warroom.analysis.message_keys import (
    MAP_TABLE,
    message_key,
    message_templates,
    template_parameters,
    with_templates,
)
from warroom.analysis.templates.masking import mask_digit_words
from warroom.analysis.templates.pipeline import mine_lines

TIMEOUT = "timeout after {n} ms calling payments-gateway:443 (order {n})"
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mal"]


def _events() -> pd.DataFrame:
    frames = [
        log_lines(seed=1, message=TIMEOUT, per_minute=2),
        log_lines(seed=2, message="heartbeat ok from worker {n}", per_minute=4),
        log_lines(seed=3, message="job {n} completed in {n}ms", per_minute=3),
    ]
    # A word variable the masking rules cannot know: only the miner turns it into <*>.
    users = log_lines(seed=4, message="session opened for user X", per_minute=1)
    users["message"] = [f"session opened for user {USERS[i % len(USERS)]}" for i in users.index]
    return pd.concat([*frames, users], ignore_index=True)


def _template_by_message(frame: pd.DataFrame) -> dict[str, str]:
    ctx = context(store(frame))
    mined = message_templates(ctx)
    events = ctx.table("events")
    keyed = with_templates(mined, events.mutate(key=message_key(events.message)))
    out = keyed.select("message", "template").distinct().execute()
    return dict(zip(out["message"], out["template"], strict=True))


def test_message_keys_templates_come_from_the_miner() -> None:
    frame = _events()
    templates = _template_by_message(frame)
    assert len(templates) == frame["message"].nunique()  # every message joined back once
    assert set(templates.values()) == {
        "timeout after <*> ms calling payments-gateway:<*> (order <*>)",
        "heartbeat ok from worker <*>",
        "job <*> completed in <*>",
        "session opened for user <*>",
    }


def test_message_keys_engine_and_bytes_paths_agree() -> None:
    frame = _events()
    templates = _template_by_message(frame)
    messages = list(frame["message"])
    mined = mine_lines(("\n".join(messages) + "\n").encode())
    from_bytes = [mined.catalog.templates[i] for i in mined.line_template.tolist()]
    assert [templates[m] for m in messages] == from_bytes


def test_message_keys_different_messages_stay_apart_and_nulls_get_no_template() -> None:
    frame = pd.concat(
        [
            log_lines(seed=5, message="order {n} not found", per_minute=1),
            log_lines(seed=6, message="order {n} shipped", per_minute=1),
            log_lines(seed=7, message="x", per_minute=1).assign(message=None),
        ],
        ignore_index=True,
    )
    templates = _template_by_message(frame.dropna(subset=["message"]))
    assert set(templates.values()) == {"order <*> not found", "order <*> shipped"}
    ctx = context(store(frame))
    assert message_templates(ctx).catalog.counts.sum() == frame["message"].notna().sum()


def test_message_keys_mined_once_per_context_and_only_distinct_keys_kept() -> None:
    frame = _events()
    ctx = context(store(frame))
    first = message_templates(ctx)
    assert message_templates(ctx) is first
    keys = ctx.con.execute(f"SELECT count(*) FROM {MAP_TABLE}").fetchone()[0]
    # Lines that differ only in numbers share a key: a handful of rows, not one per line.
    assert keys == 3 + len(USERS) < len(frame) // 100
    assert int(first.catalog.counts.sum()) == len(frame)


def test_message_keys_parameters_per_event() -> None:
    frame = _events()
    ctx = context(store(frame))
    mined = message_templates(ctx)
    index = mined.catalog.templates.index("session opened for user <*>")
    rows = template_parameters(ctx, mined.catalog.template_ids[index]).execute()
    expected = frame[frame["message"].str.startswith("session opened")]
    assert len(rows) == len(expected)
    assert sorted(p[0] for p in rows["params"]) == sorted(m.split()[-1] for m in expected.message)
    assert {"ts", "host", "service", "message", "params"} <= set(rows.columns)
    timeout = mined.catalog.template_ids[
        mined.catalog.templates.index(
            "timeout after <*> ms calling payments-gateway:<*> (order <*>)"
        )
    ]
    first = template_parameters(ctx, timeout).order_by("ts").limit(1).execute()
    message = first["message"][0]
    numbers = [word.strip("()").split(":")[-1] for word in message.split() if word[-2].isdigit()]
    assert list(first["params"][0]) == [message.split()[2], "443", numbers[-1]]


_TABLE = ibis.table({"i": "int64", "message": "string"}, name="m")
_KEY_SQL = str(ibis.to_sql(_TABLE.mutate(key=message_key(_TABLE.message)), dialect="duckdb"))
WORDS = st.one_of(
    st.sampled_from(["order", "failed", "v2", "blk_-77", "user=", "(", ")", "x:", "a_b", "-"]),
    st.integers(-(10**9), 10**9).map(str),
    st.from_regex(r"[a-z0-9_-]{1,10}", fullmatch=True),
    st.from_regex(r"10\.0\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{2,5})?", fullmatch=True),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=8), min_size=1, max_size=20))
def test_message_keys_engine_key_is_the_python_digit_word_stage(lines: list[list[str]]) -> None:
    messages = [" ".join(words) for words in lines]
    con = duckdb.connect()
    con.register("m", pd.DataFrame({"i": range(len(messages)), "message": messages}))
    keys = list(con.execute(_KEY_SQL + " ORDER BY i").df()["key"])
    assert keys == [mask_digit_words(message) for message in messages]


def test_message_keys_bad_messages_each_get_a_template() -> None:
    bad = [
        "",
        "   ",
        "\x00\x01\x02\x03\x04\x05 binary",
        "\ufffd\ufffd\ufffd\ufffd",
        "a" * 1_000_000,
        "12 34 56",
        "0x1f 10.0.0.1 /var/x",
    ]
    frame = log_lines(seed=8, message="x", per_minute=len(bad) / 60, hours=1)
    frame["message"] = bad[: len(frame)]
    assert len(frame) == len(bad)
    templates = _template_by_message(frame)
    assert templates[""] == templates["   "] == "<empty>"
    assert templates["\ufffd\ufffd\ufffd\ufffd"] == "<unparsable>"
    assert templates["\x00\x01\x02\x03\x04\x05 binary"] == "<unparsable>"
    assert templates["12 34 56"] == "<*> <*> <*>"
    assert templates["0x1f 10.0.0.1 /var/x"] == "<*> <*> <*>"
    long_template = templates["a" * 1_000_000]
    assert long_template.startswith("a" * 1000) and len(long_template) <= 2000
    ctx = context(store(frame))
    mined = message_templates(ctx)
    for template_id in mined.catalog.template_ids:  # params never fail, whatever the message
        assert len(template_parameters(ctx, template_id).execute()) >= 1
