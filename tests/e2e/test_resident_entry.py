"""How a resident comes in and comes back: links typed any way, a link to nothing, text before agreeing, a second
tap on the consent buttons, /start after a break, and the command menu Telegram shows them (and staff)."""

from __future__ import annotations

import pytest

from tests.e2e.people import Person
from tests.harness import ADMIN, FACILITATOR, OFFICER, Harness

RESIDENT_MENU = ["start", "mydata", "erase", "language", "help"]


@pytest.fixture
async def pound(moot: Harness) -> Harness:
    await moot.load()
    await moot.open()
    return moot


async def test_a_code_typed_in_capitals_finds_the_consultation(pound: Harness) -> None:
    ann = Person(pound.api, 3001, "Ann")
    await ann.says("/start COUNCIL-POUND", expect="How your answers are used and kept")
    await ann.says("/start Council-Pound", expect="How your answers are used and kept")


async def test_a_link_to_nothing_says_so_and_offers_what_is_open(pound: Harness) -> None:
    bob = Person(pound.api, 3002, "Bob")
    reply = await bob.says("/start nonsense", expect="can't find a consultation called “nonsense”")
    assert "Open now" in reply.text
    assert reply.button_labels() == ["The Council Pound"]
    await bob.taps("The Council Pound", expect="How your answers are used and kept")


async def test_a_link_to_nothing_when_nothing_is_open(moot: Harness) -> None:
    cy = Person(moot.api, 3003, "Cy")
    reply = await cy.says("/start nonsense", expect="can't find a consultation called “nonsense”")
    assert "no consultation open at the moment" in reply.text and not reply.buttons


async def test_text_before_agreeing_points_to_the_consent_buttons(pound: Harness) -> None:
    dot = Person(pound.api, 3004, "Dot")
    await dot.says("/start council-pound", expect="Do you agree")
    reply = await dot.says("hello?", expect="tap one of the buttons under the introduction")
    assert "I agree, start" in reply.text and "No thanks" in reply.text
    assert not dot.sees("Send /start to take part")
    await dot.taps("I agree, start", expect="Next, you share")


async def test_the_consent_buttons_expire_once_agreed(pound: Harness) -> None:
    eli = Person(pound.api, 3005, "Eli")
    first = await eli.says("/start council-pound", expect="Do you agree")
    again = await eli.says("/start council-pound", expect="Do you agree")  # a second copy of the intro
    assert again.message_id != first.message_id
    agree, no_thanks = first.buttons[0][0].callback_data, first.buttons[2][0].callback_data
    quiet_again = again.buttons[1][0].callback_data
    await eli.taps("I agree, start", expect="Next, you share")  # the newest intro
    await eli.taps("Next: share", expect="Left to allocate: 100p")
    shown = [(m.message_id, len(m.history)) for m in eli.chat.messages]
    state_before = await pound.answers_of(eli.id)

    assert "already agreed" in await eli.presses_raw(first.message_id, agree)
    assert "/erase" in await eli.presses_raw(first.message_id, no_thanks)
    assert "already agreed" in await eli.presses_raw(again.message_id, quiet_again)  # the intro agreed on

    assert [(m.message_id, len(m.history)) for m in eli.chat.messages] == shown, "nothing sent again or changed"
    assert sum(m.kind == "photo" for m in eli.chat.messages) == 1, "the chart was sent once"
    assert await pound.answers_of(eli.id) == state_before
    await eli.taps("+5", expect="Left to allocate: 95p")  # the journey is where it was


