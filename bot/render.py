"""The one renderer: turns screens into Bot API calls through whichever runtime's transport, for replies and the
outbox alike. Content becomes Telegram HTML in the reader's language (bot/content.py); a body too long for one
message goes as several, split between blocks, with the buttons on the last."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from bot.actions import ActionCodec
from bot.charts import bar_chart
from bot.content import CAPTION_LIMIT, TEXT_LIMIT, Render
from bot.i18n import DEFAULT, translations
from bot.limits import EDITS_PER_SECOND, SendWindow
from bot.transport import Keyboard, KeyButton, Migrated, Rejected, RetryLater, Transport
from dialogues.memo import ByIdentity
from dialogues.screens import Button, Screen
from dialogues.text import Em, Inline, Localised, Para, When

log = logging.getLogger(__name__)
T = TypeVar("T")
# A reply refused with 429 is sent again after Telegram's retry_after, for up to this long in all; past that the
# resident has likely given up on it, and the update's failure is logged.
REPLY_PATIENCE = 120.0
LABELS_KEPT = 20_000  # remembered button labels (a few MB at most); forgotten all at once when full


_PLAIN = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, looked up once per type


def _identity(x: object) -> object:
    """What a label's text depends on, hashable. A consultation's Localised text equals its default language's
    string, so two versions of a file with the same English and corrected Welsh would otherwise be one label.
    A board asks it of some 50 labels a press: the common kinds are told by their exact type first."""
    kind = type(x)
    if kind in _PLAIN:
        return x
    if kind is tuple:
        return tuple([_identity(y) for y in x])  # type: ignore[attr-defined]
    names = _FIELDS.get(kind)
    if names is not None:
        return (kind.__name__, *[_identity(getattr(x, name)) for name in names])
    if isinstance(x, Localised):
        return ("localised", x.default, tuple(sorted(x.texts.items())))
    if isinstance(x, When):
        return ("when", x.at)
    if isinstance(x, str | int | float | None):
        return x
    if isinstance(x, tuple):
        return tuple(_identity(y) for y in x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(x))
        return _identity(x)
    raise TypeError(f"not remembered: {type(x).__name__}")


@dataclass(frozen=True)
class Part:
    """One Bot API message of a screen: the first may carry the chart or the document, the last the buttons."""

    text: str
    media: bool  # sent as the caption of the screen's chart or document
    last: bool


class Renderer:
    def __init__(
        self, codec: ActionCodec, language: str = DEFAULT, budget: SendWindow | None = None,
        edits: SendWindow | None = None,
    ):
        self.codec = codec
        self.language = language
        # One send budget for new messages, replies and the outbox alike (the outbox sender takes this same
        # window), so a broadcast never starves residents' answers, nor the reverse.
        self.budget = budget if budget is not None else SendWindow(29.0)
        self.edits = edits if edits is not None else SendWindow(EDITS_PER_SECOND)
        self._renders: dict[str, Render] = {}
        # A label's text per (language, label): a board's 50 labels are the same texts press after press, and
        # mostly the very same objects (dialogues.memo), found first by identity, without working out their key.
        self._labels: dict[tuple[str, object], str] = {}
        self._label_objects: dict[str, ByIdentity[Inline, str]] = {}

    async def paced(
        self, call: Callable[[], Awaitable[T]], chat_id: int | None = None, window: SendWindow | None = None
    ) -> T:
        """One Bot API call through a send window (the shared budget unless told); after a 429 it waits
        retry_after (pausing the whole window, as Telegram's limit is the bot's) and tries again, in order, for up
        to REPLY_PATIENCE. With the chat, a window that counts per chat (several workers' SharedSendWindow)
        counts the reply there too."""
        budget = window if window is not None else self.budget
        waited = 0.0
        while True:
            ticket = await budget.acquire(chat_id, patient=True)
            try:
                result = await call()
            except RetryLater as e:
                await budget.release(sent=False, ticket=ticket)
                seconds = max(float(e.seconds), 0.05)
                if waited + seconds > REPLY_PATIENCE:
                    raise
                log.info("Telegram asked to wait %.1f s before a reply; it will be sent then", seconds)
                budget.pause(seconds)
                waited += seconds
                await asyncio.sleep(seconds)
                continue
            except BaseException:
                await budget.release(ticket=ticket)
                raise
            await budget.release(ticket=ticket)
            return result

    def content(self, language: str | None = None) -> Render:
        language = language or self.language
        render = self._renders.get(language)
        if render is None:
            render = self._renders[language] = Render(translations(language))
        return render

    def label(self, label: Inline, language: str | None = None) -> str:
        """A button's label as plain text, remembered: labels repeat from press to press."""
        language = language or self.language
        if type(label) is str:
            return label
        objects = self._label_objects.get(language)
        if objects is None:
            objects = self._label_objects[language] = ByIdentity(partial(self._label, language=language), LABELS_KEPT)
        return objects.get(label)

    def _label(self, label: Inline, language: str) -> str:
        try:
            key = (language, _identity(label))
            return self._labels[key]
        except KeyError:
            pass
        except TypeError:  # a label with an unhashable parameter: not remembered
            return self.content(language).text(label)
        if len(self._labels) >= LABELS_KEPT:
            self._labels.clear()
        text = self._labels[key] = self.content(language).text(label)
        return text

    def text(self, x: Inline, language: str | None = None) -> str:
        """An inline as plain text: a toast, an alert."""
        return self.content(language).text(x)

    def keyboard(
        self, chat_id: int, rows: list[list[Button]], seq: int, language: str | None = None, *more: str | None
    ) -> Keyboard | None:
        """The buttons; labels in each language given ("Cymryd rhan yn breifat / Take part privately")."""
        if not rows:
            return None
        each = (language, *more)
        pack = self.codec.packer(chat_id, seq)

        def label(b: Button) -> str:
            if len(each) == 1:
                return self.label(b.label, language)
            return " / ".join(dict.fromkeys(self.label(b.label, x) for x in each))

        def key(b: Button) -> KeyButton:
            if b.url:
                return KeyButton(label(b), url=b.url)
            return KeyButton(label(b), callback_data=pack(b.action) if b.action else None)

        return [[key(b) for b in row] for row in rows]

    def parts(self, s: Screen, language: str | None = None, *more: str | None) -> list[Part]:
        """The messages a screen is sent as: never a tag cut in two, never a block dropped. In several languages,
        all in one message where they fit (a blank line between), else each language's messages in turn (the
        chart or document with the first)."""
        if more:
            each = [self.parts(s, x) for x in (language, *more)]
            media = s.chart is not None or s.document is not None
            joined = "\n\n".join(p[0].text for p in each if p[0].text)
            if all(len(p) == 1 for p in each) and len(joined) <= (CAPTION_LIMIT if media else TEXT_LIMIT):
                return [Part(joined, media, True)]
            flat = [Part(p.text, p.media and i == 0, False) for i, parts in enumerate(each) for p in parts
                    if i == 0 or p.text]
            return [*flat[:-1], Part(flat[-1].text, flat[-1].media, True)]
        r = self.content(language)
        media = s.chart is not None or s.document is not None
        body = s.body
        if s.chart is not None and s.chart.alt is not None:  # the chart in words, in its caption after the heading
            body = (*body[:1], Para(Em(s.chart.alt)), *body[1:])
        texts = r.messages(body, first_limit=CAPTION_LIMIT if media else TEXT_LIMIT)
        return [Part(t, media and i == 0, i == len(texts) - 1) for i, t in enumerate(texts)]

    def chart_png(self, s: Screen, language: str | None = None) -> bytes:
        assert s.chart is not None
        return bar_chart(s.chart, self.content(language))

    async def show(
        self, t: Transport, chat_id: int, screens: list[Screen], seq: int = 0, anchor: int | None = None,
        language: str | None = None, supersedes: int | None = None, languages: list[str] | None = None,
    ) -> int | None:
        """Sends or edits each screen; returns the id of the last new message with buttons (the new anchor).

        When a new message with buttons replaces the current one, the older message's buttons are taken away
        (unless it was just edited): buttons that look live but answer "expired" are a dead end on a phone."""
        new_anchor: int | None = None
        edited = False
        each: list[str | None] = [*languages] if languages else [language]  # a group's post in all its languages
        for s in screens:
            kb = self.keyboard(chat_id, s.buttons, seq, *each)
            parts = self.parts(s, *each)
            if s.edit and anchor is not None and len(parts) == 1 and s.chart is None and s.document is None:
                try:
                    edits = self.edits if chat_id > 0 else None  # a group's post is edited within its budget
                    await self.paced(partial(t.edit_text, chat_id, anchor, parts[0].text, kb), chat_id, edits)
                    edited = True
                    continue
                except Rejected as e:
                    if e.not_modified:
                        continue
                    if not s.buttons:
                        continue  # the old message is gone; nothing to settle
                    log.info("edit failed (%s); sending anew", e)
            elif s.edit and not s.buttons:
                continue
            mid = await self.send(t, chat_id, s, parts, kb, each[0])
            if kb and not s.aside:
                new_anchor = mid
        if new_anchor is not None:
            for old in {supersedes, None if edited else anchor} - {None, new_anchor}:
                assert old is not None
                with contextlib.suppress(Rejected):  # gone, or it had no buttons: nothing to take away
                    await self.paced(partial(t.clear_keyboard, chat_id, old), chat_id)
        return new_anchor

    async def send(
        self, t: Transport, chat_id: int, s: Screen, parts: list[Part], kb: Keyboard | None,
        language: str | None = None, png: bytes | None = None,
    ) -> int:
        mid = 0
        for part in parts:
            try:
                mid = await self.paced(partial(self.send_part, t, chat_id, s, part, kb, language, png), chat_id)
            except Migrated as e:  # the group is now a supergroup: this and the rest go to its new id
                log.info("chat %s is now %s; the reply follows it", chat_id, e.new_chat_id)
                chat_id = e.new_chat_id
                mid = await self.paced(partial(self.send_part, t, chat_id, s, part, kb, language, png), chat_id)
        return mid

    async def send_part(
        self, t: Transport, chat_id: int, s: Screen, p: Part, kb: Keyboard | None,
        language: str | None = None, png: bytes | None = None,
    ) -> int:
        keys = kb if p.last else None
        if p.media and s.chart is not None:
            return await t.send_photo(chat_id, png or self.chart_png(s, language), p.text, keys)
        if p.media and s.document is not None:
            return await t.send_document(chat_id, s.document.filename, s.document.content, p.text)
        return await t.send_text(chat_id, p.text, keys)
