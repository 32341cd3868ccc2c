"""Workloads: config for a bot against the stand-in, scratch databases, and residents put mid-journey in bulk.

Residents are written straight into the real schema through SQLAlchemy (volume does not go through Telegram);
their journey state is made by dialogues.journey itself, so the bot finds them exactly where a resident who had
tapped "Next: share your 100p" would be, in front of the allocation board.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.standin import BOT_USERNAME
from bot.actions import ActionCodec
from bot.bootstrap import build, button_key
from bot.config import Config
from bot.render import Renderer
from bot.services import rounds
from bot.services.common import Deps
from dialogues import journey
from dialogues.loader import parse_consultation
from dialogues.questions.allocation import ALLOCATION
from dialogues.schema import Consultation
from dialogues.screens import Action
from storage.models import ConsentRow, ParticipationRow, ResidentRow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "council-pound.yaml"
POSTGRES_ADMIN = os.environ.get("MOOT_BENCH_POSTGRES", "postgresql+asyncpg://moot:moot@127.0.0.1:5432/postgres")
FIRST_RESIDENT = 5_000_000
START_PENCE = 5  # every service starts at 5p on the seeded boards: 50p shared, 50p left
SEED = 20_240_601


class Unavailable(Exception):
    """A database the benchmark wanted is not reachable."""


def config(api_base: str, token: str, database_url: str, runtime: str = "aiogram", **sections: Any) -> Config:
    data: dict[str, Any] = {
        # Named, as an operator would before the bot's first run: seeding opens a round before the bot asks Telegram.
        "telegram": {"token": token, "api_base": api_base, "runtime": runtime, "poll_timeout": 1,
                     "bot_username": BOT_USERNAME},
        "database": {"url": database_url},
        "privacy": {"pseudonym_key": "bench-pseudonym-key", "button_key": "bench-button-key"},
        "results": {"min_respondents": 2},
    }
    for section, values in sections.items():
        data.setdefault(section, {}).update(values)
    return Config.model_validate(data)


def example() -> Consultation:
    return parse_consultation(EXAMPLE.read_bytes())


async def postgres_reachable(admin_url: str = POSTGRES_ADMIN) -> str | None:
    """None if PostgreSQL answers; otherwise why not."""
    import asyncpg

    try:
        conn = await asyncio.wait_for(asyncpg.connect(admin_url.replace("+asyncpg", "")), 5)
    except Exception as error:
        return f"{type(error).__name__}: {error}"[:120]
    await conn.close()
    return None


@asynccontextmanager
async def scratch_database(kind: str, folder: Path) -> AsyncIterator[str]:
    """A fresh empty database URL: a SQLite file in `folder`, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder}/moot-{uuid.uuid4().hex[:8]}.db"
        return
    import asyncpg

    why = await postgres_reachable()
    if why is not None:
        raise Unavailable(why)
    plain = POSTGRES_ADMIN.replace("+asyncpg", "")
    name = f"moot_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(plain)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        conn = await asyncpg.connect(plain)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@asynccontextmanager
async def scratch_folder() -> AsyncIterator[Path]:
    with tempfile.TemporaryDirectory(prefix="moot-bench-") as folder:
        yield Path(folder)


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class Opened:
    """The Council Pound loaded and its first round open."""

    consultation_id: int
    round_id: int
    version_id: int
    spec: Consultation
    context: journey.RoundContext


async def open_pound(deps: Deps) -> Opened:
    spec = example()
    async with deps.uow() as uow:
        loaded = await uow.consultations.store(spec, loaded_by=None)
        await uow.commit()
    change = await rounds.open_round(deps, spec.code)
    r = change.round
    ctx = journey.RoundContext(r.number, r.title, deps.local(r.closes_at), {})
    return Opened(loaded.consultation_id, r.id, loaded.version_id, spec, ctx)


async def prepare_database(cfg: Config) -> Opened:
    """Migrates a fresh database and opens round 1 of the Council Pound (without a runtime)."""
    app = await build(cfg, with_runtime=False)
    try:
        return await open_pound(app.deps)
    finally:
        await app.close()


def board_progress(o: Opened) -> journey.Progress:
    """Where a resident is after agreeing and tapping "Next: share your 100p": the allocation board."""
    out = journey.begin(o.spec, o.context, {})
    out = journey.handle(o.spec, o.context, out.progress, {}, journey.Press(Action("go")))
    progress = out.progress
    assert progress.step == "ask" and progress.index == 0
    progress.draft = {"pence": {s.key: START_PENCE for s in o.spec.services}}
    return progress


async def add_residents(deps: Deps, o: Opened, telegram_ids: Sequence[int], state: dict[str, Any]) -> list[int]:
    """Residents who agreed and stand at `state` in round 1; their participation ids, in the same order."""
    ids: dict[int, int] = {}
    parts: dict[int, int] = {}
    async with deps.sessions() as s:
        for part in chunks(telegram_ids, 2000):
            await s.execute(insert(ResidentRow), [{"telegram_id": t} for t in part])
            rows = await s.execute(
                select(ResidentRow.telegram_id, ResidentRow.id).where(ResidentRow.telegram_id.in_(part))
            )
            ids.update({t: i for t, i in rows})
            resident_ids = [ids[t] for t in part]
            await s.execute(
                insert(ConsentRow),
                [
                    {"resident_id": r, "consultation_id": o.consultation_id, "version_id": o.version_id}
                    for r in resident_ids
                ],
            )
            await s.execute(
                insert(ParticipationRow),
                [
                    {"resident_id": r, "round_id": o.round_id, "version_id": o.version_id, "state": state}
                    for r in resident_ids
                ],
            )
            rows = await s.execute(
                select(ParticipationRow.resident_id, ParticipationRow.id).where(
                    ParticipationRow.resident_id.in_(resident_ids)
                )
            )
            parts.update({r: p for r, p in rows})
        await s.commit()
    return [parts[ids[t]] for t in telegram_ids]


