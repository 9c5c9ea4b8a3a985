"""Customer bug reports as CSV (with a browser column) or JSON lines (with the user agent)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from warroom.simulate.model import Report
from warroom.simulate.timeline import iso

REPORT_FORMATS = ("csv", "jsonl")
CSV_FIELDS = ("created_at", "subject", "description", "browser", "os", "customer", "url")


def write_reports(*, out: Path, reports: list[Report], fmt: str) -> Path | None:
    """reports/bug_reports.csv or reports/tickets.jsonl, oldest first; None when there are none."""
    if not reports:
        return None
    ordered = sorted(reports, key=lambda r: (r.ts_us, r.customer))
    folder = out / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        path = folder / "tickets.jsonl"
        path.write_text(
            "".join(
                json.dumps(
                    {
                        "created_at": iso(r.ts_us),
                        "subject": r.subject,
                        "body": r.text,
                        "user_agent": r.user_agent,
                        "customer": r.customer,
                        "url": r.url,
                    }
                )
                + "\n"
                for r in ordered
            ),
            encoding="utf-8",
        )
        return path
    path = folder / "bug_reports.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for r in ordered:
        writer.writerow([iso(r.ts_us), r.subject, r.text, r.browser, r.os, r.customer, r.url])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
