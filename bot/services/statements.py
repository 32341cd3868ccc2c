"""The statements keeper: reads what a resident may react to, stores their reactions and statements (each new one
checked for a near-duplicate), and gives a round's reactions to the tally; and tells followers of new statements."""

from __future__ import annotations

from collections.abc import Callable

from dialogues.questions import Effect
from dialogues.questions.base import Json
from dialogues.questions.statements import FOLLOW, PROPOSE, REACT, StatementsQuestion
from dialogues.report import INT, LONG, NOT_SHOWN, TEXT, Column, ReportTable
from dialogues.rounds import Round
from dialogues.schema import Consultation, Question
from dialogues.screens import Screen
from dialogues.similar import NEAR, closest
from dialogues.text import Block, Inline, Lines, Para, Quote, Strong, _
from storage.repositories.statements import APPROVED, PENDING, Statement, StatementExport
from storage.uow import UnitOfWork

REACTION_WORDS = {1: _("agree"), -1: _("disagree"), 0: _("pass")}
STATUS_WORDS = {"approved": _("approved"), "pending": _("waiting for a moderator"), "rejected": _("rejected"),
                "merged": _("merged into another statement")}


class StatementsKeeper:
    async def live(self, uow: UnitOfWork, rnd: Round, resident_id: int, c: Consultation, q: Question) -> Json:
        assert isinstance(q, StatementsQuestion)
        s = uow.statements
        await s.ensure_seeds(rnd.consultation_id, q.key, q.statements)
        return {
            "statements": [list(r) for r in await s.approved(rnd.consultation_id, q.key)],
            "mine": {str(k): v for k, v in (await s.reactions_of(resident_id, rnd.consultation_id, q.key)).items()},
            "pending": await s.pending_of(resident_id, rnd.consultation_id, q.key),
            "following": await s.following(resident_id, rnd.consultation_id, q.key),
            "seed": resident_id,
            "resident": resident_id,
        }

    async def apply(
        self, uow: UnitOfWork, rnd: Round, resident_id: int, c: Consultation, q: Question, effect: Effect
    ) -> None:
        s = uow.statements
        if effect.kind == REACT:
            await s.react(resident_id, int(effect.data["statement"]), int(effect.data["reaction"]), rnd.number)
        elif effect.kind == PROPOSE:
            text = str(effect.data["text"])
            existing = await s.all_texts(rnd.consultation_id, q.key)
            found = closest(text, [t for _i, t in existing])
            like = (existing[found[0]][0], found[1]) if found is not None and found[1] >= NEAR else None
            cost = effect.data.get("cost")
            await s.propose(rnd.consultation_id, q.key, resident_id, rnd.number, text,
                            int(cost) if cost is not None else None, like)
        elif effect.kind == FOLLOW:
            await s.follow(resident_id, rnd.consultation_id, q.key, bool(effect.data["on"]))

    async def rows(self, uow: UnitOfWork, rnd: Round, c: Consultation, q: Question, minimum: int) -> Json:
        data = await uow.statements.round_rows(rnd.consultation_id, q.key, rnd.number)
        data["minimum"] = minimum
        return data

    async def mydata(self, uow: UnitOfWork, resident_id: int) -> list[Block]:
        held = await uow.statements.of_resident(resident_id)
        out: list[Block] = []
        if held["written"]:
            lines: list[tuple[Inline, ...]] = [(Strong(_("Statements you wrote")),)]
            for st in held["written"]:
                lines.append(("• ", f"“{st.text}”", " (", STATUS_WORDS.get(st.status, st.status), ")"))
            out.append(Lines(lines))
        if held["reactions"]:
            out.append(Lines([(Strong(_("Your reactions to statements")),),
                              *[("• ", f"“{t}”: ", REACTION_WORDS[v]) for t, v in held["reactions"]]]))
        if held["following"]:
            out.append(Para(_("You asked to be told of new statements.")))
        return out


    async def tables(
        self, uow: UnitOfWork, consultation_id: int, c: Consultation, q: Question,
        pseudonym: Callable[[int], str], minimum: int,
    ) -> list[ReportTable]:
        """The Statements sheet: every statement of the question, who wrote it (pseudonym), its status, cost and
        reactions; a statement not published keeps its place but not its words."""
        assert isinstance(q, StatementsQuestion)
        x = StatementExport(uow.session)
        rows = await x.statements(consultation_id, q.key)
        if not rows:
            return []
        authors = await x.telegram_ids([s.author_id for s in rows if s.author_id is not None])
        passes = await x.passes(consultation_id, q.key)
        t = ReportTable(f"{q.key} statements"[:31], _("Statements: {prompt}", prompt=q.prompt), [
            Column(_("Statement"), INT, 10), Column(_("Text"), LONG, 60), Column(_("Author"), TEXT, 16),
            Column(_("Status"), TEXT, 14), Column(_("Estimated cost (£)"), INT, 12), Column(_("Agree"), INT, 8),
            Column(_("Disagree"), INT, 9), Column(_("Pass"), INT, 8), Column(_("Merged into"), INT, 10)],
            note=_("Reactions are shown for statements with at least {minimum} of them.", minimum=minimum))
        for s in rows:
            author: Inline = pseudonym(authors[s.author_id]) if s.author_id in authors else (
                _("the council") if s.text in q.statements else _("(erased)"))
            text: Inline = s.text if s.status in {APPROVED, PENDING} else _("(withheld: not published)")
            votes = s.agree + s.disagree + passes.get(s.id, 0)
            shown = votes >= minimum
            t.add(s.id, text, author, STATUS_WORDS.get(s.status, s.status), s.cost,
                  s.agree if shown else NOT_SHOWN, s.disagree if shown else NOT_SHOWN,
                  passes.get(s.id, 0) if shown else NOT_SHOWN, s.merged_into)
        return [t]


def new_statement_screen(c: Consultation, st: Statement) -> Screen:
    """Told to a follower when a statement opens for reactions."""
    return Screen([Para("🆕 ", _("A new statement is open for reactions in “{title}”:", title=c.title)),
                   Quote(st.text), Para(_("Send /start to react to it."))])


KEEPER = StatementsKeeper()

