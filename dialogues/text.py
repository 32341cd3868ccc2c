"""What people read, without a language or a markup: catalogue messages with parameters, and the blocks of a screen.

A `Msg` names a catalogue entry (its English source text is the key, as gettext does) and carries its parameters; it is
translated only when it is rendered, for the person who reads it. Plain `str` inlines are the consultation's own
content (titles, prompts, service names) or what a resident wrote: never translated, always escaped. Two kinds of
`str` know more: `Localised` is a consultation text given in several languages (the reader's is shown), `When` a
moment (shown in the reader's language and way of writing dates). As plain strings both read as the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Union

Param = Union[str, int, float, "Msg", "Span", "Strong", "Em", "Code", "Link"]
Inline = Union[str, "Msg", "Span", "Strong", "Em", "Code", "Link"]


@dataclass(frozen=True)
class Msg:
    """A catalogue entry: `singular` is the English source and the key; `plural` and `n` select a plural form."""

    singular: str
    params: tuple[tuple[str, Param], ...] = ()
    plural: str | None = None
    n: int | None = None

    def param(self, name: str) -> Param | None:
        return next((v for k, v in self.params if k == name), None)


class Localised(str):
    """A text of the consultation file in each of its languages. As a `str` it is the default language's, so code
    that compares, slugs or measures it sees one text; the renderer shows the reader's language where given."""

    texts: dict[str, str]
    default: str

    def __new__(cls, texts: Mapping[str, str] | str, default: str = "en") -> Localised:
        given = {default: texts} if isinstance(texts, str) else {k: v for k, v in texts.items() if v}
        self = super().__new__(cls, given.get(default) or next(iter(given.values()), ""))
        self.texts, self.default = given, default
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:  # copy and pickle make it again from its texts
        return (self.texts, self.default)

    def in_language(self, language: str) -> str:
        return self.texts.get(language) or str(self)

    def variants(self) -> tuple[str, ...]:
        """Every language's text, the default first: what typed answers may be matched against."""
        return (str(self), *(t for k, t in self.texts.items() if k != self.default))


class When(str):
    """A moment as the council says it; as a `str`, in English ('Friday 5 December 2026, 17:00'), and rendered in
    the reader's language. `at` is local to the council's time zone."""

    at: datetime

    def __new__(cls, at: datetime) -> When:
        self = super().__new__(cls, f"{at:%A} {at.day} {at:%B %Y, %H:%M}")
        self.at = at
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.at,)


def _(msgid: str, **params: Param) -> Msg:
    """A catalogue message; `{name}` in it is replaced by the parameter `name` (numbers take format specs)."""
    return Msg(msgid, tuple(params.items()))


def ngettext(singular: str, plural: str, n: int, **params: Param) -> Msg:
    """A message with plural forms chosen by `n`, which is also the parameter `{n}` (gettext's ngettext, deferred
    like `_` until the reader's language is known)."""
    return Msg(singular, (("n", n), *params.items()), plural, n)


@dataclass(frozen=True)
class Span:
    """Inlines run together with no style of their own: several sentences where one inline is expected."""

    parts: tuple[Inline, ...]

    def __init__(self, *parts: Inline):
        object.__setattr__(self, "parts", parts)


@dataclass(frozen=True)
class Strong:
    parts: tuple[Inline, ...]

    def __init__(self, *parts: Inline):
        object.__setattr__(self, "parts", parts)


@dataclass(frozen=True)
class Em:
    parts: tuple[Inline, ...]

    def __init__(self, *parts: Inline):
        object.__setattr__(self, "parts", parts)


@dataclass(frozen=True)
class Code:
    """Something to copy exactly: a command, a code, an id."""

    text: str


@dataclass(frozen=True)
class Link:
    label: Inline
    url: str


# ---- blocks: what a screen is made of, split between messages only at their edges ---------------------------------


@dataclass(frozen=True)
class Para:
    """A paragraph: inlines run together (give the spaces yourself, as in any sentence)."""

    parts: tuple[Inline, ...]

    def __init__(self, *parts: Inline):
        object.__setattr__(self, "parts", parts)


@dataclass(frozen=True)
class Lines:
    """Short lines one under the other, no gap: a list of figures, a board. Long ones split between lines."""

    lines: tuple[tuple[Inline, ...], ...]

    def __init__(self, lines: Iterable[Inline | Sequence[Inline]]):
        object.__setattr__(self, "lines", tuple(_line(x) for x in lines))


@dataclass(frozen=True)
class Items:
    """A bulleted or numbered list."""

    items: tuple[tuple[Inline, ...], ...]
    numbered: bool = False

    def __init__(self, items: Iterable[Inline | Sequence[Inline]], numbered: bool = False):
        object.__setattr__(self, "items", tuple(_line(x) for x in items))
        object.__setattr__(self, "numbered", numbered)


