"""Residents, their consents, participations in rounds, and answers (each round's, and those about themselves kept
for a whole consultation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, Text, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from dialogues.rounds import Round
from storage.base import utcnow
from storage.models import (
    AnswerRow,
    AuditRow,
    ConsentRow,
    JobRow,
    OutboxRow,
    ParticipationRow,
    ProfileAnswerRow,
    ResidentRow,
    RoundRow,
)
from storage.repositories.statements import Statements
from storage.sqlite_driver import HELD

ERASED = "an erased resident"


def _without(value: Any, ident: str) -> Any:
    """A JSON value with every mention of a Telegram id replaced."""
    if isinstance(value, dict):
        return {k: _without(v, ident) for k, v in value.items()}
    if isinstance(value, list):
        return [_without(v, ident) for v in value]
    if isinstance(value, str):
        return value.replace(ident, ERASED)
    if isinstance(value, int) and str(value) == ident:
        return ERASED
    return value


@dataclass(frozen=True)
class Resident:
    id: int
    telegram_id: int
    created_at: datetime
    active: bool  # false once the resident blocked the bot
    inactive_since: datetime | None
    language: str | None = None  # the language they read in, once they chose or agreed


@dataclass(frozen=True)
class Consent:
    """A resident's agreement to take part in a consultation."""

    resident_id: int
    consultation_id: int
    version_id: int  # the file version whose privacy notice they agreed to
    agreed_at: datetime
    reminders: bool


@dataclass
class Participation:
    id: int
    resident_id: int
    round_id: int
    version_id: int
    state: dict[str, Any]
    finished_at: datetime | None
    # The resident's chosen language, when the participation was found through them (current_of): a press needs
    # it for its reply, and reading it in the same query saves the hot path a statement.
    language: str | None = None
    language_known: bool = False
    # Likewise its round and its answers so far (question key -> stored value), read in that same query.
    round: Round | None = None
    answers: dict[str, Any] | None = None


def _resident(row: ResidentRow) -> Resident:
    return Resident(row.id, row.telegram_id, row.created_at, row.active, row.inactive_since, row.language)


def _p(row: ParticipationRow) -> Participation:
    return Participation(row.id, row.resident_id, row.round_id, row.version_id, dict(row.state), row.finished_at)


