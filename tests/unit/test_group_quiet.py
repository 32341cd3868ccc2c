"""GroupQuiet: once an hour per person, a few a minute per group, and time lets both go again."""

from __future__ import annotations

from bot.group_quiet import GroupQuiet


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_person_is_answered_once_an_hour() -> None:
    clock = Clock()
    quiet = GroupQuiet(clock=clock)
    assert quiet.may_answer(-1, 5)
    assert not any(quiet.may_answer(-1, 5) for _ in range(20))
    assert quiet.may_answer(-2, 5), "another group is another count"
    clock.now += 3599
    assert not quiet.may_answer(-1, 5)
    clock.now += 2
    assert quiet.may_answer(-1, 5)


def test_a_group_hears_at_most_a_few_answers_a_minute() -> None:
    clock = Clock()
    quiet = GroupQuiet(per_group=3, clock=clock)
    answered = [quiet.may_answer(-1, person) for person in range(10)]
    assert answered == [True] * 3 + [False] * 7
    clock.now += 61
    assert quiet.may_answer(-1, 99) and not quiet.may_answer(-1, 0), "person 0 had their answer this hour"
