"""Turns neutral content into what a person reads in one language: Telegram HTML for chats and plain text for the
terminal and exports. Long content is split between blocks, never inside a tag."""

from __future__ import annotations

import functools
import gettext
import re
import string
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.numbers import format_decimal

from dialogues.memo import ByIdentity
from dialogues.text import (
    Block,
    Code,
    Em,
    Inline,
    Items,
    Lines,
    Link,
    Localised,
    Msg,
    Para,
    Param,
    Quote,
    Span,
    Strong,
    When,
)

Translator = gettext.NullTranslations
TEXT_LIMIT = 4096  # a message's text; Telegram counts after parsing entities, so HTML length is on the safe side
CAPTION_LIMIT = 1024
LINES_KEPT = 20_000  # drawn lines remembered per language (a few MB at most)


def _h(text: str) -> str:
    return escape(text, quote=False)


DATE_PATTERN = "EEEE d MMMM y, HH:mm"  # 'Friday 5 December 2026, 17:00'
# Welsh mutates a word after "ar", "tan" ("ar ddydd Gwener"); a date that starts with its number reads right after
# either: 'ar 5 Rhagfyr 2026 (dydd Gwener), 17:00'.
DATE_PATTERNS = {"cy": "d MMMM y (EEEE), HH:mm"}
_NUMBER_SPEC = re.compile(r"^(\+?)(,?)(?:\.(\d)f)?$")  # the specs messages use: {n:,} {mean:.1f} {change:+.1f}


@functools.lru_cache(maxsize=4096)
def _unshaped(template: str) -> bool:
    """Whether a template's fields are all plain ({name}, no spec or conversion), as most messages' are."""
    return all(spec == "" and conversion is None for _text, field, spec, conversion in
               string.Formatter().parse(template) if field is not None)


class _Numbers(string.Formatter):
    """str.format, with the numbers a message's spec shapes written as the reader's locale writes them."""

    def __init__(self, locale: Locale):
        self.locale = locale

    def format_field(self, value: Any, format_spec: str) -> Any:
        m = _NUMBER_SPEC.match(format_spec)
        if format_spec and m and isinstance(value, int | float) and not isinstance(value, bool):
            sign, grouping, decimals = m.groups()
            pattern = ("#,##0" if grouping else "0") + ("." + "0" * int(decimals) if decimals and int(decimals) else "")
            if sign:
                pattern = f"+{pattern};-{pattern}"
            return format_decimal(value, format=pattern, locale=self.locale)
        return super().format_field(value, format_spec)


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


