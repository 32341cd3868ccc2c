"""The unit of work: one session, the repositories over it, and an explicit commit."""

from __future__ import annotations

import asyncio
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.idempotency import AlreadyApplied, UpdateScope
from storage.repositories.comments import Comments
from storage.repositories.consultations import Consultations
from storage.repositories.jobs import Jobs
from storage.repositories.ledger import Ledger
from storage.repositories.outbox import Outbox
from storage.repositories.reports import Reports
from storage.repositories.residents import Residents
from storage.repositories.statements import Statements
from storage.sqlite_driver import OneTripConnection, UpdateSeen


class UnitOfWork:
    """`async with uow:` opens a session; nothing is written unless `await uow.commit()` is called.

    Opened for an update (`scope`), its commit also records the update id unless another unit of work of the
    same update did so first.
    """

    session: AsyncSession
    consultations: Consultations
    residents: Residents
    ledger: Ledger
    outbox: Outbox
    reports: Reports
    jobs: Jobs
    comments: Comments
    statements: Statements

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], scope: UpdateScope | None = None,
        turns: asyncio.Lock | None = None,
    ):
        self._sessions = sessions
        self.scope = scope
        self._turns = turns
        self._holding = False
        self._on_thread = False

    async def writing(self) -> None:
        """Waits for this process's turn to write, held until the unit of work commits or ends (SQLite only).

        SQLite has one write lock. Writers that collide on it wait in SQLite's busy handler, which sleeps 1, 2, 5,
        10... up to 100 ms between tries, so under load the lock sits free while they sleep; taking turns here, the
        next writer starts the moment the last one commits. Call it just before the first write."""
        if self._turns is None or self._holding:
            return
        raw = await (await self.session.connection()).get_raw_connection()
        if isinstance(raw.dbapi_connection, OneTripConnection):
            # moot's SQLite adapter takes the turn on its own thread, and gives it back at the commit or
            # rollback (storage/sqlite_driver.py): held while SQLite writes, not while the event loop is busy.
            raw.dbapi_connection.take_turn()
            self._holding = self._on_thread = True
            return
        await self._turns.acquire()
        self._holding = True

    def _done_writing(self) -> None:
        if self._holding:
            assert self._turns is not None
            self._holding = False
            if self._on_thread:
                self._on_thread = False  # given back by the connection's commit or rollback
                return
            self._turns.release()

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.consultations = Consultations(self.session)
        self.residents = Residents(self.session)
        self.ledger = Ledger(self.session)
        self.outbox = Outbox(self.session)
        self.reports = Reports(self.session)
        self.jobs = Jobs(self.session)
        self.comments = Comments(self.session)
        self.statements = Statements(self.session)
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            try:
                await self.session.close()
            finally:
                self._done_writing()

    async def commit(self) -> None:
        """Commits; the first commit made for an update also records the update id, atomically."""
        try:
            await self._commit()
        finally:
            self._done_writing()

    async def _commit(self) -> None:
        scope = self.scope
        if scope is not None and not scope.recorded:
            if not await self.ledger.first_sight(scope.update_id, with_commit=True):
                await self.session.rollback()
                raise AlreadyApplied(scope.update_id)
            try:
                await self.session.commit()
            except UpdateSeen:
                raise AlreadyApplied(scope.update_id) from None
            scope.recorded = True
            return
        await self.session.commit()
