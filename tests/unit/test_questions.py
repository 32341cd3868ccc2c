"""Each question type on its own: screens, presses, typed answers, checks and descriptions."""

from __future__ import annotations

from typing import Any

import pytest

from dialogues.questions import Answered, Changed, Draft, Refused, choice, free_text, kind, multiple, ranking, rating
from dialogues.questions.base import parse_int
from dialogues.screens import Action, Screen
from tests.unit.example import CHOICE, EXAMPLE, MULTIPLE, RANKING, RATING, TEXT


def actions(screen: Screen) -> list[Action]:
    return [b.action for row in screen.buttons for b in row if b.action is not None]


@pytest.mark.parametrize(
    ("text", "value"),
    [("4", 4), (" 4. ", 4), ("-2", -2), ("٣", 3), ("four", None), ("²", None), ("--5", None), ("4.5", None),
     ("", None), ("123456", None), ("1" * 5000, None)],
)
def test_parse_int(text: str, value: int | None) -> None:
    assert parse_int(text) == value


def test_every_question_type_has_a_module() -> None:
    for q in EXAMPLE.questions:
        module = kind(q.type)
        for name in ("screen", "press", "typed", "describe", "problems", "start"):
            assert callable(getattr(module, name))


# Rating


def test_rating_screen_has_one_button_per_value() -> None:
    s = rating.screen(EXAMPLE, RATING, 2, Draft())
    assert actions(s) == [Action("rt", (v,)) for v in range(1, 6)]
    assert "Question 2 of 6" in s.text and "1 = Very dissatisfied" in s.text


def test_rating_reads_a_button_and_a_typed_number() -> None:
    assert rating.press(EXAMPLE, RATING, Draft(), Action("rt", (5,))) == Answered(5)
    assert rating.typed(EXAMPLE, RATING, Draft(), "4") == Answered(4)


@pytest.mark.parametrize("text", ["four", "4/5", "", "²", "4.5"])
def test_rating_explains_text_that_is_not_a_number(text: str) -> None:
    result = rating.typed(EXAMPLE, RATING, Draft(), text)
    assert isinstance(result, Refused) and "whole number from 1 to 5" in result.message


@pytest.mark.parametrize("value", [0, 6, -1, 99999])
def test_rating_refuses_values_off_the_scale(value: int) -> None:
    assert isinstance(rating.typed(EXAMPLE, RATING, Draft(), str(value)), Refused)
    assert isinstance(rating.press(EXAMPLE, RATING, Draft(), Action("rt", (value,))), Refused)


def test_rating_problems_and_description() -> None:
    assert rating.problems(EXAMPLE, RATING, 3) == []
    for bad in (0, 6, "3", 3.0, True, None):
        assert rating.problems(EXAMPLE, RATING, bad) != []
    assert rating.describe(EXAMPLE, RATING, 5) == "5 out of 5 (Very satisfied)"


# Single choice


def test_choice_by_button_number_label_or_start() -> None:
    assert choice.press(EXAMPLE, CHOICE, Draft(), Action("ch", (1,))) == Answered("up_to_3")
    assert choice.typed(EXAMPLE, CHOICE, Draft(), "2") == Answered("up_to_3")
    assert choice.typed(EXAMPLE, CHOICE, Draft(), "no rise") == Answered("no_rise")
    assert choice.typed(EXAMPLE, CHOICE, Draft(), "don") == Answered("dont_know")


@pytest.mark.parametrize("text", ["0", "5", "up to", "maybe"])
def test_choice_refuses_what_matches_no_single_option(text: str) -> None:
    result = choice.typed(EXAMPLE, CHOICE, Draft(), text)
    assert isinstance(result, Refused) and "1. No rise" in result.message


def test_choice_refuses_foreign_buttons() -> None:
    for action in (Action("ch", (4,)), Action("ch", (-1,)), Action("ch"), Action("rt", (1,))):
        assert isinstance(choice.press(EXAMPLE, CHOICE, Draft(), action), Refused)


# Multiple choice


def test_multiple_ticks_untick_and_done() -> None:
    draft = Draft()
    for i in (2, 0, 2, 1):
        result = multiple.press(EXAMPLE, MULTIPLE, draft, Action("mt", (i,)))
        assert isinstance(result, Changed)
        draft = result.draft
    assert draft.picks == [0, 1]
    assert "✅ Cleaner streets" in multiple.screen(EXAMPLE, MULTIPLE, 4, draft).buttons[0][0].label
    done = multiple.press(EXAMPLE, MULTIPLE, draft, Action("md"))
    assert done == Answered(["cleaner_streets", "safer_neighbourhoods"])


def test_multiple_enforces_max_choices() -> None:
    draft = Draft(picks=[0, 1, 2])
    result = multiple.press(EXAMPLE, MULTIPLE, draft, Action("mt", (3,)))
    assert isinstance(result, Refused) and "up to 3" in result.message
    assert isinstance(multiple.typed(EXAMPLE, MULTIPLE, Draft(), "1, 2, 3, 4"), Refused)
    four = ["cleaner_streets", "jobs_and_skills", "affordable_housing", "tackling_climate_change"]
    assert multiple.problems(EXAMPLE, MULTIPLE, four) == ["at most 3 choices"]


