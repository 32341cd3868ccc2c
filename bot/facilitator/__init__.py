"""Facilitators' features in the chat: load, preview, schedule, open, close, publish, groups, moderation, roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bootstrap import App


def install(app: App) -> None:
    from bot.facilitator import commands, deliberation, documents, groups, moderation, reach, roles

    for module in (commands, deliberation, documents, groups, moderation, reach, roles):
        module.install(app)
