"""Which upstream service or system an event talks about, as an Ibis expression.

Names come, in this order, from
1. fields in `attrs` that name the other side of a call: `peer.service`, `upstream`,
   `db.system`, `server.address`, `net.peer.name`, NGINX `upstream_addr`, or the host of
   `http.url` / `url.full`;
2. for failures only (errors and warnings), the text of the message and the top of the stack:
   NGINX `upstream: "http://payments-gateway:8080/pay"`, libpq `server at "postgres"`,
   `timeout connecting to payments-gateway:443`, `connection refused (postgres)`, Java
   `ConnectException: Connection refused: payments-gateway/10.0.0.7:443` and
   `UnknownHostException: payments-gateway`, Go `dial tcp 10.0.0.5:5432`, Node `ECONNREFUSED`
   and `getaddrinfo ENOTFOUND payments-gateway`, URLs; and last well-known systems named
   anywhere in the message or exception type (`redis.exceptions.ConnectionError` -> redis).
Names are made canonical: lower case, without scheme, port or path; Kubernetes service names
cut to the service (`payments-gateway.pay.svc.cluster.local` -> `payments-gateway`); client
libraries mapped to their system (`psycopg2`, `postgresql` -> `postgres`). English words that the
patterns can catch ("timed out waiting for lock") are dropped.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.datatypes as dt

from warroom.analysis import signals

ATTR_KEYS = (
    "peer.service",
    "upstream.name",
    "upstream_name",
    "upstream.service",
    "upstream",
    "upstream_addr",
    "upstream.addr",
    "db.system",
    "messaging.system",
    "rpc.service",
    "server.address",
    "net.peer.name",
    "http.url",
    "url.full",
    "upstream.url",
)

_NAME = r"([a-z][\w-]*(?:\.[\w-]+)*)"
MESSAGE_PATTERNS = (
    r'(?i)upstream: "?(?:[a-z]+://)?([^/":\s,]+)',
    # The naming fields written into the text (logfmt bodies of syslog lines).
    r"(?i)\b(?:upstream|peer\.service|peer|dependency|db\.system|server\.address|net\.peer\.name)"
    r'[=:]\s*"?(?:[a-z]+://)?([a-z][\w.-]*)',
    r"""(?i)(?:server at|on host|host)\s*=?\s*["']([^"']+)["']""",
    rf"(?i)(?:ENOTFOUND|EAI_AGAIN|UnknownHostException:?|no such host:?|lookup)\s+{_NAME}",
    rf"(?i){_NAME}/\d{{1,3}}(?:\.\d{{1,3}}){{3}}:\d+",
    r"(?i)(?:to|from|with|calling|call|reach|reaching|contact|contacting|connect|connecting)"
    rf"\s+(?:upstream\s+|service\s+|host\s+)?(?:[a-z]+://)?{_NAME}:\d{{2,5}}\b",
    rf"(?i)(?:refused|reset|timed? ?out|timeout|unavailable|unreachable|failed|down)\s*\({_NAME}\)",
    r"(?i)(?:connecting to|calling|call to|talking to|requests? to|connection to|reaching)\s+"
    rf"(?:the\s+)?(?:upstream\s+|service\s+|host\s+)?(?:[a-z]+://)?{_NAME}",
    r"(?i)(?:timeout|timed out|time-out)\s+(?:after\s+\S+(?:\s+[a-z]+)?\s+)?(?:waiting\s+)?"
    rf"(?:to|from|for|on)\s+(?:upstream\s+|service\s+)?{_NAME}",
    r"(?i)(?:ECONNREFUSED|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|dial tcp|connect:)\s+([\w.-]+):\d+",
    r"(?i)https?://([^/:\s\"'?]+)",
    # The upstream as the subject: "payments-gateway did not answer within 5000 ms". Only names
    # that look like a service (a hyphen or a dot), so "order 7 timed out" names nothing.
    r"(?i)\b([a-z][\w]*(?:[-.][\w]+)+)\s+(?:did not (?:answer|respond)|is not responding|"
    r"not responding|is (?:unavailable|unreachable|down)|timed out|refused)",
)
# A system named anywhere counts only when the failure is about reaching it: a SQL syntax error
# or a statement timeout raised through the PostgreSQL driver is our query, not a database outage.
CONNECTIVITY = (
    r"(?i)refused|reset by peer|unavailable|unreach|ENOTFOUND|EAI_AGAIN|no such host|UnknownHost|"
    r"(?:could not|couldn't|cannot|unable to|"
    r"failed to) connect|connection (?:is |was |has been )?(?:timed out|timeout|closed|lost|"
    r"error|failure|failed|reset)|"
    r"connect(?:ion)? time(?:d)? ?out|timeout (?:while )?connecting|read timed out|"
    r"server closed the connection|no route to host|broken pipe|"
    r"shutting down|failover|read-?only|is down|not known|"
    r"name resolution|ConnectionError|ConnectError|ConnectException|OperationalError|"
    r"TimeoutError|SocketTimeout"
)
# A failure that a field ties to an upstream counts against it only when the failure is about
# the call (a timeout, a refused connection, a gateway error), not when the request failed for
# its own reasons (bad input, a bug) while that upstream happened to be in its path.
TROUBLE = (
    CONNECTIVITY
    + r"|time(?:d)? ?out|timeout|deadline exceeded|did not (?:answer|respond)|not responding|"
    r"bad gateway|gateway time-?out|circuit (?:breaker )?(?:is )?open|prematurely closed"
)
# Failures of our own making: our connection pool running dry (too much load, a greedy job) and
# a query the database cancelled for running too long (a slow query plan) — the upstream answers;
# its own errors (refused, unreachable, did not answer) say so when it is down.
OUR_SIDE = (
    r"(?i)QueuePool|pool (?:limit|exhausted|timeout|timed out|is full)|connection pool|"
    r"too many (?:clients|connections)|statement timeout|canceling statement|QueryCanceled|"
    r"query_canceled"
)
ERROR_TEXT_KEYS = ("error_message", "error.message", "exception.message", "err.message")
KNOWN_SYSTEMS = (
    r"(?i)\b(postgres(?:ql)?|psycopg2?|asyncpg|mysql|mariadb|redis|memcached?|kafka|rabbitmq|"
    r"amqp|mongo(?:db)?|pymongo|elasticsearch|opensearch|cassandra|zookeeper|etcd|consul|"
    r"dynamodb|sqs)\b"
)
ALIASES = (  # client libraries and nicknames -> the system's name
    (r"^(?:postgresql|psycopg2?|asyncpg)$", "postgres"),
    (r"^(?:mongo|pymongo)$", "mongodb"),
    (r"^memcache$", "memcached"),
    (r"^amqp$", "rabbitmq"),
)
NOT_NAMES = (
    "a", "an", "the", "it", "this", "that", "them", "lock", "locks", "response", "reply",
    "request", "requests", "connection", "connections", "pool", "server", "host", "service",
    "upstream", "database", "db", "resource", "resources", "data", "result", "results", "task",
    "job", "worker", "thread", "queue", "message", "messages", "read", "write", "client",
    "backend", "peer", "remote", "network", "socket", "port", "endpoint", "api", "input",
    "output", "disk", "file", "lease", "leader", "reading", "writing", "header", "headers",
    "body", "handshake", "acquire", "commit", "transaction", "query", "statement", "user",
    "handler", "callback", "function", "method", "hook", "retry", "retries", "slot", "permit",
)  # fmt: skip
NOT_NAME_RE = rf"^(?:{'|'.join(NOT_NAMES)})$"

# Each step reads the previous one once, so the engine sees a chain, not a tree that repeats
# the same sub-expression (Ibis would inline every reference).
_CANONICAL_STEPS = (
    (r"^[a-z][a-z0-9+.-]*://", ""),  # scheme
    (r"^[^@/]*@", ""),  # user info
    (r"[/?#\s,].*$", ""),  # path, query, and the rest of a list ("a:80, b:80")
    (r":\d+$", ""),  # port
    (r"\.$", ""),
    (r"^([^.]+)\.(?:[^.]+\.)?svc(?:\.cluster\.local)?$", r"\1"),  # Kubernetes service
    (r"\.(?:internal|local|localdomain|consul)$", ""),
    *ALIASES,
    (NOT_NAME_RE, ""),
)


def canonical(name: Any) -> Any:
    """Ibis string: a raw host / service value made into the dependency's canonical name."""
    text = name.lower().strip()
    for pattern, replacement in _CANONICAL_STEPS:
        text = text.re_replace(pattern, replacement)
    return text.nullif("")


