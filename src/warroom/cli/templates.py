"""`warroom templates`: group log messages into templates ("Failed to parse quantity <*>")."""

from __future__ import annotations

import gzip
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli.output import JSON_OPTION, emit, err_console
from warroom.errors import InputError


class OutputFormat(StrEnum):
    tsv = "tsv"
    jsonl = "jsonl"


FORMAT_OPTION = typer.Option(
    OutputFormat.tsv,
    "--format",
    help="tsv: ID<TAB>TEMPLATE per line. jsonl: one JSON object per line, with the "
    "values behind each <*> (params).",
)

HELP = (
    "Group log messages into templates, so a million lines read as a few dozen shapes.\n\n"
    "Variables (numbers, ids, IPs, paths, URLs, quoted values, key=value values, times) "
    "become [bold]<*>[/bold]; messages that differ only there share a template. Prints one "
    "line per input line, in order: [bold]ID<TAB>TEMPLATE[/bold]. The id is a hash of the "
    "template text, so the same template has the same id in every run.\n\n"
    "Examples:\n\n"
    "  warroom templates app.log\n\n"
    "  kubectl logs web-1 | warroom templates --raw --summary"
)


def templates_command(
    source: str = typer.Argument(
        "-", metavar="[FILE|-]", help="Log file (plain or .gz); '-' or nothing reads stdin."
    ),
    output_format: OutputFormat = FORMAT_OPTION,
    summary: bool = typer.Option(
        False,
        "--summary",
        help="Instead of one line per input line: the templates, most frequent first, "
        "with counts, first and last line seen, and an example.",
    ),
    raw: bool = typer.Option(
        False,
        "--raw",
        help="Lines are whole log lines: the header (time, level, host, component) is "
        "recognised and stripped by the parsers of `warroom investigate` before mining.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    from warroom.analysis.templates.pipeline import mine_lines

    data = _read_source(source)
    messages = _raw_messages(data) if raw else data
    mined = mine_lines(messages)
    for warning in mined.catalog.warnings:
        err_console().print(f"[yellow]warning:[/yellow] {warning}")
    if summary:  # the example is the input line as given: with --raw, header and time included
        _print_summary(mined, data, as_json=as_json)
    elif output_format is OutputFormat.jsonl or as_json:
        _write_jsonl(mined, messages)
    else:
        from warroom.analysis.templates.pipeline import tsv_output

        _write(memoryview(tsv_output(mined)))


def _raw_messages(data: bytes) -> bytes:
    from warroom.analysis.templates.raw import raw_messages

    found = raw_messages(data)
    if found.format is None:
        err_console().print(f"[yellow]note:[/yellow] {found.note}")
    return found.data


def _read_source(source: str) -> bytes:
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.exists() or path.is_dir():
            raise InputError(
                f"no such file: {source}", hint="Give a log file, or '-' to read standard input"
            )
        data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise InputError(f"{source} is not a readable gzip file ({error})") from error
    return data


def _write(payload: Any) -> None:
    try:
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    except BrokenPipeError:  # `| head`: the reader has all it wanted; exit quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _write_jsonl(mined: Any, messages: bytes) -> None:
    import json

    from warroom.analysis.templates.params import template_params

    catalog = mined.catalog
    lines = messages.decode("utf-8", errors="replace").split("\n")
    out = []
    for number, template_index in enumerate(mined.line_template.tolist()):
        template = catalog.templates[template_index]
        record = {
            "line": number + 1,
            "template_id": catalog.template_ids[template_index],
            "template": template,
            "params": template_params(template, lines[number].rstrip("\r")),
        }
        out.append(json.dumps(record, ensure_ascii=False))
    _write(("\n".join(out) + "\n").encode("utf-8") if out else b"")


def _print_summary(mined: Any, lines: bytes, *, as_json: bool) -> None:
    from dataclasses import asdict

    from warroom.analysis.templates.pipeline import summarize

    rows = summarize(mined, lines)
    result = {
        "lines": len(mined.line_template),
        "templates": [asdict(row) for row in rows],
        "warnings": list(mined.catalog.warnings),
    }
    emit(result, as_json=as_json, human=lambda console: _summary_table(console, rows, result))


def _summary_table(console: Console, rows: list[Any], result: dict[str, Any]) -> None:
    from rich.markup import escape

    table = Table(title=f"{len(rows)} templates in {result['lines']} lines", expand=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("share", justify="right", no_wrap=True)
    table.add_column("id", no_wrap=True)
    table.add_column("lines seen", no_wrap=True)
    table.add_column("template  [dim](example: its first line)[/dim]", overflow="fold", ratio=1)
    total = max(result["lines"], 1)
    for row in rows:
        table.add_row(
            str(row.count),
            f"{100 * row.count / total:.1f}%",
            row.template_id,
            f"{row.first_line}-{row.last_line}",
            f"{escape(row.template)}\n[dim]{escape(row.example[:300])}[/dim]",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("templates", help=HELP)(templates_command)
