"""What every log parser shares: SQL quoting, one-pass regex groups, the `events` insert and
rejected lines.

A parser turns the raw lines of one file into one SELECT whose columns are the `events`
columns; `insert_events` runs it. Lines that cannot become a record are collected in a
`Rejected` (a count and the first few examples in file order), never raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

from warroom.evidence.schema import EVENTS
from warroom.evidence.types import MAX_REJECTED_EXAMPLES, FileLoad

EXAMPLE_CHARS = 200
MAX_GROUPS = 9  # RE2's rewrite strings name the groups \1 to \9
_MATCHED = chr(30)  # starts a rewritten match
_GROUP_SEPARATOR = chr(31)

# Lines of several files parsed together (a batch) are keyed `file << FILE_SHIFT | line`:
# ordering by the key is file order then line order, and a single file's keys are its lines.
FILE_SHIFT = 40
LINE_MASK = (1 << FILE_SHIFT) - 1

# A line with something on it: cheaper than `trim(raw) <> ''`, which copies every line. Most
# lines start with a character above the space (never whitespace to RE2's `\s`, ASCII only):
# only the others are searched.
NOT_BLANK = r"(left(raw, 1) > ' ' OR regexp_matches(raw, '\S'))"


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def file_of(line_sql: str) -> str:
    """The file index of a batch line key."""
    return f"({line_sql} >> {FILE_SHIFT})"


def line_in_file(line_sql: str) -> str:
    """The line number within its file of a batch line key."""
    return f"({line_sql} & {LINE_MASK})"


def text_or_null(value: str | None) -> str:
    """A SQL string literal, or NULL for None."""
    return literal(value) if value is not None else "NULL"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal_list(texts: Iterable[str]) -> str:
    """A SQL list of string literals, `['a', 'b']`."""
    return "[" + ", ".join(literal(text) for text in texts) + "]::VARCHAR[]"


def regex_struct(
    text_sql: str, pattern: str, names: Sequence[str], *, rest: str | None = None
) -> str:
    """A struct of the named groups of `pattern` in the text ('' for a group that took no
    part), or NULL when the text does not match.

    DuckDB's `regexp_extract(text, pattern, names)` runs the expression once per group; this
    runs it once, rewriting the match into the groups joined by a separator, and splits that.
    RE2 captures cost about 40 ns a byte, so a pattern should stop where its groups end: with
    `rest`, the text after the match becomes that field (and the pattern must not match to
    the end); without, the pattern must match whole lines (`^...$`). At most nine groups.
    """
    if len(names) > MAX_GROUPS:
        raise ValueError(f"at most {MAX_GROUPS} groups, got {len(names)}")
    groups = [f"\\{index}" for index in range(1, len(names) + 1)]
    rewrite = _MATCHED + _GROUP_SEPARATOR.join(groups) + (_GROUP_SEPARATOR if rest else "")
    parts = (
        f"string_split(regexp_replace({text_sql}, {literal(pattern)}, {literal(rewrite)}), chr(31))"
    )
    fields = [
        f"{ident(name)} := {'p[1][2:]' if index == 1 else f'p[{index}]'}"
        for index, name in enumerate(names, start=1)
    ]
    size = len(names)
    if rest:
        fields.append(f"{ident(rest)} := array_to_string(p[{size + 1}:], chr(31))")
        size += 1
    return (
        f"list_transform([{parts}], lambda p: CASE WHEN starts_with(p[1], chr(30)) "
        f"AND len(p) {'>=' if rest else '='} {size} THEN struct_pack({', '.join(fields)}) END)[1]"
    )


@dataclass
class Rejected:
    """Lines that did not become records: how many per file, and the first few of each.

    Lines are keyed as in a batch (see `FILE_SHIFT`): a single file is file 0, whose keys are
    its line numbers.
    """

    counts: dict[int, int] = field(default_factory=dict)  # file -> rejected lines
    examples: list[tuple[int, str]] = field(default_factory=list)  # (line key, description)

    @property
    def count(self) -> int:
        """Rejected lines over every file."""
        return sum(self.counts.values())

    def add(self, other: Rejected) -> None:
        """Merge more rejected lines, keeping each file's earliest examples in file order."""
        for file, count in other.counts.items():
            self.counts[file] = self.counts.get(file, 0) + count
        kept: dict[int, int] = {}
        merged = []
        for key, text in sorted([*self.examples, *other.examples]):
            file = key >> FILE_SHIFT
            kept[file] = kept.get(file, 0) + 1
            if kept[file] <= MAX_REJECTED_EXAMPLES:
                merged.append((key, text))
        self.examples = merged

    def fill(self, load: FileLoad, *, file: int = 0) -> FileLoad:
        """Copy one file's count and examples (`line N: reason: text`) into a `FileLoad`."""
        load.rejected = self.counts.get(file, 0)
        load.rejected_examples = [text for key, text in self.examples if key >> FILE_SHIFT == file]
        return load


def collect_rejected(
    con: duckdb.DuckDBPyConnection, *, table: str, where: str, reason: str
) -> Rejected:
    """Count the rows of `table` (columns line, raw) matching `where` per file; keep the first
    examples of each file."""
    counts = con.execute(
        f"SELECT {file_of('line')}, count(*) FROM {table} WHERE {where} GROUP BY ALL"
    ).fetchall()
    rejected = Rejected(counts={int(file): int(count) for file, count in counts})
    if not counts:
        return rejected
    # One file: its first examples (a top-N); a batch: the first examples of each file.
    qualify, limit = "", f"LIMIT {MAX_REJECTED_EXAMPLES}"
    if len(counts) > 1:
        qualify = (
            f"QUALIFY row_number() OVER (PARTITION BY {file_of('line')} ORDER BY line) "
            f"<= {MAX_REJECTED_EXAMPLES}"
        )
        limit = ""
    rows = con.execute(
        f"SELECT line, {line_in_file('line')}, left(coalesce(raw, ''), {EXAMPLE_CHARS}) "
        f"FROM {table} WHERE {where} {qualify} ORDER BY line {limit}"
    ).fetchall()
    examples = [(int(key), f"line {n}: {reason}: {text}") for key, n, text in rows]
    rejected.add(Rejected(examples=examples))
    return rejected


def insert_events(con: duckdb.DuckDBPyConnection, select: str) -> int:
    """INSERT a SELECT that names every `events` column; returns the number of rows added."""
    columns = ", ".join(ident(name) for name in EVENTS)
    row = con.execute(f"INSERT INTO events ({columns}) SELECT {columns} FROM ({select})").fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Parsed:
    """A parser's result: a SELECT of the `events` columns but `source` and `format`, and the
    lines it rejected. The SELECT reads scratch tables: run it before the scratch is dropped."""

    select: str
    rejected: Rejected
