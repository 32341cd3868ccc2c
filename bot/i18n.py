"""The message catalogues: gettext `.po` files in the package, compiled with Babel, one per language, shared by both
runtimes, the outbox, the exports and the command line."""

from __future__ import annotations

import contextlib
import gettext
import hashlib
import io
import os
from functools import cache
from pathlib import Path

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
    """The catalogue for a language; an unknown language falls back to the English source texts."""
    if language == PSEUDO:
        return Pseudo()
    po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(_compiled(po)))


def _compiled(po: Path) -> bytes:
    """The `.po` compiled to a `.mo` by Babel, kept beside it under the `.po`'s hash as Python keeps `.pyc` files
    (no `.mo` is in the repository): a bot started again reads it with the standard library alone, and Babel's
    catalogue code (1.5 MB of a 210 MB process) is loaded only when a `.po` changed. Where the package cannot
    be written, it is compiled in memory every start."""
    source = po.read_bytes()
    kept = po.with_name(f".{DOMAIN}-{hashlib.sha256(source).hexdigest()[:16]}.mo")
    with contextlib.suppress(OSError):
        return kept.read_bytes()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(source), locale=po.parent.parent.name, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    compiled = buffer.getvalue()
    with contextlib.suppress(OSError):
        for old in po.parent.glob(f".{DOMAIN}-*.mo"):
            old.unlink()
        partial = kept.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(compiled)
        os.replace(partial, kept)  # whole or not at all: another process may be reading it
    return compiled
