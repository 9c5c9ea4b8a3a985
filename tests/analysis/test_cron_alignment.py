from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.analysis.rhythm_data import (
    T0,
    WEB,
    add_cron,
    every,
    fail_in,
    fleet,
    run,
    scenario,
    store,
)
from warroom.analysis.alignment import ScheduleError, align, expand_runs
from warroom.analysis.investigation import Investigation

HOURS = 6
WINDOW = (T0 + timedelta(hours=5), T0 + timedelta(hours=HOURS))
SYNC = "/opt/app/bin/sync-inventory --full"
WARM = "/opt/app/bin/refresh-cache --warm"


def _bursts_at(minute: int, *, seed: int = 3, period: int = 15):
    """Pool timeouts on the api hosts for 3 minutes from `minute` past each `period`."""
    start = WINDOW[0] + timedelta(minutes=minute)
    stretches = every(start, WINDOW[1], timedelta(minutes=period), timedelta(minutes=3))
    return store(fail_in(fleet(seed=seed, hours=HOURS), stretches, share=0.4, seed=seed + 1))


def _cron_suspects(result: Investigation) -> list[tuple[str, float]]:
    return [(s.ref, s.score) for s in result.suspects if s.kind == "cron"]


def test_cron_names_the_job_whose_runs_precede_the_bursts_not_its_15_minute_twin() -> None:
    con = _bursts_at(7)
    add_cron(con, WARM, "*/15 * * * *", line=1)
    add_cron(con, SYNC, "7-59/15 * * * *", line=2)
    result = run(con, WINDOW)
    assert result.suspects[0].kind == "cron" and result.suspects[0].ref == SYNC
    assert [ref for ref, _ in _cron_suspects(result)] == [SYNC]
    finding = next(f for f in result.findings if f.subject and f.subject.ref == SYNC)
    assert finding.kind == "cron_alignment" and finding.score > 0.2
    assert finding.test is not None and finding.test.p_value is not None
    assert finding.test.p_value <= 0.01 and finding.effect is not None and finding.effect >= 2
    assert finding.incident["errors_after_runs"] > 0.9 * finding.incident["errors"]
    assert "at :07, :22, :37, :52 UTC" in finding.statement
    assert "Its period matches the errors' rhythm (every 15 min)" in finding.statement
    twin = next(e for e in result.eliminated if e.subject and e.subject.ref == WARM)
    assert "do not follow its runs" in twin.why and "at :00, :15, :30, :45" in twin.why


def test_cron_same_input_same_answer() -> None:
    con = _bursts_at(7)
    add_cron(con, SYNC, "7-59/15 * * * *")
    first, second = run(con, WINDOW), run(con, WINDOW)
    assert [f.statement for f in first.findings] == [f.statement for f in second.findings]
    assert [s.score for s in first.suspects] == [s.score for s in second.suspects]


def test_cron_reads_the_schedule_in_the_jobs_time_zone() -> None:
    """`7-59/20` in Asia/Kolkata (+05:30) runs at :37, :57, :17 UTC; the bursts follow those."""
    con = _bursts_at(17, period=20)
    add_cron(con, "/opt/app/bin/india-feed", "7-59/20 * * * *", timezone="Asia/Kolkata", line=1)
    add_cron(con, "/opt/app/bin/utc-feed", "7-59/20 * * * *", timezone="UTC", line=2)
    result = run(con, WINDOW)
    assert [ref for ref, _ in _cron_suspects(result)] == ["/opt/app/bin/india-feed"]
    assert any(e.subject and e.subject.ref == "/opt/app/bin/utc-feed" for e in result.eliminated)


def test_cron_scope_is_the_jobs_hosts() -> None:
    """A job on the web hosts is not tested against the api hosts' errors."""
    con = _bursts_at(7)
    add_cron(con, "/opt/web/bin/same-minutes", "7-59/15 * * * *", hosts=WEB)
    result = run(con, WINDOW)
    assert _cron_suspects(result) == []


