"""Two ways of explaining a result, on both runtimes: a ranking question posted to the group with both counts and
the instant-runoff stages (who went out, where their votes went) in words and as a chart; and the Council Pound
board saying what a service's pence would mean as the resident moves them."""

from __future__ import annotations

from typing import Any

from tests.e2e.people import Person
from tests.e2e.test_facilitator import GROUP
from tests.harness import EXAMPLE, FACILITATOR, Harness

SHARE, CHARGE, VOLUNTEERS, ONLINE = (
    "Share buildings with other public bodies", "Charge more for some services", "Use more volunteers",
    "Move more services online",
)


async def ranks(p: Person, order: str) -> None:
    """A resident who shares their pound as today, skips nothing else, ranks the savings as `order` and sends."""
    await p.says("/start council-pound", expect="How your answers are used and kept")
    await p.taps("I agree, start", expect="Next, you share")
    await p.taps("Next: share", expect="Left to allocate: 100p")
    await p.taps("Start from today", expect="All 100p shared")
    await p.taps("Submit", expect="Why did you share")
    await p.taps("Skip", expect="Question 2 of 6")
    await p.taps("3", expect="Question 3 of 6")
    await p.taps("Don't know", expect="Question 4 of 6")
    await p.taps("Jobs and skills", expect="Ticked: 1")
    await p.taps("Done", expect="Question 5 of 6")
    await p.says(order, expect="Question 6 of 6")
    await p.taps("Skip", expect="Your answers")
    await p.taps("send my answers", expect="Thank you")


async def test_a_ranking_is_posted_with_its_instant_runoff_stages(moot: Harness) -> None:
    api = moot.api
    fac = Person(api, FACILITATOR, "Faye the facilitator")
    api.send_document(fac.id, "council-pound.yaml", EXAMPLE.read_bytes())
    await api.wait_for_message(fac.id, contains="stored as version 1")
    api.add_group(GROUP, "Heaton residents", admins=[FACILITATOR])
    api.add_bot_to_group(GROUP, by_user=FACILITATOR)
    await api.wait_for_message(GROUP, contains="/link CODE")
    api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)
    await api.wait_for_message(GROUP, contains="private chat with me")
    await fac.says("/open council-pound 1", expect="is open")

    # Five residents rank the four ways to save (numbers in the question's order: 1 share buildings, 2 charge
    # more, 3 volunteers, 4 online). Stage 1: Charge 2, Online 2, Share 1, Volunteers 0: Volunteers goes, with no
    # votes to move. Stage 2: Share has fewest (1) and goes; its vote moves to Online. Stage 3: Online 3 of 5 wins.
    # The Borda count (3, 2, 1, 0 points) puts Share first: 11 points, to Online's 8, Charge's 7, Volunteers' 4.
    orders = ["2 1 3 4", "2 1 3 4", "4 1 3 2", "4 1 3 2", "1 4 2 3"]
    for i, order in enumerate(orders):
        await ranks(Person(api, 3101 + i, f"Resident {i + 1}"), order)

    await fac.says("/close council-pound 1", expect="is closed")
    post = await api.wait_for_message(GROUP, contains="Instant-runoff count")
    text = post.text or ""
    assert f"1. {SHARE}: 11 points" in text and f"2. {ONLINE}: 8 points" in text
    assert f"3. {CHARGE}: 7 points" in text and f"4. {VOLUNTEERS}: 4 points" in text
    assert f"{ONLINE} wins at stage 3, with 3 of 5 votes." in text
    assert f"Stage 1: {CHARGE} 2, {ONLINE} 2, {SHARE} 1, {VOLUNTEERS} 0. {VOLUNTEERS} has fewest and is out." in text
    assert (f"Stage 2: {CHARGE} 2, {ONLINE} 2, {SHARE} 1. {SHARE} has fewest and is out. "
            f"Its votes went to: {ONLINE} 1.") in text
    assert f"Stage 3: {ONLINE} 3, {CHARGE} 2. {ONLINE} has more than half of the 5 votes, and wins." in text
    assert f"the Borda count puts {SHARE} first, instant-runoff {ONLINE}" in text

    # After the figures in words, the count as a chart under the question, the stages in words in its caption.
    def ranking_chart(m: Any) -> bool:
        return m.kind == "photo" and "Stage 1:" in (m.text or "")

    chart = await api.wait_for_message(GROUP, predicate=ranking_chart)
    assert chart.photo[:8] == b"\x89PNG\r\n\x1a\n"
    caption = chart.text or ""
    assert caption.startswith("If savings must be made, which ways are best?")
    assert f"{VOLUNTEERS} 0; {VOLUNTEERS} is out. Stage 2:" in caption  # its 0 on the chart is "out", said here
    assert (f"Stage 2: {CHARGE} 2, {ONLINE} 2, {SHARE} 1; {SHARE} is out, its votes to {ONLINE} 1. "
            f"Stage 3: {ONLINE} 3, {CHARGE} 2; {ONLINE} wins.") in caption
    group = api.chat(GROUP).messages
    assert group.index(chart) > group.index(post), "the chart follows the figures in words"
    pound_chart = next(m for m in group if m.kind == "photo")
    assert pound_chart is not chart and group.index(pound_chart) < group.index(post)