def _plausible(raw: Any) -> Any:
    """A pattern's catch, or NULL when it caught an English word, so the next pattern may try."""
    return raw.lower().re_replace(NOT_NAME_RE, "").nullif("")


def is_failure(events: Any) -> Any:
    """Ibis boolean: an error, or a warning (retries and timeouts are often logged as warnings)."""
    return signals.is_error(events) | (events.level.fill_null("") == "warn")


@ibis.udf.scalar.builtin(name="map_contains")  # type: ignore[untyped-decorator]
def _map_contains(values: dt.Map[dt.string, dt.string], key: dt.string) -> dt.boolean:
    """The engine's own key test (DuckDB `map_contains`): far cheaper per row than reading the
    value, which is what Ibis's `MapValue.contains` compiles to."""


@ibis.udf.scalar.builtin(name="map_extract_value")  # type: ignore[untyped-decorator]
def _map_value(values: dt.Map[dt.string, dt.string], key: dt.string) -> dt.string:
    """The engine's own lookup (DuckDB `map_extract_value`): the value, NULL when the key or the
    map is missing — what Ibis's `MapValue.get` gives, which compiles to a CASE around a list
    lookup per key; fifteen of those per row cost the engine, and Ibis, much more."""


def has_name_field(events: Any) -> Any:
    """Ibis boolean: `attrs` holds one of the fields that name an upstream."""
    found = _map_contains(events.attrs, ATTR_KEYS[0])
    for key in ATTR_KEYS[1:]:
        found = found | _map_contains(events.attrs, key)
    return found.fill_null(False)


