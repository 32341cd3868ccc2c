"""Residents hear each other (issue 14), on both runtimes through the Bot API stand-in: residents add statements,
which wait for a facilitator (approved, rejected with a reason the author reads, merged into the statement it
repeats); 30 residents in two planted camps react one statement at a time; when the round closes the groups found
are the camps, and the linked group's post names the common ground."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from bot.exports.polis import polis_zip
from bot.exports.service import export
from bot.services.results import round_results
from tests.e2e.people import Person
from tests.harness import FACILITATOR, Harness

FILE = Path(__file__).parent.parent.parent / "examples" / "heaton-streets.yaml"
CODE = "heaton-streets"
GROUP = -100_777_000_222
SEEDS = [
    "Heaton Road should close to cars on Sundays.",
    "More parking spaces are needed near the shops.",
    "Chillingham Road needs a protected cycle lane.",
    "Buses should not lose any road space.",
    "Through traffic should be kept out of the side streets.",
    "Delivery vans must be able to stop outside every shop.",
    "The pavements need repairing before anything else changes.",
]
COMMON = SEEDS[6]


def camp_view(camp: str, text: str) -> str:
    """Camp A agrees with statements 1, 3 and 5 and disagrees with 2, 4 and 6; camp B the reverse; both agree with
    the pavements. The button to tap: 👍 or 👎."""
    i = SEEDS.index(text)
    if i == 6:
        return "👍"
    return "👍" if (i % 2 == 0) == (camp == "A") else "👎"


def shown_statement(p: Person) -> str | None:
    """The statement on the resident's board, if one is on it."""
    for m in reversed(p.chat.messages):
        text = m.text or ""
        if "Statement " in text and " of " in text:
            return next((s for s in SEEDS if s in text), None)
    return None


async def join(moot: Harness, p: Person) -> None:
    await p.says(f"/start {CODE}", expect="How your answers are used and kept")
    await p.taps("I agree, start", expect="Statement 1 of")


async def react_all(p: Person, camp: str) -> None:
    for n in range(len(SEEDS)):
        text = shown_statement(p)
        assert text is not None, p.chat.messages[-1].text
        expect = f"Statement {n + 2} of" if n + 1 < len(SEEDS) else "You have reacted to all"
        await p.taps(camp_view(camp, text), expect=expect)


async def setup(moot: Harness) -> Person:
    api = moot.api
    fac = Person(api, FACILITATOR, "Faye the facilitator")
    api.send_document(fac.id, "heaton-streets.yaml", FILE.read_bytes())
    await api.wait_for_message(fac.id, contains="stored as version 1")
    api.add_group(GROUP, "Heaton residents", admins=[FACILITATOR])
    api.add_bot_to_group(GROUP, by_user=FACILITATOR)
    await api.wait_for_message(GROUP, contains="/link CODE")
    api.send_text(FACILITATOR, f"/link {CODE}", chat_id=GROUP)
    await api.wait_for_message(GROUP, contains="private chat with me")
    await fac.says(f"/open {CODE} 1", expect="is open")
    return fac


