"""The moderation queue: a facilitator approves or rejects residents' comments, one at a time, in private."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.actions import Pressed
from bot.facilitator.common import EXPIRED, gated, gated_press
from bot.incoming import Incoming
from bot.services.common import Deps, Reply
from dialogues.screens import Action, Button, Screen
from dialogues.text import Block, Para, Quote, Span, Strong, _, ngettext

if TYPE_CHECKING:
    from bot.bootstrap import App


class Moderation:
    def __init__(self, d: Deps):
        self.d = d

    async def next(self, edit: bool = False) -> Reply:
        async with self.d.uow() as uow:
            c = await uow.comments.next_pending()
            waiting = await uow.comments.pending_count()
            title = ""
            if c is not None:
                row = await uow.consultations.get(c.consultation_id)
                title = row.title if row else ""
        if c is None:
            return Reply([Screen(Para("✅ ", _("No comments are waiting for moderation.")), edit=edit)])
        body: list[Block] = [
            Para(Strong(_("Comment for “{title}”, round {number}", title=title, number=c.round_number)), " ",
                 ngettext("({n} waiting)", "({n} waiting)", waiting)),
            Quote(c.text),
            Para(_("Approved comments may be shown to residents, without names, in the next round.")),
        ]
        buttons = [[Button(Span("✅ ", _("Approve")), Action("ma", (c.answer_id,))),
                    Button(Span("❌ ", _("Reject")), Action("mr", (c.answer_id,)))]]
        return Reply([Screen(body, buttons, edit=edit)])

    async def command(self, inc: Incoming, args: str) -> Reply:
        return await self.next()

    async def press(self, inc: Incoming, pressed: Pressed) -> Reply:
        a = pressed.action
        assert inc.user_id is not None
        if len(a.args) != 1:
            return Reply(toast=EXPIRED)
        status = "approved" if a.name == "ma" else "rejected"
        async with self.d.uow(inc.scope) as uow:
            done = await uow.comments.review(a.args[0], status, inc.user_id)
            if done:
                await uow.ledger.audit(inc.user_id, "moderate", f"comment {a.args[0]}", decision=status)
            await uow.commit()
        reply = await self.next(edit=True)
        decided = _("Approved.") if status == "approved" else _("Rejected.")
        reply.toast = decided if done else _("Someone has already decided on that comment.")
        return reply


def install(app: App) -> None:
    m = Moderation(app.deps)
    app.core.commands["moderate"] = gated(app.deps, "moderate", m.command)
    app.core.actions["ma"] = gated_press(app.deps, "moderate", m.press)
    app.core.actions["mr"] = gated_press(app.deps, "moderate", m.press)
