"""Whatever a framework file contains, checking it reports problems with lines; it never crashes."""

from __future__ import annotations

import copy
from collections.abc import Hashable
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.severity.framework import check_framework_text, preset_text

BASE = yaml.safe_load(preset_text("five-level"))
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["15m", "0m", "1 fortnight", "SEV9", "execs", "data_breach or", "yes_no"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, path: tuple[Hashable, ...] = ()) -> list[tuple[Hashable, ...]]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _mutate(data: Any, path: tuple[Hashable, ...], value: Any, *, delete: bool) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_robustness_mutated_presets_are_reported_never_crash(data: st.DataObject) -> None:
    framework = copy.deepcopy(BASE)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(framework)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        _mutate(framework, path, data.draw(VALUES), delete=data.draw(st.booleans()))
    text = yaml.dump(framework, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
    result = check_framework_text(text, source="mutated.yaml")
    assert result.valid == (not result.problems)
    assert (result.framework is None) == bool(result.problems)
    lines = text.count("\n") + 1
    assert all(
        problem.line is not None and 1 <= problem.line <= lines for problem in result.problems
    )
