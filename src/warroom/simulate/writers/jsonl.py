"""JSON lines, one file per host, in the key style of the service that owns the host.

Each service logs the way its stack does, all within the contract's aliases: the api like
structlog (`timestamp`, `event`, `user_id`, nested `params`), checkout like a logstash encoder
(`@timestamp` with an offset, nested `host.name`, `http.*`, `error.*`), the web tier like pino
(`ts` in epoch milliseconds, `lvl`, `msg`), the workers with OpenTelemetry-style `exception.*`
and `duration` in seconds. Absent fields are left out rather than written as null.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warroom.simulate.world import World
from warroom.simulate.writers.sql import offset_text
from warroom.simulate.writers.table import write_per_host

MESSAGE = """CASE WHEN kind = 0 AND status >= 500 THEN 'request failed'
  WHEN kind = 0 THEN 'request completed' ELSE message END"""
PARAMS = """CASE WHEN quantity IS NOT NULL THEN json_object('sku', sku, 'quantity', json(quantity))
  WHEN payment IS NOT NULL THEN json_object('payment_method', payment) END"""


def _api(offset: str) -> str:
    del offset  # the api logs in UTC
    return f"""json_object(
  'timestamp', strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ'), 'level', level, 'event', {MESSAGE},
  'service', service, 'host', host, 'method', method, 'path', path, 'status', status,
  'duration_ms', duration_ms, 'user_id', user_name, 'user_agent', user_agent, 'params', {PARAMS},
  'upstream', upstream, 'exception', exc_type, 'error_message', exc_message,
  'traceback', stack)"""


def _checkout(offset: str) -> str:
    return f"""json_object(
  '@timestamp', strftime(local_ts, '%Y-%m-%dT%H:%M:%S.%g') || '{offset}',
  'log.level', upper(level), 'message', {MESSAGE},
  'service', json_object('name', service), 'host', json_object('name', host),
  'http', CASE WHEN kind = 0 THEN json_object('request', json_object('method', method),
                                               'response', json_object('status_code', status))
          END,
  'url', CASE WHEN kind = 0 THEN json_object('path', path) END,
  'elapsed_ms', duration_ms,
  'user', CASE WHEN user_name IS NOT NULL THEN json_object('id', user_name) END,
  'user_agent', user_agent, 'params', {PARAMS}, 'peer.service', upstream,
  'error', CASE WHEN exc_type IS NOT NULL THEN json_object(
      'type', exc_type, 'message', exc_message, 'stack_trace', stack) END)"""


def _web(offset: str) -> str:
    del offset  # epoch milliseconds carry no zone
    return f"""json_object(
  'ts', ts_us // 1000, 'lvl', level, 'msg', {MESSAGE}, 'hostname', host, 'app', service,
  'method', method, 'url', path || coalesce('?' || query, ''), 'status_code', status,
  'latency_ms', duration_ms, 'customer_id', user_name, 'user_agent', user_agent,
  'error', exc_type, 'stack', stack)"""


def _worker(offset: str) -> str:
    return f"""json_object(
  'time', strftime(local_ts, '%Y-%m-%dT%H:%M:%S.%f') || '{offset}', 'severity', upper(level),
  'message', {MESSAGE}, 'node', host, 'application', service, 'job', job,
  'job_id', CASE WHEN job IS NOT NULL THEN obj END,
  'duration', round(duration_us / 1000000.0, 3), 'peer.service', upstream,
  'exception', CASE WHEN exc_type IS NOT NULL THEN json_object(
      'type', exc_type, 'message', exc_message, 'stacktrace', stack) END)"""


STYLES = {"api": _api, "checkout": _checkout, "web": _web, "worker": _worker}


def write_jsonl(
    con: duckdb.DuckDBPyConnection, *, out: Path, world: World, offset_s: int
) -> list[Path]:
    """logs/<host>.jsonl for every host."""
    offset = offset_text(offset_s)
    written: list[Path] = []
    for service, style in STYLES.items():
        hosts = world.hosts_of(service)
        names = ", ".join(f"'{h}'" for h in hosts)
        sql = f"""SELECT host_code,
            regexp_replace({style(offset)}::VARCHAR, ',"[^"]+":null', '', 'g') || chr(10) AS line
          FROM ev WHERE host IN ({names}) ORDER BY host_code, seq"""
        paths = {h: out / "logs" / f"{h}.jsonl" for h in hosts}
        written += write_per_host(con, sql, world=world, path_for=paths)
    return written
