"""Telegram's HTML parse mode: formatted text to plain text and entities, or Telegram's refusal.

Modelled on tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp): same tags, same attribute grammar,
same error wording and byte offsets (UTF-8 bytes of the input).  Entity offsets and lengths are UTF-16 code
units, as in the Bot API.  One deliberate difference: by default an ``&`` that does not start a known entity
is an error (Telegram keeps it literally), so a bot that forgets to escape user text is caught in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SPACES = " \t\r\n\v\0"
ASCII_WHITESPACE = " \t\r\n\v\f"
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
SUPPORTED_TAGS = {
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
    "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
}  # fmt: skip
SIMPLE_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip


class HtmlParseError(ValueError):
    """Telegram's "can't parse entities" failure; ``reason`` already carries "at byte offset N"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def description(self) -> str:
        return f"Bad Request: can't parse entities: {self.reason}"


@dataclass
class Parsed:
    """Plain text plus Bot API entity dicts (offsets in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    text_index: int  # index into the output chunks' joined text, for <a> without href


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML entity starting at ``text[pos] == '&'``; returns (character, next position)."""
    end = pos + 1
    value = 0
    if end < len(text) and text[end] == "#":
        end += 1
        hexadecimal = end < len(text) and text[end] == "x"
        if hexadecimal:
            end += 1
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while end < len(text) and text[end] in digits:
            value = value * (16 if hexadecimal else 10) + int(text[end], 16)
            end += 1
            if value >= 0x10FFFF:
                return None
        if value == 0 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in NAMED_ENTITIES:
            return None
        char = NAMED_ENTITIES[name]
    if end < len(text) and text[end] == ";":
        end += 1
    return char, end


class _Parser:
    def __init__(self, html: str, strict_ampersand: bool) -> None:
        self.src = html
        self.strict = strict_ampersand
        self.out: list[str] = []
        self.out_len = 0  # characters emitted so far
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def at(self, i: int) -> str:
        return self.src[i] if i < len(self.src) else "\0"

    def byte(self, i: int) -> int:
        return len(self.src[:i].encode("utf-8"))

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.out_len += len(chars)
        self.utf16 += utf16_len(chars)

    def run(self) -> Parsed:
        i, n = 0, len(self.src)
        while i < n:
            c = self.src[i]
            if c == "&":
                decoded = _decode_entity(self.src, i)
                if decoded is not None:
                    self.emit(decoded[0])
                    i = decoded[1]
                    continue
                if self.strict:
                    raise HtmlParseError(
                        f'Character "&" must be escaped as "&amp;" unless it starts an entity '
                        f"at byte offset {self.byte(i)}"
                    )
            if c != "<":
                self.emit(c)
                i += 1
                continue
            i = self.end_tag(i) if self.at(i + 1) == "/" else self.start_tag(i)
        if self.stack:
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return Parsed("".join(self.out), entities)

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while self.at(i) not in SPACES and self.at(i) != ">":
            i += 1
        if i >= len(self.src):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte(begin)}")
        tag = self.src[begin + 1 : i].lower()
        if tag not in SUPPORTED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {self.byte(begin)}')
        argument = ""
        expandable = False
        while self.at(i) != ">":
            while i < len(self.src) and self.at(i) in SPACES:
                i += 1
            if self.at(i) == ">":
                break
            if i >= len(self.src):
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {self.byte(begin)}')
            name_begin = i
            while self.at(i) not in SPACES and self.at(i) not in "=>":
                i += 1
            name = self.src[name_begin:i].lower()
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {self.byte(begin)}'
                )
            while i < len(self.src) and self.at(i) in SPACES:
                i += 1
            if self.at(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    expandable = True
                    continue
                raise HtmlParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte(begin)}"
                )
            i += 1
            while i < len(self.src) and self.at(i) in SPACES:
                i += 1
            if i >= len(self.src):
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {self.byte(begin)}')
            value, i = self.attribute_value(i, begin)
            if tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and name == "emoji-id":
                argument = value
        if tag == "span" and argument != "spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte(begin)}')
        if tag == "tg-emoji" and not argument.isdigit():
            raise HtmlParseError(
                f"Invalid custom emoji identifier specified at byte offset {self.byte(begin)}"
            )
        if tag == "blockquote" and expandable:
            argument = "expandable"
        self.stack.append(_Open(tag, argument, self.utf16, self.out_len))
        return i + 1

    def attribute_value(self, i: int, begin: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in "'\"":
            token_begin = i
            while self.at(i).isascii() and (self.at(i).isalnum() or self.at(i) in ".-"):
                i += 1
            if self.at(i) not in SPACES and self.at(i) != ">":
                raise HtmlParseError(f"Unexpected end of name token at byte offset {self.byte(token_begin)}")
            return self.src[token_begin:i].lower(), i
        i += 1
        chars: list[str] = []
        while i < len(self.src) and self.src[i] != quote:
            if self.src[i] == "&":
                decoded = _decode_entity(self.src, i)
                if decoded is not None:
                    chars.append(decoded[0])
                    i = decoded[1]
                    continue
            chars.append(self.src[i])
            i += 1
        if i >= len(self.src):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte(begin)}")
        return "".join(chars), i + 1

    def end_tag(self, begin: int) -> int:
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte(begin)}")
        i = begin + 2
        while self.at(i) not in SPACES and self.at(i) != ">":
            i += 1
        name = self.src[begin + 2 : i].lower()
        while i < len(self.src) and self.at(i) in SPACES:
            i += 1
        if self.at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte(begin)}")
        opened = self.stack[-1]
        if name and name != opened.tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {self.byte(begin)}, expected "</{opened.tag}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        self.close(opened)
        return i + 1

    def close(self, opened: _Open) -> None:
        offset, length = opened.utf16_offset, self.utf16 - opened.utf16_offset
        if length == 0:
            return
        entity: dict[str, Any] = {"offset": offset, "length": length}
        tag, argument = opened.tag, opened.argument
        if tag in SIMPLE_TYPES:
            entity["type"] = SIMPLE_TYPES[tag]
        elif tag == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=argument)
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if argument else "blockquote"
        elif tag == "a":
            url = argument or "".join(self.out)[opened.text_index :]
            if not url:
                return
            entity.update(type="text_link", url=url)
        elif tag == "code":
            parent = self.stack[-1] if self.stack else None
            inside_pre = parent is not None and parent.tag == "pre" and parent.utf16_offset == offset
            if inside_pre and argument:
                entity.update(type="pre", language=argument)
            else:
                entity["type"] = "code"
        else:  # pre
            last = self.entities[-1] if self.entities else None
            if last and last["type"] == "pre" and (last["offset"], last["length"]) == (offset, length):
                return  # <pre><code class="language-x"> already produced the pre entity
            entity["type"] = "pre"
        self.entities.append(entity)


def parse_html(html: str, strict_ampersand: bool = True) -> Parsed:
    """Parse Telegram HTML; raise :class:`HtmlParseError` on input Telegram would refuse."""
    return _Parser(html, strict_ampersand).run()


def trim(parsed: Parsed) -> Parsed:
    """Strip leading/trailing whitespace as Telegram does, clipping entities to the kept text."""
    text = parsed.text
    stripped = text.strip(ASCII_WHITESPACE)
    if stripped == text:
        return parsed
    start = utf16_len(text[: len(text) - len(text.lstrip(ASCII_WHITESPACE))])
    end = start + utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        lo = max(entity["offset"], start)
        hi = min(entity["offset"] + entity["length"], end)
        if hi > lo:
            entities.append({**entity, "offset": lo - start, "length": hi - lo})
    return Parsed(stripped, entities)
