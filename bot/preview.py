"""Prints a consultation's screens in the terminal, as a resident would see them in Telegram."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.content import Render
from bot.i18n import DEFAULT, translations
from dialogues import consent, journey
from dialogues.questions import of
from dialogues.schema import Consultation
from dialogues.screens import Screen
from dialogues.text import Inline, _

if TYPE_CHECKING:
    from rich.console import Console


def screens(c: Consultation) -> list[tuple[Inline, Screen]]:
    """Every screen of the journey in order, with a heading for each."""
    out: list[tuple[Inline, Screen]] = [(_("Invitation and privacy notice"), consent.intro_screen(c, 1, None))]
    for n, q in enumerate(c.questions, 1):
        t = of(q)
        for heading, s in t.preview(c, q, journey.question_head(c, q, n)):
            out.append((_("Question {number} ({type}): {heading}", number=n, type=t.label, heading=heading), s))
        if q.comment:
            out.append((_("Question {number}: why?", number=n), journey.why_screen(q)))
    ctx = journey.RoundContext(1, c.rounds[0].title, Render(translations()).text(_("the closing date")))
    out.append((_("Summary"), journey.summary_screen(c, ctx, {}, finished=False)))
    out.append((_("Thank you"), journey.thanks_screen(c, ctx)))
    return out


def print_preview(c: Consultation, console: Console | None = None, language: str = DEFAULT) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    console = console or Console()
    plain = Render(translations(language), html=False)
    for title, s in screens(c):
        body = Text(plain.body(s.body))
        if s.chart is not None:
            body = Text(f"[{plain.text(s.chart.title)}]\n", style="italic") + body
        if s.buttons:
            body.append("\n")
            for row in s.buttons:
                body.append("\n" + "  ".join(f"[ {plain.text(b.label)} ]" for b in row), style="blue")
        console.print(Panel(body, title=plain.text(title), title_align="left", width=min(console.width, 72)))
