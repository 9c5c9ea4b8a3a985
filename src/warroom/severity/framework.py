"""Load a severity framework: a preset by name, or a team's own YAML file.

`load_framework(ref)` is what the rest of warroom calls; it raises `FrameworkError` listing every
problem (each with its line and field) when the file is invalid. `check_framework_text` is the
same check returning the problems instead, for `warroom severity check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from warroom.errors import FrameworkError, InputError, Problem
from warroom.severity.audience import Audience
from warroom.severity.models import Framework, Level, Question, Response, Rule
from warroom.severity.shape import shape_problems
from warroom.severity.validation import Located, SemanticProblems, check_semantics
from warroom.severity.yamlsource import LoadedYaml, format_path, load_yaml

__all__ = [
    "PRESETS",
    "Audience",
    "CheckResult",
    "Framework",
    "Level",
    "Question",
    "Response",
    "Rule",
    "check_framework_file",
    "check_framework_text",
    "load_framework",
    "parse_framework",
    "preset_text",
]

PRESETS = ("default", "five-level")


@dataclass
class CheckResult:
    """The outcome of checking a framework: the framework when valid, else every problem."""

    source: str
    framework: Framework | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.framework is not None and not self.problems


def load_framework(ref: str) -> Framework:
    """A preset name (`default`, `five-level`) or the path of a YAML file -> a valid Framework."""
    name = ref.strip()
    if name.lower() in PRESETS:
        return parse_framework(preset_text(name.lower()), source=f"preset {name.lower()}")
    path = Path(name).expanduser()
    if not path.is_file():
        raise InputError(
            f"no severity framework {ref!r}: it is neither a preset nor a file",
            hint=f"use a preset ({', '.join(PRESETS)}) or the path of a YAML file",
        )
    return parse_framework(_read(path), source=str(path))


def parse_framework(text: str, *, source: str) -> Framework:
    """Parse framework YAML; raise FrameworkError (every problem, with lines) when invalid."""
    result = check_framework_text(text, source=source)
    if result.framework is None or result.problems:
        raise FrameworkError(source, result.problems)
    return result.framework


def check_framework_file(path: Path) -> CheckResult:
    """Check a framework file; a missing or unreadable file is an InputError."""
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise InputError(f"{path} {what}", hint="give the path of a severity framework YAML file")
    return check_framework_text(_read(path), source=str(path))


def check_framework_text(text: str, *, source: str) -> CheckResult:
    """Every problem of a framework given as YAML text, sorted by line."""
    loaded = load_yaml(text)
    problems = list(loaded.problems)
    if problems and loaded.data is None:
        return CheckResult(source, None, problems)
    if not isinstance(loaded.data, dict):
        message = "a framework file is a mapping with id, name, questions, levels and rules"
        return CheckResult(source, None, [*problems, Problem(1, "(file)", message)])
    located, _ = check_semantics(loaded.data)
    framework: Framework | None = None
    try:
        framework = Framework.model_validate(loaded.data)
    except ValidationError as error:
        located = shape_problems(error) + located
    except SemanticProblems as error:
        # Normally the same problems are already in `located`, found on the raw data.
        located = located or error.problems
    problems += [_with_line(item, loaded) for item in located]
    problems.sort(key=lambda problem: (problem.line or 0, problem.field))
    return CheckResult(source, framework if not problems else None, problems)


def preset_text(name: str) -> str:
    """The YAML text of a preset, to show or to copy as a starting point."""
    if name not in PRESETS:
        raise InputError(f"unknown preset {name!r}", hint=f"the presets are: {', '.join(PRESETS)}")
    return (resources.files("warroom.severity") / "presets" / f"{name}.yaml").read_text("utf-8")


def _with_line(item: Located, loaded: LoadedYaml) -> Problem:
    line = loaded.source_map.line_of(item.path)
    return Problem(line, format_path(item.path, loaded.data), item.message)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text", hint="save the file as UTF-8") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", hint="check the path") from exc
