"""A resident completes the Council Pound on their phone, through the real framework and the Bot API stand-in."""

from __future__ import annotations

import pytest

from tests.e2e.people import Person
from tests.harness import FACILITATOR, Harness


@pytest.fixture
async def pound(moot: Harness) -> Harness:
    await moot.load()
    await moot.open()
    return moot


async def agree(p: Person) -> None:
    await p.says("/start council-pound", expect="How your answers are used and kept")
    await p.taps("I agree, start", expect="Next, you share")


async def share_today_split(p: Person) -> None:
    await p.taps("Next: share", expect="Left to allocate: 100p")
    await p.taps("Start from today", expect="All 100p shared")
    await p.taps("Submit", expect="Why did you share")


async def test_a_resident_completes_the_council_pound(pound: Harness) -> None:
    api = pound.api
    amina = Person(api, 1001, "Amina")

    # 1. the deep link shows who runs it, what it is for, how long, and the privacy notice
    intro = await amina.says("/start council-pound", expect="How your answers are used and kept")
    assert "Newcastle City Council" in intro.text and "about 8 minutes" in intro.text
    assert await pound.answers_of(1001) == {}

    # 2. agreeing shows today's split as a chart image and in words
    await amina.taps("I agree, start", expect="Next, you share")
    photos = [m for m in amina.chat.messages if m.kind == "photo"]
    assert photos and photos[0].photo[:8] == b"\x89PNG\r\n\x1a\n"
    assert amina.sees("34p Adult social care")

    # 3. sharing 100p happens in ONE message edited in place
    board = await amina.taps("Next: share", expect="Left to allocate: 100p")
    count = len(amina.chat.messages)
    await amina.taps("+5", expect="Left to allocate: 95p")
    await amina.taps("+5", expect="Left to allocate: 90p")
    assert len(amina.chat.messages) == count, "the allocation message is edited, not re-sent"
    assert board.history, "the board was edited in place"
    await amina.taps("Submit", toast="90p left to allocate")
    await amina.taps("Reset", expect="Left to allocate: 100p")
    await amina.taps("Start from today", expect="All 100p shared")
    # revise by typing a whole list
    await amina.says("Libraries 5\nRunning the council 8", expect="Set Libraries and culture 5p")
    await amina.taps("Submit", expect="Why did you share")
    assert (await pound.answers_of(1001))["pound"]["libraries_and_culture"] == 5

    # 4. the "why?" comment, then every other question type
    await amina.says("Care for older people matters most to me.", expect="Question 2 of 6")
    await amina.says("four", expect="whole number from 1 to 5")
    await amina.taps("4", expect="Question 3 of 6")
    await amina.taps("Up to 3%", expect="Question 4 of 6")
    await amina.taps("Cleaner streets", expect="Ticked: 1")
    await amina.taps("Affordable housing", expect="Ticked: 2")
    await amina.taps("Jobs and skills", expect="Ticked: 3")
    await amina.taps("Safer neighbourhoods", toast="up to 3")
    await amina.taps("Done", expect="Question 5 of 6")
    await amina.taps("Move more services online", expect="Your order so far")
    await amina.taps("Share buildings", expect="2. Share buildings")
    await amina.taps("Undo", expect="Tap the option you put next")
    await amina.says("4 1 3 2", expect="Question 6 of 6")
    await amina.taps("Skip", expect="Your answers")

    answers = await pound.answers_of(1001)
    assert answers["pound.why"] == "Care for older people matters most to me."
    assert answers["satisfaction"] == 4 and answers["council_tax"] == "up_to_3"
    assert answers["priorities"] == ["cleaner_streets", "affordable_housing", "jobs_and_skills"]
    assert answers["savings"][0] == "move_more_services_online"
    assert "anything_else" not in answers

    # 5. summary, change an answer, thank-you with what happens next
    await amina.taps("Change 2", expect="Question 2 of 6")
    await amina.taps("5", expect="Your answers")
    assert (await pound.answers_of(1001))["satisfaction"] == 5
    await amina.taps("send my answers", expect="Thank you")
    assert amina.sees("What happens next")


async def test_declining_stores_nothing(pound: Harness) -> None:
    ben = Person(pound.api, 1002, "Ben")
    await ben.says("/start council-pound", expect="Do you agree")
    await ben.taps("No thanks", expect="nothing about you has been stored")
    async with pound.deps.uow() as uow:
        assert await uow.residents.find(1002) is None
    await ben.says("/mydata", expect="We hold nothing about you")


async def test_start_without_a_link_offers_the_open_consultation(pound: Harness) -> None:
    cat = Person(pound.api, 1003)
    await cat.says("/start", expect="How your answers are used and kept")


