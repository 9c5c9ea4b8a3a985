"""DuckDB connections warroom opens draw no progress bar of their own.

DuckDB draws its bar on standard output once a query runs for two seconds, even into a pipe or
a file: `warroom investigate --format json > report.json` on a large bundle would carry it in
its JSON. (Checked by hand: a 3 s query on `duck.connect()` prints nothing, on a plain
connection ~12 KB of bar.)
"""

from __future__ import annotations

from warroom import duck
from warroom.evidence.tabular import open_connection

_SETTING = "SELECT current_setting('enable_progress_bar')"


def test_connections_draw_no_progress_bar() -> None:
    for con in (duck.connect(), open_connection()):
        assert con.execute(_SETTING).fetchone() == (False,)
