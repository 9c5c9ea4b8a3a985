"""One error hierarchy for the whole package.

Errors are raised deep inside services and translated only at the edges: the CLI turns a
`WarroomError` into a one-line message and exit code 2, the web app into an HTTP status.
Every error carries a `hint` that tells the user how to fix what went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass


class WarroomError(Exception):
    """Base class: something the user can fix. `http_status` is used by the web edge."""

    http_status = 400

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and its hint on one line, as the CLI prints it."""
        text = self.message.rstrip(".")
        return f"{text}. {self.hint}" if self.hint else f"{text}."


class InputError(WarroomError):
    """Malformed or invalid input: a bad time, an unknown option value, a bad file."""

    http_status = 422


class NotFoundError(WarroomError):
    """A referenced object (incident, hypothesis, severity level) does not exist."""

    http_status = 404


class ConflictError(WarroomError):
    """The request is well-formed but not allowed in the current state (illegal transition)."""

    http_status = 409


class StoreError(WarroomError):
    """The store cannot be used as it is (for example its schema is newer than this code)."""

    http_status = 503


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a file: where it is and what is wrong."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "(no line)"
        return f"{where}: {self.field}: {self.message}"


class FrameworkError(InputError):
    """A severity framework file is invalid; `problems` lists every error found."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        count = len(problems)
        first = problems[0] if problems else None
        message = f"{source} is not a valid severity framework ({count} problem{'s' * (count != 1)}"
        message += f"; first: {first})" if first else ")"
        super().__init__(message, hint=f"run `warroom severity check {source}` to list them all")
        self.source = source
        self.problems = problems
