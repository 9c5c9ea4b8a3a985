"""The template miner: groups distinct masked messages into templates. Pure algorithm, no I/O.

Input is the set of distinct *masked* messages (variables already `<*>`) with how many lines
each stands for; so the cost grows with the number of distinct shapes, never with lines.

How it groups, and why:
1. Messages are split on runs of white space and grouped by token count, like Drain.
2. Each group is partitioned recursively, like IPLoM and Brain: at every node the position
   with the fewest distinct words is the most template-like, so the node is split on it.
   A position stops being split, and becomes `<*>`, when it *looks variable*: it has many
   distinct words (`variable_min_distinct`), or some of its words already hold a masked
   variable (`LOCAL(<*>),` next to `<*>,`). Low-cardinality words that differ (`VM Paused` /
   `VM Resumed`, `Transitioned from NEW`) stay apart: real templates differ by one word far
   more often than a variable goes unmasked, which is where similarity-threshold parsers err.
   A template keeps at least one constant word, so unrelated one-word messages never merge.
3. Templates that differ only in how many `<*>` tokens stand in a row (a list of block ids)
   are merged into one, with a single `<*>` for the run.
4. Quality gate: when the templates are no summary (more than half as many as lines, or most
   of them seen once), the groups are mined again with a coarser setting and a warning.

Deterministic: shapes are processed as a sorted set, so the same input in any order gives
the same templates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from warroom.analysis.templates.masking import PLACEHOLDER


@dataclass(frozen=True)
class MinerConfig:
    """The one configuration used for every log source."""

    variable_min_distinct: int = 10  # a position with this many distinct words is a variable
    gate_min_lines: int = 50  # below this many lines the quality gate does not judge
    gate_max_template_share: float = 0.5  # more templates than this share of lines -> coarser
    gate_max_rare_share: float = 0.8  # more templates seen once than this share -> coarser
    coarse_variable_min_distinct: int = 2
    # Nodes without a shared word are split only on positions with fewer distinct words than
    # this; None: always (so every template keeps a constant word). The coarse pass uses 10,
    # so a flood of lines made of unmasked values collapses instead of staying one per line.
    unanchored_split_max_distinct: int | None = None


DEFAULT_CONFIG = MinerConfig()


@dataclass(frozen=True)
class MiningResult:
    """Templates, and for every input shape the index of its template."""

    templates: tuple[str, ...]
    assignment: tuple[int, ...]  # input shape index -> template index
    counts: tuple[int, ...]  # lines per template
    coarse: bool = False  # the quality gate asked for the coarser setting
    warnings: tuple[str, ...] = ()


def mine(
    shapes: Sequence[str], counts: Sequence[int], *, config: MinerConfig = DEFAULT_CONFIG
) -> MiningResult:
    """Group distinct masked messages (`shapes`, with line `counts`) into templates."""
    result = _mine_once(shapes, counts, config)
    total = sum(counts)
    reason = _gate_reason(result, total, config)
    if reason is None:
        return result
    coarse_config = replace(
        config,
        variable_min_distinct=config.coarse_variable_min_distinct,
        unanchored_split_max_distinct=config.variable_min_distinct,
    )
    coarse = _mine_once(shapes, counts, coarse_config)
    warning = (
        f"{reason}; mined again with the coarser setting: "
        f"{len(result.templates)} -> {len(coarse.templates)} templates"
    )
    return replace(coarse, coarse=True, warnings=(warning,))


def _gate_reason(result: MiningResult, total: int, config: MinerConfig) -> str | None:
    if total < config.gate_min_lines:
        return None
    n_templates = len(result.templates)
    if n_templates > config.gate_max_template_share * total:
        return f"{n_templates} templates for {total} lines is no summary"
    rare = sum(1 for count in result.counts if count == 1)
    if n_templates >= 20 and rare > config.gate_max_rare_share * n_templates:
        return f"{rare} of {n_templates} templates are seen once"
    return None


def _mine_once(shapes: Sequence[str], counts: Sequence[int], config: MinerConfig) -> MiningResult:
    tokens = [shape.split() or [""] for shape in shapes]
    by_length: dict[int, list[int]] = defaultdict(list)
    for index in sorted(range(len(shapes)), key=lambda i: shapes[i]):
        by_length[len(tokens[index])].append(index)
    leaves: list[list[int]] = []
    for length in sorted(by_length):
        leaves.extend(_partition(by_length[length], tokens, config))
    leaf_templates = [_template_of(leaf, tokens) for leaf in leaves]
    return _merge_runs(leaves, leaf_templates, counts, len(shapes))


def _partition(rows: list[int], tokens: list[list[str]], config: MinerConfig) -> list[list[int]]:
    """Split one token-count group into leaves; each leaf becomes one template."""
    leaves: list[list[int]] = []
    stack = [rows]
    while stack:
        node = stack.pop()
        position = _split_position(node, tokens, config) if len(node) > 1 else None
        if position is None:
            leaves.append(node)
            continue
        children: dict[str, list[int]] = defaultdict(list)
        for row in node:
            children[tokens[row][position]].append(row)
        stack.extend(children[word] for word in sorted(children, reverse=True))
    return leaves


def _split_position(node: list[int], tokens: list[list[str]], config: MinerConfig) -> int | None:
    """The position to split `node` on, or None when `node` is one template."""
    length = len(tokens[node[0]])
    columns = [{tokens[row][p] for row in node} for p in range(length)]
    varying = [p for p in range(length) if len(columns[p]) > 1]
    if not varying:
        return None
    splittable = [p for p in varying if not _looks_variable(columns[p], config)]
    anchored = any(len(column) == 1 and PLACEHOLDER not in next(iter(column)) for column in columns)
    if splittable:
        return min(splittable, key=lambda p: (len(columns[p]), p))
    limit = config.unanchored_split_max_distinct
    forced = [p for p in varying if limit is None or len(columns[p]) < limit]
    if anchored or not forced:
        return None
    # No word is shared by the whole node (unrelated messages of one length): split where the
    # fewest messages hold a masked value, the most template-like position, as Drain's prefix
    # tree does with leading words.
    return min(forced, key=lambda p: (_placeholder_rows(node, tokens, p), len(columns[p]), p))


def _placeholder_rows(node: list[int], tokens: list[list[str]], position: int) -> int:
    return sum(1 for row in node if PLACEHOLDER in tokens[row][position])


def _looks_variable(words: set[str], config: MinerConfig) -> bool:
    if len(words) >= config.variable_min_distinct:
        return True
    masked = [word for word in words if PLACEHOLDER in word]
    # Words made only of punctuation ("****") are layout, not values.
    return bool(masked) and all(_has_alnum(word) or PLACEHOLDER in word for word in words)


def _has_alnum(word: str) -> bool:
    return any(char.isalnum() for char in word)


def _template_of(leaf: list[int], tokens: list[list[str]]) -> list[str]:
    first = tokens[leaf[0]]
    if len(leaf) == 1:
        return list(first)
    template = []
    for position in range(len(first)):
        words = {tokens[row][position] for row in leaf}
        template.append(first[position] if len(words) == 1 else _merged_word(words))
    return template


def _merged_word(words: set[str]) -> str:
    """`<*>` keeping the punctuation every word starts and ends with (`(<*>),` from `(a),`)."""
    # A placeholder is one opaque character here, so no punctuation is taken out of it.
    ordered = sorted(word.replace(PLACEHOLDER, _OPAQUE) for word in words)
    shortest = min(len(word) for word in ordered)
    prefix = 0
    while prefix < shortest and _same_char(ordered, prefix):
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and _same_char(ordered, -1 - suffix):
        suffix += 1
    first = ordered[0]
    return first[:prefix] + PLACEHOLDER + (first[len(first) - suffix :] if suffix else "")


_OPAQUE = "\x00"


def _same_char(words: list[str], offset: int) -> bool:
    char = words[0][offset]
    return not char.isalnum() and char != _OPAQUE and all(word[offset] == char for word in words)


def _merge_runs(
    leaves: list[list[int]], leaf_templates: list[list[str]], counts: Sequence[int], n_shapes: int
) -> MiningResult:
    """One template for leaves that differ only in the length of runs of `<*>` tokens."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for leaf_index, template in enumerate(leaf_templates):
        by_key[_collapse_runs(template)].append(leaf_index)
    templates: list[str] = []
    template_counts: list[int] = []
    assignment = [0] * n_shapes
    for key in sorted(by_key):
        members = by_key[key]
        text = key if len(members) > 1 else " ".join(leaf_templates[members[0]])
        rows = [row for member in members for row in leaves[member]]
        for row in rows:
            assignment[row] = len(templates)
        templates.append(text)
        template_counts.append(sum(counts[row] for row in rows))
    return MiningResult(tuple(templates), tuple(assignment), tuple(template_counts))


def _collapse_runs(template: list[str]) -> str:
    out: list[str] = []
    for word in template:
        if word == PLACEHOLDER and out and out[-1] == PLACEHOLDER:
            continue
        out.append(word)
    return " ".join(out)
