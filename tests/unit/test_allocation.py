"""The rules of sharing 100p: button steps, typed entries, the final check, and their properties."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dialogues import allocation as rules
from dialogues.questions import Answered, Changed, Refused, by_name
from dialogues.schema import Service
from tests.unit.example import EXAMPLE, POUND, SERVICES, said

KEYS = [s.key for s in SERVICES]
LIB = SERVICES.index(next(s for s in SERVICES if s.name == "Libraries and culture"))
CAPPED = [Service(name="Roads", today=60, max=70), Service(name="Parks", today=40, min=5)]
question = by_name("allocation")


@contextlib.contextmanager
def refused(match: str) -> Iterator[list[str]]:
    """Expects an AllocationError whose message, in English, matches `match`; then holds that message."""
    message: list[str] = []
    with pytest.raises(rules.AllocationError) as info:
        yield message
    message.append(said(info.value.message))
    assert re.search(match, message[0]), message[0]


def full(**pence: int) -> dict[str, int]:
    a = rules.empty(SERVICES)
    a.update(pence)
    return a


# adjust


def test_adjust_moves_one_service_by_a_step() -> None:
    a = rules.adjust(SERVICES, rules.empty(SERVICES), LIB, 5)
    assert a["libraries_and_culture"] == 5 and sum(a.values()) == 5
    assert rules.adjust(SERVICES, a, LIB, -1)["libraries_and_culture"] == 4


def test_adjust_does_not_change_its_input() -> None:
    draft = rules.empty(SERVICES)
    rules.adjust(SERVICES, draft, 0, 5)
    assert draft == rules.empty(SERVICES)


def test_adjust_stops_at_zero() -> None:
    a = rules.adjust(SERVICES, full(libraries_and_culture=3), LIB, -5)
    assert a["libraries_and_culture"] == 0
    with refused("already at 0p"):
        rules.adjust(SERVICES, a, LIB, -1)


def test_adjust_stops_at_max() -> None:
    a = rules.adjust(CAPPED, {"roads": 68, "parks": 0}, 0, 5)
    assert a["roads"] == 70
    with refused("at most 70p"):
        rules.adjust(CAPPED, a, 0, 1)


def test_adjust_may_pass_100p_until_submit() -> None:
    # A budget simulator's board: the total may go over for a while, and the problems say by how much.
    a = rules.adjust(SERVICES, full(adult_social_care=97), LIB, 5)
    assert a["libraries_and_culture"] == 5 and rules.left(a) == -2
    assert "That is 2p more than 100p." in [said(m) for m in rules.problems(SERVICES, a)]
    b = rules.adjust(SERVICES, a, LIB, -1)
    assert rules.left(b) == -1 and rules.left(rules.adjust(SERVICES, b, LIB, -1)) == 0


@pytest.mark.parametrize("index", [-1, len(SERVICES), 99])
def test_adjust_refuses_a_service_that_is_not_there(index: int) -> None:
    with refused("not in this consultation"):
        rules.adjust(SERVICES, rules.empty(SERVICES), index, 1)


# parse_typed


@pytest.mark.parametrize(
    "text",
    [
        "Libraries 12",
        "libraries: 12p",
        "LIBRARIES = 12 pence",
        "Libraries and culture 12",
        "libraries_and_culture 12",
        "Libraries - 12",
        "  libraries:12  ",
    ],
)
def test_parse_typed_reads_one_service(text: str) -> None:
    assert rules.parse_typed(SERVICES, text) == {"libraries_and_culture": 12}


def test_parse_typed_reads_several_lines() -> None:
    text = "Libraries 12\nparks: 8p\n\nAdult social care 40"
    assert rules.parse_typed(SERVICES, text) == {
        "libraries_and_culture": 12,
        "parks_and_leisure": 8,
        "adult_social_care": 40,
    }
    assert rules.parse_typed(SERVICES, "housing 5; bins 6") == {"housing": 5, "bins_and_recycling": 6}


def test_parse_typed_suggests_the_closest_service() -> None:
    with refused("Did you mean Libraries and culture\\?"):
        rules.parse_typed(SERVICES, "Librarys 3")


def test_parse_typed_lists_the_services_for_a_name_far_from_any() -> None:
    with refused("Spaceport") as said_:
        rules.parse_typed(SERVICES, "Spaceport 3")
    [message] = said_
    assert "Spaceport" in message and "The services are:" in message and "Housing" in message


@pytest.mark.parametrize("text", ["Libraries 2.5", "Libraries 2,5", "Libraries 12.0p"])
def test_parse_typed_refuses_decimals(text: str) -> None:
    with refused("whole pence"):
        rules.parse_typed(SERVICES, text)


@pytest.mark.parametrize("text", ["Libraries -3", "Libraries: -3", "Libraries-3", "Libraries = -3p"])
def test_parse_typed_refuses_negatives(text: str) -> None:
    with refused("less than 0p"):
        rules.parse_typed(SERVICES, text)


@pytest.mark.parametrize("text", ["Roads 71", "Roads 1000", "Roads " + "9" * 5000])
def test_parse_typed_refuses_more_than_max(text: str) -> None:
    with refused("at most 70p"):
        rules.parse_typed(CAPPED, text)


@pytest.mark.parametrize("text", ["", "   ", "Libraries", "Libraries twelve", "\n".join(["Housing 1"] * 21)])
def test_parse_typed_refuses_what_it_cannot_read(text: str) -> None:
    with refused("Libraries 12"):
        rules.parse_typed(SERVICES, text)


def test_parse_typed_refuses_a_bare_number() -> None:
    with refused("The services are"):
        rules.parse_typed(SERVICES, "12")


def test_find_service_accepts_an_unambiguous_start_or_word() -> None:
    assert rules.find_service(SERVICES, "adult").key == "adult_social_care"
    assert rules.find_service(SERVICES, "culture").key == "libraries_and_culture"
    assert rules.find_service(SERVICES, "Children's services").key == "childrens_services"


# apply_typed


def test_apply_typed_sets_the_entries_over_the_draft() -> None:
    draft = full(adult_social_care=50, housing=10)
    new = rules.apply_typed(SERVICES, draft, {"housing": 20, "parks_and_leisure": 5})
    assert new == full(adult_social_care=50, housing=20, parks_and_leisure=5)


def test_apply_typed_may_pass_100_and_submit_says_by_how_much() -> None:
    draft = full(adult_social_care=90)
    over = rules.apply_typed(SERVICES, draft, {"housing": 15})
    assert rules.left(over) == -5
    assert "That is 5p more than 100p." in [said(m) for m in rules.problems(SERVICES, over)]
    assert rules.apply_typed(SERVICES, draft, {"housing": 10})["housing"] == 10


# problems


def test_problems_accept_today_and_an_exact_100() -> None:
    assert rules.problems(SERVICES, rules.today(SERVICES)) == []
    assert rules.problems(SERVICES, full(adult_social_care=95, childrens_services=5)) == []


def test_problems_explain_each_fault() -> None:
    def problems(a: dict[str, Any]) -> list[str]:
        return [said(m) for m in rules.problems(SERVICES, a)]

    assert problems(full(adult_social_care=50, childrens_services=10)) == ["You have 40p left to allocate."]
    assert "needs at least 10p" in " ".join(problems(full(adult_social_care=5, housing=95)))
    assert "unknown services: moon" in problems({**rules.today(SERVICES), "moon": 0})


# Property tests


@st.composite
def valid_allocations(draw: st.DrawFn, services: list[Service] = SERVICES) -> dict[str, int]:
    """Non-negative whole pence within each service's min..max, exactly 100 in all."""
    spare = 100 - sum(s.min for s in services)
    cuts = sorted(draw(st.lists(st.integers(0, spare), min_size=len(services) - 1, max_size=len(services) - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, spare], strict=True)]
    a = {s.key: s.min + extra for s, extra in zip(services, parts, strict=True)}
    assume(all(a[s.key] <= s.max for s in services))
    return a


