"""Templates in the engine: mine a message column of a DuckDB table without moving its lines.

The digit-word stage and the masking rules run in SQL over the column, the rows are grouped
by their digit-masked key with counts, and only the distinct keys come back to Python to be
mined. The result joins back to every row by that key, so the cost outside the engine grows
with the number of distinct shapes, not with the number of lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from warroom.analysis.templates.catalog import Catalog, build_catalog
from warroom.analysis.templates.masking import digit_words_sql, mask_internal_sql
from warroom.analysis.templates.miner import DEFAULT_CONFIG, MinerConfig
from warroom.analysis.templates.params import params_sql
from warroom.analysis.templates.shapes import EMPTY, shape_of_clean, special_shape


@dataclass(frozen=True)
class EngineTemplates:
    """`rows`: the source rows plus `template_id` and `template`; `templates`: one row each."""

    rows: Any  # duckdb.DuckDBPyRelation
    templates: Any  # duckdb.DuckDBPyRelation: template_id, template, lines
    catalog: Catalog
    map_table: str  # key -> template_id, template (a temporary table on the connection)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mine_column(
    connection: Any,
    *,
    table: str,
    column: str,
    prefix: str = "wr_templates",
    config: MinerConfig = DEFAULT_CONFIG,
) -> EngineTemplates:
    """Mine templates for `table.column` on a DuckDB `connection`."""
    source, message = _quote(table), _quote(column)
    key = digit_words_sql(message)
    map_table = f"{prefix}_map"
    catalog = mine_keys(
        connection,
        key_counts=f"SELECT {key} AS key, count(*) AS n FROM {source} GROUP BY 1",
        map_table=map_table,
        config=config,
    )
    rows = connection.sql(
        f"SELECT s.*, m.template_id, m.template FROM {source} AS s "
        f"JOIN {_quote(map_table)} AS m ON {digit_words_sql('s.' + message)} "
        "IS NOT DISTINCT FROM m.key"
    )
    templates = connection.sql(
        f"SELECT DISTINCT template_id, template, lines FROM {_quote(map_table)} "
        "ORDER BY lines DESC, template"
    )
    return EngineTemplates(rows=rows, templates=templates, catalog=catalog, map_table=map_table)


def mine_keys(
    connection: Any, *, key_counts: str, map_table: str, config: MinerConfig = DEFAULT_CONFIG
) -> Catalog:
    """Mine the digit-masked keys that the query `key_counts` (columns `key`, `n`) returns.

    The later masking rules run in SQL over the distinct keys only; the miner sees distinct
    shapes weighted by their line counts. Leaves the temporary table `map_table` (`key`,
    `template_id`, `template`, `lines`) on the connection, to join the templates back.
    """
    cleaned = r"regexp_replace(key, '[\x00-\x1f\x7f]', ' ', 'g')"
    distinct = connection.sql(
        f"SELECT key, {mask_internal_sql(cleaned)} AS internal, n FROM "
        f"(SELECT key, sum(n) AS n FROM ({key_counts}) GROUP BY 1) ORDER BY key NULLS FIRST"
    ).fetchall()
    shapes = [_shape(row[0], row[1]) for row in distinct]
    shape_index: dict[str, int] = {}
    of_key = [shape_index.setdefault(shape, len(shape_index)) for shape in shapes]
    counts = [0] * len(shape_index)
    for row, index in zip(distinct, of_key, strict=True):
        counts[index] += int(row[2])
    catalog = build_catalog(list(shape_index), counts, config=config)
    _create_map(connection, map_table, distinct, of_key, catalog)
    return catalog


def _shape(key: str | None, internal: str | None) -> str:
    if key is None or internal is None:
        return EMPTY
    return special_shape(key) or shape_of_clean(internal)


def _create_map(
    connection: Any, name: str, distinct: list[Any], of_key: list[int], catalog: Catalog
) -> None:
    template_of_key = [int(catalog.of_shape[index]) for index in of_key]
    mapping = pa.table(
        {
            "key": pa.array([row[0] for row in distinct], type=pa.string()),
            "template_id": [catalog.template_ids[t] for t in template_of_key],
            "template": [catalog.templates[t] for t in template_of_key],
            "lines": pa.array([int(catalog.counts[t]) for t in template_of_key], type=pa.int64()),
        }
    )
    connection.register(f"{name}_arrow", mapping)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {_quote(name)} AS SELECT * FROM {name}_arrow")
    connection.unregister(f"{name}_arrow")


def template_rows_with_params(
    connection: Any, mined: EngineTemplates, *, template_id: str, column: str
) -> Any:
    """The rows of one template, with `params VARCHAR[]`: the values behind each `<*>`."""
    index = mined.catalog.template_ids.index(template_id)
    template = mined.catalog.templates[index]
    quoted_id = "'" + template_id.replace("'", "''") + "'"
    return mined.rows.filter(f"template_id = {quoted_id}").select(
        f"*, {params_sql(template, _quote(column))} AS params"
    )
