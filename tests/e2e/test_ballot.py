"""A participatory-budgeting vote end to end, on both runtimes: 20 residents vote in the planted election of
tests/planted_ballot.py (Equal Shares and the greedy rule fund different projects), by tapping and by typing; a
ballot past the budget and a project that does not exist are refused and nothing of them is stored; the round
closes and the group post shows both outcomes and why each project won or lost, as worked by hand; the officer's
.pb file passes pabulib-checker and the workbook carries the same reasons."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from bot.exports.service import export
from tests import planted_ballot as planted
from tests.e2e.people import Person
from tests.harness import FACILITATOR, OFFICER, Harness

GROUP = -100_555_000_215


async def vote(p: Person, code: str, keys: tuple[str, ...], typed: bool) -> None:
    await p.says(f"/start {code}", expect="How your answers are used and kept")
    await p.taps("I agree, start", expect="6 projects share a budget of £1,000")
    await p.taps("Next: vote", expect="Ticked: £0 of £1,000; £1,000 left.")
    if typed:
        numbers = ", ".join(str(list(planted.COSTS).index(k) + 1) for k in keys)
        await p.says(numbers, expect="Tap Done when you are happy with it.")
    else:
        spent = 0
        for k in keys:
            spent += planted.COSTS[k]
            await p.taps(planted.TITLES[k], expect=f"Ticked: £{spent:,} of £1,000")
    await p.taps("Done", expect="Your answers")
    await p.taps("That's all", expect="Thank you!")


async def test_twenty_residents_vote_and_the_group_sees_both_outcomes_and_why(moot: Harness, tmp_path: Path) -> None:
    api = moot.api
    path = tmp_path / "park-fund.yaml"
    path.write_text(planted.FILE, encoding="utf-8")
    code = await moot.load(path)
    async with moot.deps.uow() as uow:
        found = await uow.consultations.by_code(code)
        assert found is not None
        api.add_group(GROUP, "Heaton residents", admins=[FACILITATOR])
        api.add_bot_to_group(GROUP, by_user=FACILITATOR)
        await uow.consultations.link_group(GROUP, found[0], "Heaton residents", by=0)
        await uow.commit()
    await moot.open(code)

    # The first resident tries to pass the budget and to name a project that does not exist; both are refused.
    first = Person(api, 5000, "Resident 0")
    await first.says(f"/start {code}", expect="How your answers are used and kept")
    await first.taps("I agree, start", expect="6 projects share a budget of £1,000")
    await first.taps("Next: vote", expect="Ticked: £0 of £1,000")
    await first.taps("Sports arena", expect="Ticked: £500 of £1,000; £500 left.")
    await first.taps("Outdoor gym", expect="Ticked: £800 of £1,000; £200 left.")
    refused = await first.taps("Lakeside café", toast="That comes to £1,100, £100 over the £1,000 budget")
    assert "untick projects worth £100 first" in refused
    await first.says("1, 3, 4", expect="£100 over the £1,000 budget")
    await first.says("the bandstand", expect="I don't know a project called “the bandstand”")
    await first.says("12", expect="There is no project 12")
    assert await moot.answers_of(first.id) == {}  # nothing of the refused ballots is stored
    await first.taps("Park benches", expect="Ticked: £950 of £1,000; £50 left.")
    await first.taps("Done", expect="Your answers")
    await first.taps("That's all", expect="Thank you!")
    assert (await moot.answers_of(first.id))["fund"] == ["arena", "benches", "gym"]

    # The other 19, half of them typing the projects' numbers.
    people = [keys for times, keys in planted.BALLOTS for _ in range(times)][1:]
    for i, keys in enumerate(people, start=1):
        await vote(Person(api, 5000 + i, f"Resident {i}"), code, keys, typed=i % 2 == 0)
    assert (await moot.answers_of(5015))["fund"] == ["cafe", "fountain"]

    await moot.close(code)
    post = await api.wait_for_message(GROUP, contains="Which projects should the park fund pay for?", timeout=30)
    text = post.text or ""
    assert "20 residents voted on a budget of £1,000." in text
    assert "Equal Shares (with completion) funds Sports arena, Lakeside café, Park benches: £950, £50 left." in text
    assert "Greedy rule (most votes first) funds Park benches, Outdoor gym, Sports arena: £950, £50 left." in text
    assert "Funded by Equal Shares: each supporter paid at most £50." in text
    assert "Funded only in the completion step" in text
    assert "Supporters' shares ran out: they had £120 left of the £300 it costs." in text
    assert "Too few supporters: it needed at least 5, and had 4." in text
    assert "It would have fitted in the £200 Equal Shares left unspent" in text
    chart = await api.wait_for_message(GROUP, predicate=lambda m: m.kind == "photo")
    assert "Equal Shares funds Sports arena, Lakeside café, Park benches" in (chart.text or "")
    await api.wait_for_message(5015, contains="Your projects")  # each resident's own projects beside both outcomes

    # The officer's pabulib file: every ballot under a pseudonym, valid by pabulib's own checker.
    info, pb = await export(moot.deps, code, "pb", None, "officer", actor=None, via="cli")
    assert info.filename.endswith(".pb") and info.mime_type == "text/plain"
    text = pb.decode("utf-8")
    assert "\nnum_votes;20\n" in text and "\nbudget;1000\n" in text and "\nvote_type;approval\n" in text
    assert str(5015) not in text.split("VOTES", 1)[1]  # no Telegram id
    checker = pytest.importorskip("pabulib.checker")
    results = checker.Checker().process_files([text])
    assert results["metadata"] == {"processed": 1, "valid": 1, "invalid": 0}, results

    # The same file from /export in the officer's private chat, where the format is offered for a ballot.
    officer = Person(api, OFFICER, "Olu the officer")
    await officer.says("/export", expect="Which round?")
    await officer.taps("Round 1", expect="Which format?")
    await officer.taps("pabulib election file", expect="Preparing")
    await api.wait_for(lambda: any(m.kind == "document" for m in officer.chat.messages))
    doc = next(m for m in officer.chat.messages if m.kind == "document")
    assert doc.filename and doc.filename.startswith("park-fund-round1-") and doc.filename.endswith(".pb")
    assert doc.document is not None and doc.document.decode("utf-8").split("VOTES")[1] == text.split("VOTES")[1]

    # The workbook's table for the ballot says why each project won or lost.
    _info, xlsx = await export(moot.deps, code, "xlsx", None, "officer", actor=None, via="cli")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    sheet = next(ws for ws in wb.worksheets if "fund" in ws.title)
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "supporters' shares ran out" in values and "funded only in the completion step" in values
    assert "Supporters' shares ran out: they had £120 left of the £300 it costs." in values

    # The CSV files and the PDF report are made too (the ballot's table and chart in them).
    for fmt in ("csv", "pdf"):
        made, content = await export(moot.deps, code, fmt, 1, "officer", actor=None, via="cli")
        assert content and made.responses == 20


async def test_points_are_shared_on_the_board_and_the_greedy_rule_counts_them(moot: Harness, tmp_path: Path) -> None:
    api = moot.api
    path = tmp_path / "park-points.yaml"
    path.write_text(planted.FILE.replace("kind: within_budget", "kind: points\n    points: 5")
                    .replace("code: park-fund", "code: park-points"), encoding="utf-8")
    code = await moot.load(path)
    async with moot.deps.uow() as uow:
        found = await uow.consultations.by_code(code)
        assert found is not None
        api.add_group(GROUP, "Heaton residents", admins=[FACILITATOR])
        api.add_bot_to_group(GROUP, by_user=FACILITATOR)
        await uow.consultations.link_group(GROUP, found[0], "Heaton residents", by=0)
        await uow.commit()
    await moot.open(code)

    amina = Person(api, 5101, "Amina")
    await amina.says(f"/start {code}", expect="How your answers are used and kept")
    await amina.taps("I agree, start", expect="share 5 points across the projects")
    await amina.taps("Next: vote", expect="Left to share: 5 points")
    await amina.taps("+1", expect="Sports arena (£500): 1 point")  # the first project's step, as on the pound
    await amina.says("Lakeside café 3", expect="Set Lakeside café 3.")
    assert "You have 1 point left to share." in await amina.taps("Submit (1 point left)", toast="1 point left")
    await amina.says("Eco garden 6", expect="Eco garden can have from 0 to 5 points.")
    assert await moot.answers_of(amina.id) == {}  # nothing of a ballot whose points do not add up is stored
    await amina.says("Eco garden 1", expect="All 5 points shared.")
    await amina.taps("Submit", expect="Your answers")
    await amina.taps("That's all", expect="Thank you!")
    assert (await moot.answers_of(amina.id))["fund"] == {"arena": 1, "cafe": 3, "eco": 1}

    ben = Person(api, 5102, "Ben")
    await ben.says(f"/start {code}", expect="How your answers are used and kept")
    await ben.taps("I agree, start", expect="share 5 points")
    await ben.taps("Next: vote", expect="Left to share: 5 points")
    await ben.says("outdoor gym 5", expect="All 5 points shared.")
    await ben.taps("Submit", expect="Your answers")
    await ben.taps("That's all", expect="Thank you!")

    # Points: gym 5, café 3, arena 1, eco 1. Greedy by points: gym £300, café £300, then arena and eco tie on 1
    # point, the cheaper first: eco £250 (£150 left; the arena's £500 does not fit). Equal Shares: each resident
    # holds £500; every project has one supporter (rho 1), so by key: arena (Amina pays £500), gym (Ben pays £300).
    await moot.close(code)
    post = await api.wait_for_message(GROUP, contains="Which projects should the park fund pay for?", timeout=30)
    text = post.text or ""
    assert "Equal Shares (with completion) funds Sports arena, Outdoor gym: £800, £200 left." in text
    assert "Greedy rule (most points first) funds Outdoor gym, Lakeside café, Eco garden: £850, £150 left." in text
    assert "Lakeside café (£300, 3 points): Supporters' shares ran out: they had £0 left of the £300 it costs." in text
