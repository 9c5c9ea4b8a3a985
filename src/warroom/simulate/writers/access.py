"""NGINX `combined` access logs with `$request_time`, plus the applications' own plain logs.

Every HTTP host gets `<host>/access.log` (a parent folder named after the host is how the
reader knows the host). Every host also gets a plain application log with local times and no
offset: Python `logging` style for the web tier, the api and the workers, Spring Boot
(logback) style for checkout. Failed requests (5xx) and every non-request line go there, with
multi-line stack traces under the line that logged them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warroom.simulate.world import HTTP_SERVICES, JAVA_SERVICES, World
from warroom.simulate.writers.table import write_per_host

ACCESS = """
  '198.51.' || (user_id // 256 % 256)::VARCHAR || '.' || (user_id % 256)::VARCHAR
  || ' - - [' || strftime(local_ts, '%d/%b/%Y:%H:%M:%S') || ' {offset}] "' || method || ' '
  || path || coalesce('?' || query, '') || ' HTTP/1.1" ' || status::VARCHAR || ' '
  || (CASE WHEN status >= 500 THEN 157 ELSE 180 + obj % 9000 END)::VARCHAR || ' "'
  || (CASE WHEN template LIKE '/api/%' THEN 'https://shop.example.com/' ELSE '-' END) || '" "'
  || user_agent || '" ' || printf('%.3f', duration_us / 1e6)
"""
WHAT = """CASE WHEN kind = 0
  THEN 'request failed: ' || method || ' ' || path || coalesce('?' || query, '') || ' -> '
       || status::VARCHAR || coalesce(' (' || exc_type
       || CASE WHEN exc_message <> '' THEN ': ' || exc_message ELSE '' END || ')', '')
  WHEN job IS NOT NULL THEN message || ': ' || job || ' id=' || obj::VARCHAR || ' in '
       || printf('%.3f', duration_us / 1e6) || ' s'
  ELSE message END"""
TRACE = "coalesce(chr(10) || stack, '')"
PYTHON = f"""strftime(local_ts, '%Y-%m-%d %H:%M:%S,%g') || ' '
  || CASE level WHEN 'warn' THEN 'WARNING' WHEN 'fatal' THEN 'CRITICAL' ELSE upper(level) END
  || ' [' || service || CASE WHEN kind = 0 THEN '.http' WHEN service IN ('cron', 'kernel')
  THEN '' ELSE '.app' END || '] ' || {WHAT} || {TRACE}"""
JAVA = f"""strftime(local_ts, '%Y-%m-%d %H:%M:%S.%g') || ' ' || lpad(upper(level), 5, ' ')
  || ' 1 --- [' || CASE WHEN kind = 0 THEN 'http-nio-8080-exec-' || (obj % 200 + 1)::VARCHAR
  ELSE 'scheduling-1' END || '] ' || CASE WHEN kind = 0
  THEN 'c.s.checkout.web.RequestLogger' ELSE 'c.s.checkout.Application' END || ' : ' || {WHAT}
  || {TRACE}"""
# Requests the application itself logged as failed (a proxy's 502 for a dead process is not).
APP_ROWS = "kind = 1 OR (status >= 500 AND exc_type IS NOT NULL)"


def write_access(
    con: duckdb.DuckDBPyConnection, *, out: Path, world: World, offset: str
) -> list[Path]:
    """<host>/access.log for HTTP hosts and <host>/app.log (or worker.log) for every host."""
    http = [h for h, s in zip(world.hosts, world.host_service, strict=True) if s in HTTP_SERVICES]
    access_sql = f"""SELECT host_code, row_id, {ACCESS.format(offset=offset)} || chr(10) AS line
      FROM ev WHERE kind = 0"""
    written = write_per_host(
        con, access_sql, world=world, path_for={h: out / "logs" / h / "access.log" for h in http}
    )
    for style, java in ((JAVA, True), (PYTHON, False)):
        hosts = [
            h
            for h, s in zip(world.hosts, world.host_service, strict=True)
            if (s in JAVA_SERVICES) == java
        ]
        names = ", ".join(f"'{h}'" for h in hosts)
        sql = f"""SELECT host_code, row_id, {style} || chr(10) AS line FROM ev
          WHERE ({APP_ROWS}) AND host IN ({names})"""
        paths = {h: out / "logs" / h / _app_file(world, h) for h in hosts}
        written += write_per_host(con, sql, world=world, path_for=paths)
    return written


def _app_file(world: World, host: str) -> str:
    service = world.host_service[world.host_index(host)]
    return "worker.log" if service == "worker" else "app.log"
