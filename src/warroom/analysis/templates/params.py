"""The values behind each `<*>` of a template, for the input-pattern analysis.

A template turns into an anchored regular expression: literal text, `\\s+` for the spaces
between words, and one lazy group per `<*>`. The same expression serves Python (one message)
and DuckDB (a `params VARCHAR[]` column for the lines of one template).
"""

from __future__ import annotations

import re
from functools import lru_cache

from warroom.analysis.templates.masking import PLACEHOLDER


def template_regex(template: str) -> str:
    """An anchored RE2/Python pattern that matches the messages of `template`."""
    words = []
    for word in template.split():
        pieces = word.split(PLACEHOLDER)
        words.append("(.*?)".join(re.escape(piece) for piece in pieces))
    return r"^\s*" + r"\s+".join(words) + r"\s*$"


@lru_cache(maxsize=4096)
def _compiled(template: str) -> re.Pattern[str]:
    return re.compile(template_regex(template), re.DOTALL)


def template_params(template: str, message: str) -> list[str]:
    """The values of `message` behind each `<*>` of `template`; [] when it does not match."""
    match = _compiled(template).match(message)
    return list(match.groups()) if match else []


def params_sql(template: str, column: str) -> str:
    """SQL for a `VARCHAR[]` of the values behind each `<*>`, for lines of this template."""
    count = template.count(PLACEHOLDER)
    if count == 0:
        return "[]::VARCHAR[]"
    pattern = "'" + template_regex(template).replace("'", "''") + "'"
    items = ", ".join(
        f"regexp_extract({column}, {pattern}, {group})" for group in range(1, count + 1)
    )
    return f"[{items}]"
