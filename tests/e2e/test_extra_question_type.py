"""The question-type contract holds: a type defined only in this file is asked, counted, posted and exported.

A "yes or no" question is registered here and nowhere else; two residents answer it through the real framework
and the Bot API stand-in, the round closes, the linked group sees its figures, and the XLSX and CSV exports carry
its column and its table. No other file knows this type exists.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import openpyxl
import pytest

from bot.exports.service import export
from dialogues.questions import Answered, QuestionType, Refused, RoundOutcome, Tally, register, unregister
from dialogues.questions.base import Json, Line, Result
from dialogues.report import INT, NOT_SHOWN, Column, ReportTable
from dialogues.schema import Consultation, QuestionBase
from dialogues.screens import Button, Screen
from dialogues.text import Block, Para, _
from tests.e2e.people import Person
from tests.harness import FACILITATOR, Harness

GROUP = -100_555_000_111


class YesNoQuestion(QuestionBase):
    type: Literal["yes_no"]


@dataclass(frozen=True)
class YesNoFigures:
    respondents: int
    yes: int


class YesNoTally(Tally[bool, YesNoFigures]):
    def __init__(self) -> None:
        super().__init__()
        self.yes = 0

    def add(self, answer: bool, times: int = 1) -> None:
        self.respondents += times
        self.yes += times if answer else 0

    def figures(self) -> YesNoFigures:
        return YesNoFigures(self.respondents, self.yes)


class YesNo(QuestionType[YesNoQuestion, bool, None, YesNoFigures]):
    name = "yes_no"
    code = "yn"
    schema = YesNoQuestion
    verbs = frozenset({"y", "n"})
    label = _("yes or no")

    def decode(self, c: Consultation, q: YesNoQuestion, raw: Json) -> bool | None:
        return raw if isinstance(raw, bool) else None

    def describe(self, c: Consultation, q: YesNoQuestion, answer: bool) -> list[Line]:
        return [("Yes, please" if answer else "No, thank you",)]

    def start(self, c: Consultation, q: YesNoQuestion, previous: bool | None) -> None:
        return None

    def draft_to_json(self, draft: None) -> Json:
        return {}

    def draft_from_json(self, c: Consultation, q: YesNoQuestion, raw: Json) -> None:
        return None

    def screen(self, c: Consultation, q: YesNoQuestion, head: Sequence[Block], draft: None) -> Screen:
        return Screen([*head, Para("Tap one.")], [[Button("Yes", self.action("y")), Button("No", self.action("n"))]])

    def press(
        self, c: Consultation, q: YesNoQuestion, draft: None, verb: str, args: tuple[int, ...]
    ) -> Result[bool, None]:
        return Answered(verb == "y")

    def typed(self, c: Consultation, q: YesNoQuestion, draft: None, text: str) -> Result[bool, None]:
        word = text.strip().lower()
        if word in {"yes", "no"}:
            return Answered(word == "yes")
        return Refused("Please tap Yes or No.")

    def tally(self, c: Consultation, q: YesNoQuestion) -> YesNoTally:
        return YesNoTally()

    def result_lines(self, c: Consultation, q: YesNoQuestion, figures: YesNoFigures) -> list[Line]:
        return [(f"Yes: {figures.yes} of {figures.respondents}",)]

    def cell(self, c: Consultation, q: YesNoQuestion, answer: bool) -> Any:
        return "yes" if answer else "no"

    def summary(self, c: Consultation, q: YesNoQuestion, rounds: Sequence[RoundOutcome[YesNoFigures]]) -> ReportTable:
        t = ReportTable("", "", [Column("Round", INT), Column("Residents saying yes", INT), Column("Residents", INT)])
        for r in rounds:
            f = r.outcome.figures
            t.add(r.number, *((f.yes, f.respondents) if f else (NOT_SHOWN, NOT_SHOWN)))
        return t


FILE = """
code: bus-lane
title: The Heaton bus lane
organiser: Newcastle City Council
purpose: Should the bus lane on Heaton Road run all day, not only at rush hour?
minutes: 1
privacy:
  notice: Your answer is kept until the consultation's report is published, then deleted.
questions:
  - key: all_day
    type: yes_no
    prompt: Should the bus lane run all day?
"""


@pytest.fixture
def yes_no() -> Iterator[None]:
    register(YesNo())
    yield
    unregister("yes_no")


async def test_a_type_defined_in_a_test_module_runs_end_to_end(moot: Harness, yes_no: None, tmp_path: Path) -> None:
    api = moot.api
    path = tmp_path / "bus-lane.yaml"
    path.write_text(FILE)
    code = await moot.load(path)
    async with moot.deps.uow() as uow:
        found = await uow.consultations.by_code(code)
        assert found is not None
        api.add_group(GROUP, "Heaton residents", admins=[FACILITATOR])
        api.add_bot_to_group(GROUP, by_user=FACILITATOR)
        await uow.consultations.link_group(GROUP, found[0], "Heaton residents", by=0)
        await uow.commit()
    await moot.open(code)

    # two residents answer it: one by tapping, one by typing
    for user_id, name, how in [(4001, "Amina", "tap"), (4002, "Ben", "type")]:
        p = Person(api, user_id, name)
        await p.says(f"/start {code}", expect="How your answers are used and kept")
        await p.taps("I agree, start", expect="Should the bus lane run all day?")
        if how == "tap":
            await p.taps("Yes", expect="Your answers")
        else:
            await p.says("maybe", expect="Please tap Yes or No.")
            await p.says("no", expect="Your answers")
        assert p.sees("Yes, please" if how == "tap" else "No, thank you")
        await p.taps("That's all", expect="Thank you!")
    assert (await moot.answers_of(4001))["all_day"] is True
    assert (await moot.answers_of(4002))["all_day"] is False

    # the round closes: the group sees the type's own figures
    await moot.close(code)
    post = await api.wait_for_message(GROUP, contains="Should the bus lane run all day?", timeout=20)
    assert "Yes: 1 of 2" in post.text
    await api.wait_for_message(4001, contains="Yes, please")  # the resident's own answer beside everyone's

    # the exports carry its column and its table
    _info, xlsx = await export(moot.deps, code, "xlsx", None, "officer", actor=None, via="cli")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    responses = [[c.value for c in row] for row in wb["Responses"].iter_rows()]
    column = responses[0].index("Should the bus lane run all day?")  # headed by its prompt
    assert sorted(str(r[column]) for r in responses[1:]) == ["no", "yes"]
    sheet = next(ws for ws in wb.worksheets if "all_day" in ws.title)
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "Residents saying yes" in values and 1 in values and 2 in values

    _info, zipped = await export(moot.deps, code, "csv", None, "officer", actor=None, via="cli")
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        names = z.namelist()
        rows = list(csv.reader(io.StringIO(z.read(next(n for n in names if "responses" in n)).decode("utf-8-sig"))))
        table = next(n for n in names if "all_day" in n)
        assert "Residents saying yes" in z.read(table).decode("utf-8-sig")
    assert sorted(r[rows[0].index("Should the bus lane run all day?")] for r in rows[1:]) == ["no", "yes"]
