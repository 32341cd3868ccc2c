"""Consultations, their versions and rounds."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dialogues.rounds import LoadedVersion, Round
from dialogues.schema import Consultation
from storage.models import ConsultationRow, GroupRow, RoundRow, VersionRow


@dataclass(frozen=True)
class ConsultationSummary:
    """A stored consultation: its id, code and the title of its latest version."""

    id: int
    code: str
    title: str


@dataclass(frozen=True)
class RoundTimes:
    """When a round actually opened, closed and had its results published, and how often it was reopened."""

    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    reopens: int = 0


@dataclass(frozen=True)
class LinkedGroup:
    """A Telegram group linked to a consultation: invitations and results are posted there."""

    chat_id: int
    consultation_id: int
    title: str
    linked_by: int
    active: bool = True  # false once the bot was removed from the group


def _round(r: RoundRow) -> Round:
    return Round(r.id, r.consultation_id, r.number, r.title, r.status, r.opens_at, r.closes_at)


def _summary(row: ConsultationRow) -> ConsultationSummary:
    return ConsultationSummary(row.id, row.code, row.title)


def _group(row: GroupRow) -> LinkedGroup:
    return LinkedGroup(row.chat_id, row.consultation_id, row.title, row.linked_by, row.active is not False)


class Consultations:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def store(self, spec: Consultation, loaded_by: int | None) -> LoadedVersion:
        """Stores a file as a new version of its consultation (or finds the identical one already stored)."""
        data = spec.model_dump(mode="json")
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        row = await self.s.scalar(select(ConsultationRow).where(ConsultationRow.code == spec.code))
        if row is None:
            row = ConsultationRow(code=spec.code, title=spec.title)
            self.s.add(row)
            await self.s.flush()
        same = await self.s.scalar(
            select(VersionRow).where(VersionRow.consultation_id == row.id, VersionRow.sha256 == digest)
        )
        if same is not None:
            return LoadedVersion(row.id, same.id, spec.code, same.version, created=False)
        last = await self.s.scalar(select(func.max(VersionRow.version)).where(VersionRow.consultation_id == row.id))
        v = VersionRow(consultation_id=row.id, version=(last or 0) + 1, spec=data, sha256=digest, loaded_by=loaded_by)
        row.title = spec.title
        self.s.add(v)
        existing = set(await self.s.scalars(select(RoundRow.number).where(RoundRow.consultation_id == row.id)))
        for n, r in enumerate(spec.rounds, 1):
            if n not in existing:
                self.s.add(RoundRow(consultation_id=row.id, number=n, title=r.title))
        await self.s.flush()
        return LoadedVersion(row.id, v.id, spec.code, v.version, created=True)

    async def by_code(self, code: str) -> tuple[int, int, Consultation] | None:
        """(consultation id, latest version id, spec) for a code."""
        row = await self.s.scalar(
            select(VersionRow)
            .join(ConsultationRow, ConsultationRow.id == VersionRow.consultation_id)
            .where(ConsultationRow.code == code)
            .order_by(VersionRow.version.desc())
            .limit(1)
        )
        if row is None:
            return None
        return row.consultation_id, row.id, Consultation.model_validate(row.spec)

    async def by_code_any_case(self, code: str) -> tuple[int, int, Consultation] | None:
        """`by_code`, ignoring case (a link typed as /start COUNCIL-POUND): the exact code first, else the one
        consultation whose code differs only in case (None if several do)."""
        exact = await self.by_code(code)
        if exact is not None:
            return exact
        codes = list(await self.s.scalars(
            select(ConsultationRow.code).where(func.lower(ConsultationRow.code) == code.lower()).limit(2)
        ))
        return await self.by_code(codes[0]) if len(codes) == 1 else None

    async def latest(self, consultation_id: int) -> tuple[int, Consultation]:
        row = await self.s.scalar(
            select(VersionRow)
            .where(VersionRow.consultation_id == consultation_id)
            .order_by(VersionRow.version.desc())
            .limit(1)
        )
        assert row is not None
        return row.id, Consultation.model_validate(row.spec)

    async def version(self, version_id: int) -> Consultation | None:
        row = await self.s.get(VersionRow, version_id)
        return Consultation.model_validate(row.spec) if row else None

    async def all(self) -> list[ConsultationSummary]:
        return [_summary(r) for r in await self.s.scalars(select(ConsultationRow).order_by(ConsultationRow.id))]

    async def get(self, consultation_id: int) -> ConsultationSummary | None:
        row = await self.s.get(ConsultationRow, consultation_id)
        return _summary(row) if row else None

    async def rounds(self, consultation_id: int) -> list[Round]:
        rows = await self.s.scalars(
            select(RoundRow).where(RoundRow.consultation_id == consultation_id).order_by(RoundRow.number)
        )
        return [_round(r) for r in rows]

    async def round(self, round_id: int) -> Round | None:
        r = await self.s.get(RoundRow, round_id)
        return _round(r) if r else None

    async def open_rounds(self) -> list[Round]:
        rows = await self.s.scalars(select(RoundRow).where(RoundRow.status == "open").order_by(RoundRow.id))
        return [_round(r) for r in rows]

    async def open_round(self, consultation_id: int) -> Round | None:
        r = await self.s.scalar(
            select(RoundRow).where(RoundRow.consultation_id == consultation_id, RoundRow.status == "open").limit(1)
        )
        return _round(r) if r else None

    async def set_round(self, round_id: int, **values: object) -> Round:
        r = await self.s.get(RoundRow, round_id, with_for_update=True)
        assert r is not None
        for k, v in values.items():
            setattr(r, k, v)
        await self.s.flush()
        return _round(r)

    async def round_times(self, round_id: int) -> RoundTimes | None:
        r = await self.s.get(RoundRow, round_id)
        return RoundTimes(r.opened_at, r.closed_at, r.published_at, r.reopens or 0) if r else None

    async def link_group(self, chat_id: int, consultation_id: int, title: str, by: int) -> None:
        row = await self.s.get(GroupRow, chat_id)
        if row is None:
            self.s.add(GroupRow(chat_id=chat_id, consultation_id=consultation_id, title=title, linked_by=by))
        else:
            row.consultation_id, row.title, row.linked_by, row.active = consultation_id, title, by, True
        await self.s.flush()

    async def move_group(self, old_chat_id: int, new_chat_id: int) -> LinkedGroup | None:
        """A group became a supergroup with a new id: its link follows (once; a second call finds nothing)."""
        row = await self.s.get(GroupRow, old_chat_id)
        if row is None:
            return None
        if await self.s.get(GroupRow, new_chat_id) is not None:  # linked under the new id already: that one stays
            await self.s.delete(row)
            await self.s.flush()
            return None
        await self.s.execute(
            update(GroupRow).where(GroupRow.chat_id == old_chat_id).values(chat_id=new_chat_id)
            .execution_options(synchronize_session=False)
        )
        self.s.expunge(row)
        moved = await self.s.get(GroupRow, new_chat_id)
        return _group(moved) if moved else None

    async def set_group_active(self, chat_id: int, active: bool) -> LinkedGroup | None:
        """Marks a linked group (in)active; the link as it was before, or None if the group is not linked."""
        row = await self.s.get(GroupRow, chat_id)
        if row is None:
            return None
        before = _group(row)
        row.active = active
        await self.s.flush()
        return before

    async def unlink_group(self, chat_id: int) -> bool:
        row = await self.s.get(GroupRow, chat_id)
        if row is None:
            return False
        await self.s.delete(row)
        await self.s.flush()
        return True

    async def group(self, chat_id: int) -> LinkedGroup | None:
        row = await self.s.get(GroupRow, chat_id)
        return _group(row) if row else None

    async def groups(self, consultation_id: int, with_inactive: bool = False) -> list[LinkedGroup]:
        """The groups things are posted to; `with_inactive` adds those the bot was removed from."""
        query = select(GroupRow).where(GroupRow.consultation_id == consultation_id)
        if not with_inactive:
            query = query.where(GroupRow.active.is_not(False))
        return [_group(r) for r in await self.s.scalars(query.order_by(GroupRow.linked_at))]
