"""Council Telegram groups: linking one to a consultation, the invitation posted there, unlinking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.incoming import Incoming
from bot.services import roles
from bot.services.common import Deps, Reply
from bot.transport import TelegramFailure, Transport
from dialogues.screens import Button, Screen
from dialogues.text import Para, Strong, _, ngettext

if TYPE_CHECKING:
    from bot.bootstrap import App

GREETING = Para("👋 ", _(
    "Hello! I run council consultations in private chats. A facilitator who is an administrator of this group can "
    "link it to a consultation with /link CODE; I'll then post invitations and results here. I never collect answers "
    "in the group."
))
PRIVATE = _("Answers are collected in a private chat with me, so nobody else sees them. Tap below to start.")
TAKE_PART = _("Take part privately")


class Groups:
    def __init__(self, d: Deps):
        self.d = d

    async def member(self, inc: Incoming, args: str) -> Reply | None:
        if inc.private or not inc.bot_added:
            return None
        return Reply.say(GREETING)

    async def link(self, inc: Incoming, args: str) -> Reply | None:
        assert inc.chat_id is not None and inc.user_id is not None
        if not await roles.check(self.d, inc.user_id, "link", f"group {inc.chat_id}", inc.scope):
            return Reply.say(_("Only a facilitator can link this group to a consultation."))
        transport: Transport = self.d.transport
        try:
            admin = await transport.is_chat_admin(inc.chat_id, inc.user_id)
        except TelegramFailure:
            admin = False
        if not admin:
            async with self.d.uow(inc.scope) as uow:
                await uow.ledger.audit(inc.user_id, "link", f"group {inc.chat_id}", allowed=False,
                                       reason="not a group administrator")
                await uow.commit()
            return Reply.say(_("Only a facilitator who is also an administrator of this group can link it."))
        code = args.strip()
        async with self.d.uow(inc.scope) as uow:
            found = await uow.consultations.by_code(code) if code else None
            if found is None:
                return Reply.say(_("Which consultation? Send /link CODE (facilitators see codes with /consultations "
                                   "in a private chat with me)."))
            await uow.consultations.link_group(inc.chat_id, found[0], inc.chat_title, inc.user_id)
            await uow.ledger.audit(inc.user_id, "link", f"group {inc.chat_id}", code=code)
            await uow.commit()
        return Reply([self.invitation(found[2].title, found[2].purpose, found[2].minutes, code)])

    def invitation(self, title: str, purpose: str, minutes: int, code: str) -> Screen:
        takes = ngettext(
            "It takes about {n} minute, in a private chat with me; nobody in this group sees your answers. "
            "Results will be posted here when the round closes.",
            "It takes about {n} minutes, in a private chat with me; nobody in this group sees your answers. "
            "Results will be posted here when the round closes.",
            minutes,
        )
        body = [Para("📣 ", Strong(title)), Para(purpose), Para(takes)]
        return Screen(body, [[Button(TAKE_PART, url=self.d.deep_link(code))]])

    async def unlink(self, inc: Incoming, args: str) -> Reply | None:
        assert inc.chat_id is not None
        if not await roles.check(self.d, inc.user_id, "link", f"group {inc.chat_id}", inc.scope):
            return Reply.say(_("Only a facilitator can unlink this group."))
        async with self.d.uow(inc.scope) as uow:
            gone = await uow.consultations.unlink_group(inc.chat_id)
            await uow.ledger.audit(inc.user_id, "unlink", f"group {inc.chat_id}")
            await uow.commit()
        return Reply.say(_("This group is no longer linked to a consultation.") if gone
                         else _("This group wasn't linked."))

    async def start(self, inc: Incoming, args: str) -> Reply | None:
        """/start in a group: point to the linked consultation's private chat."""
        assert inc.chat_id is not None
        async with self.d.uow() as uow:
            group = await uow.consultations.group(inc.chat_id)
            if group is not None:
                row = await uow.consultations.get(group.consultation_id)
                _version, spec = await uow.consultations.latest(group.consultation_id)
                if row is not None:
                    return Reply([Screen(
                        Para(Strong(spec.title), ": ", PRIVATE),
                        [[Button(TAKE_PART, url=self.d.deep_link(row.code))]],
                    )])
        return Reply([Screen(PRIVATE, [[Button(TAKE_PART, url=self.d.deep_link())]])])


def install(app: App) -> None:
    groups = Groups(app.deps)
    app.core.on_member = groups.member
    app.core.group_commands["link"] = groups.link
    app.core.group_commands["unlink"] = groups.unlink
    app.core.group_commands["start"] = groups.start
