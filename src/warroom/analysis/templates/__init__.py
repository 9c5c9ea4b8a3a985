"""Log template mining: masking rules, the miner, the engine glue and stack fingerprints.

Entry points:
- `mine_lines(data)`: templates for raw newline-separated bytes (what `warroom templates` runs).
- `mine_column(connection, table=, column=)`: templates for a DuckDB column, joined back to rows.
- `template_params` / `params_sql` / `template_rows_with_params`: the values behind each `<*>`.
- `fingerprint_stack` / `fingerprint_stacks`: exception type + in-app frames + message template.
- `raw.raw_messages`: whole log lines -> messages, by the parsers of `warroom investigate`.
The events table's templates (shared by analyzers) live in `warroom.analysis.message_keys`.
"""

from warroom.analysis.templates.catalog import Catalog, build_catalog, template_id
from warroom.analysis.templates.engine import (
    EngineTemplates,
    mine_column,
    template_rows_with_params,
)
from warroom.analysis.templates.masking import mask
from warroom.analysis.templates.miner import DEFAULT_CONFIG, MinerConfig, mine
from warroom.analysis.templates.params import params_sql, template_params
from warroom.analysis.templates.pipeline import MinedLines, mine_lines, summarize, tsv_output
from warroom.analysis.templates.stack import (
    StackFingerprint,
    fingerprint_stack,
    fingerprint_stacks,
    stack_fingerprint,
)

__all__ = [
    "DEFAULT_CONFIG",
    "Catalog",
    "EngineTemplates",
    "MinedLines",
    "MinerConfig",
    "StackFingerprint",
    "build_catalog",
    "fingerprint_stack",
    "fingerprint_stacks",
    "mask",
    "mine",
    "mine_column",
    "mine_lines",
    "params_sql",
    "stack_fingerprint",
    "summarize",
    "template_id",
    "template_params",
    "template_rows_with_params",
    "tsv_output",
]
