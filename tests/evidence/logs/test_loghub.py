"""Real logs: the Hadoop and Zookeeper samples of Loghub-2k (../shared), against their
ground-truth levels. Skipped when the shared data folder is absent."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from warroom.evidence.logs import sniff_log

LOGHUB = Path(__file__).resolve().parents[3] / ".." / "shared" / "datasets" / "loghub-2k"


@pytest.mark.parametrize("system", ["Hadoop", "Zookeeper"])
def test_loghub_plain_logs_match_their_ground_truth(load, system):
    folder = LOGHUB / system
    if not folder.is_dir():
        pytest.skip(f"../shared/datasets/loghub-2k/{system} is not here (no shared data folder)")
    path = folder / f"{system}_2k.log"
    with path.open(encoding="utf-8") as handle:
        assert sniff_log([handle.readline() for _ in range(64)]) == "plain"
    loaded, rows = load(path, "plain")
    assert (loaded.rows, loaded.rejected) == (2000, 0)
    with (folder / f"{system}_2k.log_structured.csv").open(encoding="utf-8") as handle:
        truth = {int(row["LineId"]): row["Level"].lower() for row in csv.DictReader(handle)}
    levels = {row["line"]: row["level"] for row in rows}
    expected = {line: level.replace("warning", "warn") for line, level in truth.items()}
    assert levels == expected
