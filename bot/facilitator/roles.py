"""Admins grant and revoke the facilitator and officer roles in the chat: /grant ROLE USER_ID, or in reply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.facilitator.common import gated
from bot.incoming import Incoming
from bot.services import roles
from bot.services.common import Deps, Reply
from dialogues.screens import h

if TYPE_CHECKING:
    from bot.bootstrap import App

USAGE = "Send /grant facilitator 123456789 (or officer), or reply to someone's message with /grant facilitator."


def parse(inc: Incoming, args: str) -> tuple[str, int] | str:
    parts = args.split()
    if not parts or parts[0].lower() not in roles.ROLES:
        return USAGE
    role = parts[0].lower()
    if len(parts) > 1:
        if not parts[1].lstrip("-").isdigit():
            return "Give the person's numeric Telegram id (they can see it with /mydata). " + USAGE
        return role, int(parts[1])
    if inc.reply_user_id is not None:
        return role, inc.reply_user_id
    return USAGE


class Roles:
    def __init__(self, d: Deps):
        self.d = d

    async def grant(self, inc: Incoming, args: str) -> Reply:
        return await self._change(inc, args, grant=True)

    async def revoke(self, inc: Incoming, args: str) -> Reply:
        return await self._change(inc, args, grant=False)

    async def _change(self, inc: Incoming, args: str, grant: bool) -> Reply:
        parsed = parse(inc, args)
        if isinstance(parsed, str):
            return Reply.say(h(parsed))
        role, who = parsed
        changed = await roles.change_role(self.d, grant, role, who, inc.user_id, inc.scope)
        verb = "now has" if grant else "no longer has"
        if not changed:
            return Reply.say(f"{who} already {'had' if grant else 'did not have'} the {role} role; nothing changed.")
        return Reply.say(f"✅ {who} {verb} the {role} role.")


def install(app: App) -> None:
    r = Roles(app.deps)
    for name, fn in (("grant", r.grant), ("revoke", r.revoke)):
        app.core.commands[name] = gated(app.deps, "grant", fn, "Sorry, only admins can grant or revoke roles.")
        app.core.group_commands[name] = gated(app.deps, "grant", fn, "Sorry, only admins can grant or revoke roles.")
