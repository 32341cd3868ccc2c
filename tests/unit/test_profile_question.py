"""Questions about the resident (ward, age band): always optional, "prefer not to say", postcode districts to
wards, population shares checked with reasons, asked once per consultation by the journey."""

from __future__ import annotations

from typing import Any

import pytest

from dialogues import journey
from dialogues.loader import ConsultationFileError, parse_consultation
from dialogues.questions import Answered, Refused, by_name
from dialogues.questions.profile import PREFER_NOT, district_of
from dialogues.screens import Action
from tests.unit.example import html, said
from tests.unit.planted import PLANTED, PLANTED_YAML

profile = by_name("profile")
WARD = PLANTED.question("ward")


def test_buttons_and_prefer_not_to_say() -> None:
    assert profile.press(PLANTED, WARD, None, "o", (1,)) == Answered("central")
    assert profile.press(PLANTED, WARD, None, "n", ()) == Answered(PREFER_NOT)
    assert isinstance(profile.press(PLANTED, WARD, None, "o", (9,)), Refused)
    assert profile.describe(PLANTED, WARD, PREFER_NOT) == [("Prefer not to say",)]
    labels = [said(b.label) for row in profile.screen(PLANTED, WARD, [], "south").buttons for b in row]
    assert labels == ["North", "Central", "✅ South", "Prefer not to say"]


@pytest.mark.parametrize(
    ("text", "answer"),
    [("2", "central"), ("north", "north"), ("ne1 4ab", "north"), ("NE14AB", "north"), ("ne2", "central"),
     ("Prefer not", PREFER_NOT)],
)
def test_typed_answers_and_postcodes(text: str, answer: str) -> None:
    assert profile.typed(PLANTED, WARD, None, text) == Answered(answer)


def test_a_postcode_district_in_two_wards_or_none_is_refused_plainly() -> None:
    both = profile.typed(PLANTED, WARD, None, "NE3 1AA")
    assert isinstance(both, Refused) and "NE3 covers more than one of them: Central, South" in said(both.message)
    unknown = profile.typed(PLANTED, WARD, None, "SW1A 1AA")
    assert isinstance(unknown, Refused) and "I don't know the postcode district SW1A" in said(unknown.message)
    assert district_of("hello") is None


def test_the_grouping_carries_population_shares() -> None:
    g = profile.grouping(PLANTED, WARD)
    assert g.weighted and g.population() == pytest.approx({"north": 0.5, "central": 0.3, "south": 0.2})


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("        population: 20\n        postcodes: [NE3]\n", "        postcodes: [NE3]\n"),
         "“South” has no population share, but other groups of this question have one"),
        (("population: 20\n", "population: 0\n"), "“South” has a population share of 0"),
        (("population: 20\n", "population: 25\n"), "the population shares add up to 105%, not 100%"),
        (("    name: Ward\n", "    name: Ward\n    required: true\n"), "is always optional"),
        (("postcodes: [NE1]", "postcodes: [N-E1]"), "is not a postcode district"),
    ],
)
def test_file_problems_say_why(change: tuple[str, str], reason: str) -> None:
    text = PLANTED_YAML.replace("{weight_age}", "true").replace(*change, 1)
    with pytest.raises(ConsultationFileError) as e:
        parse_consultation(text)
    assert reason in str(e.value)


# The questions about the resident first, so the journey's skipping shows at its start.
FIRST = PLANTED.model_copy(update={"questions": [PLANTED.question("ward"), PLANTED.question("age"),
                                                 PLANTED.question("pound")]})
CTX = journey.RoundContext(2, "Round 2")


def shown(out: Any) -> str:
    return " ".join(html(s) for s in out.screens)


def test_asked_once_per_consultation() -> None:
    fresh = journey.begin(FIRST, CTX, {})
    assert "Question 1 of 3" in shown(fresh) and "Which ward" in shown(fresh)
    held_ward = journey.begin(FIRST, CTX, {"ward": "north"})
    assert held_ward.progress.index == 1 and "How old are you?" in shown(held_ward)
    held_both = journey.begin(FIRST, CTX, {"ward": "north", "age": "under_45"})
    assert held_both.progress.index == 2


def test_answering_saves_it_and_the_summary_can_change_it() -> None:
    out = journey.begin(FIRST, CTX, {})
    out = journey.handle(FIRST, CTX, out.progress, {}, journey.Press(Action("pf.n")))
    assert out.saves == {"ward": PREFER_NOT} and out.progress.index == 1
    answers = {"ward": PREFER_NOT, "age": "under_45", "pound": {"parks": 60, "buses": 40}}
    summary = journey.Progress(step="summary", index=2)
    out = journey.handle(FIRST, CTX, summary, answers, journey.Press(Action("cg", (0,))))
    assert out.progress.step == "ask" and out.progress.index == 0 and "✅ Prefer not to say" in [
        said(b.label) for row in out.screens[0].buttons for b in row
    ]
    out = journey.handle(FIRST, CTX, out.progress, answers, journey.Press(Action("sk")))
    assert out.saves == {} and out.progress.step == "summary"  # Skip keeps the saved answer


def test_group_counts_under_the_minimum_are_withheld_in_posts_and_tables() -> None:
    tally = profile.tally(PLANTED, WARD)
    for key, times in (("north", 20), ("central", 16), ("south", 4)):
        tally.add(key, times)
    figures = profile.withheld(PLANTED, WARD, tally.figures(), 10)
    assert figures.counts == (("North", 20), ("Central", None), ("South", None), ("Prefer not to say", 0))
    lines = [said(line[0]) for line in profile.result_lines(PLANTED, WARD, figures)]
    assert lines == ["North: 20 (50%)", "Central: not shown", "South: not shown", "Prefer not to say: 0 (0%)"]


def test_a_skip_is_kept_so_a_later_round_does_not_ask_again() -> None:
    out = journey.begin(FIRST, CTX, {})
    out = journey.handle(FIRST, CTX, out.progress, {}, journey.Press(Action("sk")))
    assert out.saves == {"ward": journey.SKIPPED} and "Skipped" in shown(out)
    assert profile.decode(FIRST, WARD, journey.SKIPPED) is None  # no answer: counted nowhere
    later = journey.begin(FIRST, CTX, {"ward": journey.SKIPPED})
    assert later.progress.index == 1  # not asked again
    summary = journey.summary_screen(FIRST, CTX, {"ward": journey.SKIPPED}, finished=False)
    assert "no answer" in html(summary)
    # changed from the summary, it offers Skip (not "Keep my answer"): a skip is not an answer
    again = journey.handle(FIRST, CTX, journey.Progress(step="summary"), {"ward": journey.SKIPPED},
                           journey.Press(Action("cg", (0,))))  # fmt: skip
    labels = [said(b.label) for row in again.screens[0].buttons for b in row]
    assert "Skip" in labels and "Keep my answer" not in labels