async def test_thirty_residents_in_two_camps_and_the_group_sees_the_common_ground(moot: Harness) -> None:
    api = moot.api
    fac = await setup(moot)
    people = [(Person(api, 5_100_000_000 + i, f"R{i}"), "A" if i < 15 else "B") for i in range(30)]
    for batch in range(0, 30, 10):  # ten at a time: residents react side by side, as they would
        chunk = people[batch:batch + 10]
        await asyncio.gather(*(join(moot, p) for p, _camp in chunk))
        await asyncio.gather(*(react_all(p, camp) for p, camp in chunk))
    # one changes their mind and reacts again: the later reaction replaces the earlier one
    first, _camp = people[0]
    await first.taps("Change my reactions", expect="Your reaction so far")
    await first.taps(camp_view("A", shown_statement(first) or ""), expect="Statement 2 of")

    last, _camp = people[-1]  # done for now: told privately which group they are closest to
    await last.taps("Done for now", expect="Your answers")

    await fac.says(f"/close {CODE} 1", expect="is closed")
    told = await api.wait_for_message(last.id, contains="Your reactions are closest to group")
    assert "You react as most of that group does." in (told.text or "")
    post = await api.wait_for_message(GROUP, contains="Common ground")
    text = post.text or ""
    chart = await api.wait_for_message(GROUP, predicate=lambda m: m.kind == "photo")
    assert chart.photo[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Opinion groups: each dot is one of 30 residents" in (chart.text or "")
    assert "group A, 15 residents; group B, 15 residents" in (chart.text or "")
    if os.environ.get("MOOT_SAVE_CHARTS"):  # to look at it
        Path(os.environ["MOOT_SAVE_CHARTS"]).write_bytes(chart.photo)
    assert "30 residents reacted to 7 statements." in text
    assert "Their reactions form 2 opinion groups." in text
    common = text.split("Common ground", 1)[1].split("\n")[1]
    assert COMMON in common and "100% agree" in common
    assert "Group A (15 residents)" in text and "Group B (15 residents)" in text
    assert "Where the groups differ most:" in text

    # the groups found are the camps
    async with moot.deps.uow() as uow:
        cid = (await uow.consultations.by_code_any_case(CODE))[0]
        ids = {}
        for p, camp in people:
            r = await uow.residents.find(p.id)
            assert r is not None
            ids[r.id] = camp
        reactions = await uow.statements.round_rows(cid, "streets", 1)
    assert len(reactions["reactions"]) == 30 * 7  # the second reaction replaced the first
    figures = (await round_results(moot.deps, cid, 1)).result("streets").figures  # type: ignore[union-attr]
    found = [{ids[figures.residents[row]] for row in g.members} for g in figures.analysis.groups]
    assert sorted(map(sorted, found)) == [["A"], ["B"]]

    # the officers' workbook and CSV files carry the statements by group, with the common ground marked
    _info, xlsx = await export(moot.deps, CODE, "xlsx", None, "officer", actor=None, via="cli")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    sheet = next(ws for ws in wb.worksheets if "streets" in ws.title)
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    head = next(r for r in rows if "Statement" in r)
    who, common = head.index("Who"), head.index("Common ground")
    pavements = [r for r in rows if r[head.index("Statement")] == COMMON]
    assert {r[who] for r in pavements} == {"everyone", "group A", "group B"}
    assert all(r[common] == "yes" for r in pavements)
    assert all(r[head.index("Agree")] == (30 if r[who] == "everyone" else 15) for r in pavements)
    listed = [[c.value for c in row] for row in wb["streets statements"].iter_rows()]
    top = next(r for r in listed if "Author" in r)
    seeds = [r for r in listed if r[top.index("Text")] in SEEDS]
    assert len(seeds) == 7 and {r[top.index("Author")] for r in seeds} == {"the council"}
    assert all(r[top.index("Agree")] + r[top.index("Disagree")] == 30 for r in seeds)
    _info, zipped = await export(moot.deps, CODE, "csv", None, "officer", actor=None, via="cli")
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        table = z.read(next(n for n in z.namelist() if "streets" in n)).decode("utf-8-sig")
    assert COMMON in table and "group B" in table

    # the Pol.is layout parses, as Pol.is tooling and red-dwarf read it, and the same camps come out of it
    with zipfile.ZipFile(io.BytesIO(await polis_zip(moot.deps, CODE))) as z:
        comments = list(csv.DictReader(io.StringIO(z.read("comments.csv").decode())))
        votes = list(csv.DictReader(io.StringIO(z.read("votes.csv").decode())))
        matrix = list(csv.DictReader(io.StringIO(z.read("participants-votes.csv").decode())))
    assert len(comments) == 7 and len(votes) == 30 * 7 and len(matrix) == 30
    assert {c["comment-body"] for c in comments} == set(SEEDS) and all(c["moderated"] == "1" for c in comments)
    assert not any(str(p.id) in str(row) for p, _c in people for row in votes + matrix)
    by_group: dict[str, set[str]] = {}
    for row in matrix:
        by_group.setdefault(row["group-id"], set()).add(row[str(SEEDS.index(COMMON) + 1)])
    assert len(by_group) == 2 and all(v == {"1"} for v in by_group.values())  # both groups agree on the pavements
    models = pytest.importorskip("reddwarf.models")
    polis = pytest.importorskip("reddwarf.implementations.polis")
    parsed = [models.Vote(**v).model_dump(mode="json") for v in votes]
    assert all(models.Statement(**c) for c in comments)
    theirs = polis.run_pipeline(votes=parsed, random_state=0).participants_df["cluster_id"]
    camps_of = {row["participant"]: row["group-id"] for row in matrix}
    their_groups = {frozenset(camps_of[str(p)] for p in theirs.index[theirs == g]) for g in set(theirs.dropna())}
    assert their_groups == {frozenset({"0"}), frozenset({"1"})}  # each of red-dwarf's groups is one of ours


async def test_a_residents_statements_go_through_moderation(moot: Harness) -> None:
    api = moot.api
    fac = await setup(moot)
    amina, ben, cat, dan = (Person(api, 5_200_000_000 + i, n) for i, n in enumerate(["Amina", "Ben", "Cat", "Dan"]))
    for p in (amina, ben, cat, dan):
        await join(moot, p)

    # bad input: too long, or what is already there, is refused and nothing is stored
    await amina.taps("Add my own", expect="Type your statement")
    await amina.says("x" * 141, expect="the limit is 140")
    await amina.says("heaton road should close to cars on sundays", expect="That statement is already here")
    await amina.says("Heaton needs a 20mph limit on every street.", expect="estimated cost")
    await amina.says("£12,500", expect="waiting for a moderator")
    await ben.taps("Add my own", expect="Type your statement")
    await ben.says("Heaton Road should be closed to cars on Sunday", expect="estimated cost")
    await ben.taps("No cost", toast="waiting for a moderator")
    await cat.taps("Add my own", expect="Type your statement")
    await cat.says("Bring back the trams to Heaton.", expect="estimated cost")
    await cat.taps("No cost", toast="waiting for a moderator")

    # Dan asks to hear of new statements; nothing waiting for a moderator reaches him
    await dan.taps("Tell me of new ones", toast="You will be told when a new statement opens")
    await react_all(dan, "A")
    assert not any("20mph" in (m.text or "") for m in dan.chat.messages)

    # a resident cannot moderate
    await dan.says("/moderate", expect="")
    assert not any("20mph" in (m.text or "") for m in dan.chat.messages)

    # the queue, oldest first: Amina's, with its cost
    await fac.says("/moderate", expect="Heaton needs a 20mph limit on every street.")
    assert fac.sees("Estimated cost: £12,500")
    await fac.taps("Approve", expect="Heaton Road should be closed to cars on Sunday")
    # Ben's is flagged as a near-duplicate of the first seed statement, and merged into it
    assert fac.sees("It looks like statement 1")
    await fac.taps("Merge into 1", expect="Bring back the trams")
    # the moderation message itself: the round's "Messages: 1 sent" report may arrive after it
    shown = next(m for m in reversed(fac.chat.messages) if "Bring back the trams" in (m.text or ""))
    cat_statement = next(int(w) for w in (shown.text or "").split() if w.isdigit())
    await fac.says(f"/moderate reject {cat_statement} This consultation is about streets, not trams.",
                   expect="Rejected")

    await api.wait_for_message(amina.id, contains="now open for others to react to")
    merged = await api.wait_for_message(ben.id, contains="merged into it")
    assert SEEDS[0] in (merged.text or "")
    rejected = await api.wait_for_message(cat.id, contains="was not published")
    assert "This consultation is about streets, not trams." in (rejected.text or "")
    told = await api.wait_for_message(dan.id, contains="A new statement is open for reactions")
    assert "20mph" in (told.text or "")
    assert not any("trams" in (m.text or "") or "closed to cars on Sunday" in (m.text or "")
                   for m in dan.chat.messages)

    # Dan carries on: the new statement is served, and nothing rejected or merged
    await dan.says(f"/start {CODE}", expect="20mph")
    await dan.taps("👍", expect="You have reacted to all 8")

    # the officers' Statements sheet: authors under pseudonyms, statuses, a rejected one without its words
    _info, xlsx = await export(moot.deps, CODE, "xlsx", None, "officer", actor=None, via="cli")
    listed = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(xlsx))["streets statements"]
              .iter_rows()]
    top = next(r for r in listed if "Author" in r)
    mine = next(r for r in listed if r[top.index("Text")] == "Heaton needs a 20mph limit on every street.")
    assert str(mine[top.index("Author")]).startswith("R-") and mine[top.index("Estimated cost (£)")] == 12500
    assert mine[top.index("Status")] == "approved"
    statuses = {r[top.index("Status")]: r for r in listed[listed.index(top) + 1:]}
    assert statuses["rejected"][top.index("Text")] == "(withheld: not published)"
    assert statuses["merged into another statement"][top.index("Merged into")] == 1
    assert not any(str(p.id) in str(v) for p in (amina, ben, cat, dan) for r in listed for v in r)

    # /mydata shows Amina her statement; /erase removes it (nobody else reacted to... Dan did: it stays, unnamed)
    await amina.says("/mydata", expect="Statements you wrote")
    await amina.says("/erase", expect="Are you sure?")
    await amina.taps("Yes, delete everything", expect="has been deleted")
    await cat.says("/erase", expect="Are you sure?")
    await cat.taps("Yes, delete everything", expect="has been deleted")
    async with moot.deps.uow() as uow:
        cid = (await uow.consultations.by_code_any_case(CODE))[0]
        texts = {t: i for i, t in await uow.statements.all_texts(cid, "streets")}
        kept = await uow.statements.get(texts["Heaton needs a 20mph limit on every street."])
        assert kept is not None and kept.author_id is None and kept.reactions == 1
        everything = [r.text for r in [await uow.statements.get(i) for i in range(1, 20)] if r is not None]
    assert "Bring back the trams to Heaton." not in everything  # Cat's rejected statement, nobody's reactions


