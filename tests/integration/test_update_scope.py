"""An update's scope, handed to its units of work, records the update id with the first commit made for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.bootstrap import App, build
from bot.config import Config
from bot.services import rounds
from storage.idempotency import AlreadyApplied, UpdateScope
from tests.harness import EXAMPLE, FACILITATOR


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    # Without a runtime, as on the command line: the config names the bot its announcements link to.
    config = Config.model_validate({"database": {"url": database_url}, "telegram": {"bot_username": "moot_test_bot"}})
    app = await build(config, with_runtime=False)
    yield app
    await app.close()


async def _audited(app: App, action: str) -> int:
    async with app.deps.uow() as uow:
        return sum(1 for a in await uow.ledger.audit_log() if a.action == action)


async def test_the_first_commit_records_the_update_and_a_second_delivery_changes_nothing(app: App) -> None:
    scope = UpdateScope(41)
    for _ in range(2):  # two units of work for the same update: only the first records it, neither is refused
        async with app.deps.uow(scope) as uow:
            await uow.ledger.audit(FACILITATOR, "load", "first delivery")
            await uow.commit()
    assert scope.recorded and await _audited(app, "load") == 2

    again = UpdateScope(41)  # the same update delivered again, or after a crash: a new scope, the same id
    with pytest.raises(AlreadyApplied):
        async with app.deps.uow(again) as uow:
            await uow.ledger.audit(FACILITATOR, "load", "second delivery")
            await uow.commit()
    assert not again.recorded and await _audited(app, "load") == 2
    async with app.deps.uow() as uow:
        assert await uow.ledger.seen(41) and not await uow.ledger.seen(42)


async def test_a_unit_of_work_without_an_update_records_none(app: App) -> None:
    async with app.deps.uow() as uow:
        await uow.ledger.audit(None, "load", "from the command line")
        await uow.commit()
    async with app.deps.uow() as uow:
        assert not await uow.ledger.seen(0)


async def test_a_use_case_given_the_update_applies_it_once(app: App) -> None:
    from dialogues.loader import parse_consultation

    async with app.deps.uow() as uow:
        await uow.consultations.store(parse_consultation(EXAMPLE.read_bytes()), loaded_by=None)
        await uow.commit()
    change = await rounds.open_round(app.deps, "council-pound", 1, FACILITATOR, UpdateScope(7))
    assert change.changed
    closed = await rounds.close_round(app.deps, "council-pound", 1, FACILITATOR, UpdateScope(8))
    assert closed.publishing is not None
    await closed.publishing  # the results, counted and queued in a job of their own
    with pytest.raises(AlreadyApplied):  # /close delivered again: refused before the round is touched again
        await rounds.close_round(app.deps, "council-pound", 1, FACILITATOR, UpdateScope(8))
    assert await _audited(app, "close") == 1 and await _audited(app, "publish") == 1
