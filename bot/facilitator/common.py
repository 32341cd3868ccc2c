"""Helpers every facilitator command shares: the role gate, the consultation code argument, what an error says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.actions import Pressed
from bot.incoming import Incoming
from bot.services import roles
from bot.services.common import Deps, Reply
from dialogues.text import Code, Em, Inline, Link, Msg, Span, Strong, _

Command = Callable[[Incoming, str], Awaitable[Reply | None]]
Press = Callable[[Incoming, Pressed], Awaitable[Reply | None]]
EXPIRED = _("This button has expired.")


def gated(d: Deps, action: str, handler: Command, refusal: Msg = roles.REFUSED) -> Command:
    """Runs the handler only for someone whose role allows `action`; refusals are audited as the command that was
    sent (/revoke needs "grant", /extend "schedule", but the audit log says what was asked)."""

    async def run(inc: Incoming, args: str) -> Reply | None:
        command = inc.command(d.bot_username)
        asked = command[0] if command is not None else action
        if not await roles.check(d, inc.user_id, action, args[:100], inc.scope, audit_as=asked):
            return Reply.say(refusal)
        return await handler(inc, args)

    return run


def gated_press(d: Deps, action: str, handler: Press) -> Press:
    async def run(inc: Incoming, pressed: Pressed) -> Reply | None:
        if not inc.private or not await roles.check(d, inc.user_id, action, pressed.action.name, inc.scope):
            return Reply(toast=roles.REFUSED, alert=True)
        return await handler(inc, pressed)

    return run


def reason(e: Exception) -> Inline:
    """What a refused change tells the person: the error's content (`.message`, a catalogue message), else its text."""
    message = getattr(e, "message", None)
    return message if isinstance(message, str | Msg | Span | Strong | Em | Code | Link) else str(e)


def split_code(args: str) -> tuple[str, int | None, str]:
    """'council-pound 2 rest...' -> ('council-pound', 2, 'rest...'); the round number is optional."""
    code, _sep, rest = args.strip().partition(" ")
    rest = rest.strip()
    number: int | None = None
    head, _sep, tail = rest.partition(" ")
    if head.isdigit():
        number, rest = int(head), tail.strip()
    return code, number, rest