async def test_erasure_removes_a_residents_statements_and_reactions(moot: Harness) -> None:
    """What a resident wrote, how they reacted and their wish to hear of new statements all go; the database is
    searched, every table and column, for their id and their words."""
    from tests.e2e.test_erasure import everything_in_the_database

    api = moot.api
    fac = await setup(moot)
    phrase = "Zebra-crossing-outside-St-Aidan's-please"
    amina, ben = Person(api, 7_654_321_987, "Amina"), Person(api, 7_654_321_988, "Ben")
    for p in (amina, ben):
        await join(moot, p)
    await amina.taps("Tell me of new ones", toast="You will be told")
    await amina.taps("Add my own", expect="Type your statement")
    await amina.says(f"Paint a {phrase}", expect="estimated cost")
    await amina.taps("No cost", toast="waiting for a moderator", expect="Statement 1 of")
    await react_all(amina, "A")
    await react_all(ben, "B")
    await fac.says("/moderate", expect=phrase)
    await fac.taps("Approve", expect="No comments are waiting")
    await api.wait_for_message(amina.id, contains="now open for others to react to")
    assert any(phrase in v for v in await everything_in_the_database(moot))

    await amina.says("/erase", expect="Are you sure?")
    await amina.taps("Yes, delete everything", expect="has been deleted")
    held = await everything_in_the_database(moot)
    left = [v for v in held if phrase in v or str(amina.id) in v]
    assert not left, left
    async with moot.deps.uow() as uow:
        cid = (await uow.consultations.by_code_any_case(CODE))[0]
        rows = await uow.statements.round_rows(cid, "streets", 1)
        r = await uow.residents.find(ben.id)
        assert r is not None
        assert {resident for resident, _s, _v in rows["reactions"]} == {r.id}  # only Ben's reactions are left
        counts = {i: n for i, _t, n in await uow.statements.approved(cid, "streets")}
    assert set(counts.values()) == {1}  # each seed statement counts Ben's reaction alone


