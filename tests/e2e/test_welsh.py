"""Welsh on equal terms (issue 17): a resident whose Telegram is in Welsh takes the whole Council Pound in Welsh, with
no English outside what the file lacks; /language switches mid-journey; an announcement from the outbox reaches an
English and a Welsh resident each in their own language; a group linked to the bilingual consultation gets both,
Welsh first where the config says so; one whose Telegram language the consultation does not offer is asked once."""

from __future__ import annotations

import re
import string
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po

from bot import catalogue
from bot.services import rounds
from tests.e2e.people import Person
from tests.harness import FACILITATOR, Harness

GROUP = -1009917


def english_sentences() -> list[str]:
    """The literal stretches of every English catalogue message long enough to be recognisably English."""
    with catalogue.po_path("en").open("rb") as f:
        english = read_po(f, locale="en")
    out: set[str] = set()
    for m in english:
        for text in (m.id,) if isinstance(m.id, str) else m.id:
            for literal, *_rest in string.Formatter().parse(text):
                literal = literal.strip(" .,:;()“”")
                if len(literal) >= 14 and " " in literal and not literal.startswith("/"):
                    out.add(literal)
    return sorted(out)


def assert_no_english(p: Person) -> None:
    shown = [m.text or "" for m in p.chat.messages]
    shown += [b.text for m in p.chat.messages for row in (m.buttons or []) for b in row]
    found = [(s, t) for t in shown for s in english_sentences() if s in t]
    assert not found, f"English in a Welsh journey: {found[:3]}"


def welsh(api: object, user_id: int, name: str, code: str = "cy") -> Person:
    p = Person(api, user_id, name)  # type: ignore[arg-type]
    p.api.user(user_id, first_name=name, language_code=code)
    return p


@pytest.fixture
async def pound(moot: Harness) -> Harness:
    await moot.load()
    closes = datetime(2026, 12, 18, 17, 0, tzinfo=UTC)  # a Friday; 17:00 in London in winter
    await rounds.open_round(moot.deps, "council-pound", closes_at=closes)
    return moot


@pytest.fixture
async def welsh_first(api: object, runtime_name: str, database_url: str) -> AsyncIterator[Harness]:
    h = Harness(api, runtime_name, database_url, languages_first=["cy"])  # type: ignore[arg-type]
    await h.start()
    yield h
    await h.stop()


