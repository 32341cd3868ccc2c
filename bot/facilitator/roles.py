"""Admins grant and revoke the facilitator and officer roles in the chat: /grant ROLE USER_ID, or in reply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.facilitator.common import gated
from bot.incoming import Incoming
from bot.services import roles
from bot.services.common import Deps, Reply
from dialogues.text import Inline, Msg, Para, Span, _

if TYPE_CHECKING:
    from bot.bootstrap import App

USAGE = _("Send /grant facilitator 123456789 (or officer), or reply to someone's message with /grant facilitator.")
ADMINS_ONLY = _("Sorry, only admins can grant or revoke roles.")
NAMES = {"facilitator": _("facilitator"), "officer": _("officer")}  # a role as a sentence names it


def parse(inc: Incoming, args: str) -> tuple[str, int] | Inline:
    """(role, Telegram id) from the arguments or the message replied to; else what to send instead."""
    parts = args.split()
    if not parts or parts[0].lower() not in roles.ROLES:
        return USAGE
    role = parts[0].lower()
    if len(parts) > 1:
        if not parts[1].lstrip("-").isdigit():
            return Span(_("Give the person's numeric Telegram id (they can see it with /mydata)."), " ", USAGE)
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
        if not isinstance(parsed, tuple):
            return Reply.say(parsed)
        role, who = parsed
        changed = await roles.change_role(self.d, grant, role, who, inc.user_id, inc.scope)
        said: Msg
        name = NAMES[role]
        if not changed:
            said = (_("{who} already had the {role} role; nothing changed.", who=who, role=name) if grant
                    else _("{who} did not have the {role} role; nothing changed.", who=who, role=name))
            return Reply.say(said)
        said = (_("{who} now has the {role} role.", who=who, role=name) if grant
                else _("{who} no longer has the {role} role.", who=who, role=name))
        return Reply.say(Para("✅ ", said))


def install(app: App) -> None:
    r = Roles(app.deps)
    for name, fn in (("grant", r.grant), ("revoke", r.revoke)):
        app.core.commands[name] = gated(app.deps, "grant", fn, ADMINS_ONLY)
        app.core.group_commands[name] = gated(app.deps, "grant", fn, ADMINS_ONLY)
