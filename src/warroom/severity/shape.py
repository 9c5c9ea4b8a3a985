"""Turn pydantic's shape errors into messages a policy author understands.

Pydantic reports where (`loc`) and what (`type`); this module keeps the where and rewrites the
what: "unknown key 'postmortm'; did you mean 'postmortem'?" instead of "Extra inputs are not
permitted".
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from warroom.severity import models
from warroom.severity.validation import Located

_PATTERNS = {
    models.IDENTIFIER_PATTERN: "must be lower case, start with a letter, and use only a-z, 0-9, _",
    models.LEVEL_ID_PATTERN: "must start with a letter and use only letters, digits, - and _",
}


def shape_problems(error: ValidationError) -> list[Located]:
    """One located, plain-language problem per pydantic error."""
    return [_located(detail) for detail in error.errors(include_url=False)]


def _located(detail: ErrorDetails) -> Located:
    path = tuple(part for part in detail["loc"] if part != "[key]")
    return Located(path, _message(detail))


def _message(detail: ErrorDetails) -> str:
    kind = detail["type"]
    if kind in _FIXED:
        return _FIXED[kind]
    return _HANDLERS.get(kind, _generic)(detail)


def _not_allowed(detail: ErrorDetails) -> str:
    expected = (detail.get("ctx") or {}).get("expected", "one of the listed values")
    return f"{detail['input']!r} is not allowed; use {expected}"


def _pattern(detail: ErrorDetails) -> str:
    pattern = str((detail.get("ctx") or {}).get("pattern"))
    return f"{detail['input']!r} {_PATTERNS.get(pattern, 'has the wrong form')}"


def _generic(detail: ErrorDetails) -> str:
    message = detail["msg"]
    return f"{message[:1].lower()}{message[1:]} (got {_shown(detail['input'])})"


_FIXED = {
    "missing": "is required but missing",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
}
_HANDLERS: dict[str, Callable[[ErrorDetails], str]] = {
    "extra_forbidden": lambda detail: _unknown_key(str(detail["loc"][-1])),
    "enum": _not_allowed,
    "literal_error": _not_allowed,
    "string_pattern_mismatch": _pattern,
    "model_type": lambda d: f"should be a mapping of key: value lines (got {_shown(d['input'])})",
    "dict_type": lambda d: f"should be a mapping of key: value lines (got {_shown(d['input'])})",
    "list_type": lambda d: f"should be a list of '- item' lines (got {_shown(d['input'])})",
    "value_error": lambda detail: detail["msg"].removeprefix("Value error, "),
    "bool_parsing": lambda d: f"should be true or false (got {_shown(d['input'])})",
    "bool_type": lambda d: f"should be true or false (got {_shown(d['input'])})",
    "string_type": lambda d: f"should be text (got {_shown(d['input'])})",
    "float_parsing": lambda d: f"should be a number (got {_shown(d['input'])})",
    "float_type": lambda d: f"should be a number (got {_shown(d['input'])})",
}


def _unknown_key(key: str) -> str:
    close = difflib.get_close_matches(key, sorted(_known_keys()), n=1, cutoff=0.7)
    return f"unknown key {key!r}" + (f"; did you mean {close[0]!r}?" if close else "")


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@cache
def _known_keys() -> frozenset[str]:
    """Every key a framework file may use, for 'did you mean' suggestions."""
    keys: set[str] = set()
    classes: list[type[BaseModel]] = [
        models.Framework,
        models.Question,
        models.Rule,
        models.Level,
        models.Response,
        models.EscalationStep,
        models.Postmortem,
    ]
    for model in classes:
        for name, info in model.model_fields.items():
            keys.add(info.alias or name)
    return frozenset(keys)
