"""Registers the features beyond the resident journey (facilitators, officers, groups) with the core."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bootstrap import App

# Each entry is "module:function"; the function takes the App and adds commands, actions and background parts.
FEATURES: list[str] = [
    "bot.outbox:install",
    "bot.facilitator:install",
    "bot.scheduler:install",
    "bot.exports.feature:install",
]


def install(app: App) -> None:
    for path in FEATURES:
        module, _, name = path.partition(":")
        getattr(importlib.import_module(module), name)(app)
