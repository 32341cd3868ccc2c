"""An old round's board stays dead: a press on round 1's message never changes round 2's answers."""

from __future__ import annotations

from tests.e2e.people import Person
from tests.harness import Harness


async def test_a_press_on_round_ones_board_does_not_act_on_round_two(moot: Harness) -> None:
    api = moot.api
    await moot.load()
    await moot.open(number=1)
    amina = Person(api, 4101, "Amina")
    await amina.says("/start council-pound", expect="How your answers are used and kept")
    await amina.taps("I agree, start", expect="Next, you share")
    old_board = await amina.taps("Next: share", expect="Left to allocate: 100p")
    plus = next(b.callback_data for row in old_board.buttons for b in row if b.text == "+1")
    await moot.close(number=1)
    await moot.open(number=2)
    await amina.says("/start council-pound", expect="Next, you share")
    await amina.taps("Next: share", expect="Left to allocate: 100p")
    before = await moot.answers_of(4101)

    said = await amina.presses_raw(old_board.message_id, plus)
    assert "expired" in said or "closed" in said
    assert await moot.answers_of(4101) == before
    # round 2's own board still works, and still reads 100p left
    assert "Left to allocate: 100p" in amina.chat.texts()[-1]
    await amina.taps("+1", expect="Left to allocate: 99p")


async def test_a_duplicate_press_redraws_the_board_as_saved(moot: Harness) -> None:
    """A worker died after committing a press but before editing the board: Telegram delivers the press again,
    it is not applied twice, and the board is drawn as the database has it instead of showing a stale figure."""
    api = moot.api
    await moot.load()
    await moot.open()
    ben = Person(api, 4102, "Ben")
    await ben.says("/start council-pound", expect="How your answers are used and kept")
    await ben.taps("I agree, start", expect="Next, you share")
    board = await ben.taps("Next: share", expect="Left to allocate: 100p")
    stale = board.text
    update = api.press_button(ben.id, "+1", message_id=board.message_id)
    await api.wait_for(lambda: "Left to allocate: 99p" in (board.text or ""))
    board.text = stale  # the edit that never arrived
    api.send_update(update)  # Telegram's retry: the same update id
    await api.wait_for(lambda: "Left to allocate: 99p" in (board.text or ""))
    await ben.taps("+1", expect="Left to allocate: 98p")  # applied once: 98p, not 97p
