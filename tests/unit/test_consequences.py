"""Consequences of each penny (a service's `consequences:` by level): the file refuses levels that overlap or
leave gaps, naming the service, the field and the line; the board shows what the resident's pence for the service
they last changed would mean; results count the residents at each level."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogues.loader import ConsultationFileError, parse_consultation
from dialogues.questions import Outcome, RoundOutcome, of
from dialogues.questions.allocation import Board
from dialogues.questions.base import Changed
from dialogues.text import Lines
from tests.unit.example import EXAMPLE, EXAMPLE_TEXT, PLAIN, POUND, SERVICES, html, line_of

LIBRARIES = next(i for i, s in enumerate(SERVICES) if s.key == "libraries_and_culture")
PARKS = next(i for i, s in enumerate(SERVICES) if s.key == "parks_and_leisure")
CLOSE, SAME, SUNDAY = (c.text for c in SERVICES[LIBRARIES].consequences)
t = of(POUND)


def with_levels(levels: str, service: str = "Libraries and culture") -> str:
    """The example with the libraries' consequences replaced by `levels` (YAML lines under `consequences:`)."""
    start = EXAMPLE_TEXT.index("    consequences:\n")
    end = EXAMPLE_TEXT.index("  - name: {en: Community safety")
    # the example is in English and Welsh, so each level's text is given in both
    levels = levels.replace("text: Close", "text: {en: Close, cy: Cau}")
    levels = levels.replace("text: Open", "text: {en: Open, cy: Agor}")
    text = EXAMPLE_TEXT[:start] + "    consequences:\n" + levels + EXAMPLE_TEXT[end:]
    return text if service == "Libraries and culture" else text.replace("Libraries and culture", service)


def problem(text: str) -> tuple[str, int | None, str]:
    """The one problem: its field path, its line, and what the person who sent the file is told."""
    with pytest.raises(ConsultationFileError) as e:
        parse_consultation(text)
    [p] = e.value.problems
    return p.path, p.line, PLAIN.text(p.said())


def test_the_example_gives_three_levels_for_libraries() -> None:
    levels = SERVICES[LIBRARIES].consequences
    assert [(c.at_least, c.at_most) for c in levels] == [(0, 2), (3, 5), (6, 100)]
    assert SERVICES[LIBRARIES].consequence(3) == levels[1] and SERVICES[PARKS].consequence(3) is None


@pytest.mark.parametrize(
    ("levels", "said"),
    [
        ("      - {at_most: 3, text: Close}\n      - {at_least: 3, text: Open}\n",
         "the levels 3p or less and 3p or more overlap (3p is in both); give each amount one level"),
        ("      - {at_most: 2, text: Close}\n      - {at_least: 6, text: Open}\n",
         "no level covers 3p to 5p: it falls between the levels 2p or less and 6p or more; the levels must cover "
         "0p to 100p, each amount once"),
        ("      - {at_least: 1, at_most: 5, text: Close}\n      - {at_least: 6, text: Open}\n",
         "no level covers 0p; the levels must cover 0p to 100p, each amount once"),
        ("      - {at_most: 5, text: Close}\n      - {at_least: 6, at_most: 90, text: Open}\n",
         "no level covers 91p or more; the levels must cover 0p to 100p, each amount once"),
    ],
)
def test_levels_that_overlap_or_leave_a_gap_are_refused_at_the_field_and_its_line(levels: str, said: str) -> None:
    text = with_levels(levels)
    path, line, message = problem(text)
    assert path == f"services[{LIBRARIES}].consequences"
    assert line == line_of(text, "    consequences:")
    # The place names the service, counted from 1 as a person would.
    assert message == f"line {line}, service {LIBRARIES + 1} “Libraries and culture” › consequences: {said}"


def test_a_level_outside_the_services_limits_and_a_reversed_level_are_refused() -> None:
    text = with_levels("      - {at_most: 4, text: Close}\n      - {at_least: 5, text: Open}\n"
                       "      - {at_least: 60, at_most: 70, text: {en: Never, cy: Byth}}\n")
    welsh = "      cy: Llyfrgelloedd, amgueddfeydd, digwyddiadau a chymorth i'r celfyddydau.\n"
    text = text.replace(welsh, welsh + "    max: 50\n")
    assert problem(text)[2].endswith("› consequences: the level 60p to 70p can never be chosen: this service takes "
                                     "50p or less")
    reversed_level = with_levels("      - {at_least: 5, at_most: 3, text: Close}\n")
    path, line, message = problem(reversed_level)
    assert path == f"services[{LIBRARIES}].consequences[0]"
    assert message.endswith("“Libraries and culture” › consequence 1: at_least (5p) is more than at_most (3p)")
    assert line == line_of(reversed_level, "{at_least: 5, at_most: 3")