# Built once: every button press runs these, and making a statement costs more than running a cached one. They
# are Core statements over the tables, run on the session's connection: through the ORM the same SELECT and
# UPDATE cost a press about 0.6 ms more (its bulk-update path, and its result machinery), by py-spy over the
# answers benchmark.
_PARTICIPATIONS = cast(Table, ParticipationRow.__table__)
_ROUNDS, _RESIDENTS, _ANSWERS_TABLE = (cast(Table, row.__table__) for row in (RoundRow, ResidentRow, AnswerRow))
_LATEST_OPEN = (
    select(_PARTICIPATIONS.c.id)
    .join(_ROUNDS, _ROUNDS.c.id == _PARTICIPATIONS.c.round_id)
    .join(_RESIDENTS, _RESIDENTS.c.id == _PARTICIPATIONS.c.resident_id)
    .where(_RESIDENTS.c.telegram_id == bindparam("telegram_id"), _ROUNDS.c.status == "open")
    .order_by(_PARTICIPATIONS.c.updated_at.desc(), _PARTICIPATIONS.c.id.desc())
    .limit(1)
    .scalar_subquery()
)
# The participation with its resident's language, its round and its answers (a row per answer; one with no
# answer when there is none yet), its row locked: one statement for everything a press reads.
_CURRENT_OF = (
    select(
        _PARTICIPATIONS.c.id, _PARTICIPATIONS.c.resident_id, _PARTICIPATIONS.c.round_id,
        _PARTICIPATIONS.c.version_id, _PARTICIPATIONS.c.state, _PARTICIPATIONS.c.finished_at, _RESIDENTS.c.language,
        _ROUNDS.c.consultation_id, _ROUNDS.c.number, _ROUNDS.c.title, _ROUNDS.c.status, _ROUNDS.c.opens_at,
        _ROUNDS.c.closes_at, _ANSWERS_TABLE.c.question_key, _ANSWERS_TABLE.c.value,
    )
    .select_from(_PARTICIPATIONS)
    .join(_ROUNDS, _ROUNDS.c.id == _PARTICIPATIONS.c.round_id)
    .join(_RESIDENTS, _RESIDENTS.c.id == _PARTICIPATIONS.c.resident_id)
    .outerjoin(_ANSWERS_TABLE, _ANSWERS_TABLE.c.participation_id == _PARTICIPATIONS.c.id)
    .where(_PARTICIPATIONS.c.id == _LATEST_OPEN)
    .with_for_update(of=_PARTICIPATIONS)
)
_SAVE_STATE = (
    update(_PARTICIPATIONS)
    .where(_PARTICIPATIONS.c.id == bindparam("participation"))
    .values(state=bindparam("new_state"), updated_at=bindparam("now"))
)
# The same through the ORM, which also updates a participation the session holds: for a finished journey, and
# for the rare press whose session loaded the row.
_SAVE_STATE_ORM = (
    update(ParticipationRow)
    .where(ParticipationRow.id == bindparam("participation"))
    .values(state=bindparam("new_state"), updated_at=bindparam("now"))
)
_SAVE_FINISHED = _SAVE_STATE_ORM.values(finished_at=func.coalesce(ParticipationRow.finished_at, bindparam("now")))
_ANSWERS = select(AnswerRow.question_key, AnswerRow.value).where(
    AnswerRow.participation_id == bindparam("participation_id")
)


