"""Long content is split into Telegram messages between blocks, never inside a tag, and a paragraph too long for
one message is split between words."""

from __future__ import annotations

import re

from bot.content import TEXT_LIMIT, Render
from bot.i18n import translations
from dialogues.text import Block, Em, Items, Lines, Para, Strong, _

HTML = Render(translations("en"))
TAG = re.compile(r"</?(b|i|code|blockquote|a)(?:\s[^>]*)?>")


def balanced(text: str) -> bool:
    """Every <b>, <i> (and other tag) opened is closed, in order, and nothing is closed that was not opened."""
    stack: list[str] = []
    for m in TAG.finditer(text):
        if m.group(0).startswith("</"):
            if not stack or stack.pop() != m.group(1):
                return False
        else:
            stack.append(m.group(1))
    return not stack


def many_blocks() -> list[Block]:
    body: list[Block] = []
    for i in range(60):
        body.append(Para(Strong(f"Heading {i}"), " ", Em("with ", Strong("nested"), " emphasis"), " & <more> " * 8))
        body.append(Lines([(Strong(f"Service {i}.{j}: "), Em(f"{j}p"), " (today 5p)") for j in range(4)]))
        body.append(Items([("Point ", Strong(str(j))) for j in range(3)], numbered=i % 2 == 0))
        body.append(Para(_("{n} residents shared their pound.", n=i)))
    return body


def test_many_blocks_are_split_between_blocks() -> None:
    body = many_blocks()
    whole = HTML.body(body)
    assert len(whole) > 3 * TEXT_LIMIT
    messages = HTML.messages(body)
    assert len(messages) >= 4
    assert all(0 < len(m) <= TEXT_LIMIT for m in messages)
    assert all(balanced(m) for m in messages), [m for m in messages if not balanced(m)][:1]
    # Every block is whole in one message, in order: the messages are the body cut at some block edges.
    assert "\n\n".join(messages) == whole
    blocks = [HTML.block(b) for b in body]
    i = 0
    for m in messages:
        n = 0
        while i + n < len(blocks) and "\n\n".join(blocks[i : i + n + 1]) != m:
            n += 1
        assert i + n < len(blocks), f"message {messages.index(m)} is not whole blocks"
        i += n + 1
    assert i == len(blocks)


def test_a_short_body_is_one_message() -> None:
    body = many_blocks()[:4]
    assert HTML.messages(body) == [HTML.body(body)]


def test_the_first_message_may_be_a_shorter_caption() -> None:
    messages = HTML.messages(many_blocks(), first_limit=1024)
    assert len(messages[0]) <= 1024 and all(len(m) <= TEXT_LIMIT for m in messages[1:])
    assert all(balanced(m) for m in messages)
    assert "\n\n".join(messages) == HTML.body(many_blocks())


def test_an_over_long_paragraph_is_split_between_words() -> None:
    words = [f"word{i}" + ("&" if i % 7 == 0 else "") for i in range(2000)]
    paragraph = Para(Strong("Start "), " ".join(words))
    messages = HTML.messages([Para("Before."), paragraph, Para("After.")])
    assert len(messages) >= 3
    assert all(0 < len(m) <= TEXT_LIMIT for m in messages)
    assert all(balanced(m) for m in messages)
    said = " ".join(messages).replace("&amp;", "&").replace("\n\n", " ").split()
    assert said == ["Before.", "Start", *words, "After."]  # every word whole, in order, none lost


def test_a_block_too_long_for_the_caption_starts_the_next_message_whole() -> None:
    """Under a chart the first message is a caption (1,024 characters): a block that does not fit it but fits a
    message goes whole, with its markup, into the next message."""
    long = Para(Strong("Bold"), " ", "word " * 400)
    messages = HTML.messages([Para(Strong("Title")), long], first_limit=1024)
    assert messages == ["<b>Title</b>", HTML.block(long)]


def test_a_word_longer_than_a_message_is_not_cut_inside_an_entity() -> None:
    messages = HTML.messages([Para("&" * 5000)])
    assert all(len(m) <= TEXT_LIMIT for m in messages)
    assert all(re.fullmatch(r"(&amp;)+", m) for m in messages), [m[-8:] for m in messages]
