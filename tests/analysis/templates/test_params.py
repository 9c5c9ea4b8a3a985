"""Parameters of a template, in Python and in SQL."""

from __future__ import annotations

import duckdb

from warroom.analysis.templates.params import params_sql, template_params, template_regex


def test_params_returns_values_in_order() -> None:
    template = "Received block <*> src: <*>:<*> of size <*>"
    message = "Received block blk_-12 src: /10.0.0.1:50010 of size 67108864"
    assert template_params(template, message) == ["blk_-12", "/10.0.0.1", "50010", "67108864"]


def test_params_of_a_collapsed_run_span_several_words() -> None:
    assert template_params("ask <*> to delete <*>", "ask a to delete b c d") == ["a", "b c d"]


def test_params_of_a_message_that_does_not_fit_is_empty() -> None:
    assert template_params("user <*> logged in", "something else") == []


def test_params_template_without_variables_has_none() -> None:
    assert template_params("Connection reset by peer", "Connection  reset by peer") == []
    assert duckdb.sql(
        f"SELECT {params_sql('Connection reset by peer', 'x')} FROM (SELECT 1 AS x)"
    ).fetchall() == [([],)]


def test_params_sql_equals_python() -> None:
    template = "quantity '<*>' (order=<*>) rejected"
    message = "quantity '1.5' (order=77) rejected"
    sql = f"SELECT {params_sql(template, 'm')} FROM (SELECT ? AS m)"
    assert duckdb.execute(sql, [message]).fetchall() == [(template_params(template, message),)]
    assert template_regex(template).startswith("^")
