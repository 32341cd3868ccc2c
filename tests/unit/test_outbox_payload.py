"""A screen waiting in the outbox keeps all its content, neutral, until it is rendered for its recipient."""

from __future__ import annotations

from bot.content import Render
from bot.i18n import translations
from dialogues.screens import Action, Button, Chart, Screen
from dialogues.text import Em, Items, Lines, Para, Quote, Strong, _, ngettext
from storage.repositories.outbox import payload_to_screen, screen_to_payload


def test_a_screen_comes_back_from_the_outbox_as_it_went_in() -> None:
    chart = Chart(
        _("Residents' average pound beside today's"),
        ("Care", "Libraries"),
        ((_("Today"), (34.0, 3.0)), (_("Residents' average"), (36.5, 4.0))),
        alt=_("Average of {n} residents: {figures}", n=12, figures="Care 36.5p; Libraries 4p"),
        axis=_("votes (first places among the options still in)"),
    )
    screen = Screen(
        [
            Para(Strong(_("{title}: results of {round}", title="The Council Pound", round="Round 1"))),
            Lines([(ngettext("{n} resident finished.", "{n} residents finished.", 12),), ("<b>not markup</b>",)]),
            Items(["one", Em("two")], numbered=True),
            Quote("💬 ", "Care matters"),
        ],
        [[Button(_("See the consultation"), url="https://t.me/example_bot?start=council-pound")],
         [Button(_("Details"), Action("sum", (3,)))]],
        chart=chart,
    )
    back = payload_to_screen(screen_to_payload(screen))
    assert back.body == screen.body and back.buttons == screen.buttons and back.chart == screen.chart
    html = Render(translations("en")).body(back.body)
    assert "12 residents finished." in html and "&lt;b&gt;not markup&lt;/b&gt;" in html
