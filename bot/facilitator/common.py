"""Helpers every facilitator command shares: the role gate and the consultation code argument."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.actions import Pressed
from bot.incoming import Incoming
from bot.services import roles
from bot.services.common import Deps, Reply

Command = Callable[[Incoming, str], Awaitable[Reply | None]]
Press = Callable[[Incoming, Pressed], Awaitable[Reply | None]]


def gated(d: Deps, action: str, handler: Command, refusal: str = roles.REFUSED) -> Command:
    """Runs the handler only for someone whose role allows `action`; refusals are audited."""

    async def run(inc: Incoming, args: str) -> Reply | None:
        if not await roles.check(d, inc.user_id, action, args[:100], inc.scope):
            return Reply.say(refusal)
        return await handler(inc, args)

    return run


def gated_press(d: Deps, action: str, handler: Press) -> Press:
    async def run(inc: Incoming, pressed: Pressed) -> Reply | None:
        if not inc.private or not await roles.check(d, inc.user_id, action, pressed.action.name, inc.scope):
            return Reply(toast=roles.REFUSED, alert=True)
        return await handler(inc, pressed)

    return run


def split_code(args: str) -> tuple[str, int | None, str]:
    """'council-pound 2 rest...' -> ('council-pound', 2, 'rest...'); the round number is optional."""
    code, _, rest = args.strip().partition(" ")
    rest = rest.strip()
    number: int | None = None
    head, _, tail = rest.partition(" ")
    if head.isdigit():
        number, rest = int(head), tail.strip()
    return code, number, rest
