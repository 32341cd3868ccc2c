"""One update at a time per chat across every worker: a PostgreSQL advisory lock (SQLite runs one process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

LOCK_SPACE = 0x6D6F6F74  # "moot": keeps our advisory locks apart from anyone else's on the same database
_LOCK = text("SELECT pg_advisory_lock(:space, :key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:space, :key)")


@asynccontextmanager
async def chat_lock(engine: AsyncEngine, chat_id: int) -> AsyncIterator[None]:
    """Holds a lock on the chat while its update is handled and answered, so screens are edited in order."""
    if engine.dialect.name != "postgresql":
        yield
        return
    key = chat_id & 0x7FFFFFFF  # the two-key form takes two int4s
    # A session-level lock needs no transaction around it: in autocommit each statement is one round trip, where
    # a transaction would add a BEGIN and a COMMIT to the lock and again to the unlock, on every press.
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(_LOCK, {"space": LOCK_SPACE, "key": key})
        try:
            yield
        finally:
            await conn.execute(_UNLOCK, {"space": LOCK_SPACE, "key": key})