async def test_a_welsh_speaking_resident_takes_part_in_welsh(pound: Harness) -> None:
    heledd = welsh(pound.api, 2001, "Heledd")

    # the invitation, in Welsh: the file's Welsh and the bot's, with the closing date as Welsh writes it
    intro = await heledd.says("/start council-pound", expect="Sut mae eich atebion yn cael eu defnyddio")
    assert "Punt y Cyngor" in intro.text and "Cyngor Dinas Newcastle" in intro.text
    assert "Gallwch ateb tan 18 Rhagfyr 2026 (dydd Gwener), 17:00." in intro.text
    assert "tua 8 munud" in intro.text

    await heledd.taps("Rwy'n cytuno, dechrau", expect="Nesaf, byddwch yn rhannu 100c")
    assert heledd.sees("34c Gofal cymdeithasol i oedolion")
    async with pound.deps.uow() as uow:
        assert await uow.residents.language(2001) == "cy"  # stored when she agreed, having read the notice in it

    await heledd.taps("Nesaf: rhannu", expect="Ar ôl i'w rannu: 100c")
    await heledd.taps("Dechrau o'r rhaniad", expect="Mae'r 100c i gyd wedi'u rhannu")
    # typed answers understand Welsh service names, and the typo helper suggests in Welsh
    await heledd.says("Llyfrgelloedd 5\nRhedeg y cyngor 8", expect="Wedi gosod Llyfrgelloedd a diwylliant 5c")
    await heledd.says("Llyfrgeloedd 4", expect="Oeddech chi'n golygu Llyfrgelloedd a diwylliant?")
    await heledd.taps("Ie: Llyfrgelloedd a diwylliant 4c", expect="Llyfrgelloedd a diwylliant: 4c (3c)")
    await heledd.taps("Ailosod", expect="Ar ôl i'w rannu: 100c")
    await heledd.taps("Dechrau o'r rhaniad", expect="Mae'r 100c i gyd wedi'u rhannu")
    await heledd.taps("Cyflwyno", expect="Pam wnaethoch chi ei rhannu fel hyn?")
    await heledd.says("Mae gofal i bobl hŷn yn bwysig.", expect="Cwestiwn 2 o 6")
    await heledd.says("pedwar", expect="Anfonwch rif cyfan o 1 i 5")
    await heledd.taps("4", expect="Cwestiwn 3 o 6")
    await heledd.says("dim codiad", expect="Cwestiwn 4 o 6")  # an option typed in Welsh
    # a plural in its Welsh "few" form: up to three (tri)
    assert heledd.sees("Tapiwch i dicio hyd at dri, yna Gorffen.")
    await heledd.taps("Strydoedd glanach", expect="Wedi ticio: 1")
    await heledd.taps("Tai fforddiadwy", expect="Wedi ticio: 2")
    await heledd.taps("Gorffen", expect="Cwestiwn 5 o 6")
    await heledd.taps("Symud mwy o wasanaethau", expect="Eich trefn hyd yma")
    await heledd.says("4 1 3 2", expect="Cwestiwn 6 o 6")
    await heledd.taps("Hepgor", expect="Eich atebion: Punt y Cyngor")
    await heledd.taps("anfon fy atebion", expect="Diolch!")
    assert heledd.sees("Gallwch eu newid nes bydd y rownd yn cau ar 18 Rhagfyr 2026 (dydd Gwener), 17:00.")

    answers = await pound.answers_of(2001)
    assert answers["council_tax"] == "no_rise" and answers["priorities"] == ["cleaner_streets", "affordable_housing"]
    assert answers["pound"]["adult_social_care"] == 34

    await heledd.says("/mydata", expect="Popeth sydd gennym amdanoch")
    assert heledd.sees("Iaith: Cymraeg") and heledd.sees("Rhagfyr 2026")
    assert_no_english(heledd)


async def test_language_switches_mid_journey_and_the_next_screen_follows(pound: Harness) -> None:
    gwen = welsh(pound.api, 2002, "Gwen")
    await gwen.says("/start council-pound", expect="Sut mae eich atebion")
    await gwen.taps("Rwy'n cytuno, dechrau", expect="Nesaf, byddwch yn rhannu")
    await gwen.taps("Nesaf: rhannu", expect="Ar ôl i'w rannu: 100c")

    asked = await gwen.says("/language", expect="Pa iaith hoffech chi ei defnyddio?")
    assert "Which language would you like to use?" in asked.text
    assert [b.text for b in asked.buttons[0]] == ["Cymraeg", "English"]
    await gwen.taps("English", expect="Left to allocate: 100p")  # the board again, now in English
    assert gwen.sees("From now on I'll write to you in English.")
    await gwen.taps("Start from today", expect="All 100p shared")
    async with pound.deps.uow() as uow:
        assert await uow.residents.language(2002) == "en"

    await gwen.says("/language", expect="Which language")
    await gwen.taps("Cymraeg", expect="Mae'r 100c i gyd wedi'u rhannu")
    assert gwen.sees("O hyn ymlaen byddaf yn ysgrifennu atoch yn Gymraeg.")
    await gwen.taps("Cyflwyno", expect="Pam wnaethoch chi")


async def test_an_announcement_reaches_each_resident_in_their_own_language(pound: Harness) -> None:
    api = pound.api
    amina, heledd = Person(api, 2003, "Amina"), welsh(api, 2004, "Heledd")
    await amina.says("/start council-pound", expect="How your answers are used and kept")
    await amina.taps("I agree, start", expect="Next, you share")
    await heledd.says("/start council-pound", expect="Sut mae eich atebion")
    await heledd.taps("Rwy'n cytuno, dechrau", expect="Nesaf, byddwch yn rhannu")
    # Heledd's app is in English by now: what she chose is what counts
    api.user(2004, first_name="Heledd", language_code="en")

    await pound.close()
    await pound.open(number=2)  # residents who took part before are told, through the outbox
    await api.wait_for(lambda: amina.sees("Think again is open") and heledd.sees("Mae Meddwl eto ar agor"))
    told = [m for m in heledd.chat.messages if "Mae Meddwl eto ar agor" in (m.text or "")][-1]
    assert told.text.startswith("📣 Punt y Cyngor")
    assert [b.text for row in told.buttons for b in row] == ["Cymryd rhan eto"]
    assert not heledd.sees("Think again is open") and not amina.sees("Meddwl eto")


