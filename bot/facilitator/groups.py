"""Council Telegram groups: linking one to a consultation, the invitation posted there (saying when it opens, with
a link only once it is open), unlinking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.incoming import Incoming
from bot.services import group_links, languages, roles
from bot.services.common import Deps, Reply
from bot.services.rounds import notify_outbox
from bot.transport import TelegramFailure, Transport
from dialogues.rounds import Round
from dialogues.schema import Consultation
from dialogues.screens import Button, Screen
from dialogues.text import Block, Code, Inline, Para, Span, Strong, _, join, ngettext

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
        """The bot joined or left a group, or the group became a supergroup with a new id."""
        assert inc.chat_id is not None
        if inc.private:
            return None
        if inc.kind == "migrated" and inc.migrated_to is not None:
            async with self.d.uow(inc.scope) as uow:
                await group_links.follow_migration(uow, inc.chat_id, inc.migrated_to)
                await uow.commit()
            return None
        async with self.d.uow(inc.scope) as uow:
            if not inc.bot_added:
                changed = await group_links.bot_removed(self.d, uow, inc.chat_id)
                await uow.commit()
                if changed is not None:
                    notify_outbox(self.d)
                return None
            back = await group_links.bot_added_back(uow, inc.chat_id)
            title = None
            if back is not None:
                _version, spec = await uow.consultations.latest(back.consultation_id)
                title = spec.title
            await uow.commit()
        if title is not None:
            return Reply.say(_("I'm back: this group is linked to “{title}” again, so invitations and results will be "
                               "posted here.", title=title))
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
                codes: list[Inline] = [Code(c.code) for c in await uow.consultations.all()]
                said: list[Inline] = [
                    _("There is no consultation with the code “{code}”.", code=code[:60]) if code
                    else _("Which consultation? Send /link CODE."),
                    " ",
                    ngettext("The code is: {codes}.", "The codes are: {codes}.", len(codes), codes=Span(*join(codes)))
                    if codes else _("No consultation is loaded yet: send its file to me in a private chat first."),
                ]
                return Reply.say(Para(*said))
            consultation_id, _version, spec = found
            before = await uow.consultations.group(inc.chat_id)
            if before is not None and before.consultation_id == consultation_id:
                return Reply.say(_("This group is already linked to “{title}”; nothing changed. (/unlink undoes "
                                   "it.)", title=spec.title))
            previous = await uow.consultations.get(before.consultation_id) if before is not None else None
            await uow.consultations.link_group(inc.chat_id, consultation_id, inc.chat_title, inc.user_id)
            await uow.ledger.audit(inc.user_id, "link", f"group {inc.chat_id}", code=code,
                                   previous=previous.code if previous else None)
            rounds = await uow.consultations.rounds(consultation_id)
            await uow.commit()
        screens = [self.invitation(spec, code, rounds)]
        if previous is not None:
            screens.insert(0, Screen(_("This group was linked to “{title}”; it is now linked to “{new}” instead.",
                                       title=previous.title, new=spec.title)))
        # In each of the consultation's languages, as every post to the group is.
        return Reply(screens, languages=languages.for_groups(spec, self.d.config.languages_first))

    def invitation(self, spec: Consultation, code: str, rounds: list[Round]) -> Screen:
        """What the group reads when it is linked: the open round with a link to take part; else when the next
        round opens (or that it is not open yet), and no link, which would only lead to "not open yet"."""
        takes = ngettext(
            "It takes about {n} minute, in a private chat with me; nobody in this group sees your answers. "
            "Results will be posted here when the round closes.",
            "It takes about {n} minutes, in a private chat with me; nobody in this group sees your answers. "
            "Results will be posted here when the round closes.",
            spec.minutes,
        )
        open_now = next((r for r in rounds if r.status == "open"), None)
        waiting = next((r for r in rounds if r.status in {"draft", "scheduled"}), None)
        body: list[Block] = [Para("📣 ", Strong(spec.title)), Para(spec.purpose)]
        if open_now is not None:
            closes = self.d.local(open_now.closes_at)
            now = languages.round_title(spec, open_now.number, open_now.title)
            body.insert(1, Para(_("{round} is open until {closes}.", round=now, closes=closes) if closes
                                else _("{round} is open.", round=now)))
            return Screen([*body, Para(takes)], [[Button(TAKE_PART, url=self.d.deep_link(code))]])
        opens = self.d.local(waiting.opens_at) if waiting is not None and waiting.status == "scheduled" else None
        if waiting is None:
            when = _("This consultation has closed: no round is left to take part in.")
        elif opens:
            when = _("{round} opens on {opens}. I'll post the link to take part here then.",
                     round=languages.round_title(spec, waiting.number, waiting.title), opens=opens)
        else:
            when = _("It is not open yet. I'll post the link to take part here when it opens.")
        return Screen([*body, Para(when), Para(takes)])

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
