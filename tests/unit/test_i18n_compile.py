"""The catalogues compiled without Babel (bot.i18n.plain_mo) are the ones Babel compiles, and anything that
reading does not follow is left to Babel."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest

from bot.i18n import DOMAIN, LOCALES, babel_mo, languages, plain_mo, translations


def _both(po: Path, language: str) -> tuple[gettext.GNUTranslations, gettext.GNUTranslations]:
    plain = plain_mo(po)
    assert plain is not None
    return gettext.GNUTranslations(io.BytesIO(plain)), gettext.GNUTranslations(io.BytesIO(babel_mo(po, language)))


def _same(plain: gettext.GNUTranslations, babel: gettext.GNUTranslations) -> None:
    def without_version(catalog: dict[object, str]) -> dict[object, str]:
        # Babel names itself in the header it writes: the version installed, not the one that wrote the file.
        header = "".join(line for line in catalog[""].splitlines(True) if not line.startswith("Generated-By:"))
        return {**catalog, "": header}

    assert without_version(plain._catalog) == without_version(babel._catalog)  # type: ignore[attr-defined]
    assert {k: v for k, v in plain.info().items() if k != "generated-by"} == {
        k: v for k, v in babel.info().items() if k != "generated-by"}
    assert [plain.plural(n) for n in range(300)] == [babel.plural(n) for n in range(300)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", languages())
def test_every_catalogue_compiles_as_babel_compiles_it(language: str) -> None:
    _same(*_both(LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po", language))


HEADER = r'''# a comment
msgid ""
msgstr ""
"Project-Id-Version: moot 0.1.0\n"
"Report-Msgid-Bugs-To: EMAIL@ADDRESS\n"
"POT-Creation-Date: 2026-12-02 09:43+0000\n"
"PO-Revision-Date: 2026-12-02 09:43+0000\n"
"Last-Translator: a translator\n"
"Language: cy\n"
"Language-Team: Cymraeg <cy@li.org>\n"
"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 5);\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=utf-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Generated-By: Babel 2.19.0\n"

'''

ENTRIES = r'''#: bot/a.py
#, python-brace-format
msgid "Hello {name}"
msgstr "Helo {name}"

#, fuzzy
msgid "Guessed"
msgstr "Dyfalu"

msgid "Untranslated"
msgstr ""

msgid ""
"A long message "
"on two lines"
msgstr ""
"Neges hir "
"ar ddwy linell\twith \"quotes\" \\ and\nnew lines"

msgctxt "button"
msgid "Open"
msgstr "Agor"

msgid "{n} round"
msgid_plural "{n} rounds"
msgstr[0] "dim rowndiau"
msgstr[1] "{n} rownd"
msgstr[2] ""
msgstr[5] "{n} rownd"

msgid "{n} file"
msgid_plural "{n} files"
msgstr[0] ""

#~ msgid "Gone"
#~ msgstr "Wedi mynd"
'''


def test_the_kinds_of_entry_babel_writes_compile_as_babel_compiles_them(tmp_path: Path) -> None:
    po = tmp_path / "moot.po"
    po.write_text(HEADER + ENTRIES, encoding="utf-8")
    plain, babel = _both(po, "cy")
    _same(plain, babel)
    assert plain.gettext("Guessed") == "Guessed" and plain.gettext("Gone") == "Gone"
    assert plain.pgettext("button", "Open") == "Agor"
    assert plain.ngettext("{n} round", "{n} rounds", 2) == "{n} rounds"


@pytest.mark.parametrize("trouble", [
    HEADER.replace("charset=utf-8", "charset=latin-1") + ENTRIES,
    HEADER.replace('"Plural-Forms', '"X-Plural') + ENTRIES,
    HEADER.replace('"Language-Team: Cymraeg <cy@li.org>\\n"\n', "") + ENTRIES,
    HEADER.replace("Language: cy", "Language: cy-GB") + ENTRIES,
    HEADER + ENTRIES + '#-#-#-#-# conflict\nmsgid "x"\nmsgstr "y"\n',
    HEADER + ENTRIES + 'msgid "Open"\nmsgstr "Again"\nmsgid "Open"\nmsgstr "Twice"\n',
    HEADER + 'msgid "x"\nmsgstr[7] "too many"\nmsgid_plural "xs"\n',
    HEADER + 'msgid "x"\nmsgstr "y"\nmsgfoo "z"\n',
    ENTRIES + HEADER,
    ENTRIES,
])
def test_what_this_reading_does_not_follow_is_left_to_babel(trouble: str, tmp_path: Path) -> None:
    po = tmp_path / "moot.po"
    po.write_text(trouble, encoding="utf-8")
    assert plain_mo(po) is None


def test_a_file_left_to_babel_is_still_compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / f"{DOMAIN}.po").write_text(HEADER.replace('"Plural-Forms', '"X-Plural') + ENTRIES, encoding="utf-8")
    monkeypatch.setattr("bot.i18n.LOCALES", tmp_path)
    translations.cache_clear()
    try:
        assert translations("xx").gettext("Hello {name}") == "Helo {name}"
    finally:
        translations.cache_clear()
