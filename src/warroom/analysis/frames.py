"""Stack frames from the `stack` column: parsed, normalised and split into in-app and library.

Four formats, recognised per line (all regular expressions run in the engine):
- Python: `File "/srv/shop/orders/service.py", line 112, in fetch` -> `orders/service.py:fetch`
  (innermost call last, so the frame list is reversed);
- Java: `at com.shop.PaymentService.reconcile(PaymentService.java:142)` ->
  `com.shop.PaymentService.reconcile`; the last `Caused by:` block (the root cause) comes first;
- Go: a function line plus its indented `file.go:N +0x..` line ->
  `store.(*OrderStore).Get` (package path and arguments dropped);
- Node: `at CartService.total (/app/src/cart/service.js:64:22)` ->
  `cart/service.js:CartService.total`.
Normalising drops what changes between builds and runs: line and column numbers, addresses,
arguments, lambda and anonymous-class numbering (`lambda$submit$0`, `$1`, `.func1`), generated
proxies (`$$EnhancerBySpringCGLIB$$5e1f`, `$Proxy123`, `GeneratedMethodAccessor57`).
Library frames (site-packages, JDK and framework packages, the Go toolchain and module cache,
node_modules and node internals, generated proxies) are kept apart from in-app frames; a trace
with no in-app frame falls back to all of its frames.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.datatypes as dt

DEPTH = 3  # in-app frames in a stack fingerprint (`templates/stack.py` adds the message)

PY_FRAME = r'^\s*File "[^"]*", line \d+, in \S+'
JAVA_FRAME = r"^\s*at [\w$.<>/@-]+\([^()]*\)(?:\s+~?\[[^\]]*\])?\s*$"
GO_FRAME = r"^[^\s@]\S*\([^()]*\) @ \S+\.go:\d+"
NODE_FRAME = r"^\s*at (?:async )?(?:new )?(?:\S+(?: \[as [^\]]+\])? \(.*\)|\S+:\d+:\d+)\s*$"

# "file" is the last two path components: enough to tell orders/service.py from users/service.py.
_TWO_PARTS = r"([^/\\\"()]+[/\\][^/\\\"()]+?|[^/\\\"()]+?)"
_PY_NAME = rf'^\s*File "[^"]*?{_TWO_PARTS}", line \d+, in (\S+).*$'
_JAVA_NAME = r"^\s*at (?:[\w.@-]*/+)?([\w$.<>]+)\(.*$"
_GO_NAME = r"^(?:\S*/)?([^/\s]+)\([^()]*\) @ .*$"
_NODE_NAMED = (
    rf"^\s*at (?:async )?(?:new )?(\S+)(?: \[as [^\]]+\])? \([^)]*?{_TWO_PARTS}(?::\d+)*\)\s*$"
)
_NODE_BARE = rf"^\s*at (?:async )?[^\s(]*?{_TWO_PARTS}(?::\d+)+\s*$"

# Parts generated at build or run time, and what they become.
_GENERATED = (
    (r"\$\$[A-Za-z]*CGLIB\$\$[0-9a-fA-F]+", ""),
    (r"\$\$Lambda\$?\d*(?:/0x[0-9a-fA-F]+)?", "$$Lambda"),
    (r"lambda\$(\w+?)\$\d+", r"lambda$\1"),
    (r"\$Proxy\d+", "$Proxy"),
    (r"GeneratedMethodAccessor\d+", "GeneratedMethodAccessor"),
    (r"\$\d+", ""),
    (r"\.func\d+(?:\.\d+)*", ".func"),
    (r"\[[^\]]*\]", "[...]"),
)

_JAVA_LIBRARY = (
    r"^\s*at (?:[\w.@-]*/+)?(?:java|javax|jdk|sun|com\.sun|jakarta|kotlin|kotlinx|scala|akka|"
    r"org\.springframework|org\.apache|org\.hibernate|org\.eclipse|org\.glassfish|org\.postgresql|"
    r"org\.slf4j|org\.junit|io\.netty|io\.grpc|io\.micrometer|io\.opentelemetry|io\.undertow|"
    r"io\.vertx|io\.reactivex|reactor|okhttp3|retrofit2|feign|com\.fasterxml|com\.google|"
    r"com\.zaxxer|com\.mysql|com\.netflix|ch\.qos|net\.bytebuddy)\."
)
LIBRARY = "|".join(
    (
        r"site-packages|dist-packages|[/\\]lib[/\\]python\d|<frozen |^\s*File \"<",
        _JAVA_LIBRARY,
        r"CGLIB\$\$|\$Proxy\d|GeneratedMethodAccessor|jdk\.proxy\d",
        r" @ \S*(?:/usr/local/go/src/|/go/src/|/pkg/mod/|/vendor/|@v\d)",
        r"^(?:runtime|sync|reflect|syscall|internal|net|os|io|bufio|context|encoding|crypto)[./]",
        r"node_modules|\(node:|\(internal/|at node:|at internal/",
        r"\((?:native|index \d+|<anonymous>)\)\s*$",
    )
)

TRACEBACK = "Traceback (most recent call last)"


@ibis.udf.scalar.builtin(name="list_reverse")  # type: ignore[untyped-decorator]
def _reversed(values: dt.Array[dt.string]) -> dt.Array[dt.string]:
    """The engine's own list reversal (DuckDB `list_reverse`)."""


