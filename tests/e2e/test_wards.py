"""Wards and who took part, on both runtimes: residents say their ward (tapped, or from a postcode) and age band,
a facilitator's /reach names the ward that is under-represented while the round is open, the officer's workbook
shows weighted and unweighted means side by side with the small ward withheld, round 2 does not ask again, and
/mydata and /erase reach the answers about the resident."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from storage.models import ProfileAnswerRow
from tests.e2e.people import Person
from tests.harness import FACILITATOR, OFFICER, Harness
from tests.unit.planted import PLANTED_YAML

CODE = "wards-test"
ROUNDS = "rounds:\n  - title: First\n  - title: Second\n"


async def load(moot: Harness, tmp_path: Path) -> None:
    path = tmp_path / "wards.yaml"
    path.write_text(PLANTED_YAML.replace("{weight_age}", "false") + ROUNDS, encoding="utf-8")
    await moot.load(path)
    await moot.open(CODE)


async def take_part(p: Person, ward: str, age: str, parks: int | None = None) -> None:
    await p.says(f"/start {CODE}", expect="How your answers are used and kept")
    await p.taps("I agree, start", expect="spent today")
    await p.taps("Next: share", expect="Left to allocate: 100p")
    if parks is None:
        await p.taps("Start from today", expect="All 100p shared")
    else:
        await p.says(f"Parks {parks}\nBuses {100 - parks}", expect="Set Parks")
    await p.taps("Submit", expect="Which ward do you live in?")
    if ward.startswith("NE"):
        await p.says(ward, expect="How old are you?")
    else:
        await p.taps(ward, expect="How old are you?")
    await p.taps(age, expect="Your answers")
    await p.taps("send my answers", expect="Thank you")


def sheet(wb: Any, name: str) -> list[list[Any]]:
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


async def test_wards_reach_weighting_and_erasure(moot: Harness, tmp_path: Path) -> None:
    api = moot.api
    await load(moot, tmp_path)
    people = [Person(api, 7_300_000_100 + i, f"R{i}") for i in range(7)]
    # 4 in North (one typed their postcode), 2 in Central, 1 in South who gave parks 30p rather than today's 60p
    for p, ward in zip(people[:4], ["North", "North", "NE1 4ST", "North"], strict=True):
        await take_part(p, ward, "Under 45")
    await take_part(people[4], "Central", "45 or over")
    await take_part(people[5], "NE2 1AA", "Prefer not to say")
    await take_part(people[6], "South", "45 or over", parks=30)

    assert "reach" in api.menu_seen(FACILITATOR) and "reach" not in api.menu_seen(OFFICER)  # facilitators' menus
    facilitator = Person(api, FACILITATOR, "Fay")
    reach = await facilitator.says(f"/reach {CODE}", expect="Under-represented")
    assert "South" in reach.text and "fewer than 2 residents" in reach.text and "20% of the population" in reach.text
    assert "North" not in reach.text and "Central" not in reach.text
    resident = people[0]
    await resident.says(f"/reach {CODE}", expect="only the consultation's facilitators")

    officer = Person(api, OFFICER, "Olu")
    await officer.says("/export", expect="Which round?")
    await officer.taps("Round 1", expect="Which format?")
    await officer.taps("Excel workbook", expect="Preparing")
    await api.wait_for(lambda: any(m.kind == "document" for m in officer.chat.messages))
    doc = next(m for m in officer.chat.messages if m.kind == "document")
    wb = openpyxl.load_workbook(io.BytesIO(doc.document))
    weighted = sheet(wb, "Q1 weighted")
    assert weighted[0][:4] == ["Round", "Figure", "Residents who answered", "Unweighted mean"]
    assert weighted[0][6] == "Weighted mean" and weighted[0][9] == "Effective sample size"
    parks = next(r for r in weighted if r[1] == "Parks")
    assert parks[2] == 7
    assert parks[3] == pytest.approx((6 * 60 + 30) / 7, abs=1e-3)  # unweighted
    assert parks[6] == pytest.approx(0.5 * 60 + 0.3 * 60 + 0.2 * 30, abs=1e-3)  # weighted to the wards: 54p
    # weights 0.875 (North), 1.05 (Central), 1.4 (South): n_eff = 7^2 / (4 * 0.875^2 + 2 * 1.05^2 + 1.4^2)
    assert parks[9] == pytest.approx(round(49 / (4 * 0.875**2 + 2 * 1.05**2 + 1.4**2), 1))
    who = sheet(wb, "Who took part")
    by_ward = {r[2]: r for r in who if r[1] == "Ward"}
    assert by_ward["North"][3] == 4
    assert by_ward["South"][3] == "not shown" and by_ward["Central"][3] == "not shown"  # and its complement
    groups = {r[2]: r for r in sheet(wb, "Q1 by group") if r[1] == "Ward"}
    assert groups["South"][3:] == ["not shown"] * 3 and groups["North"][3:] == [4, 60, 40]
    responses = sheet(wb, "Responses")
    ward_column = next(i for i, h in enumerate(responses[0]) if h and "ward" in h)  # kept per consultation, in each
    assert sorted(r[ward_column] for r in responses[1:]) == ["Central", "Central", *["North"] * 4, "South"]

    await moot.close(CODE)
    await moot.open(CODE, 2)
    p = people[1]
    await p.says(f"/start {CODE}", expect="spent today")
    assert p.sees("your last answer is filled in")
    await p.taps("Next: share", expect="All 100p shared")
    await p.taps("Submit", expect="Your answers")  # the ward and age band are not asked again
    await p.says("/mydata", expect="About you, for all of")
    assert "North" in p.chat.messages[-1].text
    await p.says("/erase", expect="Are you sure?")
    await p.taps("Yes, delete everything", expect="has been deleted")
    async with moot.deps.uow() as uow:
        left = (await uow.session.scalars(select(ProfileAnswerRow))).all()
    assert len(left) == 2 * 7 - 2  # hers are gone, everyone else's kept
