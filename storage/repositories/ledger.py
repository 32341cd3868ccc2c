"""The bot's own ledgers: update ids already handled, roles granted, the audit log, and what the bot knows about
itself (settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import insert_for, utcnow
from storage.models import AuditRow, ProcessedUpdateRow, RoleRow, SettingRow
from storage.sqlite_driver import GUARD, HELD

# Built once per dialect, when first used: every update runs it.
_FIRST_SIGHT: dict[str, Any] = {}


def _first_sight(dialect: str) -> Any:
    if dialect not in _FIRST_SIGHT:
        _FIRST_SIGHT[dialect] = (
            insert_for(dialect)(ProcessedUpdateRow)
            .values(update_id=bindparam("update_id"), seen_at=bindparam("seen_at"))
            .on_conflict_do_nothing(index_elements=["update_id"])
        )
    return _FIRST_SIGHT[dialect]


@dataclass(frozen=True)
class Grant:
    """A role an admin granted (roles from the config are not stored)."""

    telegram_id: int
    role: str
    granted_by: int | None  # None: granted from the command line
    granted_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One privileged action, allowed or refused."""

    id: int
    at: datetime
    actor: int | None  # None: the system or the command line
    action: str
    target: str
    allowed: bool
    detail: dict[str, Any]


class Ledger:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def first_sight(self, update_id: int, with_commit: bool = False) -> bool:
        """Records an update id; false if it was handled before (a duplicate delivery).

        One INSERT .. ON CONFLICT DO NOTHING rather than a savepoint around a plain insert: it runs on every
        update, and on PostgreSQL it still waits for another worker inserting the same id, then says false.
        `with_commit` (the unit of work's commit, which follows at once): on SQLite the insert goes with the
        commit, in its one trip (storage/sqlite_driver.py), so this says true and a duplicate makes the commit
        undo everything and raise UpdateSeen.
        """
        statement = _first_sight(self.s.get_bind().dialect.name)
        conn = await self.s.connection()  # Core: the ORM would take a dict of values for a bulk insert
        options = {HELD: GUARD} if with_commit else {}
        result = await conn.execute(statement, {"update_id": update_id, "seen_at": utcnow()}, execution_options=options)
        return bool(result.rowcount)

    async def seen(self, update_id: int) -> bool:
        return await self.s.get(ProcessedUpdateRow, update_id) is not None

    async def forget_updates_before(self, when: datetime) -> None:
        await self.s.execute(delete(ProcessedUpdateRow).where(ProcessedUpdateRow.seen_at < when))

    async def roles_of(self, telegram_id: int) -> set[str]:
        return set(await self.s.scalars(select(RoleRow.role).where(RoleRow.telegram_id == telegram_id)))

    async def grant(self, telegram_id: int, role: str, by: int | None) -> bool:
        if await self.s.get(RoleRow, (telegram_id, role)) is not None:
            return False
        self.s.add(RoleRow(telegram_id=telegram_id, role=role, granted_by=by))
        await self.s.flush()
        return True

    async def revoke(self, telegram_id: int, role: str) -> bool:
        row = await self.s.get(RoleRow, (telegram_id, role))
        if row is None:
            return False
        await self.s.delete(row)
        await self.s.flush()
        return True

    async def roles(self) -> list[Grant]:
        rows = await self.s.scalars(select(RoleRow).order_by(RoleRow.role, RoleRow.telegram_id))
        return [Grant(r.telegram_id, r.role, r.granted_by, r.granted_at) for r in rows]

    async def audit(
        self, actor: int | None, action: str, target: str = "", allowed: bool = True, **detail: Any
    ) -> None:
        self.s.add(AuditRow(actor=actor, action=action, target=target[:200], allowed=allowed, detail=detail))

    async def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        """The latest entries, newest first."""
        rows = await self.s.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit))
        return [AuditEntry(a.id, a.at, a.actor, a.action, a.target, a.allowed, dict(a.detail)) for a in rows]

    async def setting(self, key: str) -> str | None:
        row = await self.s.get(SettingRow, key)
        return row.value if row else None

    async def remember(self, key: str, value: str) -> None:
        """Stores a setting; an upsert, as several workers starting at once may each store the same one."""
        insert = insert_for(self.s.get_bind().dialect.name)
        statement = insert(SettingRow).values(key=key, value=value, updated_at=utcnow())
        fresh = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["key"], set_={"value": fresh.value, "updated_at": fresh.updated_at}
        )
        await self.s.execute(statement)


BOT_USERNAME = "bot_username"  # the setting: the bot's Telegram username, as getMe said when it last started
UPDATE_MEMORY = timedelta(days=2)  # Telegram keeps undelivered updates for 24 hours
