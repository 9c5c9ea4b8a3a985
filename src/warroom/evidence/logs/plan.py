"""How a JSON-lines file is read: the `json_transform` structure and the SQL of each leaf.

A plan is built from a discovered shape (see `shapes`): nested objects become nested structs
and every other value a text leaf, named by its dotted path. Objects with more than
`MAX_OBJECT_KEYS` keys, or nested deeper than `MAX_DEPTH`, are kept whole as JSON text, as
are keys DuckDB cannot name in a struct (the empty key; a second spelling of a key that
differs only in case), which are read by JSON pointer. A key that is an object on some lines
and a scalar on others is read as text, then split: the scalar stays under the key's name,
the object's keys are read from the text by pointer.

`complete_sql` is the check that makes sampling safe: in JSON text every key is followed by
`":`, so a line whose count of `":` differs from what the plan explains (one per key read,
plus those inside the values read) holds a key the plan lacks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any, Final

from warroom.evidence.logs.records import literal

MAX_OBJECT_KEYS: Final = 256
MAX_DEPTH: Final = 8
# In a discovered shape, marks an object that is a scalar on some lines.
MIXED: Final = "\u0000mixed"
_LEAF = "VARCHAR"
# Read when the plan knows no key yet, so that `j` still tells JSON objects from the rest.
_PLACEHOLDER: Final = {"\u0000warroom": _LEAF}


@dataclass(frozen=True)
class Leaf:
    """One flattened key: its dotted name and the SQL that reads its text."""

    name: str
    sql: str


@dataclass(frozen=True)
class JsonPlan:
    """A `json_transform` structure for the struct `j`, and its leaves and objects."""

    shape: Any  # the discovered structure this plan was built from
    structure: dict[str, Any]
    leaves: tuple[Leaf, ...]
    objects: tuple[tuple[str, ...], ...]  # per object: the SQL of the leaves under it
    # Every leaf holds a scalar (no array, no object kept whole as JSON text, no pointer).
    scalar_leaves: bool = False

    @classmethod
    def from_shape(cls, shape: Any) -> JsonPlan:
        """Build the plan for a discovered structure (a dict of key -> type or dict)."""
        builder = _Builder()
        structure = builder.object(shape if isinstance(shape, dict) else {}, path=(), depth=0)
        leaves, objects = tuple(builder.leaves), tuple(builder.objects)
        return cls(shape, structure, leaves, objects, scalar_leaves=builder.scalar_only)

    def structure_json(self) -> str:
        """The structure as `json_transform` takes it (which refuses an empty one)."""
        return json.dumps(self.structure or _PLACEHOLDER)

    def lookup(self, key: str) -> list[str]:
        """The SQL of the leaves whose lower-case dotted name is `key`."""
        return [leaf.sql for leaf in self.leaves if leaf.name.lower() == key]

    def aliased(self) -> tuple[JsonPlan, str]:
        """This plan reading each leaf from a column `_l_<digest>`, and the SELECT list naming
        them.

        The checks and the fields then refer to short names, not to the leaves' SQL again. A
        name is a digest of the leaf's SQL, so a widened plan names the leaves it shares with
        this one the same: rows parsed with either plan can be unioned by name.
        """
        names = {leaf.sql: leaf_column(leaf.sql) for leaf in self.leaves}
        leaves = tuple(Leaf(leaf.name, names[leaf.sql]) for leaf in self.leaves)
        objects = tuple(tuple(names[sql] for sql in leaves_sql) for leaves_sql in self.objects)
        select = ", ".join(f"{leaf.sql} AS {names[leaf.sql]}" for leaf in self.leaves)
        return replace(self, leaves=leaves, objects=objects), select

    def extends(self, narrower: JsonPlan) -> bool:
        """Whether this plan reads every leaf of `narrower` with the same SQL (and more)."""
        return {leaf.sql for leaf in narrower.leaves} <= {leaf.sql for leaf in self.leaves}

    def values_sql(self) -> str:
        """Every leaf's text joined (with \\x01 before each), for `complete_sql`."""
        if not self.leaves:
            return "''"
        return f"concat_ws(chr(1), '', {', '.join(leaf.sql for leaf in self.leaves)})"

    def complete_sql(self) -> str:
        """True when a parsed line holds no key the plan lacks (see the module docstring).

        A leaf whose text is an object (`{"`) means the key is an object on this line though
        not in the plan: that fails the check too. The `":` inside values are counted from
        the leaves' joined text (`values_sql`), which costs a string per line; when every
        leaf is a scalar, a value can only hold `":` as `\\":` (an escaped quote), so lines
        without a backslash skip that count.
        """
        present = [f"({leaf.sql} IS NOT NULL)::INTEGER" for leaf in self.leaves]
        present += [
            f"({' OR '.join(f'{sql} IS NOT NULL' for sql in leaves)})::INTEGER"
            for leaves in self.objects
        ]
        inner = _occurrences(self.values_sql(), '":')
        if self.scalar_leaves:
            inner = f"CASE WHEN contains(raw, '\\') THEN {inner} ELSE 0 END"
        null_a, null_b = _occurrences("raw", '":null'), _occurrences("raw", '": null')
        keys_null = f"{null_a} + {null_b}"
        nulls = f"CASE WHEN contains(raw, 'null') THEN {keys_null} ELSE 0 END"
        explained = " + ".join([*present, inner])
        keys = _occurrences("raw", '":')
        objects = " OR ".join(f"starts_with({leaf.sql}, '{{\"')" for leaf in self.leaves)
        return (
            f"(NOT ok OR ({keys} - {nulls} = {explained} "
            f"AND NOT coalesce({objects or 'false'}, false)))"
        )


