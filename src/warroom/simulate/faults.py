"""Exceptions with real-looking stack traces: Python tracebacks and Java traces with `Caused by:`.

A `Fault` is one kind of failure (type, message, full trace). Events refer to faults by index,
so a trace is built once and shared by every event that raises it. The background faults here
occur in every bundle, before and during the incident, so an engine must not blame them.
"""

from __future__ import annotations

from dataclasses import dataclass

# (file, line, function, source line) for Python; "package.Class.method(File.java:NN)" for Java.
PyFrame = tuple[str, int, str, str]


@dataclass(frozen=True)
class Fault:
    exception_type: str
    message: str
    stack: str  # the whole multi-line trace, ending with the exception line (Python) or frames


def python_fault(exception_type: str, message: str, frames: list[PyFrame]) -> Fault:
    """A Python traceback as the interpreter prints it."""
    lines = ["Traceback (most recent call last):"]
    for file, line, function, source in frames:
        lines.append(f'  File "{file}", line {line}, in {function}')
        lines.append(f"    {source}")
    lines.append(f"{exception_type}: {message}" if message else exception_type)
    return Fault(exception_type, message, "\n".join(lines))


def java_fault(
    exception_type: str,
    message: str,
    frames: list[str],
    cause: tuple[str, str, list[str]] | None = None,
) -> Fault:
    """A Java stack trace, optionally with one `Caused by:` section and its elided frames."""
    lines = [f"{exception_type}: {message}"] + [f"\tat {frame}" for frame in frames]
    if cause is not None:
        cause_type, cause_message, cause_frames = cause
        lines.append(f"Caused by: {cause_type}: {cause_message}")
        lines += [f"\tat {frame}" for frame in cause_frames]
        lines.append(f"\t... {len(frames) + 17} more")
    return Fault(exception_type, message, "\n".join(lines))


_SPRING = [
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
    "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)",
]
_FLASK = [
    (
        "/usr/lib/python3.12/site-packages/flask/app.py",
        1511,
        "wsgi_app",
        "response = self.full_dispatch_request()",
    ),
    (
        "/usr/lib/python3.12/site-packages/flask/app.py",
        919,
        "full_dispatch_request",
        "rv = self.dispatch_request()",
    ),
]


def python_app_fault(
    exception_type: str, message: str, module: str, function: str, source: str, *, line: int
) -> Fault:
    """A fault raised in our own Python code behind the web framework's frames."""
    frame = (f"/srv/app/{module.replace('.', '/')}.py", line, function, source)
    return python_fault(exception_type, message, [*_FLASK, frame])


def java_app_fault(
    exception_type: str,
    message: str,
    frame: str,
    cause: tuple[str, str, list[str]] | None = None,
) -> Fault:
    """A fault raised in the checkout service (Spring) with the servlet frames below it."""
    return java_fault(exception_type, message, [frame, *_SPRING], cause)


# Failures that happen now and then in any healthy week.
BACKGROUND_PYTHON = (
    python_app_fault(
        "ConnectionResetError",
        "[Errno 104] Connection reset by peer",
        "app.clients.cache",
        "get",
        "return self._conn.recv(4096)",
        line=57,
    ),
    python_app_fault(
        "psycopg.errors.SerializationFailure",
        "could not serialize access due to concurrent update",
        "app.repo.orders",
        "save",
        "cur.execute(UPDATE_ORDER, values)",
        line=212,
    ),
    python_app_fault(
        "KeyError",
        "'shipping_address'",
        "app.views.orders",
        "render_order",
        "address = order['shipping_address']",
        line=141,
    ),
)
BACKGROUND_JAVA = (
    java_app_fault(
        "org.springframework.dao.QueryTimeoutException",
        "PreparedStatementCallback; timeout",
        "com.shop.checkout.repo.CartRepository.load(CartRepository.java:77)",
        (
            "org.postgresql.util.PSQLException",
            "ERROR: canceling statement due to user request",
            [
                "org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)"
            ],
        ),
    ),
    java_app_fault(
        "java.lang.IllegalStateException",
        "Cart is already being checked out",
        "com.shop.checkout.service.CheckoutService.begin(CheckoutService.java:143)",
    ),
)
