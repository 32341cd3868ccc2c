"""Each question type on its own: screens, presses, typed answers, decoding and descriptions."""

from __future__ import annotations

from typing import Any

import pytest

from dialogues.questions import Answered, Changed, QuestionType, Refused, by_name, of
from dialogues.questions.base import head, parse_int
from dialogues.schema import QuestionBase
from dialogues.screens import Action, Screen
from tests.unit.example import CHOICE, EXAMPLE, MULTIPLE, RANKING, RATING, TEXT, described, html, said

rating = by_name("rating")
choice = by_name("single_choice")
multiple = by_name("multiple_choice")
ranking = by_name("ranking")
free_text = by_name("free_text")


def actions(screen: Screen) -> list[Action]:
    return [b.action for row in screen.buttons for b in row if b.action is not None]


def top(q: QuestionBase, number: int) -> Any:
    """The head of question `number`'s screen in the example."""
    return head(number, len(EXAMPLE.questions), q)


def refusal(result: Any) -> str:
    assert isinstance(result, Refused), result
    return said(result.message)


@pytest.mark.parametrize(
    ("text", "value"),
    [("4", 4), (" 4. ", 4), ("-2", -2), ("٣", 3), ("four", None), ("²", None), ("--5", None), ("4.5", None),
     ("", None), ("123456", None), ("1" * 5000, None)],
)
def test_parse_int(text: str, value: int | None) -> None:
    assert parse_int(text) == value


def test_every_question_type_is_registered() -> None:
    for q in EXAMPLE.questions:
        t = of(q)
        assert isinstance(t, QuestionType) and isinstance(q, t.schema) and by_name(t.name) is t
        for name in ("screen", "press", "typed", "describe", "decode", "start"):
            assert callable(getattr(t, name))


# Rating


def test_rating_screen_has_one_button_per_value() -> None:
    s = rating.screen(EXAMPLE, RATING, top(RATING, 2), None)
    assert actions(s) == [Action("rt.v", (v,)) for v in range(1, 6)]
    assert "Question 2 of 6" in html(s) and "1 = Very dissatisfied" in html(s)


def test_rating_reads_a_button_and_a_typed_number() -> None:
    assert rating.press(EXAMPLE, RATING, None, "v", (5,)) == Answered(5)
    assert rating.typed(EXAMPLE, RATING, None, "4") == Answered(4)


@pytest.mark.parametrize("text", ["four", "4/5", "", "²", "4.5"])
def test_rating_explains_text_that_is_not_a_number(text: str) -> None:
    assert "whole number from 1 to 5" in refusal(rating.typed(EXAMPLE, RATING, None, text))


@pytest.mark.parametrize("value", [0, 6, -1, 99999])
def test_rating_refuses_values_off_the_scale(value: int) -> None:
    assert isinstance(rating.typed(EXAMPLE, RATING, None, str(value)), Refused)
    assert isinstance(rating.press(EXAMPLE, RATING, None, "v", (value,)), Refused)


def test_rating_decoding_and_description() -> None:
    assert rating.decode(EXAMPLE, RATING, 3) == 3
    for bad in (0, 6, "3", 3.0, True, None):
        assert rating.decode(EXAMPLE, RATING, bad) is None, bad
    assert described(rating.describe(EXAMPLE, RATING, 5)) == "5 out of 5 (Very satisfied)"


# Single choice


def test_choice_by_button_number_label_or_start() -> None:
    assert choice.press(EXAMPLE, CHOICE, None, "o", (1,)) == Answered("up_to_3")
    assert choice.typed(EXAMPLE, CHOICE, None, "2") == Answered("up_to_3")
    assert choice.typed(EXAMPLE, CHOICE, None, "no rise") == Answered("no_rise")
    assert choice.typed(EXAMPLE, CHOICE, None, "don") == Answered("dont_know")


@pytest.mark.parametrize("text", ["0", "5", "up to", "maybe"])
def test_choice_refuses_what_matches_no_single_option(text: str) -> None:
    assert "1. No rise" in refusal(choice.typed(EXAMPLE, CHOICE, None, text))


def test_choice_refuses_foreign_buttons() -> None:
    for verb, args in (("o", (4,)), ("o", (-1,)), ("o", ()), ("v", (1,))):
        assert isinstance(choice.press(EXAMPLE, CHOICE, None, verb, args), Refused)


# Multiple choice


def test_multiple_ticks_untick_and_done() -> None:
    draft: list[int] = multiple.start(EXAMPLE, MULTIPLE, None)
    for i in (2, 0, 2, 1):
        result = multiple.press(EXAMPLE, MULTIPLE, draft, "t", (i,))
        assert isinstance(result, Changed)
        draft = result.draft
    assert draft == [0, 1]
    label = multiple.screen(EXAMPLE, MULTIPLE, top(MULTIPLE, 4), draft).buttons[0][0].label
    assert "✅ Cleaner streets" in said(label)
    done = multiple.press(EXAMPLE, MULTIPLE, draft, "d", ())
    assert done == Answered(["cleaner_streets", "safer_neighbourhoods"])


def test_multiple_enforces_max_choices() -> None:
    assert "up to 3" in refusal(multiple.press(EXAMPLE, MULTIPLE, [0, 1, 2], "t", (3,)))
    assert isinstance(multiple.typed(EXAMPLE, MULTIPLE, [], "1, 2, 3, 4"), Refused)
    four = ["cleaner_streets", "jobs_and_skills", "affordable_housing", "tackling_climate_change"]
    assert multiple.decode(EXAMPLE, MULTIPLE, four) is None


