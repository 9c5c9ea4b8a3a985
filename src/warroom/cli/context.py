"""What every command receives: settings built once, and the store opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import typer

from warroom.config import Settings

if TYPE_CHECKING:  # SQLAlchemy is imported on first use: commands without a store start faster
    from warroom.db.session import Store


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