def _button(p: Person, row_label: str, text: str) -> tuple[int, str]:
    """The newest board's button `text` in the row whose middle button names `row_label`."""
    for m in reversed(p.chat.visible()):
        for row in m.buttons:
            if any(row_label in b.text for b in row):
                found = next((b for b in row if b.text == text), None)
                if found is not None and found.callback_data:
                    return m.message_id, found.callback_data
    raise LookupError(f"no {text!r} beside {row_label!r}")


async def taps_beside(p: Person, row_label: str, text: str, expect: str) -> Any:
    before = {m.message_id: len(m.history) for m in p.chat.messages}
    message_id, data = _button(p, row_label, text)
    p.api.press(p.id, message_id, data)

    def changed() -> bool:
        return any(before.get(m.message_id) != len(m.history) and expect in (m.text or "") for m in p.chat.messages)

    await p.api.wait_for(changed, timeout=p.timeout)
    return next(m for m in reversed(p.chat.messages) if expect in (m.text or ""))


async def test_the_board_shows_a_consequence_as_pence_move(moot: Harness) -> None:
    await moot.load()
    await moot.open()
    api = moot.api
    eve = Person(api, 3201, "Eve")
    await eve.says("/start council-pound", expect="How your answers are used and kept")
    await eve.taps("I agree, start", expect="Next, you share")
    board = await eve.taps("Next: share", expect="Left to allocate: 100p")
    assert "libraries close" not in (board.text or "")  # nothing moved yet: no consequence

    close = "Libraries and culture at {p}p: Two of eight libraries close and museum opening hours are cut."
    same = "Libraries and culture at {p}p: Libraries and museums stay as they are today."
    sunday = "Libraries and culture at {p}p: Sunday opening returns at the four biggest libraries."
    board = await taps_beside(eve, "Libraries", "+1", expect=close.format(p=1))
    board = await taps_beside(eve, "Libraries", "+1", expect=close.format(p=2))
    board = await taps_beside(eve, "Libraries", "+1", expect=same.format(p=3))
    board = await taps_beside(eve, "Libraries", "+5", expect=sunday.format(p=8))
    assert "Two of eight libraries close" not in (board.text or "")
    board = await taps_beside(eve, "Libraries", "−5", expect=same.format(p=3))

    # Another service moved last: the board says what the file gives for it (nothing, for parks).
    board = await taps_beside(eve, "Parks", "+5", expect="Left to allocate: 92p")
    assert "Libraries and culture at" not in (board.text or "")
    # Typed: the service typed last.
    board = await eve.says("Libraries 0", expect=close.format(p=0))
    # Saved with the draft: after a restart the board still says it.
    await moot.restart()
    board = await eve.says("Parks 4\nLibraries 6", expect=sunday.format(p=6))