def field_value(events: Any) -> Any:
    """Ibis string: the raw value of the first field that names an upstream, or NULL."""
    return ibis.coalesce(*(_map_value(events.attrs, key).nullif("") for key in ATTR_KEYS))


def named_in_fields(events: Any) -> Any:
    return canonical(field_value(events))


STACK_PROBE_CHARS = 300  # the exception line(s) at the top of a trace name the host, if any
# Free-standing numbers (ids, durations, counts) become `#`, so that failures that differ only in
# them share one probe text; numbers glued to a name or a dot (`payments-gateway:443`,
# `10.0.0.5`, `db1`) are kept, they are part of the upstream's name or address.
LOOSE_NUMBER = r"(^|[\s=(\[#,])[-+]?\d+(?:\.\d+)?(?:ms|s)?($|[\s)\],;])"


def probe_text(events: Any) -> Any:
    """Ibis string: what a failure's upstream is read from — its exception type, message, error
    message field, and both ends of its stack (Python puts the error last) — with free-standing
    numbers masked."""
    error_text = ibis.coalesce(*(_map_value(events.attrs, key) for key in ERROR_TEXT_KEYS))
    stack = events.stack.fill_null("")
    text = (
        events.exception_type.fill_null("")
        + "\n"
        + events.message.fill_null("")
        + "\n"
        + error_text.fill_null("")
        + "\n"
        + stack.substr(0, STACK_PROBE_CHARS)
        + "\n"
        + ibis.ifelse(stack.length() > STACK_PROBE_CHARS, stack.right(STACK_PROBE_CHARS), "")
    )
    return text.re_replace(LOOSE_NUMBER, r"\1#\2")


def is_trouble(probe: Any) -> Any:
    """Ibis boolean: the failure's text is about reaching another system (see TROUBLE)."""
    return probe.re_search(TROUBLE) & ~probe.re_search(OUR_SIDE)


def named_in_text(probe: Any) -> Any:
    """Ibis string: the upstream a failure's probe text (see `probe_text`) names, or NULL.
    Pass a column, not an expression: every pattern reads it again."""
    found = [_plausible(probe.re_extract(p, 1)) for p in MESSAGE_PATTERNS]
    system = ibis.ifelse(
        probe.re_search(CONNECTIVITY), probe.re_extract(KNOWN_SYSTEMS, 1), ibis.literal("")
    )
    return canonical(ibis.coalesce(*found, _plausible(system)))


def _named_failures(rows: Any) -> Any:
    """Distinct failure texts per period with the upstream each is about: when the failure is
    about reaching another system (`is_trouble`), the upstream its fields name, else the one
    its text names."""
    failed = rows.filter(rows.failure)
    failed = failed.mutate(
        probe=probe_text(failed),
        field_name=ibis.ifelse(
            has_name_field(failed), named_in_fields(failed), ibis.null("string")
        ),
    )
    distinct = failed.group_by(["probe", "field_name", "period"]).aggregate(n=failed.count())
    distinct = distinct.mutate(
        text_name=named_in_text(distinct.probe), trouble=is_trouble(distinct.probe)
    )
    from_field = ibis.ifelse(distinct.trouble, distinct.field_name, ibis.null("string"))
    from_text = ibis.ifelse(
        distinct.field_name.isnull() & distinct.trouble, distinct.text_name, ibis.null("string")
    )
    return distinct.mutate(name=ibis.coalesce(from_field, from_text))


