"""Read-only queries for results and exports: counts, answers and responses streamed in batches, comments."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, Select, String, Text, bindparam, cast, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import (
    AnswerRow,
    ConsultationRow,
    ParticipationRow,
    ProfileAnswerRow,
    ResidentRow,
    RoundRow,
    VersionRow,
)

BATCH = 1000  # rows per query: big enough to be quick, small enough that 100,000 responses never sit in memory


def _json_text(conn: AsyncConnection, column: Any = AnswerRow.value) -> ColumnElement[Any]:
    """The answers' stored JSON as the database holds it, for decode_json: SQLite keeps the text (and a bare
    number as a number), PostgreSQL's driver would decode json itself, one value at a time, unless cast to text."""
    if conn.dialect.name == "sqlite":
        return type_coerce(column, String())
    return cast(column, Text)


def decode_json(raw: Sequence[Any]) -> list[Any]:
    """Stored JSON values, decoded by one json.loads per batch rather than one per value (twice as quick).
    What is not text (SQL NULL, a number SQLite stored as a number) is taken as it is."""
    plain = True
    texts = []
    for v in raw:
        if v.__class__ is str:
            texts.append(v)
        else:
            texts.append("null")
            plain = False
    try:
        values = json.loads("[" + ",".join(texts) + "]")
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != len(raw):  # something malformed: one by one, to find it
        return [json.loads(v) if isinstance(v, str) else v for v in raw]
    if not plain:
        values = [v if r.__class__ is str else r for v, r in zip(values, raw, strict=True)]
    return values


@dataclass(frozen=True)
class VersionInfo:
    id: int
    version: int
    loaded_at: datetime


@dataclass(frozen=True)
class RoundDates:
    number: int
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None


class Response(NamedTuple):
    """One resident's participation in one round. `telegram_id` is only for the pseudonym: never write it out.

    A tuple, not a dataclass, and its times naive UTC as stored (elsewhere they are aware): 100,000 of them are
    made for a big export, and both halve what making one costs."""

    participation_id: int
    telegram_id: int
    round_id: int
    version_id: int
    started_at: datetime  # naive, UTC
    updated_at: datetime  # naive, UTC
    finished_at: datetime | None  # naive, UTC
    answers: dict[str, Any]
    reviews: dict[str, str | None]  # only the answers that have a review state (comments)
    language: str = ""  # the language(s) the answers were given in: "cy", or "en, cy" for someone who switched


