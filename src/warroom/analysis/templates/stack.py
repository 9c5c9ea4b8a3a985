"""Stack-trace fingerprints: exception type + normalised in-app frames + message template.

Two traces share a fingerprint when the same exception was raised from the same code path
with the same message template, whatever the line numbers, addresses, ids or values in them
(`KeyError: 'sku-123'` and `KeyError: 'sku-9'` group; a different caller does not).
Recognises Python, Java (and other JVM languages), Go and Node.js traces. Frames from the
runtime and from third-party libraries are left out (`site-packages`, `java.`, `node:`,
`node_modules`, Go's standard library), so an upgrade of a library does not split a group.
The message part reuses the template miner: `fingerprint_stacks` mines the messages of all
traces together, so unmasked word variables merge as they do for log lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from warroom.analysis.templates.catalog import build_catalog, template_id
from warroom.analysis.templates.masking import mask

_PY_FRAME: Final = re.compile(r'^\s*File "(?P<file>[^"]+)", line \d+, in (?P<func>\S+)')
_PY_EXCEPTION: Final = re.compile(
    r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|[A-Z]\w*))(?::\s?(?P<msg>.*))?$"
)
_JAVA_FRAME: Final = re.compile(r"^\s+at (?P<func>[\w$.<>/]+)\((?P<file>[^)]*)\)")
_JAVA_EXCEPTION: Final = re.compile(
    r"^(?:Caused by: |Exception in thread \"[^\"]*\" )?"
    r"(?P<type>[\w$]+(?:\.[\w$]+)+)(?::\s?(?P<msg>.*))?$"
)
_NODE_FRAME: Final = re.compile(r"^\s+at (?:(?P<func>.+?) \()?(?P<file>[^()\s]+?)(?::\d+){0,2}\)?$")
_NODE_EXCEPTION: Final = re.compile(r"^(?P<type>[A-Z]\w*(?:Error|Exception))(?::\s?(?P<msg>.*))?$")
_GO_PANIC: Final = re.compile(r"^panic: (?P<msg>.*)$")
_GO_FUNC: Final = re.compile(r"^(?P<func>[\w./*()\[\]-]+)\(.*\)$")
_GO_FILE: Final = re.compile(r"^\t(?P<file>\S+):\d+")
_NOT_IN_APP: Final = (
    "site-packages/", "dist-packages/", "/lib/python", "<frozen ", "java.", "javax.", "jdk.",
    "sun.", "com.sun.", "kotlin.", "scala.", "org.springframework.", "org.apache.", "node:",
    "node_modules/", "/usr/local/go/src/",
)  # fmt: skip


@dataclass(frozen=True)
class StackFingerprint:
    """What identifies one kind of failure."""

    fingerprint: str
    language: str  # python, java, go, node, unknown
    exception_type: str
    message_template: str
    frames: tuple[str, ...]  # in-app frames, outermost call first, as "file:function"


@dataclass(frozen=True)
class _Parsed:
    language: str
    exception_type: str
    message: str
    frames: tuple[str, ...]


def fingerprint_stack(stack: str) -> StackFingerprint:
    """Fingerprint one trace; its message template comes from the masking rules alone."""
    parsed = parse_stack(stack)
    return _fingerprint(parsed, mask(parsed.message))


def fingerprint_stacks(stacks: Sequence[str]) -> list[StackFingerprint]:
    """Fingerprint many traces, mining their messages together into templates."""
    parsed = [parse_stack(stack) for stack in stacks]
    shapes = sorted({mask(item.message) for item in parsed})
    counts = dict.fromkeys(shapes, 0)
    for item in parsed:
        counts[mask(item.message)] += 1
    catalog = build_catalog(shapes, [counts[shape] for shape in shapes])
    template_of = {shape: catalog.templates[catalog.of_shape[i]] for i, shape in enumerate(shapes)}
    return [_fingerprint(item, template_of[mask(item.message)]) for item in parsed]


def _fingerprint(parsed: _Parsed, message_template: str) -> StackFingerprint:
    parts = [parsed.language, parsed.exception_type, *parsed.frames, message_template]
    return StackFingerprint(
        fingerprint=template_id("\n".join(parts)),
        language=parsed.language,
        exception_type=parsed.exception_type,
        message_template=message_template,
        frames=parsed.frames,
    )


def parse_stack(stack: str) -> _Parsed:
    """Language, exception type, message and in-app frames of one trace."""
    lines = stack.strip("\n").splitlines()
    if any(line.startswith("Traceback (most recent call last)") for line in lines):
        return _parse_python(lines)
    if any(_GO_PANIC.match(line) for line in lines) or any(
        line.startswith("goroutine ") for line in lines
    ):
        return _parse_go(lines)
    if any(
        _JAVA_FRAME.match(line) and line.rstrip().endswith(")") and ".java" in line
        for line in lines
    ):
        return _parse_java(lines)
    if any(line.lstrip().startswith("at ") for line in lines):
        return _parse_node(lines)
    first = lines[0] if lines else ""
    return _Parsed("unknown", first.split(":", 1)[0].strip(), first, ())


def _parse_python(lines: list[str]) -> _Parsed:
    # With chained exceptions the last traceback is the one that was raised.
    start = max(i for i, line in enumerate(lines) if line.startswith("Traceback"))
    frames = [
        _frame(match["file"].rsplit("/", 1)[-1], match["func"], match["file"])
        for line in lines[start:]
        if (match := _PY_FRAME.match(line))
    ]
    last = next((line for line in reversed(lines) if _PY_EXCEPTION.match(line)), "")
    match = _PY_EXCEPTION.match(last)
    exc_type, message = (match["type"], match["msg"] or "") if match else ("", last)
    return _Parsed("python", exc_type, message, _in_app(frames))


def _parse_java(lines: list[str]) -> _Parsed:
    types, frames, message = [], [], ""
    for line in lines:
        if frame := _JAVA_FRAME.match(line):
            file_name = frame["file"].split(":", 1)[0]
            frames.append(_frame(file_name, frame["func"], frame["func"]))
        elif (exc := _JAVA_EXCEPTION.match(line.strip())) and not line.startswith((" ", "\t")):
            types.append(exc["type"])
            message = message or (exc["msg"] or "")
    # Java prints the innermost call first; keep outermost first, as for Python.
    return _Parsed("java", " <- ".join(types), message, _in_app(list(reversed(frames))))


def _parse_go(lines: list[str]) -> _Parsed:
    panic = next((m for line in lines if (m := _GO_PANIC.match(line))), None)
    frames = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        function, location = _GO_FUNC.match(line), _GO_FILE.match(following)
        if function and location:
            frames.append(
                _frame(location["file"].rsplit("/", 1)[-1], function["func"], location["file"])
            )
    message = panic["msg"] if panic else (lines[0] if lines else "")
    exc_type = "panic" if panic else "error"
    frames = [frame for frame in frames if not _is_go_std(frame)]
    return _Parsed("go", exc_type, message, _in_app(list(reversed(frames))))


def _parse_node(lines: list[str]) -> _Parsed:
    head = next((m for line in lines if (m := _NODE_EXCEPTION.match(line.strip()))), None)
    frames = [
        _frame(match["file"].rsplit("/", 1)[-1], match["func"] or "<anonymous>", match["file"])
        for line in lines
        if (match := _NODE_FRAME.match(line))
    ]
    exc_type, message = (
        (head["type"], head["msg"] or "") if head else ("Error", lines[0] if lines else "")
    )
    return _Parsed("node", exc_type, message, _in_app(list(reversed(frames))))


def _frame(file_name: str, function: str, where: str) -> str:
    # `where` decides in-app-ness; digits in generated names (lambda$12, $$Lambda$7/0x1f) vary.
    normalised = re.sub(r"\d+", "0", re.sub(r"/0x[0-9a-f]+", "", function))
    return f"{where}\x00{file_name}:{normalised}"


def _is_go_std(frame: str) -> bool:
    # Standard-library import paths have no dot in their first element ("net/http", "runtime");
    # modules do ("github.com/acme/x"), and so does nothing in package main.
    function = frame.split("\x00", 1)[1].split(":", 1)[1]
    first_element = function.split("/", 1)[0] if "/" in function else function.split(".", 1)[0]
    return "." not in first_element and first_element != "main"


def _in_app(frames: list[str]) -> tuple[str, ...]:
    kept = [
        frame
        for frame in frames
        if not any(marker in frame.split("\x00")[0] for marker in _NOT_IN_APP)
    ]
    return tuple(frame.split("\x00", 1)[1] for frame in kept)
