"""NAB benchmark: how often does the resources analyzer's level-shift verdict fire on real series?

Runs the same statistic the `resources` analyzer applies to every metric series
(`metric_stats.level_shift` + `metric_stats.moved`: median/MAD shift against every baseline
window, Mann–Whitney U, Benjamini–Hochberg) over the real series of the Numenta Anomaly
Benchmark subset in ../shared/datasets/nab (see its README). For every series:
- each labelled anomaly window is an incident window, the equal span just before it its baseline;
- every other window of the same length (stepping by its length, after the first span) whose
  window and baseline touch no labelled window is an unlabelled incident window;
- BH runs over all windows of the series (one family, as the analyzer corrects over one run).
It prints the detection rate (labelled windows flagged) and the false-alarm rate (unlabelled
windows flagged), per data folder and overall.

    python benchmarks/nab.py                         # the dataset beside the repository
    python benchmarks/nab.py --data /path/to/nab -v  # elsewhere; -v: one line per series
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from warroom.analysis import metric_stats as ms
from warroom.analysis import stats

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "nab"


@dataclass
class Tally:
    labelled: int = 0
    detected: int = 0
    unlabelled: int = 0
    false_alarms: int = 0

    def add(self, other: Tally) -> None:
        self.labelled += other.labelled
        self.detected += other.detected
        self.unlabelled += other.unlabelled
        self.false_alarms += other.false_alarms

    def line(self, name: str) -> str:
        detection = self.detected / self.labelled if self.labelled else float("nan")
        false = self.false_alarms / self.unlabelled if self.unlabelled else float("nan")
        return (
            f"{name:<48} {self.detected:>3}/{self.labelled:<3} {detection:>6.2f}   "
            f"{self.false_alarms:>4}/{self.unlabelled:<4} {false:>6.3f}"
        )


def read_series(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(timestamps as numpy datetime64[s], values) of one NAB CSV."""
    raw = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=str)
    times = raw[:, 0].astype("datetime64[s]")
    return times, raw[:, 1].astype(float)


def windows_of(times: np.ndarray, labelled: list[tuple[np.datetime64, np.datetime64]]) -> list:
    """Labelled windows, then unlabelled ones of the same length that touch no label."""
    if not labelled:
        return []
    length = max(end - start for start, end in labelled)
    chosen = [(start, end, True) for start, end in labelled]
    start = times[0] + length  # leave room for the first baseline
    while start + length <= times[-1]:
        end = start + length
        clean = all(end <= s or start - length >= e for s, e in labelled)
        if clean:
            chosen.append((start, end, False))
        start = end
    return chosen


def score_series(
    times: np.ndarray, values: np.ndarray, labelled: list[tuple[np.datetime64, np.datetime64]]
) -> Tally:
    tests = []
    for start, end, is_label in windows_of(times, labelled):
        incident = values[(times >= start) & (times <= end)]
        baseline = values[(times >= start - (end - start)) & (times < start)]
        shift = ms.level_shift(incident, [baseline])
        if shift is not None:
            tests.append((shift, is_label))
    qs = stats.benjamini_hochberg([shift.p_value for shift, _ in tests])
    tally = Tally()
    for (shift, is_label), q in zip(tests, qs, strict=True):
        flagged = ms.moved(shift, q)
        if is_label:
            tally.labelled += 1
            tally.detected += int(flagged)
        else:
            tally.unlabelled += 1
            tally.false_alarms += int(flagged)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the NAB subset folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per series")
    args = parser.parse_args(argv)
    labels_file = args.data / "combined_windows.json"
    if not labels_file.is_file():
        print(
            f"NAB data not found at {args.data} (no combined_windows.json): put the subset "
            "there (see ../shared/datasets/nab/README.md) or pass --data",
            file=sys.stderr,
        )
        return 2
    labels = json.loads(labels_file.read_text())
    folders: dict[str, Tally] = defaultdict(Tally)
    print(f"{'series':<48} {'detected':>9} {'rate':>6}   {'false alarms':>9} {'rate':>6}")
    for name in sorted(labels):
        times, values = read_series(args.data / "data" / name)
        spans = [(np.datetime64(s[:19]), np.datetime64(e[:19])) for s, e in labels[name]]
        tally = score_series(times, values, spans)
        folders[name.split("/")[0]].add(tally)
        if args.verbose:
            print(tally.line(name))
    overall = Tally()
    for folder, tally in sorted(folders.items()):
        print(tally.line(folder))
        overall.add(tally)
    print(overall.line("ALL"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
