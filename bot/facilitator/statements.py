"""Residents' statements in the moderation queue: approve, reject with a reason the author is told, or merge into an
existing statement (the author is told which); a near-duplicate is shown beside its closest match. Approving
tells the residents who asked to hear of new statements, through the outbox."""

from __future__ import annotations

from bot.services.common import Deps, Reply
from bot.services.rounds import notify_outbox
from bot.services.statements import new_statement_screen
from dialogues.screens import Action, Button, Screen
from dialogues.text import Block, Em, Msg, Para, Quote, Span, Strong, _, ngettext
from storage.repositories.statements import APPROVED, MERGED, REJECTED, Statement
from storage.uow import UnitOfWork

# Reasons a facilitator picks with one tap; any other is typed: /moderate reject <number> <reason>
REASONS: tuple[Msg, ...] = (
    _("It is not about this consultation."),
    _("It names or could identify a person."),
    _("It is offensive or abusive."),
    _("It makes more than one point: please send each as a statement of its own."),
)
APPROVE, REJECT, MERGE = "sa", "sr", "sm"


async def next_screen(d: Deps, uow: UnitOfWork, edit: bool, back: list[list[Button]]) -> Screen | None:
    """The oldest waiting statement with its buttons, or None when none waits."""
    st = await uow.statements.next_pending()
    if st is None:
        return None
    waiting = await uow.statements.pending_count()
    row = await uow.consultations.get(st.consultation_id)
    body: list[Block] = [
        Para(Strong(_("Statement {n} for “{title}”", n=st.id, title=row.title if row else "")), " ",
             ngettext("({n} waiting)", "({n} waiting)", waiting)),
        Quote(st.text),
    ]
    if st.cost is not None:
        body.append(Para(_("Estimated cost: £{cost:,}", cost=st.cost)))
    buttons = [[Button(Span("✅ ", _("Approve")), Action(APPROVE, (st.id,)))]]
    like = await uow.statements.get(st.like_id) if st.like_id is not None else None
    if like is not None and st.likeness is not None:
        body.append(Para("⚠️ ", _("It looks like statement {n} ({likeness} alike):", n=like.id,
                                  likeness=f"{round(100 * st.likeness)}%")))
        body.append(Quote(like.text))
        if like.status == APPROVED:
            buttons.append([Button(Span("🔗 ", _("Merge into {n}", n=like.id)), Action(MERGE, (st.id, like.id)))])
    body.append(Para(Em(_("Nobody else sees it until it is approved. Reject with a reason below, or type "
                          "/moderate reject {n} and your own reason; /moderate merge {n} and a statement's number "
                          "merges it into that one.", n=st.id))))
    for i, reason in enumerate(REASONS):
        buttons.append([Button(Span("❌ ", reason), Action(REJECT, (st.id, i)))])
    return Screen(body, [*buttons, *back], edit=edit)


async def decide(d: Deps, uow: UnitOfWork, by: int, statement_id: int, status: str, reason: str | Msg | None = None,
                 into: int | None = None) -> Statement | None:
    """Records the decision, tells the author, and on approval tells the followers; None if it was not waiting (or
    the merge's target is not an approved statement of the same question)."""
    from dialogues.text import english

    stored = english(reason) if isinstance(reason, Msg) else reason
    st = await uow.statements.decide(statement_id, status, by, stored, into)
    if st is None:
        return None
    await uow.ledger.audit(by, "moderate", f"statement {statement_id}", decision=status, into=into)
    author = await uow.statements.author_telegram_id(st.id)
    c = (await uow.consultations.latest(st.consultation_id))[1]
    told: Screen | None = None
    if status == APPROVED:
        told = Screen([Para("✅ ", _("Your statement is now open for others to react to:")), Quote(st.text)])
        followers = await uow.statements.followers(st.consultation_id, st.question_key, besides=st.author_id)
        screen = new_statement_screen(c, st)
        await uow.outbox.enqueue_many("announce", ((f"stmt:new:{st.id}:{t}", t, screen) for t in followers))
    elif status == REJECTED:
        told = Screen([Para(_("Your statement was not published:")), Quote(st.text),
                       Para(Strong(_("The moderator's reason:")), " ", reason if reason is not None else "")])
    elif status == MERGED and into is not None:
        target = await uow.statements.get(into)
        told = Screen([Para(_("Your statement says what another already says, so it was merged into it:")),
                       Quote(st.text), Para("➡️ ", _("React to this one instead:")),
                       Quote(target.text if target else "")])
    if author is not None and told is not None:
        await uow.outbox.enqueue(f"stmt:{status}:{st.id}", author, "report", told)
    return st


def decided_toast(status: str, done: bool) -> Msg:
    if not done:
        return _("Someone has already decided on that statement, or it cannot be merged there.")
    return {APPROVED: _("Approved."), REJECTED: _("Rejected; the author is told why."),
            MERGED: _("Merged; the author is told which statement.")}[status]


async def typed(d: Deps, by: int, args: str) -> Reply | None:
    """/moderate reject <n> <reason> and /moderate merge <n> <into>; None if `args` is neither."""
    verb, _sep, rest = args.strip().partition(" ")
    if verb.lower() not in {"reject", "merge"}:
        return None
    number, _sep, tail = rest.strip().partition(" ")
    if not number.isdigit():
        return Reply.say(_("Say which statement: /moderate reject 12 Your reason, or /moderate merge 12 4."))
    if verb.lower() == "reject":
        reason = " ".join(tail.split())
        if not reason:
            return Reply.say(_("Give the reason the author will read: /moderate reject {n} Your reason.",
                               n=int(number)))
        if len(reason) > 300:
            return Reply.say(_("Please keep the reason under 300 characters; it is {n}.", n=len(reason)))
        status, into = REJECTED, None
    else:
        if not tail.strip().isdigit():
            return Reply.say(_("Say which statement to merge it into: /moderate merge {n} 4.", n=int(number)))
        status, into, reason = MERGED, int(tail.strip()), None
    async with d.uow() as uow:
        st = await decide(d, uow, by, int(number), status, reason, into)
        await uow.commit()
    if st is not None:
        notify_outbox(d)
    return Reply.say(decided_toast(status, st is not None))
