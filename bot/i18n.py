"""The message catalogues: gettext `.po` files in the package, one per language, shared by both runtimes, the
outbox, the exports and the command line.

A catalogue is compiled when first asked for. The `.po` files `python -m bot.catalogue` writes are read here
directly, entry by entry as Babel reads them, without importing Babel's catalogue machinery (about 1.5 MB that would
stay in a running bot, which compiles every language at start for the command menus); a file holding anything
this reading does not follow is compiled by Babel, as before. tests/unit/test_i18n_compile.py checks that both
give the same catalogue for every language.
"""

from __future__ import annotations

import array
import gettext
import io
import re
import struct
from collections.abc import Iterable
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
    """The catalogue for a language, compiled from its `.po` when first asked for (no `.mo` is kept in the
    repository); an unknown language falls back to the English source texts."""
    if language == PSEUDO:
        return Pseudo()
    po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    compiled = plain_mo(po)
    return gettext.GNUTranslations(io.BytesIO(compiled if compiled is not None else babel_mo(po, language)))


def babel_mo(po: Path, language: str) -> bytes:
    """The `.mo` Babel compiles from a `.po` (fuzzy entries left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


_ESCAPE = re.compile(r'\\([\\abfnrtv"])')  # babel.messages.pofile.unescape
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_NPLURALS = re.compile(r"^nplurals=(\d+); plural=.+;$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_HEADER_FIELDS = ["Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
                  "Last-Translator", "Language", "Language-Team", "Plural-Forms", "MIME-Version", "Content-Type",
                  "Content-Transfer-Encoding", "Generated-By"]  # babel.messages.catalog.Catalog.mime_headers
_KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr|msgstr\[(\d+)\])$")


class _Unfollowed(Exception):
    """Something in a `.po` file that plain_mo leaves to Babel."""


def _unquote(piece: str) -> str:
    if len(piece) < 2 or piece[0] != '"' or piece[-1] != '"':
        raise _Unfollowed(piece)
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[1]), piece[1:-1])


class _Entry:
    def __init__(self) -> None:
        self.context: str | None = None
        self.ids: list[str] = []
        self.strings: list[tuple[int, str]] = []
        self.flags: set[str] = set()
        self.obsolete = False
        self.field: tuple[str, int] | None = None  # where a continuation line's text goes


def plain_mo(po: Path) -> bytes | None:
    """The `.mo` for a `.po` file, read line by line as babel.messages.pofile.PoFileParser reads it, holding the
    entries babel.messages.mofile.write_mo would write (fuzzy ones left out, a plural's empty forms given its ids);
    None when the file holds something this reading leaves to Babel (a charset other than UTF-8, a header Babel
    did not write, merge conflicts, a message given twice, a line out of place). Lines are read one at a time and
    the `.mo` written as they are: holding the whole file's lines or messages at once would leave their memory to
    the running bot."""
    try:
        with po.open(encoding="utf-8", newline="\n") as lines:  # split at "\n" only, as Babel splits
            return _compile(lines)
    except (_Unfollowed, UnicodeDecodeError, ValueError):
        return None


def _compile(lines: Iterable[str]) -> bytes:
    mo = _Mo()
    seen: set[tuple[str, str | None]] = set()
    nplurals: int | None = None
    entry = _Entry()

    def finish() -> None:
        nonlocal entry, nplurals
        e, entry = entry, _Entry()
        if not e.ids:
            if e.strings or e.context is not None:
                raise _Unfollowed("a msgstr or msgctxt without a msgid")
            entry.flags = e.flags  # comments before a msgid: its flags gather, as Babel gathers them
            return
        if not e.strings:
            raise _Unfollowed(f"no msgstr for {e.ids[0]!r}")
        if e.obsolete:
            return  # a #~ entry: Babel keeps it apart from the catalogue
        if len(e.ids) > 2 or (len(e.ids) == 1 and [i for i, _s in e.strings] != [0]):
            raise _Unfollowed(f"the forms of {e.ids[0]!r}")
        key = (e.ids[0], e.context)
        if key in seen or (e.ids[0] == "" and (e.context is not None or len(e.ids) > 1 or seen)):
            raise _Unfollowed(f"{e.ids[0]!r} given twice, or a header out of place")
        seen.add(key)
        if e.ids[0] == "":
            lines = [line for line in e.strings[0][1].split("\n") if line.strip()]
            fields = dict(line.split(": ", 1) for line in lines if ": " in line)
            # Babel writes the header it rebuilds from these fields; one it wrote itself is the same text.
            if len(fields) != len(lines) or list(fields) != _HEADER_FIELDS:
                raise _Unfollowed("a header Babel did not write")
            if fields["Content-Type"] != "text/plain; charset=utf-8" or not _LANGUAGE.match(fields["Language"]):
                raise _Unfollowed("a charset other than UTF-8, or a language named another way")
            found = _NPLURALS.match(fields["Plural-Forms"])
            if found is None:
                raise _Unfollowed("plural forms written another way")
            nplurals = int(found[1])
            mo.add(b"", "".join(f"{line}\n" for line in lines).encode())
            return
        if nplurals is None:
            raise _Unfollowed("a message before the header")
        if "fuzzy" in e.flags:
            return
        if len(e.ids) == 2:
            forms = [""] * nplurals
            for index, string in sorted(e.strings):
                if index >= nplurals:
                    raise _Unfollowed(f"more forms than nplurals for {e.ids[0]!r}")
                forms[index] = string
            msgid = "\x00".join(e.ids)
            msgstr = "\x00".join(f or e.ids[min(i, 1)] for i, f in enumerate(forms))  # an empty form: the ids
        else:
            msgid, msgstr = e.ids[0], e.strings[0][1]
            if not msgstr:
                return  # untranslated: left out, so the source text is shown
        if e.context is not None:
            msgid = f"{e.context}\x04{msgid}"
        mo.add(msgid.encode(), msgstr.encode())

    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        obsolete = False
        if line[0] == "#":
            if line[1:2] == "-":
                raise _Unfollowed("a merge conflict")
            if line[1:2] != "~":
                finish()
                if line[1:2] == ",":
                    entry.flags.update(flag.strip() for flag in line[2:].lstrip().split(","))
                continue
            line, obsolete = line[2:].lstrip(), True
            if not line:
                continue
        if line[0] == '"':
            if entry.field is None:
                raise _Unfollowed(line)
            part, index = entry.field
            piece = _unquote(line)
            if part == "id":
                entry.ids[-1] += piece
            elif part == "context":
                entry.context = (entry.context or "") + piece
            else:
                i, s = entry.strings[index]
                entry.strings[index] = (i, s + piece)
            continue
        keyword, _space, arg = line.partition(" ")
        m = _KEYWORD.match(keyword)
        if m is None:
            raise _Unfollowed(line)
        if keyword in ("msgid", "msgctxt"):
            if entry.ids:
                finish()
            elif keyword == "msgctxt" and entry.context is not None:
                raise _Unfollowed(line)
        entry.obsolete = obsolete
        if keyword in ("msgid", "msgid_plural"):
            if entry.strings:
                raise _Unfollowed(line)
            entry.ids.append(_unquote(arg.strip()))
            entry.field = ("id", 0)
        elif keyword == "msgctxt":
            entry.context = _unquote(arg.strip())
            entry.field = ("context", 0)
        else:
            if not entry.ids:
                raise _Unfollowed(line)
            entry.strings.append((int(m[2] or 0), _unquote(arg.strip())))
            entry.field = ("string", len(entry.strings) - 1)
    finish()
    if nplurals is None:
        raise _Unfollowed("no header")
    return mo.written()


class _Mo:
    """A little-endian `.mo` file (no hash table, as babel.messages.mofile.write_mo writes it), its entries in the
    `.po` file's order rather than sorted, which gettext does not need; the header comes first, so gettext knows
    the charset before the first translation. Written as it is read: no list of messages to leave behind."""

    def __init__(self) -> None:
        self.keys, self.values = array.array("i"), array.array("i")  # (length, offset) of each, offsets from 0
        self.ids, self.strs = bytearray(), bytearray()

    def add(self, msgid: bytes, msgstr: bytes) -> None:
        self.keys.extend((len(msgid), len(self.ids)))
        self.values.extend((len(msgstr), len(self.strs)))
        self.ids += msgid + b"\x00"
        self.strs += msgstr + b"\x00"

    def written(self) -> bytes:
        count = len(self.keys) // 2
        keystart = 7 * 4 + 16 * count
        valuestart = keystart + len(self.ids)
        for i in range(1, len(self.keys), 2):
            self.keys[i] += keystart
            self.values[i] += valuestart
        header = struct.pack("Iiiiiii", 0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0)
        return b"".join((header, self.keys.tobytes(), self.values.tobytes(), self.ids, self.strs))