def with_upstream(rows: Any) -> Any:
    """`rows` (with `period` and `failure`) plus `name`: the upstream each failure is about.
    Names are read once per distinct failure text and joined back."""
    keyed = rows.mutate(
        probe=probe_text(rows),
        field_name=ibis.ifelse(has_name_field(rows), named_in_fields(rows), ibis.null("string")),
    )
    names = _named_failures(rows).select("probe", "field_name", "period", "name").distinct()
    joined = keyed.left_join(
        names,
        [
            keyed.probe == names.probe,
            keyed.field_name.fill_null("") == names.field_name.fill_null(""),
            keyed.period == names.period,
        ],
    )
    named = joined.mutate(name=ibis.ifelse(joined.failure, joined.name, ibis.null("string")))
    return named.select(*rows.columns, "name")


# "POST /api/pay HTTP/1.1" in an NGINX error line, "request failed: GET /api/orders/7 -> 504"
# in an application's request log.
REQUEST_IN_TEXT = r"\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/[^\s\"?]*)"


def request_route(events: Any) -> Any:
    """Ibis string: the route of an event, from its fields or from a request named in its text."""
    from warroom.analysis.paths import normalised_path

    text = events.message.fill_null("")
    method = ibis.coalesce(events.method.upper(), text.re_extract(REQUEST_IN_TEXT, 1).nullif(""))
    path = ibis.coalesce(events.path, text.re_extract(REQUEST_IN_TEXT, 2).nullif(""))
    return ibis.ifelse(
        path.notnull(), method.fill_null("ANY") + " " + normalised_path(path), ibis.null("string")
    )


def upstream_counts(rows: Any) -> Any:
    """Calls and failures per upstream name and period, from rows with `period` and `failure`.

    Calls: every event a field ties to the upstream (or, for upstreams only named in failure
    text, the failures themselves). Failures: those about the upstream (`_named_failures`).
    The calls and failures that name no upstream come in a row whose name is NULL.
    """
    both = _calls(rows).union(_failed(rows))
    return both.group_by(["name", "period"]).aggregate(
        calls=both.calls.sum(), failures=both.failures.sum()
    )


def count_upstreams(rows: Any) -> Any:
    """`upstream_counts` as a DataFrame, its two halves run as two queries and added up here:
    as one query the engine materialises every event of the periods (messages, stacks and
    all) for the two halves to share, which costs more than reading the events twice."""
    import pandas as pd  # type: ignore[import-untyped]

    both = pd.concat([_calls(rows).execute(), _failed(rows).execute()], ignore_index=True)
    summed = both.groupby(["name", "period"], dropna=False, as_index=False)[
        ["calls", "failures"]
    ].sum()
    return summed.astype({"calls": "int64", "failures": "int64"})


def _calls(rows: Any) -> Any:
    """Calls per upstream name and period, from the fields that name it (failures: 0)."""
    fielded = rows.filter(has_name_field(rows))
    # Count per raw value first: `canonical` is a chain of regular expressions, run once per
    # distinct value (a handful) rather than once per call (millions at scale).
    fielded = fielded.mutate(raw=field_value(fielded))
    per_value = fielded.group_by(["raw", "period"]).aggregate(calls=fielded.count())
    per_value = per_value.mutate(name=canonical(per_value.raw))
    return per_value.group_by(["name", "period"]).aggregate(
        calls=per_value.calls.sum().cast("int64"), failures=ibis.literal(0, "int64")
    )


def _failed(rows: Any) -> Any:
    """Failures per upstream name and period (and the calls of upstreams only named in text).
    Rows without a name stay in (one NULL group), for the caller to drop: a filter on
    `name` here would be pushed by the engine below the per-value count, and `canonical`
    would run once per call again (5 s of 6 on 5 million events)."""
    named = _named_failures(rows)
    return named.group_by(["name", "period"]).aggregate(
        calls=ibis.ifelse(named.field_name.isnull(), named.n, 0).sum().cast("int64"),
        failures=named.n.sum().cast("int64"),
    )