@dataclass
class Boards:
    """Residents in front of the allocation board, and how to press its +1 and −1 buttons."""

    opened: Opened
    codec: ActionCodec
    progress: journey.Progress
    residents: list[int]
    message_ids: dict[int, int] = field(default_factory=dict)  # chat -> the board's message id in the stand-in

    def data(self, chat_id: int, service: int, delta: int) -> str:
        return self.codec.pack(chat_id, ALLOCATION.action("d", service, delta), self.progress.seq)

    def markup(self, chat_id: int) -> tuple[str, dict[str, Any]]:
        """The board as the bot renders it for this chat: HTML text and reply_markup."""
        spec = self.opened.spec
        q = spec.questions[0]
        draft = ALLOCATION.draft_from_json(spec, q, self.progress.draft)
        screen = ALLOCATION.screen(spec, q, journey.question_head(spec, q, 1), draft)
        renderer = Renderer(self.codec)
        keyboard = renderer.keyboard(chat_id, screen.buttons, self.progress.seq) or []
        rows = [
            [{"text": b.text, **({"url": b.url} if b.url else {"callback_data": b.callback_data})} for b in row]
            for row in keyboard
        ]
        return renderer.parts(screen)[0].text, {"inline_keyboard": rows}


def unstored() -> Opened:
    """The Council Pound as a bare bot sees it: nothing stored (ids are placeholders)."""
    return Opened(0, 0, 0, example(), journey.RoundContext())


async def show_boards(cfg: Config, o: Opened, standin: Any, count: int) -> Boards:
    """`count` residents each shown the allocation board in the stand-in, as the bot would have sent it."""
    residents = list(range(FIRST_RESIDENT, FIRST_RESIDENT + count))
    boards = Boards(o, ActionCodec(button_key(cfg)), board_progress(o), residents)
    for part in chunks(residents, 1000):
        shown = [(chat_id, *boards.markup(chat_id)) for chat_id in part]
        boards.message_ids.update(await standin.call("boards", shown))
    return boards


async def seed_boards(cfg: Config, deps: Deps, o: Opened, standin: Any, count: int) -> Boards:
    """`count` residents at the board, in the database and (as the message they see) in the stand-in."""
    boards = await show_boards(cfg, o, standin, count)
    await add_residents(deps, o, boards.residents, boards.progress.to_json())
    return boards


@dataclass
class Presses:
    """A fixed sequence of +1/−1 presses, and the board each resident must end with if every one was saved."""

    updates: list[tuple[int, int, str]]  # (user, message id, callback data), in the order they are queued
    expected: dict[int, dict[str, int]]  # telegram id -> pence


def presses(boards: Boards, per_resident: int, seed: int = SEED) -> Presses:
    """Round-robin over residents so that each getUpdates batch spans many chats.

    Every press is valid in any order (a service never goes below 0 nor the total above 100p), so the expected
    end state does not depend on how the bot interleaves chats; a lost or doubled press changes it.
    """
    services = boards.opened.spec.services
    assert per_resident <= 50
    rng = random.Random(seed)
    plans: dict[int, list[tuple[int, int]]] = {}
    expected: dict[int, dict[str, int]] = {}
    for chat_id in boards.residents:
        minus = [0] * len(services)
        plan = []
        for _ in range(per_resident):
            i = rng.randrange(len(services))
            delta = -1 if minus[i] < START_PENCE and rng.random() < 0.4 else 1
            if delta < 0:
                minus[i] += 1
            plan.append((i, delta))
        plans[chat_id] = plan
        pence = {s.key: START_PENCE for s in services}
        for i, delta in plan:
            pence[services[i].key] += delta
        expected[chat_id] = pence
    updates = []
    for k in range(per_resident):
        for chat_id in boards.residents:
            i, delta = plans[chat_id][k]
            updates.append((chat_id, boards.message_ids[chat_id], boards.data(chat_id, i, delta)))
    return Presses(updates, expected)


async def drafts(deps: Deps, o: Opened) -> dict[int, dict[str, int]]:
    """Each resident's board as committed in the database (telegram id -> pence)."""
    async with deps.sessions() as s:
        rows = await s.execute(
            select(ResidentRow.telegram_id, ParticipationRow.state)
            .join(ParticipationRow, ParticipationRow.resident_id == ResidentRow.id)
            .where(ParticipationRow.round_id == o.round_id)
        )
        return {t: dict(state["draft"]["pence"]) for t, state in rows}


def lost_presses(expected: dict[int, dict[str, int]], stored: dict[int, dict[str, int]]) -> int:
    """How many presses the stored boards are missing (or have extra), summed over residents and services."""
    return sum(
        abs(pence.get(k, 0) - stored.get(t, {}).get(k, 0)) for t, pence in expected.items() for k in pence
    )