async def test_round_two_shows_round_ones_common_ground_before_residents_react_again(moot: Harness) -> None:
    api = moot.api
    fac = Person(api, FACILITATOR, "Faye the facilitator")
    two_rounds = FILE.read_bytes() + b"""rounds:
  - title: Round 1
  - title: Round 2
    deliberation: true
"""
    api.send_document(fac.id, "heaton-streets.yaml", two_rounds)
    await api.wait_for_message(fac.id, contains="stored as version 1")
    await fac.says(f"/open {CODE} 1", expect="is open")
    people = [(Person(api, 5_300_000_000 + i, f"R{i}"), "A" if i < 3 else "B") for i in range(6)]
    await asyncio.gather(*(join(moot, p) for p, _camp in people))
    await asyncio.gather(*(react_all(p, camp) for p, camp in people))
    await fac.says(f"/close {CODE} 1", expect="is closed")
    await fac.says(f"/open {CODE} 2", expect="is open")

    first, _camp = people[0]
    await first.says(f"/start {CODE}", expect="Common ground")
    await api.wait_for(lambda: "reacted to all 7" in (first.chat.messages[-1].text or ""))
    said = "\n".join(m.text or "" for m in first.chat.messages)
    before = said.index("What everyone said in Round 1")
    # round 1's common ground comes first; their reactions carry over, and they can change them
    assert said.index("Common ground", before) < said.rindex("You have reacted to all 7 statements")
    assert COMMON in said[before:]
    assert any(m.kind == "photo" for m in first.chat.messages)  # the opinion groups, drawn
    await first.taps("Change my reactions", expect="Your reaction so far")
