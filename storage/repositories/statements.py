"""Statements residents react to, their moderation (approve, reject with a reason, merge), the reactions, and who
asked to hear of new statements."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import insert_for, utcnow
from storage.models import ReactionRow, ResidentRow, StatementFollowerRow, StatementRow

APPROVED, PENDING, REJECTED, MERGED = "approved", "pending", "rejected", "merged"


@dataclass(frozen=True)
class Statement:
    id: int
    consultation_id: int
    question_key: str
    text: str
    status: str
    cost: int | None
    author_id: int | None
    round_number: int | None
    reason: str | None
    merged_into: int | None
    like_id: int | None
    likeness: float | None
    reactions: int


def _s(r: StatementRow) -> Statement:
    return Statement(r.id, r.consultation_id, r.question_key, r.text, r.status, r.cost, r.author_id, r.round_number,
                     r.reason, r.merged_into, r.like_id, r.likeness, r.reactions)


def seed_key(text: str) -> str:
    return hashlib.sha256(text.strip().encode()).hexdigest()


class Statements:
    def __init__(self, session: AsyncSession):
        self.s = session

    def _dialect(self) -> str:
        bind = self.s.bind
        return bind.dialect.name if bind is not None else ""

    async def ensure_seeds(self, consultation_id: int, key: str, texts: Sequence[str]) -> None:
        """The file's statements, approved, once each (residents joining at the same moment add them once)."""
        if not texts:
            return
        have = set(await self.s.scalars(select(StatementRow.seed_key).where(
            StatementRow.consultation_id == consultation_id, StatementRow.question_key == key,
            StatementRow.seed_key.is_not(None))))
        rows = [{"consultation_id": consultation_id, "question_key": key, "text": t, "seed_key": seed_key(t),
                 "status": APPROVED, "reactions": 0, "created_at": utcnow()}
                for t in texts if seed_key(t) not in have]
        if not rows:
            return
        insert = insert_for(self._dialect())
        await self.s.execute(insert(StatementRow).values(rows).on_conflict_do_nothing(
            index_elements=[StatementRow.consultation_id, StatementRow.question_key, StatementRow.seed_key]))

    async def approved(self, consultation_id: int, key: str) -> list[tuple[int, str, int]]:
        """(id, text, reactions) of the statements open to react to, oldest first."""
        rows = await self.s.execute(
            select(StatementRow.id, StatementRow.text, StatementRow.reactions)
            .where(StatementRow.consultation_id == consultation_id, StatementRow.question_key == key,
                   StatementRow.status == APPROVED)
            .order_by(StatementRow.id))
        return [(int(i), str(t), int(n)) for i, t, n in rows.all()]

    async def all_texts(self, consultation_id: int, key: str) -> list[tuple[int, str]]:
        """(id, text) of the approved and waiting statements: what a new one may duplicate."""
        rows = await self.s.execute(
            select(StatementRow.id, StatementRow.text)
            .where(StatementRow.consultation_id == consultation_id, StatementRow.question_key == key,
                   StatementRow.status.in_([APPROVED, PENDING]))
            .order_by(StatementRow.id))
        return [(int(i), str(t)) for i, t in rows.all()]

    async def reactions_of(self, resident_id: int, consultation_id: int, key: str) -> dict[int, int]:
        rows = await self.s.execute(
            select(ReactionRow.statement_id, ReactionRow.reaction)
            .join(StatementRow, StatementRow.id == ReactionRow.statement_id)
            .where(ReactionRow.resident_id == resident_id, StatementRow.consultation_id == consultation_id,
                   StatementRow.question_key == key, StatementRow.status == APPROVED))
        return {int(s): int(v) for s, v in rows.all()}

    async def pending_of(self, resident_id: int, consultation_id: int, key: str) -> list[str]:
        return [str(t) for t in await self.s.scalars(
            select(StatementRow.text).where(StatementRow.author_id == resident_id,
                                            StatementRow.consultation_id == consultation_id,
                                            StatementRow.question_key == key, StatementRow.status == PENDING))]

    async def react(self, resident_id: int, statement_id: int, reaction: int, round_number: int) -> bool:
        """Saves a reaction, replacing an earlier one; False (nothing saved) unless the statement is approved."""
        st = await self.s.get(StatementRow, statement_id)
        if st is None or st.status != APPROVED or reaction not in (-1, 0, 1):
            return False
        row = await self.s.scalar(select(ReactionRow).where(ReactionRow.statement_id == statement_id,
                                                            ReactionRow.resident_id == resident_id))
        if row is None:
            self.s.add(ReactionRow(statement_id=statement_id, resident_id=resident_id, reaction=reaction,
                                   round_number=round_number))
            await self.s.execute(update(StatementRow).where(StatementRow.id == statement_id)
                                 .values(reactions=StatementRow.reactions + 1))
        else:
            row.reaction, row.round_number, row.at = reaction, round_number, utcnow()
        await self.s.flush()
        return True

    async def propose(self, consultation_id: int, key: str, resident_id: int, round_number: int, text: str,
                      cost: int | None, like: tuple[int, float] | None) -> int:
        row = StatementRow(consultation_id=consultation_id, question_key=key, text=text, cost=cost,
                           author_id=resident_id, round_number=round_number, status=PENDING,
                           like_id=like[0] if like else None, likeness=like[1] if like else None)
        self.s.add(row)
        await self.s.flush()
        return row.id

    async def following(self, resident_id: int, consultation_id: int, key: str) -> bool:
        return await self.s.get(StatementFollowerRow, (consultation_id, key, resident_id)) is not None

    async def follow(self, resident_id: int, consultation_id: int, key: str, on: bool) -> None:
        row = await self.s.get(StatementFollowerRow, (consultation_id, key, resident_id))
        if on and row is None:
            self.s.add(StatementFollowerRow(consultation_id=consultation_id, question_key=key, resident_id=resident_id))
        elif not on and row is not None:
            await self.s.delete(row)
        await self.s.flush()

    async def followers(self, consultation_id: int, key: str, besides: int | None = None) -> list[int]:
        """Telegram ids of the active residents who asked to hear of new statements (leaving out `besides`)."""
        q = (select(ResidentRow.telegram_id)
             .join(StatementFollowerRow, StatementFollowerRow.resident_id == ResidentRow.id)
             .where(StatementFollowerRow.consultation_id == consultation_id, StatementFollowerRow.question_key == key,
                    ResidentRow.active.is_(True)))
        if besides is not None:
            q = q.where(ResidentRow.id != besides)
        return [int(t) for t in await self.s.scalars(q)]

    # ---- moderation ---------------------------------------------------------------------------------------------
    async def get(self, statement_id: int) -> Statement | None:
        row = await self.s.get(StatementRow, statement_id)
        return _s(row) if row else None

    async def next_pending(self) -> Statement | None:
        row = await self.s.scalar(select(StatementRow).where(StatementRow.status == PENDING)
                                  .order_by(StatementRow.created_at, StatementRow.id).limit(1))
        return _s(row) if row else None

    async def pending_count(self) -> int:
        return int(await self.s.scalar(select(func.count()).where(StatementRow.status == PENDING)) or 0)

    async def decide(self, statement_id: int, status: str, by: int, reason: str | None = None,
                     into: int | None = None) -> Statement | None:
        """Approves, rejects (with the reason) or merges a waiting statement; None if it was not waiting, or the
        statement to merge into is not an approved one of the same question."""
        row = await self.s.get(StatementRow, statement_id)
        if row is None or row.status != PENDING:
            return None
        if status == MERGED:
            target = await self.s.get(StatementRow, into) if into is not None else None
            if target is None or target.status != APPROVED or target.id == row.id or \
                    (target.consultation_id, target.question_key) != (row.consultation_id, row.question_key):
                return None
            row.merged_into = target.id
        row.status, row.reviewed_by, row.reviewed_at, row.reason = status, by, utcnow(), reason
        await self.s.flush()
        return _s(row)

    async def author_telegram_id(self, statement_id: int) -> int | None:
        return await self.s.scalar(select(ResidentRow.telegram_id).join(
            StatementRow, StatementRow.author_id == ResidentRow.id).where(StatementRow.id == statement_id))

    # ---- results, exports, /mydata and /erase -------------------------------------------------------------------
    async def round_rows(self, consultation_id: int, key: str, up_to_round: int) -> dict[str, Any]:
        """The approved statements and every reaction to them made in a round up to `up_to_round`, as they stand."""
        statements = [(i, t) for i, t, _n in await self.approved(consultation_id, key)]
        rows = await self.s.execute(
            select(ReactionRow.resident_id, ReactionRow.statement_id, ReactionRow.reaction)
            .join(StatementRow, StatementRow.id == ReactionRow.statement_id)
            .where(StatementRow.consultation_id == consultation_id, StatementRow.question_key == key,
                   StatementRow.status == APPROVED, ReactionRow.round_number <= up_to_round))
        return {"statements": statements, "reactions": [(int(r), int(s), int(v)) for r, s, v in rows.all()]}

    async def of_resident(self, resident_id: int) -> dict[str, Any]:
        """What a resident wrote and how they reacted, for /mydata."""
        written = [_s(r) for r in await self.s.scalars(
            select(StatementRow).where(StatementRow.author_id == resident_id).order_by(StatementRow.id))]
        reacted = (await self.s.execute(
            select(StatementRow.text, ReactionRow.reaction)
            .join(StatementRow, StatementRow.id == ReactionRow.statement_id)
            .where(ReactionRow.resident_id == resident_id).order_by(ReactionRow.id))).all()
        following = list(await self.s.scalars(select(StatementFollowerRow.question_key)
                                              .where(StatementFollowerRow.resident_id == resident_id)))
        return {"written": written, "reactions": [(str(t), int(v)) for t, v in reacted], "following": following}

    async def erase(self, resident_id: int) -> None:
        """Removes every reaction of the resident, their wish to hear of new statements, and the statements they
        wrote; a statement others have reacted to stays (it is part of their reactions) without its author."""
        mine = list(await self.s.scalars(
            select(ReactionRow.statement_id).where(ReactionRow.resident_id == resident_id)))
        if mine:
            await self.s.execute(update(StatementRow).where(StatementRow.id.in_(mine))
                                 .values(reactions=StatementRow.reactions - 1))
        await self.s.execute(delete(ReactionRow).where(ReactionRow.resident_id == resident_id))
        await self.s.execute(delete(StatementFollowerRow).where(StatementFollowerRow.resident_id == resident_id))
        written = select(StatementRow.id).where(StatementRow.author_id == resident_id)
        others = select(ReactionRow.statement_id).where(ReactionRow.statement_id.in_(written))
        kept = set(await self.s.scalars(others))
        await self.s.execute(update(StatementRow).where(StatementRow.merged_into.in_(
            select(StatementRow.id).where(StatementRow.author_id == resident_id, StatementRow.id.not_in(kept))))
            .values(merged_into=None))
        await self.s.execute(update(StatementRow).where(StatementRow.author_id == resident_id,
                                                        StatementRow.id.in_(kept))
                             .values(author_id=None, reason=None))
        await self.s.execute(delete(StatementRow).where(StatementRow.author_id == resident_id))