def language(stack: Any) -> Any:
    """Ibis string: python, java, go, node, or NULL when no frame format is recognised."""
    return ibis.cases(
        (stack.contains(TRACEBACK) | stack.re_search(r'(?m)^\s*File "[^"]*", line \d+'), "python"),
        (stack.re_search(r"(?m)^goroutine \d+ \[") | stack.re_search(r"(?m)^panic: "), "go"),
        (stack.re_search(r"(?m)^\s*at [\w$.<>/@-]+\([^()]*\)"), "java"),
        (stack.re_search(r"(?m)^\s*at .+:\d+:\d+\)?\s*$"), "node"),
        else_=ibis.null("string"),
    )


def frame_lines(stack: Any) -> Any:
    """Ibis array of lines, with each Go function line joined to its `file.go:N` line and a Java
    trace's last `Caused by:` block (the root cause) moved to the front."""
    go_joined = stack.re_replace(r"\)\r?\n\s+(\S+\.go:\d+)", r") @ \1")
    root_first = go_joined.re_replace(r"(?s)^(.*)\nCaused by: (.*)$", "Caused by: \\2\n\\1")
    return root_first.split("\n")


def normalised_frame(line: Any) -> Any:
    """Ibis string: the normalised frame a line holds, or NULL when it holds none."""
    frame = ibis.cases(
        (line.re_search(PY_FRAME), line.re_replace(_PY_NAME, r"\1:\2")),
        (line.re_search(JAVA_FRAME), line.re_replace(_JAVA_NAME, r"\1")),
        (line.re_search(GO_FRAME), line.re_replace(_GO_NAME, r"\1")),
        (line.re_search(_NODE_NAMED), line.re_replace(_NODE_NAMED, r"\2:\1")),
        (line.re_search(_NODE_BARE), line.re_replace(_NODE_BARE, r"\1")),
        else_=ibis.null("string"),
    )
    for pattern, replacement in _GENERATED:
        frame = frame.re_replace(pattern, replacement)
    return frame


def _is_frame(line: Any) -> Any:
    return (
        line.re_search(PY_FRAME)
        | line.re_search(JAVA_FRAME)
        | line.re_search(GO_FRAME)
        | line.re_search(NODE_FRAME)
    )


def all_frames(stack: Any) -> Any:
    """Ibis array of every normalised frame, innermost (the throw site) first."""
    frames = frame_lines(stack).filter(_is_frame).map(normalised_frame)
    return ibis.ifelse(stack.contains(TRACEBACK), _reversed(frames), frames)


def app_frames(stack: Any) -> Any:
    """Ibis array of normalised in-app frames, innermost first; all frames when none is in-app."""
    lines = frame_lines(stack).filter(lambda line: _is_frame(line) & ~line.re_search(LIBRARY))
    own = lines.map(normalised_frame)
    own = ibis.ifelse(stack.contains(TRACEBACK), _reversed(own), own)
    return ibis.ifelse(own.length() > 0, own, all_frames(stack))


def parsed_exception_type(stack: Any) -> Any:
    """Ibis string: the exception type named in the trace text (when the log carried none)."""
    python = stack.re_extract(r"(?:^|\n)([A-Za-z_][\w.]*)(?::[^\n]*)?\s*$", 1)
    java = stack.re_extract(
        r'(?m)^(?:Exception in thread "[^"]*" )?'
        r"((?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*)(?::|\s*$)",
        1,
    )
    node = stack.re_extract(r"(?m)^(?:Uncaught )?([A-Z]\w*(?:Error|Exception))(?::|\s*$)", 1)
    return ibis.cases(
        (stack.contains(TRACEBACK), python.nullif("")),
        (stack.re_search(r"(?m)^panic: "), ibis.literal("panic")),
        else_=ibis.coalesce(java.nullif(""), node.nullif("")),
    )


def exception_message(stack: Any) -> Any:
    """Ibis string: the message of the exception the trace reports: Python's last line, Go's
    `panic:` line, the first `Type: message` line of Java and Node; the first line of a text
    in no trace format; else ''."""
    python = stack.re_extract(r"(?:^|\n)[A-Za-z_][\w.]*: ([^\n]*?)\s*$", 1)
    go = stack.re_extract(r"(?m)^panic: (.*?)\s*$", 1)
    java = stack.re_extract(
        r'(?m)^(?:Exception in thread "[^"]*" )?(?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*: (.*?)\s*$',
        1,
    )
    node = stack.re_extract(r"(?m)^(?:Uncaught )?[A-Z]\w*(?:Error|Exception): (.*?)\s*$", 1)
    return ibis.cases(
        (stack.contains(TRACEBACK), python),
        (stack.re_search(r"(?m)^panic: "), go),
        (java != "", java),
        (node != "", node),
        (language(stack).isnull(), stack.re_extract(r"^\s*([^\n]*?)\s*(?:\n|$)", 1)),
        else_=ibis.literal(""),
    )


def root_cause(stack: Any) -> Any:
    """Ibis string: the type in a Java trace's last `Caused by:` line, else NULL."""
    return stack.re_extract(r"(?s).*\nCaused by: ([\w$.]+)", 1).nullif("")