@dataclass(frozen=True)
class Quote:
    """Someone's own words, set apart."""

    parts: tuple[Inline, ...]

    def __init__(self, *parts: Inline):
        object.__setattr__(self, "parts", parts)


Block = Para | Lines | Items | Quote


def _line(x: Inline | Sequence[Inline]) -> tuple[Inline, ...]:
    if isinstance(x, str | Msg | Span | Strong | Em | Code | Link):
        return (x,)
    return tuple(x)


def blocks(body: Block | Inline | Iterable[Block | Inline] | None) -> tuple[Block, ...]:
    """Anything a screen may be given as its body, as blocks: a lone inline becomes a paragraph."""
    if body is None:
        return ()
    if isinstance(body, Para | Lines | Items | Quote):
        return (body,)
    if isinstance(body, str | Msg | Span | Strong | Em | Code | Link):
        return (Para(body),)
    return tuple(b if isinstance(b, Para | Lines | Items | Quote) else Para(b) for b in body)


def join(items: Sequence[Inline], separator: Inline = ", ") -> tuple[Inline, ...]:
    """Inlines with a separator between them, for a sentence's list of names."""
    out: list[Inline] = []
    for i, x in enumerate(items):
        if i:
            out.append(separator)
        out.append(x)
    return tuple(out)


# ---- JSON, for screens that wait in the outbox and are rendered for each recipient when sent ----------------------


def to_json(x: Any) -> Any:
    """Blocks, inlines and message parameters as JSON values."""
    if isinstance(x, Localised):
        return {"l": x.texts, "d": x.default} if len(x.texts) > 1 else str(x)
    if isinstance(x, When):
        return {"w": x.at.isoformat()}
    if isinstance(x, str | int | float) or x is None:
        return x
    if isinstance(x, Msg):
        out: dict[str, Any] = {"m": x.singular, "p": {k: to_json(v) for k, v in x.params}}
        if x.plural is not None:
            out |= {"pl": x.plural, "n": x.n}
        return out
    if isinstance(x, Span | Strong | Em | Para | Quote):
        return {type(x).__name__.lower(): [to_json(p) for p in x.parts]}
    if isinstance(x, Code):
        return {"code": x.text}
    if isinstance(x, Link):
        return {"link": to_json(x.label), "url": x.url}
    if isinstance(x, Lines):
        return {"lines": [[to_json(p) for p in line] for line in x.lines]}
    if isinstance(x, Items):
        return {"items": [[to_json(p) for p in item] for item in x.items], "numbered": x.numbered}
    raise TypeError(f"not content: {type(x).__name__}")


def from_json(x: Any) -> Any:
    if isinstance(x, str | int | float) or x is None:
        return x
    if not isinstance(x, Mapping):
        raise ValueError("content must be a string, a number or an object")
    if "l" in x:
        return Localised({str(k): str(v) for k, v in x["l"].items()}, str(x.get("d", "en")))
    if "w" in x:
        return When(datetime.fromisoformat(x["w"]))
    if "m" in x:
        params = tuple((k, from_json(v)) for k, v in x.get("p", {}).items())
        return Msg(x["m"], params, x.get("pl"), x.get("n"))
    for name, kind in (("span", Span), ("strong", Strong), ("em", Em), ("para", Para), ("quote", Quote)):
        if name in x:
            return kind(*(from_json(p) for p in x[name]))
    if "code" in x:
        return Code(x["code"])
    if "link" in x:
        return Link(from_json(x["link"]), x["url"])
    if "lines" in x:
        return Lines([tuple(from_json(p) for p in line) for line in x["lines"]])
    if "items" in x:
        return Items([tuple(from_json(p) for p in item) for item in x["items"]], bool(x.get("numbered")))
    raise ValueError(f"unknown content {sorted(x)!r}")


def english(x: Inline | Param) -> str:
    """Plain English source text of an inline, untranslated: for logs and exception messages, never for people
    (they are shown content rendered in their language by bot.content)."""
    if isinstance(x, Msg):
        template = x.plural if x.plural is not None and x.n != 1 else x.singular
        values = {k: v if isinstance(v, int | float) else english(v) for k, v in x.params}
        try:
            return template.format(**values)
        except (KeyError, ValueError, IndexError):
            return template
    if isinstance(x, Span | Strong | Em):
        return "".join(english(p) for p in x.parts)
    if isinstance(x, Code):
        return x.text
    if isinstance(x, Link):
        return english(x.label)
    return str(x)
