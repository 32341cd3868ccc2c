"""Which language a person reads in: the one they chose (stored when they agree to take part, or with /language),
else Telegram's language for their app where the consultation offers it, else asked, else the council's default.
Button data carries a language as a small number, so nothing is stored about someone who has not agreed."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from bot.i18n import PSEUDO, languages
from dialogues.schema import Consultation
from dialogues.text import _

ASK = _("Which language would you like to use?")
CHOSEN = _("From now on I'll write to you in English.")


def number(code: str) -> int:
    """'cy' as a number for a button (two or three letters a-z, base 27, never 0)."""
    n = 0
    for ch in code[:3]:
        n = n * 27 + (ord(ch) - 96)
    return n


def code(n: int) -> str | None:
    letters = ""
    while n > 0:
        n, ch = divmod(n, 27)
        if ch == 0:
            return None
        letters = chr(ch + 96) + letters
    return letters if 2 <= len(letters) <= 3 else None


def from_hint(hint: str, offered: list[str]) -> str | None:
    """Telegram's language_code ('cy', 'en-GB') if it is one of these."""
    base = hint.split("-")[0].lower()
    return base if base in offered else None


def name(language: str) -> str:
    """A language named in itself: 'Cymraeg', 'English'."""
    try:
        own = Locale.parse(language).get_display_name(language) or language
    except (UnknownLocaleError, ValueError):
        return language
    return own[:1].upper() + own[1:]


def readable() -> list[str]:
    """The languages the bot has a catalogue for (its own texts can be read in them)."""
    return [x for x in languages() if x != PSEUDO]


def for_consultation(c: Consultation) -> list[str]:
    return list(c.languages)


def for_groups(c: Consultation, first: list[str]) -> list[str]:
    """The languages a group post is written in: none named for a consultation in one language (the council's
    default); for one in several, each, those the config names in `languages_first` first (Welsh first, where the
    council's Welsh Language Standards say so). The post holds them all at once where they fit in one message."""
    offered = list(c.languages)
    if len(offered) == 1:
        return []
    return sorted(offered, key=lambda x: (first.index(x) if x in first else len(first), offered.index(x)))


def round_title(c: Consultation, number: int, stored: str) -> str:
    """A round's title in each of the file's languages (the database keeps the default language's)."""
    return c.rounds[number - 1].title if 0 < number <= len(c.rounds) else stored


def choices(default: str) -> list[str]:
    """What /language offers: every catalogue, the council's default first."""
    return sorted(readable(), key=lambda x: (x != default, x))
