"""Prints a consultation's screens in the terminal, as a resident would see them in Telegram."""

from __future__ import annotations

import re
from html import unescape

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from dialogues import consent, journey
from dialogues.questions import Draft, kind
from dialogues.questions.allocation import today_screens
from dialogues.schema import AllocationQuestion, Consultation
from dialogues.screens import Screen

_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "code": "cyan", "u": "underline"}


def to_rich(html: str) -> Text:
    """Telegram HTML to Rich markup: bold and italics kept, everything else as plain text."""
    out = Text()
    styles: list[str] = []
    for token in re.split(r"(<[^>]+>)", html):
        m = re.fullmatch(r"<(/?)(\w+)[^>]*>", token)
        if m:
            style = _TAGS.get(m.group(2).lower())
            if style:
                if m.group(1):
                    if style in styles:
                        styles.remove(style)
                else:
                    styles.append(style)
            continue
        out.append(unescape(token), style=" ".join(styles) or None)
    return out


def screens(c: Consultation) -> list[tuple[str, Screen]]:
    """Every screen of the journey in order, with a heading for each."""
    out: list[tuple[str, Screen]] = [("Invitation and privacy notice", consent.intro_screen(c, 1, None))]
    for n, q in enumerate(c.questions, 1):
        if isinstance(q, AllocationQuestion):
            for s in today_screens(c, q):
                out.append((f"Question {n}: today's split" + (" (with a chart image)" if s.chart else ""), s))
        s = kind(q.type).screen(c, q, n, Draft())
        out.append((f"Question {n} ({q.type})", s))
        if isinstance(q, AllocationQuestion) and q.comment:
            out.append((f"Question {n}: why?", journey._why_screen(q, {})))
    ctx = journey.RoundContext(1, c.rounds[0].title, "the closing date")
    out.append(("Summary", journey.summary_screen(c, ctx, {}, finished=False)))
    out.append(("Thank you", journey.thanks_screen(c, ctx)))
    return out


def print_preview(c: Consultation, console: Console | None = None) -> None:
    console = console or Console()
    for title, s in screens(c):
        body = to_rich(s.text)
        if s.buttons:
            body.append("\n")
            for row in s.buttons:
                body.append("\n" + "  ".join(f"[ {b.label} ]" for b in row), style="blue")
        console.print(Panel(body, title=title, title_align="left", width=min(console.width, 72)))
