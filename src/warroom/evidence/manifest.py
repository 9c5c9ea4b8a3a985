"""The optional bundle manifest `warroom.yaml`: windows, time zone, field aliases, live sources.

Every key is optional. An unknown key, or a value of the wrong shape, is an `InputError` that
names the key and the line it is on, so a typo never silently changes an investigation.
Times without an offset are read in the manifest's time zone (else the caller's, else UTC).
Contract: ../shared/specs/evidence-bundle.md, section 1.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic import ValidationInfo as _Info

from warroom.errors import InputError
from warroom.timeutil import zone

MANIFEST_NAME = "warroom.yaml"
# Without a baseline in the manifest, live sources look this far back before the incident, to
# cover both "the same length just before" and "the same hours on the previous day".
DEFAULT_LOOKBACK = timedelta(hours=24)
_HINT = "see docs/evidence.md for the manifest keys and their form"

Interval = tuple[datetime, datetime]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _to_utc(value: Any, info: _Info) -> datetime:
    """An ISO 8601 time; without an offset it is read in the bundle's time zone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an ISO 8601 time") from exc
    else:
        raise ValueError(f"{value!r} is not an ISO 8601 time")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone((info.context or {}).get("timezone", "UTC")))
    return moment.astimezone(UTC)


def _interval(value: Any, info: _Info) -> Interval:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError("write an interval as [start, end]")
    start, end = _to_utc(value[0], info), _to_utc(value[1], info)
    if end <= start:
        raise ValueError("the end must come after the start")
    return start, end


class Window(_Strict):
    """The incident window and the baselines to compare it with (all UTC)."""

    incident: Interval | None = None
    baseline: tuple[Interval, ...] = ()

    @field_validator("incident", mode="before")
    @classmethod
    def _incident(cls, value: Any, info: _Info) -> Interval | None:
        return None if value is None else _interval(value, info)

    @field_validator("baseline", mode="before")
    @classmethod
    def _baseline(cls, value: Any, info: _Info) -> tuple[Interval, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise ValueError("write the baseline as a list of [start, end] intervals")
        return tuple(_interval(item, info) for item in value)


class FieldAliases(_Strict):
    """Extra source keys for each canonical event field."""

    ts: tuple[str, ...] = ()
    host: tuple[str, ...] = ()
    container: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    method: tuple[str, ...] = ()
    path: tuple[str, ...] = ()
    duration_ms: tuple[str, ...] = ()
    message: tuple[str, ...] = ()
    exception_type: tuple[str, ...] = ()
    stack: tuple[str, ...] = ()
    user: tuple[str, ...] = ()

    @field_validator("*", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def as_mapping(self) -> dict[str, tuple[str, ...]]:
        """Only the fields that have aliases, as `LoadContext.field_aliases` wants them."""
        return {name: keys for name, keys in self.model_dump().items() if keys}


class PrometheusSource(_Strict):
    """A live Prometheus-compatible HTTP API and the extra queries to run on it."""

    url: str
    queries: dict[str, str] = Field(default_factory=dict)
    step: str | None = None  # e.g. "30s"; default: chosen from the span

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("the URL must start with http:// or https://")
        return value.rstrip("/")


class Manifest(_Strict):
    """The parsed `warroom.yaml` (or an empty one when the bundle has none)."""

    timezone: str | None = None
    window: Window = Field(default_factory=Window)
    service: str | None = None
    hosts: dict[str, str] = Field(default_factory=dict)
    fields: FieldAliases = Field(default_factory=FieldAliases)
    git: tuple[str, ...] = ()
    prometheus: PrometheusSource | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            zone(value)  # raises a clear InputError for an unknown name
        return value

    @field_validator("git", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def span(self) -> Interval | None:
        """The time range live sources are read over: every window, or None without one."""
        incident = self.window.incident
        if incident is None:
            return None
        starts = [incident[0] - DEFAULT_LOOKBACK] if not self.window.baseline else []
        starts += [interval[0] for interval in (incident, *self.window.baseline)]
        ends = [interval[1] for interval in (incident, *self.window.baseline)]
        return min(starts), max(ends)


class _TextLoader(yaml.SafeLoader):
    """SafeLoader that leaves times as text: the manifest's time zone decides what they mean."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_manifest(text: str, *, source: str = MANIFEST_NAME, timezone: str | None) -> Manifest:
    """Validate manifest text; every error names the key and its line."""
    try:
        node = yaml.compose(text, Loader=_TextLoader)
        data = yaml.load(text, Loader=_TextLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{source}{where}: not valid YAML", hint=_HINT) from exc
    if data is None:
        return Manifest()
    if not isinstance(data, dict):
        raise InputError(f"{source} line 1: the manifest must be a mapping of keys", hint=_HINT)
    raw_zone = data.get("timezone")
    context = {"timezone": raw_zone if isinstance(raw_zone, str) else timezone or "UTC"}
    try:
        return Manifest.model_validate(data, context=context)
    except ValidationError as exc:
        raise _manifest_error(exc, source=source, lines=_key_lines(node)) from exc
    except InputError as exc:  # an unknown time zone, raised by timeutil.zone
        line = _key_lines(node).get(("timezone",))
        where = f" line {line}" if line else ""
        raise InputError(f"{source}{where}: timezone: {exc.message}", hint=exc.hint) from exc


def _key_lines(node: yaml.Node | None, prefix: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Map every key path (('window', 'incident'), ('git', 0)) to its 1-based line."""
    lines: dict[tuple[Any, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = (*prefix, key_node.value)
            lines[path] = key_node.start_mark.line + 1
            lines.update(_key_lines(value_node, path))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*prefix, index)] = item.start_mark.line + 1
            lines.update(_key_lines(item, (*prefix, index)))
    return lines


def _manifest_error(exc: ValidationError, *, source: str, lines: dict[Any, int]) -> InputError:
    error = exc.errors()[0]
    loc = tuple(error["loc"])
    line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
    where = f" line {line}" if line else ""
    key = ".".join(str(part) for part in loc)
    if error["type"] == "extra_forbidden":
        parent = _model_at(loc[:-1])
        known = ", ".join(sorted(parent.model_fields)) if parent else ""
        return InputError(
            f"{source}{where}: unknown key {key!r}", hint=f"the keys allowed there are: {known}"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    return InputError(f"{source}{where}: {key}: {message}", hint=_HINT)


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc` (for listing its allowed keys)."""
    model: type[BaseModel] = Manifest
    for part in loc:
        annotation = model.model_fields[str(part)].annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return None
        model = nested[0]
    return model