class Render:
    """Content in one language and one markup (`html=True`: Telegram's HTML parse mode). The language is the
    catalogue's own (its Language header): consultation texts, dates and numbers follow it."""

    def __init__(self, tr: Translator, html: bool = True):
        self.tr = tr
        self.html = html
        self.language = tr.info().get("language", "") or "en"
        self.locale = _locale(self.language)
        self._numbers = _Numbers(self.locale)
        # A line of a board drawn once while its object lives on: question types give unchanged lines again
        # (dialogues.memo), a whole board of them on every press.
        self._lines: ByIdentity[tuple[Inline, ...], str] = ByIdentity(self.inlines, LINES_KEPT)

    # ---- inlines ------------------------------------------------------------------------------------------------
    def inline(self, x: Inline | Param) -> str:
        if isinstance(x, Localised):
            x = x.in_language(self.language)
        elif isinstance(x, When):
            pattern = DATE_PATTERNS.get(self.language, DATE_PATTERN)
            x = format_datetime(x.at, pattern, tzinfo=x.at.tzinfo, locale=self.locale)
            if self.language == "cy":
                x = x.replace("(Dydd ", "(dydd ")
        if isinstance(x, str):
            return _h(x) if self.html else x
        if isinstance(x, Msg):
            return self.msg(x)
        if isinstance(x, Span):
            return self.inlines(x.parts)
        if isinstance(x, Strong):
            inner = self.inlines(x.parts)
            return f"<b>{inner}</b>" if self.html else inner
        if isinstance(x, Em):
            inner = self.inlines(x.parts)
            return f"<i>{inner}</i>" if self.html else inner
        if isinstance(x, Code):
            return f"<code>{_h(x.text)}</code>" if self.html else x.text
        if isinstance(x, Link):
            label = self.inline(x.label)
            return f'<a href="{escape(x.url, quote=True)}">{label}</a>' if self.html else f"{label} ({x.url})"
        if isinstance(x, int | float):
            return str(x)
        raise TypeError(f"not content: {type(x).__name__}")

    def inlines(self, parts: Sequence[Inline]) -> str:
        return "".join(self.inline(p) for p in parts)

    def msg(self, m: Msg) -> str:
        if m.plural is not None:
            template = self.tr.ngettext(m.singular, m.plural, m.n or 0)
        else:
            template = self.tr.gettext(m.singular)
        if self.html:
            template = _h(template)
        if not m.params:
            return template
        values: dict[str, Any] = {k: v if isinstance(v, int | float) else self.inline(v) for k, v in m.params}
        try:
            if _unshaped(template):  # no number to shape: str.format in C, not string.Formatter in Python
                return template.format_map(values)
            return self._numbers.vformat(template, (), values)
        except (KeyError, IndexError, ValueError):
            # A translation naming a parameter the source does not have must not lose the message: use the source.
            source = m.singular if m.plural is None or m.n == 1 else m.plural
            return self._numbers.vformat(_h(source) if self.html else source, (), values)

    def text(self, x: Inline) -> str:
        """One inline as plain text whatever the markup: toasts, button labels, file headers."""
        return Render(self.tr, html=False).inline(x)

    def date(self, x: When) -> str:
        return self.inline(x)

    # ---- blocks -------------------------------------------------------------------------------------------------
    def block(self, b: Block) -> str:
        if isinstance(b, Para):
            return self.inlines(b.parts)
        if isinstance(b, Lines):
            return "\n".join([self._lines.get(line) for line in b.lines])
        if isinstance(b, Items):
            marks = [f"{i}. " for i in range(1, len(b.items) + 1)] if b.numbered else ["• "] * len(b.items)
            return "\n".join(m + self.inlines(item) for m, item in zip(marks, b.items, strict=True))
        if isinstance(b, Quote):
            inner = self.inlines(b.parts)
            return f"<blockquote>{inner}</blockquote>" if self.html else f"“{inner}”"
        raise TypeError(f"not a block: {type(b).__name__}")

    def body(self, body: Sequence[Block]) -> str:
        return "\n\n".join(t for t in (self.block(b) for b in body) if t)

    def pieces(self, b: Block, limit: int) -> list[str]:
        """A block as text no longer than `limit` each: whole if it fits, else line by line (a list), else as
        plain text cut between words (a paragraph longer than a message has no markup worth a broken tag)."""
        whole = self.block(b)
        if len(whole) <= limit:
            return [whole]
        rows: list[str] = []
        if isinstance(b, Lines | Items):
            rows = whole.split("\n")
        if not rows or any(len(r) > limit for r in rows):
            plain = Render(self.tr, html=False).block(b)
            # Cut the plain text, then escape each piece: a cut can never fall inside "&amp;".
            rows = _words(plain, limit, (lambda t: len(_h(t))) if self.html else len)
            if self.html:
                rows = [_h(r) for r in rows]
        return _pack(rows, limit, "\n")

    def messages(self, body: Sequence[Block], first_limit: int = TEXT_LIMIT, limit: int = TEXT_LIMIT) -> list[str]:
        """The body as one or more messages: blocks kept whole where they fit, the first at most `first_limit`
        (a photo's caption), the rest at most `limit`. A block is cut only if no message could hold it whole."""
        out: list[str] = []
        current = ""
        for b in body:
            whole = self.block(b)
            if not whole:
                continue
            cap = first_limit if not out else limit
            joined = f"{current}\n\n{whole}" if current else whole
            if len(joined) <= cap:
                current = joined
                continue
            if current:
                out.append(current)
                current = ""
            elif not out and len(whole) <= limit:
                out.append("")  # an empty caption: the block goes whole in the next message
            cap = first_limit if not out else limit
            if len(whole) <= cap:
                current = whole
                continue
            pieces = self.pieces(b, cap)
            out += pieces[:-1]
            current = pieces[-1]
        if current or not out:
            out.append(current)
        return out


def _words(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Lines of text cut between words so each measures at most `limit` (a word longer than that is cut)."""
    limit = max(limit, 8)
    out: list[str] = []
    for line in text.split("\n"):
        while measure(line) > limit:
            end = size = 0
            while end < len(line) and size + measure(line[end]) <= limit:
                size += measure(line[end])
                end += 1
            space = line.rfind(" ", 0, end)
            cut = space if space > end // 2 else end
            out.append(line[:cut])
            line = line[cut:].lstrip(" ")
        out.append(line)
    return out


def _pack(rows: list[str], limit: int, sep: str) -> list[str]:
    out: list[str] = []
    current: str | None = None
    for r in rows:
        if current is None:
            current = r
        elif len(current) + len(sep) + len(r) <= limit:
            current += sep + r
        else:
            out.append(current)
            current = r
    out.append(current or "")
    return out
