"""Creates the async engine and session factory; SQLite gets WAL, a busy timeout and foreign keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import sqlite_driver


def make_engine(url: str, echo: bool = False, connections: int = 40, one_trip: bool = True) -> AsyncEngine:
    """`one_trip=False` keeps SQLAlchemy's own aiosqlite adapter: only the benchmark beside moot's (bench/trips.py)."""
    kwargs: dict[str, Any] = {"echo": echo}
    # `connections` is all this process may open, half kept in the pool. On PostgreSQL each update in flight may
    # hold two (its chat's advisory lock, taken by webhook workers, and its work); on SQLite each holds one while
    # it waits for its turn to write (UnitOfWork.writing), so the pool must outnumber the updates handled at once
    # (16) with room for the outbox, the scheduler and a publish: SQLAlchemy's default of 5 + 10 left a close
    # waiting 30 s for one.
    if make_url(url).database not in (None, "", ":memory:"):  # an in-memory SQLite has one connection, kept
        kwargs.update(pool_size=max(2, connections // 2), max_overflow=max(2, connections - connections // 2))
    ours = one_trip and url.startswith("sqlite") and make_url(url).get_driver_name() == "aiosqlite"
    if ours:
        kwargs["module"] = sqlite_driver.dbapi()  # a trip to the database thread per statement, not four
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    # hide_parameters keeps residents' answers and message text out of error messages and logs.
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    if url.startswith("sqlite"):
        if ours:
            sqlite_driver.install(engine.sync_engine)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # WAL lets readers work while one writer commits; synchronous=FULL makes an acknowledged answer durable.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten, not left in free pages: an erased resident's words leave the file.
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

    return engine


async def checkpoint(engine: AsyncEngine) -> None:
    """Forces what was just deleted out of SQLite's write-ahead log into the (securely deleted) database file,
    and empties the log; nothing to do on PostgreSQL."""
    if engine.url.get_backend_name() != "sqlite":
        return
    async with engine.connect() as conn:
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