def test_multiple_needs_a_tick_when_required() -> None:
    result = multiple.press(EXAMPLE, MULTIPLE, Draft(), Action("md"))
    assert isinstance(result, Refused) and "at least one" in result.message


@pytest.mark.parametrize("text", ["1, 3", "1 3", "1 and 3", "cleaner streets; support for older people", "3, 1, 1"])
def test_multiple_reads_typed_choices(text: str) -> None:
    assert multiple.typed(EXAMPLE, MULTIPLE, Draft(), text) == Answered(["cleaner_streets", "support_for_older_people"])


def test_multiple_problems_and_start() -> None:
    assert multiple.problems(EXAMPLE, MULTIPLE, ["jobs_and_skills"]) == []
    for bad in (["jobs_and_skills", "jobs_and_skills"], ["moon"], "jobs_and_skills", None):
        assert multiple.problems(EXAMPLE, MULTIPLE, bad) != []
    assert multiple.start(EXAMPLE, MULTIPLE, ["jobs_and_skills", "moon"]).picks == [4]


# Ranking


def test_ranking_places_in_turn_fills_the_last_and_undoes() -> None:
    draft = Draft()
    for i in (3, 0, 2):
        result = ranking.press(EXAMPLE, RANKING, draft, Action("rk", (i,)))
        assert isinstance(result, Changed)
        draft = result.draft
    assert draft.picks == [3, 0, 2, 1]  # the last place is filled in
    assert actions(ranking.screen(EXAMPLE, RANKING, 5, draft)) == [Action("rc"), Action("ru"), Action("rr")]
    undone = ranking.press(EXAMPLE, RANKING, draft, Action("ru"))
    assert isinstance(undone, Changed) and undone.draft.picks == [3, 0]  # both automatic and chosen go
    result = ranking.press(EXAMPLE, RANKING, draft, Action("rc"))
    keys = [o.key for o in RANKING.options]
    assert result == Answered([keys[3], keys[0], keys[2], keys[1]])
    assert keys[0] == "share_buildings_with_other_publi"  # keys are cut to 32 characters


def test_ranking_refuses_placing_twice_or_confirming_early() -> None:
    assert isinstance(ranking.press(EXAMPLE, RANKING, Draft(picks=[1]), Action("rk", (1,))), Refused)
    assert isinstance(ranking.press(EXAMPLE, RANKING, Draft(picks=[1]), Action("rc")), Refused)
    assert ranking.press(EXAMPLE, RANKING, Draft(picks=[1]), Action("rr")) == Changed(Draft())


@pytest.mark.parametrize("text", ["4 1 3 2", "4, 1, 3, 2", "4>1>3>2"])
def test_ranking_reads_a_typed_order(text: str) -> None:
    result = ranking.typed(EXAMPLE, RANKING, Draft(), text)
    assert isinstance(result, Answered) and result.value[0] == "move_more_services_online"


@pytest.mark.parametrize("text", ["4 1 3", "4 1 3 3", "4 1 3 9", "banana"])
def test_ranking_refuses_an_incomplete_order(text: str) -> None:
    assert isinstance(ranking.typed(EXAMPLE, RANKING, Draft(), text), Refused)


def test_ranking_problems() -> None:
    keys = [o.key for o in RANKING.options]
    assert ranking.problems(EXAMPLE, RANKING, keys[::-1]) == []
    for bad in (keys[:3], [*keys, keys[0]], [keys[0]] * 4, None):
        assert ranking.problems(EXAMPLE, RANKING, bad) != []


# Free text


def test_free_text_is_cleaned_and_limited() -> None:
    assert free_text.typed(EXAMPLE, TEXT, Draft(), "  More\x00 buses\n please\x1b ") == Answered("More buses\n please")
    too_long = free_text.typed(EXAMPLE, TEXT, Draft(), "x" * 1501)
    assert isinstance(too_long, Refused) and "1,501" in too_long.message and "1,500" in too_long.message
    assert isinstance(free_text.typed(EXAMPLE, TEXT, Draft(), " \x00 "), Refused)
    assert isinstance(free_text.press(EXAMPLE, TEXT, Draft(), Action("sk")), Refused)


def test_free_text_problems_and_description() -> None:
    assert free_text.problems(EXAMPLE, TEXT, "ok") == []
    for bad in ("", "  ", "x" * 1501, 3, None):
        assert free_text.problems(EXAMPLE, TEXT, bad) != []
    assert free_text.describe(EXAMPLE, TEXT, "<b>") == "“&lt;b&gt;”"


# Descriptions escape what residents wrote


@pytest.mark.parametrize(
    ("key", "value"),
    [("council_tax", "<script>"), ("priorities", ["<script>"]), ("savings", ["<script>"]),
     ("anything_else", "<script>")],
)
def test_descriptions_are_escaped(key: str, value: Any) -> None:
    q = EXAMPLE.question(key)
    text = kind(q.type).describe(EXAMPLE, q, value)
    assert "<script>" not in text and "&lt;script&gt;" in text