async def test_start_after_a_break_says_where_they_are(pound: Harness) -> None:
    fin = Person(pound.api, 3006, "Fin")
    await fin.says("/start council-pound", expect="Do you agree")
    await fin.taps("I agree, start", expect="Next, you share")
    await fin.taps("Next: share", expect="Left to allocate: 100p")
    await fin.taps("Start from today", expect="All 100p shared")
    await fin.taps("Submit", expect="Why did you share")
    await fin.says("It is fair", expect="Question 2 of 6")
    await fin.taps("4", expect="Question 3 of 6")
    await pound.restart()
    count = len(fin.chat.messages)
    await fin.says("/start", expect="Question 3 of 6")
    fresh = [m.text or "" for m in fin.chat.messages[count:]]
    assert fresh[0] == "Welcome back: question 3 of 6."
    assert "Question 3 of 6" in fresh[-1]
    await fin.taps("Up to 3%", expect="Question 4 of 6")


async def test_menus_residents_everywhere_staff_in_their_own_chats(moot: Harness) -> None:
    api = moot.api
    for user_id in (ADMIN, FACILITATOR, OFFICER):  # staff who have a chat with the bot
        await Person(api, user_id).says("/help", expect="/mydata")
    await moot.restart()  # menus are set at start

    assert [c["command"] for c in api.my_commands({"type": "all_private_chats"})] == RESIDENT_MENU
    assert all(c["description"] for c in api.my_commands({"type": "all_private_chats"}))
    welsh = {c["command"]: c["description"] for c in api.my_commands({"type": "all_private_chats"}, "cy")}
    assert list(welsh) == RESIDENT_MENU and welsh["language"] == "Dewis eich iaith"  # for apps set to Welsh
    assert api.menu_seen(3010) == RESIDENT_MENU
    facilitator = api.menu_seen(FACILITATOR)
    assert facilitator[:5] == RESIDENT_MENU and {"open", "close", "schedule", "export"} <= set(facilitator)
    assert "grant" not in facilitator
    officer = api.menu_seen(OFFICER)
    assert officer == [*RESIDENT_MENU, "consultations", "export"]
    assert {"grant", "revoke", "open"} <= set(api.menu_seen(ADMIN))

    # a role granted in the chat changes that person's menu at once; revoked, it is gone again
    admin, gil = Person(api, ADMIN, "Admin"), Person(api, 3011, "Gil")
    assert api.menu_seen(gil.id) == RESIDENT_MENU
    await admin.says(f"/grant officer {gil.id}", expect="now has the officer role")
    assert api.menu_seen(gil.id) == [*RESIDENT_MENU, "consultations", "export"]
    await admin.says(f"/revoke officer {gil.id}", expect="no longer has the officer role")
    assert api.menu_seen(gil.id) == RESIDENT_MENU


async def test_no_thanks_after_answering_keeps_everything_and_points_to_erase(pound: Harness) -> None:
    """Issue 19 #3: "No thanks" (or "I agree") on an old intro, after agreeing and sending answers, says they agreed
    already and how to erase; it deletes nothing, rejoins nothing and leaves every message as it was."""
    from tests.e2e.test_facilitator import finish_everything

    gus = Person(pound.api, 3012, "Gus")
    old = await gus.says("/start council-pound", expect="Do you agree")
    agree, no_thanks = old.buttons[0][0].callback_data, old.buttons[2][0].callback_data
    await finish_everything(gus, "Parks matter to me.")  # agrees on a newer intro and sends every answer
    shown = [(m.message_id, len(m.history)) for m in gus.chat.messages]
    answers = await pound.answers_of(gus.id)
    assert answers

    said = await gus.presses_raw(old.message_id, no_thanks)
    assert "already agreed" in said and "/erase" in said, said
    assert gus.chat.callback_answers[-1].get("show_alert") in (True, "true")
    assert "already agreed" in await gus.presses_raw(old.message_id, agree)

    assert not gus.sees("nothing about you has been stored")
    assert [(m.message_id, len(m.history)) for m in gus.chat.messages] == shown, "nothing sent again or changed"
    assert await pound.answers_of(gus.id) == answers
    async with pound.deps.uow() as uow:
        resident = await uow.residents.find(gus.id)
        assert resident is not None and await uow.residents.consent(resident.id, 1) is not None
        part = await uow.residents.current_of(gus.id)
        assert part is not None and part.finished_at is not None