async def test_a_group_gets_invitations_and_results_in_both_languages_welsh_first(welsh_first: Harness) -> None:
    moot = welsh_first
    api = moot.api
    await moot.load()
    fac = Person(api, FACILITATOR, "Faye")
    api.add_group(GROUP, "Grŵp Walker", admins=[FACILITATOR])
    api.add_bot_to_group(GROUP, by_user=FACILITATOR)
    api.send_text(FACILITATOR, "/link council-pound", chat_id=GROUP)
    # both languages in one message where they fit, Welsh first as languages_first says
    invite = await api.wait_for_message(GROUP, contains="📣 The Council Pound")
    assert invite.text.index("📣 Punt y Cyngor") < invite.text.index("📣 The Council Pound")
    assert "Mae'n cymryd tua 8 munud" in invite.text and "It takes about 8 minutes" in invite.text

    await fac.says("/open council-pound 1", expect="is open")
    opened = await api.wait_for_message(GROUP, contains="Share your pound is open")
    assert opened.text.index("Mae Rhannwch eich punt ar agor") < opened.text.index("Share your pound is open")
    assert [b.text for row in opened.buttons for b in row] == ["Cymryd rhan yn breifat / Take part privately"]

    for n, (person, code) in enumerate([(2011, "cy"), (2012, "en"), (2013, "cy")]):
        p = welsh(api, person, f"R{n}", code)
        await p.says("/start council-pound", expect="?")
        await p.taps("✅", expect="Next" if code == "en" else "Nesaf")
    await moot.close()

    def posted() -> str:
        return "\n".join(m.text or "" for m in api.chat(GROUP).messages)

    await api.wait_for(lambda: "Punt y Cyngor: canlyniadau" in posted() and "The Council Pound: results of" in posted(),
                       timeout=20)
    assert posted().index("Punt y Cyngor: canlyniadau") < posted().index("The Council Pound: results of")


async def test_someone_whose_language_the_consultation_does_not_offer_is_asked(pound: Harness) -> None:
    jan = welsh(pound.api, 2005, "Jan", code="pl")
    asked = await jan.says("/start council-pound", expect="Which language would you like to use?")
    assert "Pa iaith hoffech chi ei defnyddio?" in asked.text
    intro = await jan.taps("Cymraeg", expect="Sut mae eich atebion")
    async with pound.deps.uow() as uow:
        assert await uow.residents.find(2005) is None  # nothing is stored before agreeing
    assert re.search(r"Punt y Cyngor", intro.text)
    await jan.taps("Rwy'n cytuno, dechrau", expect="Nesaf, byddwch yn rhannu")
    async with pound.deps.uow() as uow:
        assert await uow.residents.language(2005) == "cy"
    await jan.says("/start", expect="Croeso'n ôl")  # asked once: the choice is kept


async def test_reminders_and_the_date_in_them_follow_the_resident(pound: Harness) -> None:
    heledd = welsh(pound.api, 2006, "Heledd")
    await heledd.says("/start council-pound", expect="Sut mae eich atebion")
    await heledd.taps("Rwy'n cytuno, dechrau", expect="Nesaf")
    async with pound.deps.uow() as uow:
        r = (await uow.consultations.rounds(1))[0]
    await rounds.remind(pound.deps, r.id, job_id=1)
    await pound.api.wait_for(lambda: heledd.sees("⏰ Fe ddechreuoch Punt y Cyngor"), timeout=15)
    assert heledd.sees("Mae'n cau ar 18 Rhagfyr 2026 (dydd Gwener), 17:00.")
