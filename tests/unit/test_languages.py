"""Texts in several languages, dates and numbers in the reader's locale, and languages carried by buttons."""

from __future__ import annotations

import copy
import pickle
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.content import Render
from bot.i18n import translations
from bot.render import Renderer
from bot.services import languages
from dialogues.schema import Consultation
from dialogues.screens import Button, Chart, Screen
from dialogues.text import Localised, Para, When, _, from_json, to_json
from storage.repositories.outbox import payload_to_screen, screen_to_payload
from tests.unit.example import EXAMPLE_PATH

LONDON = ZoneInfo("Europe/London")
NAME = Localised({"en": "Libraries and culture", "cy": "Llyfrgelloedd a diwylliant"}, "en")


def test_a_localised_text_is_its_default_as_a_string_and_survives_copies_and_json() -> None:
    assert NAME == "Libraries and culture" and NAME.lower() == "libraries and culture"
    assert NAME.in_language("cy") == "Llyfrgelloedd a diwylliant" and NAME.in_language("fr") == str(NAME)
    for again in (copy.deepcopy(NAME), pickle.loads(pickle.dumps(NAME)), from_json(to_json(NAME))):
        assert isinstance(again, Localised) and again.texts == NAME.texts
    when = When(datetime(2026, 12, 5, 17, 0, tzinfo=LONDON))
    assert when == "Saturday 5 December 2026, 17:00"
    assert from_json(to_json(when)).at == when.at


def test_the_renderer_shows_each_reader_their_language_date_and_numbers() -> None:
    when = When(datetime(2026, 12, 4, 17, 0, tzinfo=LONDON))
    said = _("It closes on {closes}.", closes=when)
    en, cy = Render(translations("en")), Render(translations("cy"))
    assert en.inline(NAME) == "Libraries and culture" and cy.inline(NAME) == "Llyfrgelloedd a diwylliant"
    assert en.inline(said) == "It closes on Friday 4 December 2026, 17:00."
    assert cy.inline(said) == "Mae'n cau ar 4 Rhagfyr 2026 (dydd Gwener), 17:00."
    long = _("That is {length:,} characters; the limit is {limit:,}. Please shorten it and send it again.",
             length=12345, limit=3500)
    assert en.inline(long).startswith("That is 12,345 characters; the limit is 3,500.")
    change = _("{service} ({change:+.1f}p)", service=NAME, change=2.26)
    assert cy.inline(change) == "Llyfrgelloedd a diwylliant (+2.3c)"
    assert en.inline(_("{service} ({change:+.1f}p)", service=NAME, change=-0.44)) == "Libraries and culture (-0.4p)"


def test_a_screen_waiting_in_the_outbox_keeps_every_language() -> None:
    screen = Screen(Para(NAME), [[Button(NAME, url="https://t.me/x")]],
                    chart=Chart(NAME, (NAME,), ((_("Today"), (3.0,)),)))
    back = payload_to_screen(screen_to_payload(screen))
    r = Render(translations("cy"), html=False)
    assert r.inline(back.body[0].parts[0]) == "Llyfrgelloedd a diwylliant"  # type: ignore[union-attr]
    assert back.chart is not None and r.text(back.chart.labels[0]) == "Llyfrgelloedd a diwylliant"


def test_a_post_in_two_languages_is_one_message_where_it_fits_welsh_first_and_buttons_say_both() -> None:
    from bot.actions import ActionCodec

    renderer = Renderer(ActionCodec(b"k" * 16))
    screen = Screen(Para(_("Thank you for taking part.")), [[Button(_("Take part privately"), url="https://t.me/x")]])
    [part] = renderer.parts(screen, "cy", "en")
    assert part.text == "Diolch am gymryd rhan.\n\nThank you for taking part." and part.last
    kb = renderer.keyboard(1, screen.buttons, 0, "cy", "en")
    assert kb is not None and kb[0][0].text == "Cymryd rhan yn breifat / Take part privately"
    long = Screen([Para("x" * 3000)])
    parts = renderer.parts(long, "cy", "en")
    assert len(parts) == 2 and [p.last for p in parts] == [False, True]


def test_groups_post_in_every_language_in_the_configured_order() -> None:
    c = Consultation.model_validate(_example())
    assert languages.for_groups(c, []) == ["en", "cy"]
    assert languages.for_groups(c, ["cy"]) == ["cy", "en"]
    one = Consultation.model_validate({**_english_only(), "languages": ["en"]})
    assert languages.for_groups(one, ["cy"]) == []


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=3))
def test_a_language_code_survives_a_button(code: str) -> None:
    n = languages.number(code)
    assert 0 < n < 2**16 and languages.code(n) == code


def test_telegrams_language_is_used_only_where_offered() -> None:
    assert languages.from_hint("cy", ["en", "cy"]) == "cy"
    assert languages.from_hint("en-GB", ["en", "cy"]) == "en"
    assert languages.from_hint("pl", ["en", "cy"]) is None and languages.from_hint("", ["en"]) is None
    assert (languages.name("cy"), languages.name("en")) == ("Cymraeg", "English")


def _example() -> dict[str, object]:
    import yaml

    data = yaml.safe_load(EXAMPLE_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _english_only() -> dict[str, object]:
    """The example's top-level texts in English alone (enough to validate with `languages: [en]`)."""
    def english(x: object) -> object:
        if isinstance(x, dict) and set(x) == {"en", "cy"}:
            return x["en"]
        if isinstance(x, dict):
            return {k: english(v) for k, v in x.items()}
        if isinstance(x, list):
            return [english(v) for v in x]
        return x

    out = english(_example())
    assert isinstance(out, dict)
    return out
