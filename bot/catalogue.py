"""Builds the message catalogues from the code: every `_()` and `ngettext()` in bot/, dialogues/ and storage/ (Babel's
Python extractor), written to each language's `.po` in bot/locales. English is the source, so its entries are
empty; another language keeps its translations and gains the new entries, untranslated (a test fails until they
are translated). Run `python -m bot.catalogue`."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from datetime import datetime
from importlib import metadata
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DEFAULT, DOMAIN, LOCALES, languages

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "dialogues", "storage")
KEYWORDS = {"_": None, "ngettext": (1, 2)}  # _(message, **params); ngettext(singular, plural, n, **params)
METHODS = [
    ("**/cli*.py", "ignore"),  # the operator's command line speaks to the operator, in English
    ("**/migrations/**", "ignore"),
    ("**.py", "python"),
]
COMMENT_TAGS = ("Translators:",)
# Plural rules chosen on purpose where Babel's own would not do. Welsh: CLDR's six categories, in CLDR's order
# (zero 0, one 1, two 2, few 3, many 6, other), not Babel's five from get_plural('cy'), which merges zero into
# other, so "dim rowndiau" / "chwe rownd" could not both be written; the same as to_gettext(Locale('cy')).
PLURAL_FORMS = {
    "cy": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 5);",
}
HEADER = """\
# moot's messages in English, the language of the source: every msgstr is empty, the msgid is the text.
# Made from the code by `python -m bot.catalogue`; run it again after adding or changing a message.
#"""

Entry = tuple[str | tuple[str, ...], str, int, list[str]]  # (msgid or (singular, plural), file, line, comments)


def extract(root: Path = ROOT) -> Iterator[Entry]:
    """Every catalogue message in the code, in file order, with where it is."""
    for source in SOURCES:
        noise = io.StringIO()
        with contextlib.redirect_stderr(noise):
            found = list(extract_from_dir(root / source, METHODS, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
                                          strip_comment_tags=True))
        _warn(noise.getvalue())
        for filename, lineno, message, comments, _context in found:
            yield message, f"{source}/{filename}", lineno, list(comments)


def _warn(said: str) -> None:
    """Babel's warnings, less its complaint about any f-string among a call's parameters (`when=f"{t:%H:%M}"` is
    fine; an f-string as the message itself is what tests/unit/test_catalogue.py refuses)."""
    for line in said.splitlines():
        if "Skipping f-string" not in line:
            print(line, file=sys.stderr)


def template(root: Path = ROOT) -> Catalog:
    """The messages as an untranslated catalogue (what a `.pot` would hold)."""
    catalog = Catalog(domain=DOMAIN, project="moot", charset="utf-8", fuzzy=False)
    for message, where, lineno, comments in extract(root):
        added = catalog.add(message, locations=[(where, lineno)], auto_comments=comments)
        added.flags.discard("python-format")  # our placeholders are {name}; a stray % is not a format
    return catalog


def _version() -> str:
    try:
        return metadata.version("moot")
    except metadata.PackageNotFoundError:
        return "0"


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def build(language: str, pot: Catalog) -> Catalog:
    """`language`'s catalogue for these messages: English empty (the source is the text), any other language
    keeping what is translated, its entries no longer in the code marked obsolete."""
    path = po_path(language)
    old: Catalog | None = None
    if path.exists():
        with path.open("rb") as f:
            old = read_po(f, locale=language, domain=DOMAIN)
    if language == DEFAULT or old is None:
        catalog = Catalog(locale=language, domain=DOMAIN, project="moot", version=_version(), charset="utf-8",
                          fuzzy=False, header_comment=HEADER if language == DEFAULT else "",
                          copyright_holder="moot's contributors",
                          creation_date=old.creation_date if old is not None else datetime.now().astimezone())
        for m in pot:
            if m.id:
                catalog.add(m.id, locations=m.locations, auto_comments=m.auto_comments, flags=m.flags)
        catalog.revision_date = catalog.creation_date  # unchanged output for unchanged code
        _plurals(catalog, language)
        return catalog
    # A new message arrives untranslated (or fuzzy, with the nearest old translation as a guess a translator
    # confirms); fuzzy entries are never used (i18n compiles without them) and untranslated() counts both.
    old.update(pot, update_creation_date=False)
    _plurals(old, language)
    return old


def _plurals(catalog: Catalog, language: str) -> None:
    if language in PLURAL_FORMS:
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[language])]


def untranslated(catalog: Catalog) -> list[str]:
    """The messages a translator still has to do: no translation, an incomplete plural, or fuzzy."""
    out = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        if m.fuzzy or not all(strings) or len(strings) < (catalog.num_plurals if m.pluralizable else 1):
            out.append(m.id if isinstance(m.id, str) else m.id[0])
    return out


def write(language: str, catalog: Catalog) -> Path:
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=116, include_lineno=False, ignore_obsolete=language == DEFAULT)
    return path


def main(argv: list[str] | None = None) -> int:
    pot = template()
    for language in sorted({DEFAULT, *languages()}):
        catalog = build(language, pot)
        path = write(language, catalog)
        todo = "" if language == DEFAULT else f", {len(untranslated(catalog))} to translate"
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages{todo}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
