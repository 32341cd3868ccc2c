"""The message catalogues: gettext `.po` files in the package, read with Babel, one per language, shared by both
runtimes, the outbox, the exports and the command line."""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "moot"
DEFAULT = "en"
PSEUDO = "pseudo"  # every catalogue text wrapped in ⟦…⟧: shows which texts a person sees that no catalogue holds


class Pseudo(gettext.NullTranslations):
    """English, with each catalogue text marked, so a test can find any visible text that bypassed the catalogue."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"⟦{msgid1 if n == 1 else msgid2}⟧"


def languages() -> list[str]:
    """The languages with a catalogue in the package."""
    return sorted(p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@cache
def translations(language: str = DEFAULT) -> gettext.NullTranslations:
    """The catalogue for a language, compiled from its `.po` when first asked for (no `.mo` is kept in the
    repository); an unknown language falls back to the English source texts."""
    if language == PSEUDO:
        return Pseudo()
    po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
