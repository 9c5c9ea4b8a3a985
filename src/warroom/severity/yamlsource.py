"""Read YAML and remember where everything is, so that every problem can name its line.

PyYAML composes the document into a node tree that carries marks; we walk it once and record,
for every path (`("levels", 0, "response", "page")`), the line of its key (or of the list item).
The same walk finds duplicate keys, which plain `yaml.safe_load` would silently collapse.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import yaml

from warroom.errors import Problem

Path = tuple[Hashable, ...]
_MAX_DEPTH = 32
# libyaml is ten times faster and keeps the same marks; fall back where it is not compiled in.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class SourceMap:
    """The line (1-based) of each path in the document."""

    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """The line of `path`, or of its closest ancestor present in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


@dataclass
class LoadedYaml:
    data: Any
    source_map: SourceMap
    problems: list[Problem]


def load_yaml(text: str) -> LoadedYaml:
    """Parse `text`; syntax errors and duplicate keys come back as problems, not exceptions."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        return LoadedYaml(None, SourceMap(), [_syntax_problem(error)])
    except yaml.YAMLError as error:
        return LoadedYaml(None, SourceMap(), [Problem(None, "(yaml)", str(error))])
    finally:
        loader.dispose()
    source_map = SourceMap({(): 1})
    duplicates: list[tuple[int, Path, int]] = []
    if node is not None:
        _index(node, (), source_map, duplicates)
    problems = [
        Problem(line, format_path(path, data), f"duplicate key (first on line {first})")
        for line, path, first in duplicates
    ]
    return LoadedYaml(data, source_map, problems)


def format_path(path: Path, data: Any) -> str:
    """`levels[SEV1].response.page`: list items are named by their `id` when they have one."""
    text = ""
    node = data
    for part in path:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            item_id = item.get("id") if isinstance(item, dict) else None
            text += f"[{item_id}]" if isinstance(item_id, str) and item_id else f"[{part}]"
            node = item
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text or "(file)"


def _syntax_problem(error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    context = error.context or ""
    if context and error.context_mark is not None and error.context_mark is not mark:
        context += f" (from line {error.context_mark.line + 1})"
    what = ": ".join(part for part in (context, error.problem) if part)
    return Problem(line, "(yaml)", f"not valid YAML: {what}")


def _index(
    node: yaml.Node, path: Path, source_map: SourceMap, duplicates: list[tuple[int, Path, int]]
) -> None:
    if len(path) > _MAX_DEPTH:  # an alias can make the tree recursive; nothing valid is this deep
        return
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_seen:
                duplicates.append((line, (*path, key), first_seen[key]))
                continue
            first_seen[key] = line
            source_map.lines[(*path, key)] = line
            _index(value_node, (*path, key), source_map, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            source_map.lines[(*path, index)] = item.start_mark.line + 1
            _index(item, (*path, index), source_map, duplicates)
