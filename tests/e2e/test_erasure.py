"""A resident answers, hears the results and erases: nothing that names them, and nothing they wrote, is left.

Every table and column is read back, and (on SQLite) the database file and its write-ahead log are read as
bytes, for the resident's Telegram id and a phrase only they wrote.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import BigInteger, inspect, select, text

from storage.models import Base
from tests.e2e.people import Person
from tests.harness import Harness

RESIDENT = 7_654_321_987
PHRASE = "Zebra-crossing-outside-St-Aidan's-please"
OTHER = 7_654_321_988


async def everything_in_the_database(moot: Harness) -> list[str]:
    out: list[str] = []
    async with moot.deps.uow() as uow:
        conn = await uow.session.connection()
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        for table in names:
            for row in (await conn.execute(text(f'SELECT * FROM "{table}"'))).all():
                out += [f"{table}: {value}" for value in row]
    assert {t.name for t in Base.metadata.sorted_tables} <= set(names)
    return out


async def answer_everything(p: Person, comment: str, free_text: str) -> None:
    await p.says("/start council-pound", expect="How your answers are used and kept")
    await p.taps("I agree, start", expect="Next, you share")
    await p.taps("Next: share", expect="Left to allocate: 100p")
    await p.taps("Start from today", expect="All 100p shared")
    await p.taps("Submit", expect="Why did you share")
    await p.says(comment, expect="Question 2 of 6")
    await p.taps("4", expect="Question 3 of 6")
    await p.says("1", expect="Question 4 of 6")
    await p.says("1, 2", expect="Tap Done")
    await p.taps("Done", expect="Question 5 of 6")
    await p.says("1 2 3 4", expect="Question 6 of 6")
    await p.says(free_text, expect="Your answers")
    await p.taps("That's all", expect="Thank you")


async def test_erasure_leaves_nothing_that_names_the_resident(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    await moot.open()
    amina, ben = Person(api, RESIDENT, "Amina"), Person(api, OTHER, "Ben")
    await answer_everything(amina, f"My reason: {PHRASE}", f"Also {PHRASE}")
    await answer_everything(ben, "Fair shares", "More buses")
    await moot.close()
    await api.wait_for_message(RESIDENT, contains="has closed", timeout=20)  # her own results were sent
    assert any(PHRASE in v for v in await everything_in_the_database(moot))

    await amina.says("/erase", expect="Are you sure?")
    await amina.taps("Yes, delete everything", expect="has been deleted")

    held = await everything_in_the_database(moot)
    left = [v for v in held if PHRASE in v or str(RESIDENT) in v]
    assert not left, left
    async with moot.deps.uow() as uow:  # an integer column holding her id would not show as text
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                # only 64-bit columns can hold a Telegram id (PostgreSQL refuses to compare one with a 32-bit one)
                if isinstance(column.type, BigInteger):
                    found = await uow.session.scalar(select(column).where(column == RESIDENT).limit(1))
                    assert found is None, f"{table.name}.{column.name}"
    assert any("More buses" in v for v in held), "the other resident's answers are untouched"

    url = moot.database_url
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for f in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if f.exists():
                data = f.read_bytes()
                assert PHRASE.encode() not in data, f.name
                assert str(RESIDENT).encode() not in data, f.name