async def test_a_resident_resumes_after_a_restart(pound: Harness) -> None:
    dev = Person(pound.api, 1004, "Dev")
    await agree(dev)
    await share_today_split(dev)
    await dev.says("Because it is fair", expect="Question 2 of 6")
    await pound.restart()
    await dev.says("/start", expect="Question 2 of 6")
    await dev.taps("3", expect="Question 3 of 6")
    assert (await pound.answers_of(1004))["satisfaction"] == 3


async def test_mydata_and_erase(pound: Harness) -> None:
    eve = Person(pound.api, 1005, "Eve")
    await agree(eve)
    await share_today_split(eve)
    await eve.says("/mydata", expect="Everything we hold about you")
    assert eve.sees("Libraries and culture: 5p") or eve.sees("Libraries and culture")
    await eve.says("/erase", expect="Are you sure")
    await eve.taps("Yes, delete everything", expect="has been deleted")
    async with pound.deps.uow() as uow:
        assert await uow.residents.find(1005) is None
    await eve.says("/mydata", expect="We hold nothing about you")


def shown(p: Person, message_id: int) -> str:
    """What one message of the bot's shows now (edits included)."""
    return next(m.text or "" for m in p.chat.messages if m.message_id == message_id)


async def test_bad_input_gets_a_clear_answer_and_changes_nothing(pound: Harness) -> None:
    fay = Person(pound.api, 1006, "Fay")
    await agree(fay)
    board = await fay.taps("Next: share", expect="Left to allocate: 100p")
    await fay.says("Librarys 10", expect="Did you mean Libraries and culture?")
    await fay.says("Libraries 150", expect="at most")
    await fay.says("Libraries -3", expect="less than 0p")
    # over 100p is allowed on the board for a while; it says by how much, and Submit waits
    await fay.says("Adult social care 60\nChildren's services 50", expect="Set Adult social care 60p")
    assert "10p over" in shown(fay, board.message_id)
    await fay.says("🙂🙂🙂", expect="couldn't read")
    await fay.says("x" * 5000, expect="couldn't read")
    # a forged button and garbage
    assert "expired" in await fay.presses_raw(board.message_id, "ad:0.5:2:AAAAAAAAAAA")
    assert "expired" in await fay.presses_raw(board.message_id, "garbage")
    # typed lines change the one board in place: its buttons stay live, and no second board is sent
    await fay.says("Adult social care 0\nChildren's services 0\nLibraries 10", expect="Set Adult social care 0p")
    assert "Left to allocate: 90p" in shown(fay, board.message_id)
    await fay.taps("+1", expect="Left to allocate: 89p")
    assert sum("Left to allocate" in (m.text or "") for m in fay.chat.messages) == 1
    assert (await pound.answers_of(1006)) == {}


async def test_a_stranger_cannot_press_another_residents_buttons(pound: Harness) -> None:
    gus = Person(pound.api, 1007, "Gus")
    await agree(gus)
    board = await gus.taps("Next: share", expect="Left to allocate: 100p")
    data = board.buttons[0][-1].callback_data
    mallory = Person(pound.api, 1008, "Mallory")
    pound.api.press(mallory.id, board.message_id, data, chat_id=gus.id)
    await pound.api.wait_for(lambda: pound.api.stats["answerCallbackQuery"] >= 1)
    await gus.taps("+1", expect="Left to allocate: 99p")
    assert "Left to allocate: 99p" in gus.chat.find("Left to allocate").text


async def test_a_duplicate_update_is_handled_once(pound: Harness) -> None:
    hal = Person(pound.api, 1009, "Hal")
    await agree(hal)
    await hal.taps("Next: share", expect="Left to allocate: 100p")
    update = pound.api.press_button(hal.id, "+5")
    await pound.api.wait_for(lambda: any("95p" in (m.text or "") for m in hal.chat.messages))
    pound.api.send_update(update)
    await hal.taps("+1", expect="Left to allocate: 94p")


async def test_group_messages_point_to_a_private_chat(pound: Harness) -> None:
    api = pound.api
    ivy = Person(api, 1010, "Ivy")
    api.add_group(-100500, "Heaton residents", admins=[FACILITATOR], members=[1010, 1011])
    api.add_bot_to_group(-100500, by_user=FACILITATOR)
    api.send_text(ivy.id, "/start", chat_id=-100500)
    msg = await api.wait_for_message(-100500, contains="Tap below to start")
    assert msg.buttons[0][0].url
    api.send_text(ivy.id, "Libraries 12", chat_id=-100500)  # ordinary chatter: the bot keeps out of it
    api.send_text(ivy.id, "/start", chat_id=-100500)  # Ivy was answered already: not again this hour
    api.send_text(Person(api, 1011, "Jo").id, "/start", chat_id=-100500)
    await api.wait_for(lambda: sum("Tap below" in (m.text or "") for m in api.chat(-100500).messages) == 2)
    bot_texts = [m.text or "" for m in api.all_sent() if m.chat_id == -100500]
    assert len(bot_texts) == 3, bot_texts  # the greeting when added, and one answer to each person's /start
