"""The persistent outbox's sender, and its registration with the app (FEATURES entry "bot.outbox:install").

Services enqueue with `uow.outbox.enqueue(...)` inside their own transaction, then call the "outbox" hooks
(`deps.hooks["outbox"]`) after committing so the sender looks at once instead of at its next 0.5 s tick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.outbox.sender import OutboxSender
from bot.transport import Transport

if TYPE_CHECKING:
    from bot.bootstrap import App

__all__ = ["OutboxSender", "install"]


def install(app: App) -> None:
    def transport() -> Transport:
        assert app.runtime is not None, "the outbox sends through the runtime, which is not built"
        return app.runtime.transport

    sender = OutboxSender(app.deps, transport, app.core.renderer)
    app.outbox = sender
    app.background.append(sender)
    app.deps.hooks.setdefault("outbox", []).append(sender.notify)
