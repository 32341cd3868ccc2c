"""The moderation queue: a facilitator approves or rejects residents' comments, one at a time, in private; the
decided ones are listed with an undo that puts a comment back in the queue (audited). Residents' statements come
next in the same queue (bot.facilitator.statements)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.actions import Pressed
from bot.facilitator import statements
from bot.facilitator.common import EXPIRED, gated, gated_press
from bot.incoming import Incoming
from bot.services.common import Deps, Reply
from bot.services.rounds import notify_outbox
from dialogues.screens import Action, Button, Screen
from dialogues.text import Block, Para, Quote, Span, Strong, _, ngettext

if TYPE_CHECKING:
    from bot.bootstrap import App


DECIDED_SHOWN = 10


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
        decided = [[Button(Span("🗂 ", _("Decided comments")), Action("ml"))]]
        if c is None:
            async with self.d.uow() as uow:  # with no comment waiting, residents' statements are next in the queue
                statement = await statements.next_screen(self.d, uow, edit, decided)
            if statement is not None:
                return Reply([statement])
            return Reply([Screen(Para("✅ ", _("No comments are waiting for moderation.")), decided, edit=edit)])
        body: list[Block] = [
            Para(Strong(_("Comment for “{title}”, round {number}", title=title, number=c.round_number)), " ",
                 ngettext("({n} waiting)", "({n} waiting)", waiting)),
            Quote(c.text),
            Para(_("Approved comments may be shown to residents, without names, in the next round.")),
        ]
        buttons = [[Button(Span("✅ ", _("Approve")), Action("ma", (c.answer_id,))),
                    Button(Span("❌ ", _("Reject")), Action("mr", (c.answer_id,)))], *decided]
        return Reply([Screen(body, buttons, edit=edit)])

    async def decided(self, edit: bool = False) -> Reply:
        """The latest decided comments, each with an undo."""
        async with self.d.uow() as uow:
            shown = await uow.comments.decided(DECIDED_SHOWN)
            titles = {c.consultation_id: (await uow.consultations.get(c.consultation_id)) for c in shown}
        back = [Button(Span("⬅️ ", _("Back to the queue")), Action("mq"))]
        if not shown:
            return Reply([Screen(Para(_("No comment has been approved or rejected yet.")), [back], edit=edit)])
        body: list[Block] = [Para(Strong(_("Decided comments, newest first")), " ",
                                  _("Undo puts a comment back in the queue."))]
        buttons: list[list[Button]] = []
        for n, c in enumerate(shown, 1):
            row = titles.get(c.consultation_id)
            verdict = _("approved") if c.review == "approved" else _("rejected")
            body.append(Para(Strong(f"{n}. "), _("{verdict}, for “{title}”, round {number}:", verdict=verdict,
                                                 title=row.title if row else "", number=c.round_number)))
            body.append(Quote(c.text))
            buttons.append([Button(Span("↩️ ", _("Undo {n}", n=n)), Action("mu", (c.answer_id,)))])
        return Reply([Screen(body, [*buttons, back], edit=edit)])

    async def command(self, inc: Incoming, args: str) -> Reply:
        if args.strip().lower() == "decided":
            return await self.decided()
        assert inc.user_id is not None
        said = await statements.typed(self.d, inc.user_id, args)
        if said is not None:
            return said
        return await self.next()

    async def statement(self, inc: Incoming, pressed: Pressed) -> Reply:
        """Approve, reject with one of the ready reasons, or merge into the closest statement."""
        a = pressed.action
        assert inc.user_id is not None
        status, reason, into = statements.APPROVED, None, None
        if a.name == statements.REJECT and len(a.args) == 2 and 0 <= a.args[1] < len(statements.REASONS):
            status, reason = statements.REJECTED, statements.REASONS[a.args[1]]
        elif a.name == statements.MERGE and len(a.args) == 2:
            status, into = statements.MERGED, a.args[1]
        elif a.name != statements.APPROVE or len(a.args) != 1:
            return Reply(toast=EXPIRED)
        async with self.d.uow(inc.scope) as uow:
            st = await statements.decide(self.d, uow, inc.user_id, a.args[0], status, reason, into)
            await uow.commit()
        if st is not None:
            notify_outbox(self.d)
        reply = await self.next(edit=True)
        reply.toast = statements.decided_toast(status, st is not None)
        return reply

    async def browse(self, inc: Incoming, pressed: Pressed) -> Reply:
        return await (self.decided(edit=True) if pressed.action.name == "ml" else self.next(edit=True))

    async def undo(self, inc: Incoming, pressed: Pressed) -> Reply:
        a = pressed.action
        assert inc.user_id is not None
        if len(a.args) != 1:
            return Reply(toast=EXPIRED)
        async with self.d.uow(inc.scope) as uow:
            was = await uow.comments.undo(a.args[0])
            if was is not None:
                await uow.ledger.audit(inc.user_id, "moderate", f"comment {a.args[0]}", decision="pending",
                                       undone=was)
            await uow.commit()
        reply = await self.decided(edit=True)
        reply.toast = (_("Back in the queue: it is waiting for a decision again.") if was is not None
                       else _("That comment is not decided any more; nothing changed."))
        return reply

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
    app.core.actions["mu"] = gated_press(app.deps, "moderate", m.undo)
    app.core.actions["ml"] = gated_press(app.deps, "moderate", m.browse)
    app.core.actions["mq"] = gated_press(app.deps, "moderate", m.browse)
    for name in (statements.APPROVE, statements.REJECT, statements.MERGE):
        app.core.actions[name] = gated_press(app.deps, "moderate", m.statement)
