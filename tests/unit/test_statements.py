"""The statements question type on its own: serving order, typed statements and costs, forged or stale presses,
the file's checks, near-duplicates, and its tally."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.content import Render
from bot.i18n import translations
from dialogues.loader import ConsultationFileError, parse_consultation
from dialogues.questions import Answered, Changed, Refused
from dialogues.questions.statements import (
    FOLLOW,
    PROPOSE,
    REACT,
    STATEMENTS,
    Draft,
    Live,
    Open,
    Reacted,
    StatementsQuestion,
    StatementsTally,
    parse_cost,
    pick,
)
from dialogues.schema import Consultation
from dialogues.screens import Screen
from dialogues.similar import NEAR, closest
from dialogues.text import english


def plain(s: Screen) -> str:
    render = Render(translations("en"), html=False)
    return render.body(s.body)

FILE = b"""
code: heaton
title: Heaton's streets
organiser: Newcastle City Council
purpose: What should change on Heaton's streets? React and add your own.
minutes: 5
privacy:
  notice: Your reactions are kept until the report is published, then deleted.
questions:
  - key: streets
    type: statements
    prompt: Do you agree?
    max_length: 60
    project: true
    statements: [Close Heaton Road on Sundays., More parking near the shops., Fix the pavements first.]
"""


def spec() -> tuple[Consultation, StatementsQuestion]:
    c = parse_consultation(FILE)
    q = c.questions[0]
    assert isinstance(q, StatementsQuestion)
    return c, q


LIVE = Live((Open(1, "Close Heaton Road on Sundays.", 5), Open(2, "More parking near the shops.", 0),
             Open(3, "Fix the pavements first.", 9)), {3: 1}, ("Plant more trees.",), False, 42)


def test_fewest_reactions_first_with_some_randomness() -> None:
    many = [Open(i, f"s{i}", n) for i, n in enumerate([0, 0, 1, 30, 30])]
    chosen = Counter(pick(many, seed).id for seed in range(400))  # type: ignore[union-attr]
    assert set(chosen) <= {0, 1, 2}  # a statement 30 reactions behind never comes first
    assert chosen[0] > 50 and chosen[1] > 50 and chosen[2] > 0  # near-ties are broken either way
    assert pick([], 1) is None


def test_costs_read_as_pounds() -> None:
    assert parse_cost("£12,500", 10**6) == 12500
    assert parse_cost("12.5k", 10**6) == 12500 and parse_cost("2m", 10**7) == 2_000_000
    assert parse_cost("twelve", 10**6) is None and parse_cost("12.345", 10**6) is None
    assert parse_cost("20000001", 10**7) is None


def test_reacting_serves_the_unseen_and_refuses_what_is_not_open() -> None:
    c, q = spec()
    t = STATEMENTS.bound(LIVE.to_json())
    d = t.start(c, q, None)
    assert d.current == 2  # unseen, and fewest reactions
    r = t.press(c, q, d, "a", (2,))
    assert isinstance(r, Changed) and r.effects[0].kind == REACT and dict(r.effects[0].data) == {
        "statement": 2, "reaction": 1}
    assert r.draft.current == 1
    r2 = t.press(c, q, r.draft, "d", (1,))
    assert isinstance(r2, Changed) and r2.draft.current is None  # all three reacted to
    assert "You have reacted to all 3" in plain(t.screen(c, q, [], r2.draft))
    done = t.press(c, q, r2.draft, "x", ())
    assert isinstance(done, Answered) and done.value.reactions == 3
    # a statement not approved (rejected, merged, made up) is refused, and nothing is stored
    forged = t.press(c, q, d, "a", (99,))
    assert isinstance(forged, Refused)
    assert isinstance(t.press(c, q, d, "a", ()), Refused)
    # going round again offers the one already reacted to, and says how
    again = t.press(c, q, r2.draft, "r", ())
    assert isinstance(again, Changed) and again.draft.again
    shown = plain(t.screen(c, q, [], again.draft))
    assert "A new one replaces it" in shown or again.draft.current != 3


def test_a_statement_of_ones_own_with_its_cost() -> None:
    c, q = spec()
    t = STATEMENTS.bound(LIVE.to_json())
    d = Draft(mode="write")
    assert isinstance(t.typed(c, q, d, "   "), Refused)
    too_long = t.typed(c, q, d, "x" * 61)
    assert isinstance(too_long, Refused) and "limit is 60" in english(too_long.message)
    assert isinstance(t.typed(c, q, d, "close heaton road, on sundays"), Refused)  # already there
    assert isinstance(t.typed(c, q, d, "Plant more trees"), Refused)  # sent already, waiting
    r = t.typed(c, q, d, "Build a 20mph zone.")
    assert isinstance(r, Changed) and r.draft.mode == "cost" and not r.effects
    assert isinstance(t.typed(c, q, r.draft, "lots"), Refused)
    r2 = t.typed(c, q, r.draft, "£40,000")
    assert isinstance(r2, Changed) and r2.draft.mode == "react"
    assert [(e.kind, dict(e.data)) for e in r2.effects] == [(PROPOSE, {"text": "Build a 20mph zone.", "cost": 40000})]
    no_cost = t.press(c, q, r.draft, "c", ())
    assert isinstance(no_cost, Changed) and dict(no_cost.effects[0].data) == {"text": "Build a 20mph zone."}
    # typed text while reacting is not taken as a statement
    assert isinstance(t.typed(c, q, Draft(), "agree"), Refused)
    follow = t.press(c, q, Draft(), "n", ())
    assert isinstance(follow, Changed) and follow.effects[0].kind == FOLLOW and follow.draft.follow is True


def test_the_file_is_checked() -> None:
    bad = FILE.replace(b"Fix the pavements first.", b"close heaton road on sundays")
    with pytest.raises(ConsultationFileError, match="says the same as an earlier one"):
        parse_consultation(bad)
    with pytest.raises(ConsultationFileError, match="more than its max_length"):
        parse_consultation(FILE.replace(b"max_length: 60", b"max_length: 20"))


def test_near_duplicates_are_found() -> None:
    existing = ["Close Heaton Road to cars on Sundays.", "More parking near the shops.", "Fix the pavements."]
    found = closest("Heaton Road should be closed to cars on Sunday", existing)
    assert found is not None and found[0] == 0 and found[1] >= NEAR
    other = closest("Libraries should open in the evenings", existing)
    assert other is not None and other[1] < NEAR
    assert closest("anything", []) is None


def test_the_tally_counts_every_reaction_as_it_stands() -> None:
    c, q = spec()
    tally = STATEMENTS.tally(c, q)
    assert isinstance(tally, StatementsTally)
    reactions = [(r, s, 1 if (r < 4) == (s == 1) or s == 3 else -1) for r in range(8) for s in (1, 2, 3)]
    tally.rows({"statements": [(1, "a"), (2, "b"), (3, "c")], "reactions": reactions, "minimum": 2})
    assert tally.respondents == 8
    f = tally.figures()
    assert f.analysis.common == (2,) and f.residents == tuple(range(8))
    lines = " ".join(english(x) for line in STATEMENTS.result_lines(c, q, f) for x in line)
    assert "Common ground" in lines


def test_a_resident_is_told_their_group_and_where_they_differ_from_it() -> None:
    c, q = spec()
    tally = STATEMENTS.tally(c, q)
    # residents 0-3 agree with a and disagree with b, 4-7 the reverse; all agree with c except resident 7
    reactions = [(r, 1, 1 if r < 4 else -1) for r in range(8)] + [(r, 2, -1 if r < 4 else 1) for r in range(8)]
    reactions += [(r, 3, -1 if r == 7 else 1) for r in range(8)]
    tally.rows({"statements": [(1, "a"), (2, "b"), (3, "c")], "reactions": reactions, "minimum": 2})
    f = tally.figures()
    assert len(f.analysis.groups) == 2
    said = [" ".join(english(x) for x in line) for line in STATEMENTS.personal_lines(c, q, Reacted(3, 7), f)]
    assert "closest to group" in said[1] and "(4 residents)" in said[1]
    assert "You disagree with “c”; 75% of group" in said[2]  # the other three of its four agree
    agreeing = STATEMENTS.personal_lines(c, q, Reacted(3, 0), f)
    assert "You react as most of that group does." in english(agreeing[-1][1])
    # an answer from before the resident's id was kept, or figures withheld: only their own answer
    assert len(STATEMENTS.personal_lines(c, q, Reacted(3), f)) == 1
    assert len(STATEMENTS.personal_lines(c, q, Reacted(3, 7), None)) == 1
