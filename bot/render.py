"""The one renderer: turns screens into Bot API calls through whichever runtime's transport."""

from __future__ import annotations

import logging

from bot.actions import ActionCodec
from bot.charts import bar_chart
from bot.transport import Keyboard, KeyButton, Rejected, Transport
from dialogues.screens import Button, Screen

log = logging.getLogger(__name__)
LIMIT = 4096
CAPTION_LIMIT = 1024


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Splits long text at line breaks (our HTML never spans lines) so each part fits Telegram's limit."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) + 1 > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    parts.append(current)
    return [p for p in parts if p.strip()] or [text[:limit]]


class Renderer:
    def __init__(self, codec: ActionCodec):
        self.codec = codec

    def keyboard(self, chat_id: int, rows: list[list[Button]], seq: int) -> Keyboard | None:
        if not rows:
            return None
        return [
            [
                KeyButton(b.label, url=b.url)
                if b.url
                else KeyButton(b.label, callback_data=self.codec.pack(chat_id, b.action, seq) if b.action else None)
                for b in row
            ]
            for row in rows
        ]

    async def show(
        self, t: Transport, chat_id: int, screens: list[Screen], seq: int = 0, anchor: int | None = None
    ) -> int | None:
        """Sends or edits each screen; returns the id of the last new message with buttons (the new anchor)."""
        new_anchor: int | None = None
        for s in screens:
            kb = self.keyboard(chat_id, s.buttons, seq)
            if s.edit and anchor is not None:
                try:
                    await t.edit_text(chat_id, anchor, s.text[:LIMIT], kb)
                    continue
                except Rejected as e:
                    if e.not_modified:
                        continue
                    if not s.buttons:
                        continue  # the old message is gone; nothing to settle
                    log.info("edit failed (%s); sending anew", e)
            elif s.edit and not s.buttons:
                continue
            mid = await self._send(t, chat_id, s, kb)
            if kb:
                new_anchor = mid
        return new_anchor

    async def _send(self, t: Transport, chat_id: int, s: Screen, kb: Keyboard | None) -> int:
        if s.chart is not None:
            caption = s.text if len(s.text) <= CAPTION_LIMIT else s.text[: CAPTION_LIMIT - 1]
            return await t.send_photo(chat_id, bar_chart(s.chart), caption, kb)
        if s.document is not None:
            return await t.send_document(chat_id, s.document.filename, s.document.content, s.text[:CAPTION_LIMIT])
        parts = split_text(s.text)
        mid = 0
        for i, part in enumerate(parts):
            mid = await t.send_text(chat_id, part, kb if i == len(parts) - 1 else None)
        return mid