class Residents:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def _row(self, telegram_id: int) -> ResidentRow | None:
        return await self.s.scalar(select(ResidentRow).where(ResidentRow.telegram_id == telegram_id))

    async def find(self, telegram_id: int) -> Resident | None:
        row = await self._row(telegram_id)
        return _resident(row) if row else None

    async def get_or_create(self, telegram_id: int) -> Resident:
        row = await self._row(telegram_id)
        if row is None:
            row = ResidentRow(telegram_id=telegram_id)
            self.s.add(row)
            await self.s.flush()
        elif not row.active:
            row.active, row.inactive_since = True, None  # they wrote to us again, so they unblocked the bot
        return _resident(row)

    async def language(self, telegram_id: int) -> str | None:
        """The language a resident reads in, if they are known and chose one."""
        return await self.s.scalar(select(ResidentRow.language).where(ResidentRow.telegram_id == telegram_id))

    async def languages(self, telegram_ids: list[int]) -> dict[int, str]:
        """The languages of these chats' residents (those who have one), for rendering broadcasts to them."""
        if not telegram_ids:
            return {}
        rows = await self.s.execute(select(ResidentRow.telegram_id, ResidentRow.language).where(
            ResidentRow.telegram_id.in_(telegram_ids), ResidentRow.language.is_not(None)))
        return {tid: lang for tid, lang in rows if lang}

    async def set_language(self, resident_id: int, language: str) -> None:
        row = await self.s.get(ResidentRow, resident_id)
        if row is not None:
            row.language = language
            await self.s.flush()

    async def consent(self, resident_id: int, consultation_id: int) -> Consent | None:
        row = await self.s.scalar(
            select(ConsentRow).where(
                ConsentRow.resident_id == resident_id, ConsentRow.consultation_id == consultation_id
            )
        )
        if row is None:
            return None
        return Consent(row.resident_id, row.consultation_id, row.version_id, row.agreed_at, row.reminders)

    async def agree(self, resident_id: int, consultation_id: int, version_id: int, reminders: bool) -> None:
        if await self.consent(resident_id, consultation_id) is None:
            self.s.add(
                ConsentRow(
                    resident_id=resident_id, consultation_id=consultation_id, version_id=version_id, reminders=reminders
                )
            )
            await self.s.flush()

    async def participation(self, resident_id: int, round_id: int, lock: bool = False) -> Participation | None:
        q = select(ParticipationRow).where(
            ParticipationRow.resident_id == resident_id, ParticipationRow.round_id == round_id
        )
        row = await self.s.scalar(q.with_for_update() if lock else q)
        return _p(row) if row else None

    async def participation_by_id(self, participation_id: int) -> Participation | None:
        row = await self.s.get(ParticipationRow, participation_id)
        return _p(row) if row else None

    async def current_of(self, telegram_id: int) -> Participation | None:
        """The Telegram user's most recently used participation in a round that is still open, with its round, its
        answers and the resident's language, found and locked in one query: every press of a button asks it."""
        conn = await self.s.connection()
        rows = (await conn.execute(_CURRENT_OF, {"telegram_id": telegram_id})).all()
        if not rows:
            return None
        first = rows[0]
        return Participation(
            first.id, first.resident_id, first.round_id, first.version_id, dict(first.state), first.finished_at,
            first.language, True,
            Round(first.round_id, first.consultation_id, first.number, first.title, first.status, first.opens_at,
                  first.closes_at),
            {r.question_key: r.value for r in rows if r.question_key is not None},
        )

    async def start(self, resident_id: int, round_id: int, version_id: int, state: dict[str, Any]) -> Participation:
        row = ParticipationRow(resident_id=resident_id, round_id=round_id, version_id=version_id, state=state)
        self.s.add(row)
        await self.s.flush()
        return _p(row)

    async def save_state(self, participation_id: int, state: dict[str, Any], finished: bool = False) -> None:
        """One UPDATE (a press's only write besides the update id), not a load of the row first; a participation
        this session holds is updated with it."""
        values = {"participation": participation_id, "new_state": state, "now": utcnow()}
        if finished:
            await self.s.execute(_SAVE_FINISHED, values, execution_options={"synchronize_session": "fetch"})
        elif self.s.sync_session.identity_map.get(identity_key(ParticipationRow, participation_id)) is not None:
            await self.s.execute(_SAVE_STATE_ORM, values, execution_options={"synchronize_session": "evaluate"})
        else:  # a press: Core, and on SQLite it goes with the commit's trip (storage/sqlite_driver.py)
            await (await self.s.connection()).execute(_SAVE_STATE, values, execution_options={HELD: True})

    async def answers(self, participation_id: int) -> dict[str, Any]:
        rows = await self.s.execute(_ANSWERS, {"participation_id": participation_id})
        return {k: v for k, v in rows}

    async def save_answers(self, participation_id: int, saves: dict[str, Any], language: str | None = None) -> None:
        """Saves answers (None deletes one), each with the language it was given in."""
        for key, value in saves.items():
            row = await self.s.scalar(
                select(AnswerRow).where(AnswerRow.participation_id == participation_id, AnswerRow.question_key == key)
            )
            if value is None:
                if row is not None:
                    await self.s.delete(row)
            elif row is None:
                self.s.add(
                    AnswerRow(
                        participation_id=participation_id,
                        question_key=key,
                        value=value,
                        language=language,
                        review="pending" if key.endswith(".why") else None,
                    )
                )
            else:
                row.value, row.answered_at, row.language = value, utcnow(), language
                if key.endswith(".why"):
                    row.review = "pending"  # an edited comment needs approving again
        await self.s.flush()

    async def profile(self, resident_id: int, consultation_id: int) -> dict[str, Any]:
        """The resident's answers about themselves (ward, age band) in a consultation, by question key."""
        rows = await self.s.execute(
            select(ProfileAnswerRow.question_key, ProfileAnswerRow.value).where(
                ProfileAnswerRow.resident_id == resident_id, ProfileAnswerRow.consultation_id == consultation_id
            )
        )
        return {k: v for k, v in rows}

    async def save_profile(self, resident_id: int, consultation_id: int, saves: dict[str, Any]) -> None:
        """Saves answers about the resident for the whole consultation; None deletes one."""
        for key, value in saves.items():
            row = await self.s.scalar(
                select(ProfileAnswerRow).where(
                    ProfileAnswerRow.resident_id == resident_id,
                    ProfileAnswerRow.consultation_id == consultation_id,
                    ProfileAnswerRow.question_key == key,
                )
            )
            if value is None:
                if row is not None:
                    await self.s.delete(row)
            elif row is None:
                self.s.add(
                    ProfileAnswerRow(
                        resident_id=resident_id, consultation_id=consultation_id, question_key=key, value=value
                    )
                )
            else:
                row.value, row.answered_at = value, utcnow()
        await self.s.flush()

    async def previous_answers(self, resident_id: int, consultation_id: int, before_number: int) -> dict[str, Any]:
        """The resident's answers in the latest earlier round of the same consultation."""
        row = await self.s.scalar(
            select(ParticipationRow)
            .join(RoundRow, RoundRow.id == ParticipationRow.round_id)
            .where(
                ParticipationRow.resident_id == resident_id,
                RoundRow.consultation_id == consultation_id,
                RoundRow.number < before_number,
            )
            .order_by(RoundRow.number.desc())
            .limit(1)
        )
        return await self.answers(row.id) if row else {}

    async def everything(self, telegram_id: int) -> dict[str, Any] | None:
        """All we hold about a resident, for /mydata."""
        r = await self._row(telegram_id)
        if r is None:
            return None
        consents = list(await self.s.scalars(select(ConsentRow).where(ConsentRow.resident_id == r.id)))
        parts = list(await self.s.scalars(select(ParticipationRow).where(ParticipationRow.resident_id == r.id)))
        profiles = (
            await self.s.execute(
                select(ProfileAnswerRow.consultation_id, ProfileAnswerRow.question_key, ProfileAnswerRow.value).where(
                    ProfileAnswerRow.resident_id == r.id
                )
            )
        ).all()
        out: dict[str, Any] = {"telegram_id": r.telegram_id, "since": r.created_at, "language": r.language,
                               "consents": [], "rounds": [], "profiles": {}}  # fmt: skip
        for cid, key, value in profiles:
            out["profiles"].setdefault(cid, {})[key] = value
        for c in consents:
            out["consents"].append(
                {"consultation_id": c.consultation_id, "agreed_at": c.agreed_at, "reminders": c.reminders}
            )
        for p in parts:
            out["rounds"].append(
                {
                    "round_id": p.round_id,
                    "version_id": p.version_id,
                    "started_at": p.started_at,
                    "finished_at": p.finished_at,
                    "answers": await self.answers(p.id),
                }
            )
        return out

    async def erase(self, telegram_id: int) -> bool:
        """Removes or anonymises every row that names the resident: their answers and comments, their answers
        about themselves (ward, age band), participations, consents, the messages waiting or sent to their chat
        (which hold their answers), and the audit log's mentions of them (kept as events, no longer theirs). False
        if nothing was held."""
        r = await self._row(telegram_id)
        mentioned = await self._forget_mentions(telegram_id)
        gone = await self.s.execute(delete(OutboxRow).where(OutboxRow.chat_id == telegram_id))
        if r is None:
            return bool(mentioned or getattr(gone, "rowcount", 0))
        await Statements(self.s).erase(r.id)  # their reactions and what they wrote (kept unnamed if others reacted)
        part_ids = select(ParticipationRow.id).where(ParticipationRow.resident_id == r.id)
        await self.s.execute(delete(AnswerRow).where(AnswerRow.participation_id.in_(part_ids)))
        await self.s.execute(delete(ParticipationRow).where(ParticipationRow.resident_id == r.id))
        await self.s.execute(delete(ProfileAnswerRow).where(ProfileAnswerRow.resident_id == r.id))
        await self.s.execute(delete(ConsentRow).where(ConsentRow.resident_id == r.id))
        await self.s.execute(delete(ResidentRow).where(ResidentRow.id == r.id))
        return True

    async def _forget_mentions(self, telegram_id: int) -> int:
        """Audit entries the resident made or that name them lose the id: what happened stays, not who."""
        ident = str(telegram_id)
        rows = (
            await self.s.execute(
                select(AuditRow.id, AuditRow.target, AuditRow.detail).where(
                    (AuditRow.actor == telegram_id)
                    | AuditRow.target.contains(ident)
                    | func.cast(AuditRow.detail, Text).contains(ident)
                )
            )
        ).all()
        for audit_id, target, detail in rows:
            await self.s.execute(
                update(AuditRow)
                .where(AuditRow.id == audit_id)
                .values(actor=None, target=(target or "").replace(ident, ERASED), detail=_without(detail, ident))
            )
        await self.s.execute(update(JobRow).where(JobRow.requested_by == telegram_id).values(requested_by=None))
        return len(rows)

    async def counts(self, round_id: int) -> tuple[int, int]:
        started = await self.s.scalar(select(func.count()).where(ParticipationRow.round_id == round_id))
        finished = await self.s.scalar(
            select(func.count()).where(ParticipationRow.round_id == round_id, ParticipationRow.finished_at.is_not(None))
        )
        return int(started or 0), int(finished or 0)

    async def consented(self, consultation_id: int) -> list[int]:
        """Telegram ids of active residents who agreed to take part in a consultation."""
        rows = await self.s.scalars(
            select(ResidentRow.telegram_id)
            .join(ConsentRow, ConsentRow.resident_id == ResidentRow.id)
            .where(ConsentRow.consultation_id == consultation_id, ResidentRow.active.is_(True))
        )
        return list(rows)

    async def unfinished_with_reminders(self, round_id: int) -> list[int]:
        rows = await self.s.scalars(
            select(ResidentRow.telegram_id)
            .join(ParticipationRow, ParticipationRow.resident_id == ResidentRow.id)
            .join(RoundRow, RoundRow.id == ParticipationRow.round_id)
            .join(
                ConsentRow,
                (ConsentRow.resident_id == ResidentRow.id) & (ConsentRow.consultation_id == RoundRow.consultation_id),
            )
            .where(
                ParticipationRow.round_id == round_id,
                ParticipationRow.finished_at.is_(None),
                ConsentRow.reminders.is_(True),
                ResidentRow.active.is_(True),
            )
        )
        return list(rows)

    async def round_answers_page(
        self, round_id: int, after: int, batch: int = 500
    ) -> tuple[list[tuple[int, dict[str, Any]]], int | None]:
        """(telegram id, answers) for the active participants of a round in the next `batch` participations after
        the participation id `after`, and where the next batch starts (None after the last): each batch can be
        read in a transaction of its own."""
        rows = (
            await self.s.execute(
                select(ParticipationRow.id, ResidentRow.telegram_id)
                .join(ResidentRow, ResidentRow.id == ParticipationRow.resident_id)
                .where(ParticipationRow.round_id == round_id, ParticipationRow.id > after,
                       ResidentRow.active.is_(True))
                .order_by(ParticipationRow.id)
                .limit(batch)
            )
        ).all()
        if not rows:
            return [], None
        ids = [r[0] for r in rows]
        answers: dict[int, dict[str, Any]] = {i: {} for i in ids}
        for pid, key, value in await self.s.execute(
            select(AnswerRow.participation_id, AnswerRow.question_key, AnswerRow.value).where(
                AnswerRow.participation_id.in_(ids)
            )
        ):
            answers[pid][key] = value
        return [(tid, answers[pid]) for pid, tid in rows if answers[pid]], ids[-1]

    async def mark_inactive(self, telegram_id: int) -> None:
        r = await self._row(telegram_id)
        if r is not None and r.active:
            r.active, r.inactive_since = False, utcnow()
