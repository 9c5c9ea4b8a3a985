from __future__ import annotations

import duckdb
import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.analysis.paths import coarse_path, normalise_path, normalised_path, route_of

CASES = [
    ("/api/orders/81723/items", "/api/orders/{id}/items"),
    ("/api/orders/81723/items?expand=lines#top", "/api/orders/{id}/items"),
    ("/api/orders/", "/api/orders"),
    ("//api//orders/7/", "/api/orders/{id}"),
    ("/", "/"),
    ("", "/"),
    ("/api/v1/users/550e8400-e29b-41d4-a716-446655440000/cart", "/api/v1/users/{id}/cart"),
    ("/blobs/5f3a9c0d1e", "/blobs/{id}"),
    ("/blobs/0x1f2e3d4c", "/blobs/{id}"),
    ("/invoices/INV-20240117", "/invoices/{id}"),
    ("/orders/ord_123", "/orders/{id}"),
    ("/users/bob@example.com", "/users/{id}"),
    ("/keys/AbCdEfGhIjKlMnOp7q", "/keys/{id}"),
    ("/oauth2/token", "/oauth2/token"),
    ("/ipv6/h264/v2", "/ipv6/h264/v2"),
    ("/static/app-bundle", "/static/app-bundle"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_paths_python_normalisation(raw: str, expected: str) -> None:
    assert normalise_path(raw) == expected


_CON = duckdb.connect()
_TABLE = ibis.table({"i": "int64", "path": "string"}, name="p")
# Compiled once: the engine runs the very SQL the analyzers produce, for every example.
_SQL = str(
    ibis.to_sql(
        _TABLE.mutate(
            n=normalised_path(_TABLE.path), c=normalised_path(coarse_path(_TABLE.path))
        ).order_by("i"),
        dialect="duckdb",
    )
)


def _engine(paths: list[str]) -> list[str]:
    _CON.register("p", pd.DataFrame({"i": range(len(paths)), "path": paths}))
    frame = _CON.execute(_SQL).df()
    _CON.unregister("p")
    assert list(frame["n"]) == list(frame["c"]), "the coarse path must normalise the same way"
    return list(frame["n"])


def test_paths_engine_normalisation_matches_python() -> None:
    assert _engine([raw for raw, _ in CASES]) == [expected for _, expected in CASES]


SEGMENT = st.one_of(
    st.from_regex(r"[a-z]{1,10}", fullmatch=True),
    st.from_regex(r"[0-9]{1,9}", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9_.~=-]{1,24}", fullmatch=True),
    st.uuids().map(str),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(SEGMENT, min_size=0, max_size=5), min_size=1, max_size=20))
def test_paths_engine_and_python_agree_on_random_paths(shapes: list[list[str]]) -> None:
    paths = ["/" + "/".join(segments) for segments in shapes]
    assert _engine(paths) == [normalise_path(p) for p in paths]


def test_paths_route_ref_has_the_contract_form() -> None:
    assert route_of("post", "/api/orders/81723") == "POST /api/orders/{id}"
    assert route_of(None, "/health") == "ANY /health"