def _occurrences(text_sql: str, needle: str) -> str:
    """How often `needle` occurs in the text: arithmetic on lengths, which is several times
    cheaper than counting the parts of `string_split` (a list built per line)."""
    return (
        f"((strlen({text_sql}) - strlen(replace({text_sql}, {literal(needle)}, ''))) "
        f"// {len(needle.encode())})"
    )


def leaf_column(sql: str) -> str:
    """The column name a leaf is read into: stable for the same SQL in any plan."""
    return "_l_" + hashlib.sha1(sql.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


class _Builder:
    """Walks a discovered shape, collecting leaves and objects (keys in sorted order)."""

    def __init__(self) -> None:
        self.leaves: list[Leaf] = []
        self.objects: list[tuple[str, ...]] = []
        self.scalar_only = True  # see JsonPlan.scalar_leaves

    def object(self, shape: dict[str, Any], *, path: tuple[str, ...], depth: int) -> dict[str, Any]:
        structure: dict[str, Any] = {}
        taken: set[str] = set()
        for key in sorted(name for name in shape if name != MIXED):
            full = (*path, key)
            if not key or key.lower() in taken:
                self.scalar_only = False
                self._leaf(full, _pointer_sql("raw", full, guard="ok"))
                continue
            taken.add(key.lower())
            structure[key] = self.node(shape[key], path=full, depth=depth + 1)
        return structure

    def node(self, shape: Any, *, path: tuple[str, ...], depth: int) -> Any:
        if _nested(shape) and MIXED in shape and depth < MAX_DEPTH:
            self._mixed(shape, path=path)
        elif _nested(shape) and depth < MAX_DEPTH:
            first = len(self.leaves)
            structure = self.object(shape, path=path, depth=depth)
            self._close_object(first)
            return structure
        else:
            if not isinstance(shape, str) or shape == "JSON":
                self.scalar_only = False  # an array, or an object kept whole as JSON text
            self._leaf(path, _struct_sql(path))
        return _LEAF

    def _mixed(self, shape: dict[str, Any], *, path: tuple[str, ...]) -> None:
        self.scalar_only = False
        text = _struct_sql(path)
        is_object = f"(starts_with({text}, '{{') AND json_valid({text}))"
        self._leaf(path, f"CASE WHEN {is_object} THEN NULL ELSE {text} END")
        first = len(self.leaves)
        self._pointer_tree(shape, base=text, path=path, inner=(), guard=is_object)
        self._close_object(first)

    def _pointer_tree(
        self,
        shape: dict[str, Any],
        *,
        base: str,
        path: tuple[str, ...],
        inner: tuple[str, ...],
        guard: str,
    ) -> None:
        for key in sorted(name for name in shape if name != MIXED):
            child = shape[key]
            if _nested(child) and MIXED not in child and len(inner) < MAX_DEPTH:
                first = len(self.leaves)
                self._pointer_tree(child, base=base, path=path, inner=(*inner, key), guard=guard)
                self._close_object(first)
            else:
                full = (*inner, key)
                self._leaf((*path, *full), _pointer_sql(base, full, guard=guard))

    def _leaf(self, path: tuple[str, ...], sql: str) -> None:
        self.leaves.append(Leaf(".".join(path), sql))

    def _close_object(self, first: int) -> None:
        self.objects.append(tuple(leaf.sql for leaf in self.leaves[first:]))


def _nested(shape: Any) -> bool:
    return isinstance(shape, dict) and 0 < len(shape) <= MAX_OBJECT_KEYS


def _struct_sql(path: tuple[str, ...]) -> str:
    expression = "j"
    for key in path:
        expression = f"struct_extract({expression}, {literal(key)})"
    return expression


def _pointer_sql(base: str, path: tuple[str, ...], *, guard: str) -> str:
    pointer = "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in path)
    return f"CASE WHEN {guard} THEN json_extract_string({base}, {literal(pointer)}) END"
