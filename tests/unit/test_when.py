"""Times a facilitator types: a bare time is the next one, a time the clocks skip is refused, no Python leaks."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.content import Render
from bot.i18n import translations
from dialogues.when import WhenError, parse_plan, parse_when

LONDON = ZoneInfo("Europe/London")
SAID = Render(translations("en"), html=False)


def refusal(text: str, now: datetime) -> str:
    with pytest.raises(WhenError) as e:
        parse_when(text, now, LONDON)
    return SAID.text(e.value.message)


def test_a_bare_time_is_the_next_time_the_clock_shows_it() -> None:
    evening = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert parse_when("00:54", evening, LONDON) == datetime(2026, 12, 3, 0, 54, tzinfo=LONDON)
    assert parse_when("23:45", evening, LONDON) == datetime(2026, 12, 2, 23, 45, tzinfo=LONDON)
    assert parse_when("at 9.15", evening, LONDON) == datetime(2026, 12, 3, 9, 15, tzinfo=LONDON)


def test_a_time_the_clocks_skip_is_refused_not_moved() -> None:
    said = refusal("29 Mar 2026 01:30", datetime(2026, 3, 1, tzinfo=UTC))
    assert "01:30 does not happen on 29 Mar 2026" in said and "clocks go forward" in said
    # the hour repeated in autumn exists (the first of the two is taken)
    assert parse_when("25 Oct 2026 01:30", datetime(2026, 10, 1, tzinfo=UTC), LONDON).hour == 1


def test_an_impossible_date_is_refused_in_plain_words() -> None:
    said = refusal("31 Feb 2027 10:00", datetime(2026, 12, 1, tzinfo=UTC))
    assert said.startswith("There is no such date or time.") and "out of range" not in said and ".." not in said


def test_a_plan_needs_one_close() -> None:
    with pytest.raises(WhenError) as e:
        parse_plan("open 1 Dec 09:00", datetime(2026, 11, 1, tzinfo=UTC), LONDON)
    assert SAID.text(e.value.message) == "Give one close time (and at most one open time)."