def test_cron_random_errors_name_no_job() -> None:
    rng = np.random.default_rng(8)
    starts = sorted(rng.uniform(0, 3600, 12))
    stretches = [
        (WINDOW[0] + timedelta(seconds=s), WINDOW[0] + timedelta(seconds=s + 150)) for s in starts
    ]
    con = store(fail_in(fleet(seed=7, hours=HOURS), stretches, share=0.3, seed=9))
    add_cron(con, WARM, "*/15 * * * *", line=1)
    add_cron(con, SYNC, "7-59/15 * * * *", line=2)
    result = run(con, WINDOW)
    assert _cron_suspects(result) == []
    assert {e.subject.ref for e in result.eliminated if e.subject} == {WARM, SYNC}


def test_cron_reboot_and_invalid_schedules_are_noted_not_fatal() -> None:
    con = _bursts_at(7)
    add_cron(con, "/opt/app/bin/on-boot", "@reboot", line=1)
    add_cron(con, "/opt/app/bin/broken", "61 * * * *", line=2)
    add_cron(con, "/opt/app/bin/odd-zone", "7-59/15 * * * *", timezone="Mars/Olympus", line=3)
    result = run(con, WINDOW)
    cron = next(c for c in result.coverage if c.analyzer == "cron:v1")
    assert cron.status == "ran"
    assert any("on-boot" in n and "@reboot" in n for n in result.notes)
    assert any("broken" in n and "invalid schedule" in n for n in result.notes)
    assert any("odd-zone" in n and "unknown time zone" in n for n in result.notes)
    assert [ref for ref, _ in _cron_suspects(result)] == ["/opt/app/bin/odd-zone"]  # read in UTC


def test_cron_job_that_did_not_run_in_the_window_is_eliminated() -> None:
    con = _bursts_at(7)
    add_cron(con, "/usr/local/bin/backup-db.sh", "30 2 * * *")
    result = run(con, WINDOW)
    why = next(e.why for e in result.eliminated if e.subject and "backup" in e.subject.ref)
    assert why.startswith("it did not run between")


def test_expand_runs_macros_reboot_and_daylight_saving() -> None:
    start, end = T0, T0 + timedelta(hours=3)
    assert expand_runs("@hourly", "UTC", start, end).size == 3
    with pytest.raises(ScheduleError, match="@reboot"):
        expand_runs("@reboot", "UTC", start, end)
    with pytest.raises(ScheduleError, match="invalid"):
        expand_runs("99 * * * *", "UTC", start, end)
    # 2026-03-29: Berlin skips 02:00-03:00; a 02:30 daily job runs at 03:00 CEST (01:00 UTC).
    spring = T0.replace(month=3, day=28)
    runs = expand_runs("30 2 * * *", "Europe/Berlin", spring, spring + timedelta(days=2))
    assert [int(r % 86400) for r in runs] == [3600 + 1800, 3600]


def test_align_rank_among_shifts() -> None:
    runs = np.arange(0, 3600, 600, dtype=np.int64)
    errors = np.concatenate([runs + k for k in range(0, 60, 5)])
    counts = np.ones(errors.size)
    hit = align(runs, errors, counts, start=0, length=3600, reach=300.0, key="job")
    miss = align(runs, errors + 290, counts, start=0, length=3600, reach=300.0, key="job")
    assert hit.p_value <= 0.01 and hit.lift > 2 and hit.hits == errors.size
    assert miss.p_value > 0.5


def test_cron_overload_scenario_names_the_culprit_first(tmp_path: Path) -> None:
    truth, result = scenario("cron_overload", seed=2, folder=tmp_path)
    top = result.suspects[0]
    assert (top.kind, top.ref) == ("cron", SYNC) and truth.accepts(top.kind, top.ref)
    assert any(e.subject and e.subject.ref == WARM for e in result.eliminated)


@pytest.mark.parametrize("name", ["null", "bad_deploy"])
def test_cron_and_time_of_day_stay_below_half_elsewhere(name: str, tmp_path: Path) -> None:
    _, result = scenario(name, seed=1, folder=tmp_path)
    assert all(s.score < 0.5 for s in result.suspects if s.kind in ("cron", "time_of_day"))
    assert not any(f.kind == "periodic_errors" and f.score >= 0.5 for f in result.findings)