class Reports:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def consultations(self) -> list[tuple[int, str, str]]:
        """(id, code, title) of every consultation, oldest first."""
        rows = await self.s.execute(
            select(ConsultationRow.id, ConsultationRow.code, ConsultationRow.title).order_by(ConsultationRow.id)
        )
        return [(i, c, t) for i, c, t in rows]

    async def counts(self, round_id: int) -> tuple[int, int]:
        """(participations started, participations finished) in a round."""
        row = (
            await self.s.execute(
                select(func.count(), func.count(ParticipationRow.finished_at)).where(
                    ParticipationRow.round_id == round_id
                )
            )
        ).one()
        return int(row[0] or 0), int(row[1] or 0)

    async def residents(self, round_ids: Sequence[int]) -> int:
        """Distinct residents who took part (started) in any of these rounds: a resident in two rounds is one."""
        if not round_ids:
            return 0
        n = await self.s.scalar(
            select(func.count(func.distinct(ParticipationRow.resident_id))).where(
                ParticipationRow.round_id.in_(list(round_ids))
            )
        )
        return int(n or 0)

    async def approved_count(self, round_id: int) -> int:
        """How many "why" comments of a round a facilitator approved (quoted or, with too few residents, withheld)."""
        n = await self.s.scalar(
            select(func.count())
            .select_from(AnswerRow)
            .join(ParticipationRow, ParticipationRow.id == AnswerRow.participation_id)
            .where(
                ParticipationRow.round_id == round_id,
                AnswerRow.question_key.like("%.why"),
                AnswerRow.review == "approved",
            )
        )
        return int(n or 0)

    async def panel_values(self, round_ids: Sequence[int], key: str) -> dict[int, list[Any]]:
        """Answers to question `key` in each of these rounds from only the residents who answered it in every one
        of them (the same people in each round, so a change between rounds is a change of view), by round id."""
        if not round_ids:
            return {}
        ids = list(round_ids)
        both = (
            select(ParticipationRow.resident_id)
            .join(AnswerRow, AnswerRow.participation_id == ParticipationRow.id)
            .where(ParticipationRow.round_id.in_(ids), AnswerRow.question_key == key)
            .group_by(ParticipationRow.resident_id)
            .having(func.count(func.distinct(ParticipationRow.round_id)) == len(set(ids)))
        )
        conn = await self.s.connection()
        rows = (
            await conn.execute(
                select(ParticipationRow.round_id, _json_text(conn))
                .select_from(AnswerRow)
                .join(ParticipationRow, ParticipationRow.id == AnswerRow.participation_id)
                .where(
                    ParticipationRow.round_id.in_(ids),
                    AnswerRow.question_key == key,
                    ParticipationRow.resident_id.in_(both),
                )
            )
        ).all()
        out: dict[int, list[Any]] = {i: [] for i in ids}
        for (rid, _raw), value in zip(rows, decode_json([r[1] for r in rows]), strict=True):
            out[rid].append(value)
        return out

    async def answer_counts(self, round_id: int, keys: Collection[str]) -> list[tuple[str, Any, int]]:
        """How many residents gave each distinct answer to the questions `keys` in a round, as (key, value,
        count): for questions with few possible answers (ratings, choices, rankings) the database counts, and
        each distinct value is decoded once. Equal answers share one value, so it must not be changed in place."""
        if not keys:
            return []
        conn = await self.s.connection()
        value = _json_text(conn)
        rows = (
            await conn.execute(
                select(AnswerRow.question_key, value, func.count())
                .join(ParticipationRow, ParticipationRow.id == AnswerRow.participation_id)
                .where(ParticipationRow.round_id == round_id, AnswerRow.question_key.in_(list(keys)))
                .group_by(AnswerRow.question_key, value)
            )
        ).all()
        return [(k, v, n) for (k, _, n), v in zip(rows, decode_json([r[1] for r in rows]), strict=True)]

    async def profile_counts(self, round_id: int, keys: Collection[str]) -> list[tuple[str, Any, int]]:
        """Like answer_counts, for answers kept per consultation (ward, age band): how many of the round's
        residents gave each one."""
        if not keys:
            return []
        conn = await self.s.connection()
        value = _json_text(conn, ProfileAnswerRow.value)
        rows = (
            await conn.execute(
                select(ProfileAnswerRow.question_key, value, func.count())
                .select_from(ParticipationRow)
                .join(RoundRow, RoundRow.id == ParticipationRow.round_id)
                .join(
                    ProfileAnswerRow,
                    (ProfileAnswerRow.resident_id == ParticipationRow.resident_id)
                    & (ProfileAnswerRow.consultation_id == RoundRow.consultation_id),
                )
                .where(ParticipationRow.round_id == round_id, ProfileAnswerRow.question_key.in_(list(keys)))
                .group_by(ProfileAnswerRow.question_key, value)
            )
        ).all()
        return [(k, v, n) for (k, _, n), v in zip(rows, decode_json([r[1] for r in rows]), strict=True)]

    async def question_values(self, round_id: int, key: str, batch: int = 5 * BATCH) -> AsyncIterator[list[Any]]:
        """Every answer to one question in a round, decoded, `batch` at a time from one streamed query: for
        answers that are nearly all different (allocations, free text), which counting would not shrink."""
        conn = await self.s.connection()
        result = await conn.stream(
            select(_json_text(conn))
            .join(ParticipationRow, ParticipationRow.id == AnswerRow.participation_id)
            .where(ParticipationRow.round_id == round_id, AnswerRow.question_key == key)
            .execution_options(yield_per=batch)
        )
        try:
            async for part in result.partitions(batch):
                yield decode_json([r[0] for r in part])
        finally:
            await result.close()

    async def approved_comments(self, round_id: int, limit: int = 20) -> list[str]:
        """Approved "why" comments of a round, newest first."""
        rows = await self.s.scalars(
            select(AnswerRow.value)
            .join(ParticipationRow, ParticipationRow.id == AnswerRow.participation_id)
            .where(
                ParticipationRow.round_id == round_id,
                AnswerRow.question_key.like("%.why"),
                AnswerRow.review == "approved",
            )
            .order_by(AnswerRow.answered_at.desc(), AnswerRow.id.desc())
            .limit(limit)
        )
        return [str(v) for v in rows if isinstance(v, str) and v.strip()]

    async def versions(self, consultation_id: int) -> list[VersionInfo]:
        rows = await self.s.execute(
            select(VersionRow.id, VersionRow.version, VersionRow.loaded_at)
            .where(VersionRow.consultation_id == consultation_id)
            .order_by(VersionRow.version)
        )
        return [VersionInfo(i, v, at) for i, v, at in rows]

    async def versions_used(self, round_ids: Sequence[int]) -> set[int]:
        """Ids of the versions residents answered in these rounds."""
        if not round_ids:
            return set()
        return set(
            await self.s.scalars(
                select(ParticipationRow.version_id).where(ParticipationRow.round_id.in_(round_ids)).distinct()
            )
        )

    async def round_dates(self, consultation_id: int) -> dict[int, RoundDates]:
        """When each round actually opened, closed and had its results published, by round number."""
        rows = await self.s.execute(
            select(RoundRow.number, RoundRow.opened_at, RoundRow.closed_at, RoundRow.published_at).where(
                RoundRow.consultation_id == consultation_id
            )
        )
        return {n: RoundDates(n, o, c, p) for n, o, c, p in rows}

    async def responses(
        self, round_id: int, batch: int = BATCH, raw: Collection[str] = ()
    ) -> AsyncIterator[list[Response]]:
        """Every participation in a round with its answers (and its resident's answers about themselves, kept for the
        consultation), in batches by keyset on the participation id.

        The answers to the questions named in `raw` are left as stored, undecoded: the JSON text (or a bare number
        SQLite stored as a number; None for none), for a reader that decodes each distinct one once.

        The rows come straight from the driver (Prepared): an export reads some 800,000 of them, and SQLAlchemy's
        own result rows would cost a third of the reading. Each batch's three queries are compiled once, not per
        batch: the answers and the profile answers are read by the range of participation ids the batch covers."""
        conn = await self.s.connection()
        value = _json_text(conn)
        after, upto, rnd = (
            bindparam("after", type_=Integer),
            bindparam("upto", type_=Integer),
            bindparam("round", type_=Integer),
        )
        P = ParticipationRow
        participations = Prepared(conn, (
            select(P.id, ResidentRow.telegram_id, P.round_id, P.version_id, P.started_at, P.updated_at,
                   P.finished_at)
            .join(ResidentRow, ResidentRow.id == P.resident_id)
            .where(P.round_id == rnd, P.id > after)
            .order_by(P.id)
            .limit(batch)
        ))  # fmt: skip
        answer_rows = Prepared(conn, (
            select(AnswerRow.participation_id, AnswerRow.question_key, value, AnswerRow.review, AnswerRow.language)
            .join(P, P.id == AnswerRow.participation_id)
            .where(P.round_id == rnd, AnswerRow.participation_id > after, AnswerRow.participation_id <= upto)
        ))  # fmt: skip
        profile_rows = Prepared(conn, (
            select(P.id, ProfileAnswerRow.question_key, _json_text(conn, ProfileAnswerRow.value))
            .join(RoundRow, RoundRow.id == P.round_id)
            .join(ProfileAnswerRow, (ProfileAnswerRow.resident_id == P.resident_id)
                  & (ProfileAnswerRow.consultation_id == RoundRow.consultation_id))
            .where(P.round_id == rnd, P.id > after, P.id <= upto)
        ))  # fmt: skip
        raw = frozenset(raw)
        last = 0
        while True:
            parts = await participations(conn, round=round_id, after=last)
            if not parts:
                return
            first, last = last, parts[-1][0]
            answers: dict[int, dict[str, Any]] = {p[0]: {} for p in parts}
            reviews: dict[int, dict[str, str | None]] = {p[0]: {} for p in parts}
            spoken: dict[int, dict[str, None]] = {p[0]: {} for p in parts}
            held, keys, texts = [], [], []  # the answers still to be decoded: where, under which key, as stored
            for pid, key, stored, review, language in await answer_rows(conn, round=round_id, after=first, upto=last):
                mine = answers[pid]
                mine[key] = stored
                if key not in raw:
                    held.append(mine)
                    keys.append(key)
                    texts.append(stored)
                if review is not None:
                    reviews[pid][key] = review
                if language:
                    spoken[pid][language] = None
            for mine, key, decoded in zip(held, keys, decode_json(texts), strict=True):
                mine[key] = decoded
            about = await profile_rows(conn, round=round_id, after=first, upto=last)
            for (pid, key, stored), decoded in zip(about, decode_json([r[2] for r in about]), strict=True):
                answers[pid].setdefault(key, stored if key in raw else decoded)  # kept for the consultation
            yield [
                Response(pid, tid, rid, vid, _naive(started), _naive(updated), _naive(finished) if finished else None,
                         answers[pid], reviews[pid], ", ".join(sorted(spoken[pid])))
                for pid, tid, rid, vid, started, updated, finished in parts
            ]  # fmt: skip
            if len(parts) < batch:
                return


