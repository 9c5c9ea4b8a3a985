"""Request targets -> path (without the query string) and `query.<name>` attrs entries.

A target may be a path (`/api/orders/42?page=2`) or a full URL (`https://shop/api?x=1`); the
scheme and authority are dropped. Parsers keep a target's query string (`query_text`) as a
column; `attrs` reads its frequent names with string searches (`query_has`, `query_value`)
and falls back to `query_entries` for the rest. Query names and values are URL-decoded (`+`
is a space); a name given twice keeps all its values, joined with a comma. Bytes that do not
decode to UTF-8 are left as they were written.
"""

from __future__ import annotations

from warroom.evidence.logs.records import literal

_URL_PATH = r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*([^?#]*)"


def target_path(target_sql: str) -> str:
    """The path of a request target, NULL when it has none."""
    # String positions are cheap; only full URLs (rare in logs) need the expression.
    before = f"left({target_sql}, strpos({target_sql}, '?') - 1)"
    cut = f"CASE WHEN contains({target_sql}, '?') THEN {before} ELSE {target_sql} END"
    cut = f"CASE WHEN contains({cut}, '#') THEN split_part({cut}, '#', 1) ELSE {cut} END"
    url = f"regexp_extract({target_sql}, {literal(_URL_PATH)}, 1)"
    return f"nullif(CASE WHEN contains({target_sql}, '://') THEN {url} ELSE {cut} END, '')"


def _decoded(text_sql: str) -> str:
    plain = f"replace({text_sql}, '+', ' ')"
    return (
        f"CASE WHEN contains({text_sql}, '%') OR contains({text_sql}, '+') "
        f"THEN coalesce(TRY(url_decode({plain})), {plain}) ELSE {text_sql} END"
    )


def query_text(target_sql: str) -> str:
    """The query string of a request target (what follows `?`), NULL when it has none."""
    after = f"substr({target_sql}, strpos({target_sql}, '?') + 1)"
    return f"CASE WHEN contains({target_sql}, '?') THEN split_part({after}, '#', 1) END"


def query_has(query_sql: str, name: str) -> str:
    """Whether a query string has `name=...` (`name` must need no URL decoding)."""
    first, later = literal(name + "="), literal("&" + name + "=")
    return f"(starts_with({query_sql}, {first}) OR contains({query_sql}, {later}))"


def query_value(query_sql: str, name: str) -> str:
    """The (first) decoded value of `name` in a query string, NULL when absent."""
    # Positions and slices: several times cheaper than split_part on a joined string.
    start = (
        f"CASE WHEN starts_with({query_sql}, {literal(name + '=')}) THEN {len(name) + 2} "
        f"ELSE strpos({query_sql}, {literal('&' + name + '=')}) + {len(name) + 2} END"
    )
    after = f"substr({query_sql}, {start})"
    value = (
        f"CASE WHEN contains({after}, '&') THEN left({after}, strpos({after}, '&') - 1) "
        f"ELSE {after} END"
    )
    return f"CASE WHEN {query_has(query_sql, name)} THEN {_decoded(value)} END"


def query_size(query_sql: str) -> str:
    """How many `&`-separated parameters a query string holds."""
    return f"(length({query_sql}) - length(replace({query_sql}, '&', '')) + 1)"


def query_entries(target_sql: str) -> str:
    """The query string of a target as a list of `attrs` entries (`query.<name>`, value)."""
    name = "split_part(p, '=', 1)"
    named = f"list_filter(string_split({query_text(target_sql)}, '&'), lambda p: {name} <> '')"
    pairs = (
        f"list_transform({named}, lambda p: struct_pack(k := 'query.' || {_decoded(name)}, "
        f"v := {_decoded(f'substr(p, length({name}) + 2)')}))"
    )
    joined = (
        "list_transform(list_filter(pairs, lambda e, i: "
        "list_position(list_transform(pairs, lambda x: x.k), e.k) = i), "
        "lambda e: struct_pack(k := e.k, v := array_to_string("
        "list_transform(list_filter(pairs, lambda x: x.k = e.k), lambda x: x.v), ',')))"
    )
    # A lambda over `pairs` needs it as a value: bind it once with a one-element list.
    return (
        f"CASE WHEN contains({target_sql}, '?') THEN "
        f"flatten(list_transform([{pairs}], lambda pairs: {joined})) "
        "ELSE []::STRUCT(k VARCHAR, v VARCHAR)[] END"
    )
