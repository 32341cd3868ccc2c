"""Every text a person reads comes from the catalogue: the journeys run in a pseudo-locale that marks each
catalogue text ⟦…⟧, and anything visible outside the marks must be the consultation's own content.

A resident takes part start to finish (every question type, a refusal, /help, /mydata, /erase), a facilitator
previews and lists consultations, an officer asks for an export: every message and every button label is read.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable

import pytest

from dialogues.loader import parse_consultation
from tests.e2e.people import Person
from tests.harness import EXAMPLE, FACILITATOR, OFFICER, Harness

MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
# What may stand outside a catalogue text: numbers, pence, punctuation, arrows, emoji, bullets.
NEUTRAL = re.compile(r"^[\s\d.,:;!?()\[\]“”\"'’+\-−–—/%p›>•·…✅▫️⏭💬🗑🙏⏱📣⏰↩🖼📥]*$")


def content_of_the_file() -> list[str]:
    """Every text the consultation file itself gives: these are the council's words, not the bot's."""
    spec = parse_consultation(EXAMPLE.read_bytes())
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(spec.model_dump())
    out += [s[:13] + "…" for s in out if len(s) > 14]  # names shortened to fit a button
    return sorted({s for s in out if s.strip()}, key=len, reverse=True)


def unmarked(texts: Iterable[str], content: list[str]) -> list[str]:
    """Pieces of visible text that are neither inside ⟦…⟧ nor the consultation's content."""
    found = []
    for text in texts:
        rest = text
        while MARKED.search(rest):  # parameters sit inside their message's marks
            rest = MARKED.sub(" ", rest)
        for c in content:
            rest = rest.replace(c, " ")
        for piece in re.split(r"\n+", rest):
            if not NEUTRAL.match(piece):
                found.append(piece.strip())
    return found


@pytest.fixture
async def pseudo(api: object, runtime_name: str, database_url: str) -> AsyncIterator[Harness]:
    h = Harness(api, runtime_name, database_url, language="pseudo")  # type: ignore[arg-type]
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


def visible(person: Person) -> list[str]:
    out: list[str] = []
    for m in person.chat.messages:
        out += [*m.history, m.text or "", *m.button_labels()]
    return out


async def test_every_text_a_resident_reads_is_in_the_catalogue(pseudo: Harness) -> None:
    await pseudo.load()
    await pseudo.open()
    p = Person(pseudo.api, 5001, "Amina")
    await p.says("/start council-pound", expect="How your answers are used and kept")
    await p.taps("I agree, start", expect="Next, you share")
    await p.taps("Next: share", expect="Left to allocate")
    await p.taps("+5", expect="95p")
    await p.taps("Submit", toast="left to allocate")
    await p.taps("Start from today", expect="All 100p shared")
    await p.says("Librarys 10", expect="Did you mean")
    await p.taps("Submit", expect="Why did you share")
    await p.says("Because care matters.", expect="Question 2 of 6")
    await p.says("four", expect="whole number")
    await p.taps("4", expect="Question 3 of 6")
    await p.says("1", expect="Question 4 of 6")
    await p.says("1, 2", expect="Tap Done")
    await p.taps("Done", expect="Question 5 of 6")
    await p.says("1 2 3 4", expect="Question 6 of 6")
    await p.says("More buses, please.", expect="Your answers")
    await p.taps("That's all", expect="Thank you")
    await p.says("/help", expect="/mydata")
    await p.says("/mydata", expect="Everything we hold about you")
    await p.says("/nonsense", expect="I don't know the command")
    await p.says("/erase", expect="Are you sure?")
    await p.taps("No, keep it", expect="Nothing was deleted")
    written = ["Because care matters.", "More buses, please.", "Librarys"]  # what the resident typed is theirs
    left = unmarked(visible(p), [*content_of_the_file(), *written])
    assert not left, f"texts a resident read outside the catalogue: {left}"


async def test_every_text_a_facilitator_and_officer_read_is_in_the_catalogue(pseudo: Harness) -> None:
    await pseudo.load()
    fac = Person(pseudo.api, FACILITATOR, "Fatima")
    await fac.says("/consultations", expect="council-pound")
    await fac.says("/preview council-pound", expect="⟦")
    await fac.says("/help", expect="⟦")
    officer = Person(pseudo.api, OFFICER, "Olu")
    await officer.says("/export", expect="⟦")
    content = content_of_the_file()
    left = unmarked([*visible(fac), *visible(officer)], content)
    # the consultation code and deep links are identifiers, not sentences
    left = [x for x in left if not re.fullmatch(r"[\w\s:/.?=-]*(council-pound|t\.me)[\w\s:/.?=-]*", x)]
    assert not left, f"texts staff read outside the catalogue: {left}"