def board(draft: dict[str, int]) -> str:
    return html(t.screen(EXAMPLE, POUND, [], draft))


def test_the_board_shows_the_consequence_of_the_service_last_changed_as_pence_move() -> None:
    draft = t.start(EXAMPLE, POUND, None)
    assert CLOSE not in board(draft)  # nothing changed yet: no consequence
    seen = []
    for _ in range(7):  # 1p, 2p, ... 7p for libraries, one tap at a time
        result = t.press(EXAMPLE, POUND, draft, "d", (LIBRARIES, 1))
        assert isinstance(result, Changed)
        draft = result.draft
        text = board(draft)
        pence = draft["libraries_and_culture"]
        assert f"<b>Libraries and culture at {pence}p:</b>" in text
        seen.append(next(x for x in (CLOSE, SAME, SUNDAY) if x in text))
    assert seen == [CLOSE, CLOSE, SAME, SAME, SAME, SUNDAY, SUNDAY]
    # Another service changed last: its own consequence, or none when the file gives it none.
    result = t.press(EXAMPLE, POUND, draft, "d", (PARKS, 5))
    assert isinstance(result, Changed) and all(x not in board(result.draft) for x in (CLOSE, SAME, SUNDAY))
    # Typed: the last service typed.
    typed = t.typed(EXAMPLE, POUND, result.draft, "Parks 3\nLibraries 1")
    assert isinstance(typed, Changed) and CLOSE in board(typed.draft)


def test_the_service_last_changed_survives_the_saved_draft() -> None:
    result = t.press(EXAMPLE, POUND, t.start(EXAMPLE, POUND, None), "d", (LIBRARIES, 5))
    assert isinstance(result, Changed)
    saved = t.draft_to_json(result.draft)
    assert saved == {"pence": dict(result.draft), "last": "libraries_and_culture"}
    back = t.draft_from_json(EXAMPLE, POUND, saved)
    assert isinstance(back, Board) and back.last == "libraries_and_culture" and back == result.draft
    assert SAME in board(back)
    # A draft saved before (no "last"), or naming a service the file no longer has: no consequence, nothing lost.
    old = t.draft_from_json(EXAMPLE, POUND, {"pence": dict(result.draft), "last": "swimming"})
    assert old == result.draft and SAME not in board(old)


def test_results_count_the_residents_at_each_level() -> None:
    tally = t.tally(EXAMPLE, POUND)
    base = {s.key: s.today for s in SERVICES}
    for libraries, n in [(0, 2), (2, 1), (3, 4), (10, 3)]:
        a = dict(base, libraries_and_culture=libraries, running_the_council=13 - libraries)
        tally.add(a, n)
    figures = tally.figures()
    libs = next(s for s in figures.services if s.key == "libraries_and_culture")
    assert [n for _c, n in libs.levels] == [3, 4, 3]
    text = PLAIN.block(Lines(t.result_lines(EXAMPLE, POUND, figures)))
    assert "What residents' pence would mean (residents who chose each level):" in text
    assert f"· 2p or less: {CLOSE} 3 residents" in text
    assert f"· 3p to 5p: {SAME} 4 residents" in text and f"· 6p or more: {SUNDAY} 3 residents" in text
    table = t.summary(EXAMPLE, POUND, [RoundOutcome(1, "Round 1", Outcome(10, figures))])
    assert PLAIN.text(table.columns[-1].header) == "Residents at each consequence level"
    row = next(r for r in table.rows if r[1] == "Libraries and culture")
    assert PLAIN.text(row[-1]) == (f"2p or less ({CLOSE}): 3 residents; 3p to 5p ({SAME}): 4 residents; "
                                   f"6p or more ({SUNDAY}): 3 residents")
    assert next(r for r in table.rows if r[1] == "Housing")[-1] is not None  # an empty text, not a missing cell


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=1, max_size=40))
def test_every_resident_is_at_exactly_one_level(pence: list[int]) -> None:
    tally = t.tally(EXAMPLE, POUND)
    for p in pence:
        tally.add({"libraries_and_culture": p})
    libs = next(s for s in tally.figures().services if s.key == "libraries_and_culture")
    assert sum(n for _c, n in libs.levels) == len(pence)
    assert [n for _c, n in libs.levels] == [sum(1 for p in pence if lo <= p <= hi) for lo, hi in [(0, 2), (3, 5),
                                                                                                  (6, 100)]]
