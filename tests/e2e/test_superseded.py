"""Buttons that cannot work are not shown: a message replaced by a newer one loses its keyboard, and a press after
/erase says what happened instead of claiming the round has closed."""

from __future__ import annotations

from tests.e2e.people import Person
from tests.harness import Harness


async def test_coming_back_takes_the_old_boards_buttons_away(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    await moot.open()
    cat = Person(api, 4201, "Cat")
    await cat.says("/start council-pound", expect="How your answers are used and kept")
    await cat.taps("I agree, start", expect="Next, you share")
    old = await cat.taps("Next: share", expect="Left to allocate: 100p")
    assert old.buttons
    await cat.says("/start", expect="Left to allocate: 100p")
    await api.wait_for(lambda: not old.buttons)
    fresh = cat.chat.find("Left to allocate: 100p")
    assert fresh is not None and fresh.message_id != old.message_id and fresh.buttons
    await cat.taps("+1", expect="Left to allocate: 99p")


async def test_a_press_after_erasing_says_the_answers_were_deleted(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    await moot.open()
    dev = Person(api, 4202, "Dev")
    await dev.says("/start council-pound", expect="How your answers are used and kept")
    await dev.taps("I agree, start", expect="Next, you share")
    board = await dev.taps("Next: share", expect="Left to allocate: 100p")
    plus = next(b.callback_data for row in board.buttons for b in row if b.text == "+1")
    await dev.says("/erase", expect="Are you sure?")
    await dev.taps("Yes, delete everything", expect="has been deleted")
    said = await dev.presses_raw(board.message_id, plus)
    assert "deleted when you used /erase" in said and "closed" not in said
