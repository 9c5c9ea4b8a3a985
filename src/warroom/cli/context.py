"""What every command receives: settings built once, and the store opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from functools import cached_property
from typing import TYPE_CHECKING

import typer

from warroom.config import Settings
from warroom.timeutil import zone

if TYPE_CHECKING:
    from warroom.db.session import Store
    from warroom.severity.framework import Framework


@dataclass
class AppContext:
    settings: Settings
    _store: Store | None = field(default=None, init=False, repr=False)

    @cached_property
    def store(self) -> Store:
        """The incident store, migrated on first use. Commands that don't need it never open it."""
        from warroom.db.session import Store

        self._store = Store.open(self.settings.resolved_database_url())
        return self._store

    @cached_property
    def framework(self) -> Framework:
        """The severity framework named by the settings (a preset or a YAML file)."""
        from warroom.severity.framework import load_framework

        return load_framework(self.settings.severity_framework)

    @cached_property
    def tz(self) -> tzinfo:
        """The zone people read and type times in."""
        return zone(self.settings.timezone)

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()


def app_context(ctx: typer.Context) -> AppContext:
    """The AppContext of the root command, from any sub-command's context."""
    root = ctx.find_root()
    obj = root.obj
    if not isinstance(obj, AppContext):  # a command invoked without the root callback
        obj = AppContext(settings=Settings())
        root.obj = obj
    return obj
