"""Plugin hooks. Built-in analyzers register through the same hook as third-party ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from warroom.analysis.registry import Analyzer

hookspec = pluggy.HookspecMarker("warroom")
hookimpl = pluggy.HookimplMarker("warroom")


class WarroomSpecs:
    @hookspec
    def register_analyzers(self) -> list[Analyzer]:  # type: ignore[empty-body]
        """Return analyzer instances to run in every investigation."""