def test_multiple_needs_a_tick_when_required() -> None:
    assert "at least one" in refusal(multiple.press(EXAMPLE, MULTIPLE, [], "d", ()))


@pytest.mark.parametrize("text", ["1, 3", "1 3", "1 and 3", "cleaner streets; support for older people", "3, 1, 1"])
def test_multiple_reads_typed_choices_as_ticks_and_waits_for_done(text: str) -> None:
    result = multiple.typed(EXAMPLE, MULTIPLE, [], text)
    assert isinstance(result, Changed)
    assert [MULTIPLE.options[i].key for i in result.draft] == ["cleaner_streets", "support_for_older_people"]
    assert multiple.press(EXAMPLE, MULTIPLE, result.draft, "d", ()) == Answered(
        ["cleaner_streets", "support_for_older_people"]
    )


def test_multiple_decoding_and_start() -> None:
    assert multiple.decode(EXAMPLE, MULTIPLE, ["jobs_and_skills"]) == ["jobs_and_skills"]
    for bad in (["jobs_and_skills", "jobs_and_skills"], ["moon"], "jobs_and_skills", None):
        assert multiple.decode(EXAMPLE, MULTIPLE, bad) is None, bad
    assert multiple.start(EXAMPLE, MULTIPLE, ["jobs_and_skills", "moon"]) == [4]


# Ranking


def test_ranking_places_in_turn_fills_the_last_and_undoes() -> None:
    draft: list[int] = ranking.start(EXAMPLE, RANKING, None)
    for i in (3, 0, 2):
        result = ranking.press(EXAMPLE, RANKING, draft, "p", (i,))
        assert isinstance(result, Changed)
        draft = result.draft
    assert draft == [3, 0, 2, 1]  # the last place is filled in
    screen = ranking.screen(EXAMPLE, RANKING, top(RANKING, 5), draft)
    assert actions(screen) == [Action("rk.c"), Action("rk.u"), Action("rk.r")]
    undone = ranking.press(EXAMPLE, RANKING, draft, "u", ())
    assert isinstance(undone, Changed) and undone.draft == [3, 0]  # both automatic and chosen go
    result = ranking.press(EXAMPLE, RANKING, draft, "c", ())
    keys = [o.key for o in RANKING.options]
    assert result == Answered([keys[3], keys[0], keys[2], keys[1]])
    assert keys[0] == "share_buildings_with_other_publi"  # keys are cut to 32 characters


def test_ranking_refuses_placing_twice_or_confirming_early() -> None:
    assert isinstance(ranking.press(EXAMPLE, RANKING, [1], "p", (1,)), Refused)
    assert isinstance(ranking.press(EXAMPLE, RANKING, [1], "c", ()), Refused)
    assert ranking.press(EXAMPLE, RANKING, [1], "r", ()) == Changed([])


@pytest.mark.parametrize("text", ["4 1 3 2", "4, 1, 3, 2", "4>1>3>2"])
def test_ranking_reads_a_typed_order(text: str) -> None:
    result = ranking.typed(EXAMPLE, RANKING, [], text)
    assert isinstance(result, Answered) and result.value[0] == "move_more_services_online"


@pytest.mark.parametrize("text", ["4 1 3", "4 1 3 3", "4 1 3 9", "banana"])
def test_ranking_refuses_an_incomplete_order(text: str) -> None:
    assert isinstance(ranking.typed(EXAMPLE, RANKING, [], text), Refused)


def test_ranking_decoding() -> None:
    keys = [o.key for o in RANKING.options]
    assert ranking.decode(EXAMPLE, RANKING, keys[::-1]) == keys[::-1]
    for bad in (keys[:3], [*keys, keys[0]], [keys[0]] * 4, None):
        assert ranking.decode(EXAMPLE, RANKING, bad) is None, bad


# Free text


def test_free_text_is_cleaned_and_limited() -> None:
    assert free_text.typed(EXAMPLE, TEXT, None, "  More\x00 buses\n please\x1b ") == Answered("More buses\n please")
    too_long = refusal(free_text.typed(EXAMPLE, TEXT, None, "x" * 1501))
    assert "1,501" in too_long and "1,500" in too_long
    assert isinstance(free_text.typed(EXAMPLE, TEXT, None, " \x00 "), Refused)
    assert isinstance(free_text.press(EXAMPLE, TEXT, None, "sk", ()), Refused)


def test_free_text_decoding_and_description() -> None:
    assert free_text.decode(EXAMPLE, TEXT, "ok") == "ok"
    for bad in ("", "  ", 3, None):
        assert free_text.decode(EXAMPLE, TEXT, bad) is None, bad
    over = "x" * (TEXT.max_length + 1)
    assert free_text.decode(EXAMPLE, TEXT, over) is None, "an answer longer than max_length decodes as valid"
    assert described(free_text.describe(EXAMPLE, TEXT, "<b>"), markup=True) == "“&lt;b&gt;”"


# Descriptions escape what residents wrote


@pytest.mark.parametrize(
    ("key", "value"),
    [("council_tax", "<script>"), ("priorities", ["<script>"]), ("savings", ["<script>"]),
     ("anything_else", "<script>")],
)
def test_descriptions_are_escaped(key: str, value: Any) -> None:
    q = EXAMPLE.question(key)
    text = described(of(q).describe(EXAMPLE, q, value), markup=True)
    assert "<script>" not in text and "&lt;script&gt;" in text
