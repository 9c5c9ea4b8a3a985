"""What `warroom simulate` offers, without the simulator: its log formats, its default size and
its steps. Kept apart so that the CLI can describe the command without importing numpy and the
writers (half a second on every `warroom` invocation)."""

from __future__ import annotations

LOG_FORMATS = ("jsonl", "access", "logfmt", "syslog")
DEFAULT_LINES = 120_000
STEPS = ("traffic", "scenario", "background", "metrics", "logs", "records")