@dataclass(frozen=True)
class ExportedStatement:
    id: int
    text: str
    status: str
    author_id: int | None
    created_at: Any
    agree: int
    disagree: int
    cost: int | None = None
    merged_into: int | None = None


class StatementExport:
    """Everything about one question's statements for a researcher's export (Pol.is's layout)."""

    def __init__(self, session: AsyncSession):
        self.s = session

    async def question_keys(self, consultation_id: int) -> list[str]:
        return sorted(set(await self.s.scalars(select(StatementRow.question_key)
                                               .where(StatementRow.consultation_id == consultation_id))))

    async def statements(self, consultation_id: int, key: str) -> list[ExportedStatement]:
        agree = func.sum(case((ReactionRow.reaction == 1, 1), else_=0))
        disagree = func.sum(case((ReactionRow.reaction == -1, 1), else_=0))
        rows = await self.s.execute(
            select(StatementRow.id, StatementRow.text, StatementRow.status, StatementRow.author_id,
                   StatementRow.created_at, agree, disagree, StatementRow.cost, StatementRow.merged_into)
            .outerjoin(ReactionRow, ReactionRow.statement_id == StatementRow.id)
            .where(StatementRow.consultation_id == consultation_id, StatementRow.question_key == key)
            .group_by(StatementRow.id).order_by(StatementRow.id))
        return [ExportedStatement(int(i), str(t), str(st), a, c, int(ag or 0), int(dis or 0), cost, into)
                for i, t, st, a, c, ag, dis, cost, into in rows.all()]

    async def reactions(self, consultation_id: int, key: str) -> list[tuple[int, int, int, Any]]:
        """(resident id, statement id, reaction, when) for every reaction to the question's statements."""
        rows = await self.s.execute(
            select(ReactionRow.resident_id, ReactionRow.statement_id, ReactionRow.reaction, ReactionRow.at)
            .join(StatementRow, StatementRow.id == ReactionRow.statement_id)
            .where(StatementRow.consultation_id == consultation_id, StatementRow.question_key == key)
            .order_by(ReactionRow.statement_id, ReactionRow.resident_id))
        return [(int(r), int(s), int(v), at) for r, s, v, at in rows.all()]

    async def passes(self, consultation_id: int, key: str) -> dict[int, int]:
        rows = await self.s.execute(
            select(ReactionRow.statement_id, func.count())
            .join(StatementRow, StatementRow.id == ReactionRow.statement_id)
            .where(StatementRow.consultation_id == consultation_id, StatementRow.question_key == key,
                   ReactionRow.reaction == 0)
            .group_by(ReactionRow.statement_id))
        return {int(s): int(n) for s, n in rows.all()}

    async def telegram_ids(self, resident_ids: Sequence[int]) -> dict[int, int]:
        rows = await self.s.execute(select(ResidentRow.id, ResidentRow.telegram_id)
                                    .where(ResidentRow.id.in_(list(resident_ids))))
        return {int(i): int(t) for i, t in rows.all()}