@settings(max_examples=200, deadline=None)
@given(valid_allocations())
def test_valid_allocations_are_accepted(a: dict[str, int]) -> None:
    assert rules.problems(SERVICES, a) == []
    assert question.press(EXAMPLE, POUND, a, "s", ()) == Answered(a)
    assert question.decode(EXAMPLE, POUND, a) == a and question.start(EXAMPLE, POUND, a) == a


@st.composite
def invalid_allocations(draw: st.DrawFn) -> dict[str, Any]:
    a: dict[str, Any] = dict(draw(valid_allocations()))
    fault = draw(st.sampled_from(["total", "negative", "over_max", "under_min", "unknown", "non_int"]))
    key = draw(st.sampled_from(KEYS))
    if fault == "total":
        a[key] += draw(st.integers(-a[key], 50).filter(lambda d: d != 0))
    elif fault == "negative":
        a[key] = draw(st.integers(-1000, -1))
    elif fault == "over_max":
        a[key] = draw(st.integers(101, 10**9))
    elif fault == "under_min":
        a["adult_social_care"] = draw(st.integers(0, 9))
    elif fault == "unknown":
        a[draw(st.text(min_size=1, max_size=10).filter(lambda k: k not in KEYS))] = draw(st.integers(0, 100))
    else:
        a[key] = draw(st.sampled_from([str(a[key]), float(a[key]), None, True, [a[key]]]) | st.floats() | st.text())
    return a


@settings(max_examples=200, deadline=None)
@given(invalid_allocations())
def test_an_invalid_allocation_is_never_accepted(a: dict[str, Any]) -> None:
    assert rules.problems(SERVICES, a) != []
    # A stored allocation decodes whatever its faults (the tally counts it as the clamped whole pence it means),
    # but it is never the draft a resident starts from, and Submit refuses it.
    assert question.start(EXAMPLE, POUND, a) == rules.empty(SERVICES)
    result = question.press(EXAMPLE, POUND, a, "s", ())
    assert isinstance(result, Refused) and said(result.message)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-2, len(SERVICES) + 1), st.sampled_from([1, 5]), st.booleans()), max_size=80))
def test_button_presses_never_break_the_rules(presses: list[tuple[int, int, bool]]) -> None:
    draft = rules.empty(SERVICES)
    for index, step, up in presses:
        result = question.press(EXAMPLE, POUND, draft, "d", (index, step if up else -step))
        assert isinstance(result, Changed | Refused)
        if isinstance(result, Changed):
            draft = result.draft
        assert set(draft) == set(KEYS)
        assert all(0 <= draft[s.key] <= s.max for s in SERVICES)
        assert sum(draft.values()) <= 100


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.sampled_from([1, 5, 25]), st.booleans()), max_size=60))
def test_button_presses_respect_a_services_max(presses: list[tuple[int, int, bool]]) -> None:
    a = rules.empty(CAPPED)
    for index, step, up in presses:
        with contextlib.suppress(rules.AllocationError):
            a = rules.adjust(CAPPED, a, index, step if up else -step)
        assert 0 <= a["roads"] <= 70 and 0 <= a["parks"] <= 100  # the total may pass 100p until Submit


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_typed_text_never_crashes_and_keeps_each_service_within_its_limits(text: str) -> None:
    result = question.typed(EXAMPLE, POUND, full(adult_social_care=60), text)
    assert isinstance(result, Changed | Refused)
    if isinstance(result, Changed):
        assert all(0 <= result.draft[s.key] <= s.max for s in SERVICES)
    else:
        assert said(result.message)
