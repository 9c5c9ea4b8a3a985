"""Request targets -> path (without the query string) and `query.<name>` attrs entries.

A target may be a path (`/api/orders/42?page=2`) or a full URL (`https://shop/api?x=1`); the
scheme and authority are dropped. Query names and values are URL-decoded (`+` is a space);
a name given twice keeps all its values, joined with a comma. Bytes that do not decode to
UTF-8 are left as they were written.
"""

from __future__ import annotations

_PATH = r"^(?:[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*)?([^?#]*)"
_QUERY = r"\?([^#]*)"


def target_path(target_sql: str) -> str:
    """The path of a request target, NULL when it has none."""
    return f"nullif(regexp_extract({target_sql}, '{_PATH}', 1), '')"


def _decoded(text_sql: str) -> str:
    plain = f"replace({text_sql}, '+', ' ')"
    return f"coalesce(TRY(url_decode({plain})), {plain})"


def query_entries(target_sql: str) -> str:
    """The query string of a target as a list of `attrs` entries (`query.<name>`, value)."""
    query = f"regexp_extract({target_sql}, '{_QUERY}', 1)"
    name = "split_part(p, '=', 1)"
    named = f"list_filter(string_split({query}, '&'), lambda p: {name} <> '')"
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