class Prepared:
    """A query compiled once and run many times straight on the driver (tuples from aiosqlite, records from
    asyncpg), with none of SQLAlchemy's result handling: no type conversions, so SQLite's times come as text (see
    _naive). Values are given by the names of the statement's bindparams; any other parameter keeps the value it
    was compiled with. Only for parameters that need no conversion either (ids, numbers, plain text)."""

    def __init__(self, conn: AsyncConnection, statement: Select[*tuple[Any, ...]]):
        compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        self.sql = str(compiled)
        self.names = list(compiled.positiontup or [])
        self.values = compiled.params  # a property that builds the whole dict each time: read it once
        self.sqlite = conn.dialect.name == "sqlite"

    async def __call__(self, conn: AsyncConnection, **values: Any) -> Sequence[Sequence[Any]]:
        given = {**self.values, **values}
        params = [given[name] for name in self.names]
        driver: Any = (await conn.get_raw_connection()).driver_connection
        if self.sqlite:
            cursor = await driver.execute(self.sql, params)
            try:
                return list(await cursor.fetchall())
            finally:
                await cursor.close()
        return list(await driver.fetch(self.sql, *params))


def _naive(value: datetime | str) -> datetime:
    """A stored UTC time as a naive datetime: SQLite's driver gives the text it stored."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value.replace(tzinfo=None) if value.tzinfo is not None else value
