"""Syslog: RFC 3164 (with the year inferred), RFC 5424 and rsyslog's ISO-dated lines."""

from __future__ import annotations

from datetime import UTC, datetime

from warroom.timeutil import utcnow


def test_syslog_3164_rows(load):
    reference = datetime(2026, 3, 5, tzinfo=UTC)
    loaded, rows = load("syslog_3164.log", "syslog", reference_time=reference, host="ignored")
    assert (loaded.rows, loaded.rejected) == (5, 0)
    assert [(row["ts"], row["host"], row["service"], row["level"]) for row in rows] == [
        (datetime(2026, 3, 4, 14, 2, 1, tzinfo=UTC), "web-3", "CRON", None),
        (datetime(2026, 3, 4, 14, 2, 11, tzinfo=UTC), "web-3", "kernel", None),
        (datetime(2026, 3, 4, 14, 2, 12, tzinfo=UTC), "web-3", "systemd", None),
        (datetime(2026, 3, 4, 14, 2, 15, tzinfo=UTC), "web-3", "su", "fatal"),  # <34>: auth.crit
        (datetime(2026, 3, 4, 14, 2, 17, tzinfo=UTC), "web-3", "sshd", None),
    ]
    assert rows[0]["message"] == "(root) CMD (/usr/local/bin/backup.sh)"
    assert rows[0]["attrs"] == {"pid": "22101"}
    assert rows[3]["attrs"] == {"facility": "auth"}
    assert rows[1]["attrs"] == {}


def test_syslog_3164_year_nearest_the_reference(load, tmp_path):
    # In late December, March 4 is nearer in the next year than in the current one...
    reference = datetime(2026, 12, 20, tzinfo=UTC)
    _, rows = load("syslog_3164.log", "syslog", reference_time=reference)
    assert {row["ts"].year for row in rows} == {2027}
    # ...and in early January, December 30 is nearer in the year before.
    path = tmp_path / "messages"
    path.write_text("Dec 30 10:00:00 web-3 app: late December\n")
    _, rows = load(path, "syslog", reference_time=datetime(2027, 1, 5, tzinfo=UTC))
    assert [row["ts"] for row in rows if row["source"] == "messages"] == [
        datetime(2026, 12, 30, 10, 0, 0, tzinfo=UTC)
    ]


def test_syslog_3164_without_reference_is_this_year(load):
    _, rows = load("syslog_3164.log", "syslog")
    assert {row["ts"].year for row in rows} == {utcnow().year}


def test_syslog_3164_rolls_into_the_next_year(load, tmp_path):
    path = tmp_path / "messages"
    path.write_text(
        "Dec 31 23:59:58 web-3 app[1]: last of the year\n"
        "Dec 31 23:59:59 web-3 app[1]: almost\n"
        "Jan  1 00:00:00 web-3 app[1]: new year\n"
        "Jan  1 00:00:01 web-3 app[1]: after\n"
        "Dec 31 23:59:59 web-3 app[1]: a late line written out of order\n"
    )
    reference = datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC)
    _, rows = load(path, "syslog", reference_time=reference, timezone="Europe/Berlin")
    assert [row["ts"] for row in rows] == [
        datetime(2025, 12, 31, 22, 59, 58, tzinfo=UTC),
        datetime(2025, 12, 31, 22, 59, 59, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 0, 0, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 0, 1, tzinfo=UTC),
        datetime(2025, 12, 31, 22, 59, 59, tzinfo=UTC),
    ]


def test_syslog_5424_rows(load):
    loaded, rows = load("syslog_5424.log", "syslog")
    assert (loaded.rows, loaded.rejected) == (4, 1)
    assert loaded.rejected_examples == [
        "line 5: time not understood: <13>1 - web-3 app - - - a record without a time"
    ]
    first, second, third, iso = rows
    assert first["ts"] == datetime(2026, 3, 4, 14, 2, 11, 3000, tzinfo=UTC)
    assert first["message"] == "'su root' failed for lonvick on /dev/pts/8"  # BOM removed
    assert (first["service"], first["level"]) == ("su", "fatal")
    assert first["attrs"] == {"facility": "auth", "msgid": "ID47"}
    assert second["ts"] == datetime(2026, 3, 4, 21, 2, 12, 3, tzinfo=UTC)
    assert (second["level"], second["message"]) == ("info", "order 42 failed")
    assert second["attrs"] == {
        "facility": "local4",
        "pid": "811",
        "msgid": "ORDER",
        "exampleSDID@32473.iut": "3",
        "exampleSDID@32473.eventSource": "Application",
        "exampleSDID@32473.eventID": "1011",
        "origin.ip": "10.0.0.5",
        "origin.note": 'a "quoted" ] value',
    }
    assert third["attrs"] == {"facility": "authpriv", "pid": "22150"}
    assert (iso["ts"], iso["host"], iso["service"]) == (
        datetime(2026, 3, 4, 14, 2, 14, 512345, tzinfo=UTC),
        "web-4",
        "sshd",
    )
    assert iso["level"] is None
