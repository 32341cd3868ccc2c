"""The results post in a group says who is counted, and every figure in it counts the same people: residents
answer (one sends, two only save, one opens and answers nothing), the round closes, and the chart, its caption and
the figures in words agree. On both runtimes."""

from __future__ import annotations

import re

from tests.e2e.people import Person
from tests.e2e.test_facilitator import GROUP, finish_everything, share_only
from tests.harness import EXAMPLE, FACILITATOR, Harness

TODAY = {"Adult social care": 34, "Children's services": 23, "Libraries and culture": 3}


async def test_the_group_post_says_who_is_counted_and_its_figures_agree(moot: Harness) -> None:
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

    amina, ben, cat, dan = (Person(api, 3001 + i, n) for i, n in enumerate(["Amina", "Ben", "Cat", "Dan"]))
    await finish_everything(amina, "Care comes first.")  # 40p, 30p, 30p; answers every question; sends
    await share_only(ben, reminders=True)  # today's split, saved, never sent
    await share_only(cat, reminders=False)
    await dan.says("/start council-pound", expect="How your answers are used and kept")
    await dan.taps("I agree, start", expect="Next, you share")  # started; answered nothing

    await fac.says("/close council-pound 1", expect="is closed")
    chart = await api.wait_for_message(GROUP, predicate=lambda m: m.kind == "photo")
    post = await api.wait_for_message(GROUP, contains="Figures count every answer saved by the close")
    text, caption = post.text or "", chart.text or ""

    # who is counted, next to the figures
    assert "from 4 residents who started; 1 of them pressed send." in text
    assert "Each question counts those who answered it, and its percentages are out of them." in text
    assert "How would you share the council pound? (3 answered)" in text
    assert "3 residents shared their pound." in text
    # a question only Amina answered shows no figures, and says how many answered it
    assert re.search(r"How satisfied are you with the council's services overall\? \(1 answered\)\n.*Fewer than 2",
                     text)  # fmt: skip

    # the chart's caption says in words what the bars show, for the same three residents as the words
    assert "Average of 3 residents, today's in brackets:" in caption
    expected = {"Adult social care": (40 + 34 + 34) / 3, "Children's services": (30 + 23 + 23) / 3,
                "Libraries and culture": (30 + 3 + 3) / 3}  # fmt: skip
    for service, mean in expected.items():
        line = f"{service}: {mean:.1f}p ({TODAY[service]}p)"
        assert line in text, line
        assert f"{service} {mean:.1f}p ({TODAY[service]}p)" in caption
    listed = re.findall(r"^([A-Z][^:\n]+): (\d+\.\d)p \((\d+)p\)$", text, re.M)
    in_caption = re.findall(r"([A-Z][^;:]+?) (\d+\.\d)p \((\d+)p\)", caption.split(":", 2)[-1])
    assert listed and listed == [(name.strip(), m, t) for name, m, t in in_caption]  # same figures, same order


async def test_how_views_moved_compares_the_same_residents_and_says_how_many(moot: Harness) -> None:
    api = moot.api
    fac = Person(api, FACILITATOR, "Faye the facilitator")
    api.send_document(fac.id, "council-pound.yaml", EXAMPLE.read_bytes())
    await api.wait_for_message(fac.id, contains="stored as version 1")
    api.add_group(GROUP, "Heaton residents", admins=[FACILITATOR])
    api.add_bot_to_group(GROUP, by_user=FACILITATOR)
    await api.wait_for_message(GROUP, contains="/link CODE")
    api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)
    await api.wait_for_message(GROUP, contains="private chat with me")

    amina, ben, eve = Person(api, 3101, "Amina"), Person(api, 3102, "Ben"), Person(api, 3103, "Eve")
    await fac.says("/open council-pound 1", expect="is open")
    await finish_everything(amina, "Care comes first.")  # 40p, 30p, 30p
    await share_only(ben, reminders=True)  # today's split: 34p, 23p, 3p
    await fac.says("/close council-pound 1", expect="is closed")
    await api.wait_for_message(GROUP, contains="results of")

    await fac.says("/open council-pound 2", expect="is open")
    for again in (amina, ben):  # both keep their round 1 pound
        await again.says("/start council-pound", expect="Next, you share")
        await again.taps("Next: share", expect="All 100p shared")
        await again.taps("Submit", expect="Why did you share")
    await share_only(eve, reminders=True)  # a newcomer in round 2 only, with today's split
    await fac.says("/close council-pound 2", expect="is closed")

    moved = await api.wait_for_message(GROUP, contains="how views moved between rounds")
    assert moved.kind == "photo"
    # Eve is not in the comparison: Adult social care stays at Amina's and Ben's 37.0p, not the 36.0p of all three
    assert "among the 2 residents who answered in both rounds" in moved.text
    assert "Adult social care 37.0p → 37.0p (34p)" in moved.text
    assert "Libraries and culture 16.5p → 16.5p (3p)" in moved.text
    figures = await api.wait_for_message(GROUP, contains="3 residents shared their pound")
    assert "Adult social care: 36.0p (34p)" in (figures.text or "")  # the round's own figures count everyone
