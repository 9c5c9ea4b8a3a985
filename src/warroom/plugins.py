"""The plugin manager: built-in plugins, then any installed under the `warroom` entry point."""

from __future__ import annotations

import importlib
from functools import cache

import pluggy

from warroom.hookspecs import WarroomSpecs

DEFAULT_PLUGINS = ("warroom.analysis.analyzers",)


@cache
def plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager("warroom")
    manager.add_hookspecs(WarroomSpecs)
    for name in DEFAULT_PLUGINS:
        manager.register(importlib.import_module(name), name=name)
    manager.load_setuptools_entrypoints("warroom")
    return manager
