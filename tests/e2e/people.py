"""A resident as the scenario tests see them: taps buttons, types, and reads what their chat shows."""

from __future__ import annotations

from typing import Any

from tests.botapi import BotAPI


class Person:
    def __init__(self, api: BotAPI, user_id: int, name: str = "Resident", timeout: float = 15.0):
        self.api = api
        self.timeout = timeout  # how long to wait for the bot's answer; generous, as CI machines are busy
        self.id = user_id
        api.user(user_id, first_name=name)

    @property
    def chat(self) -> Any:
        return self.api.chat(self.id)

    def _mark(self) -> dict[int, int]:
        """Each message's id and how often it was edited: what changed after an action is what is new."""
        return {m.message_id: len(m.history) for m in self.chat.messages}

    def _fresh(self, before: dict[int, int]) -> list[Any]:
        return [m for m in self.chat.messages if before.get(m.message_id) != len(m.history)]

    async def _changed(self, before: dict[int, int], contains: str | None) -> Any:
        def ready() -> bool:
            fresh = self._fresh(before)
            return bool(fresh) and (contains is None or any(contains in (m.text or "") for m in fresh))

        await self.api.wait_for(ready, timeout=self.timeout)
        fresh = self._fresh(before)
        return next(m for m in reversed(fresh) if contains in (m.text or "")) if contains else fresh[-1]

    async def says(self, text: str, expect: str | None = None) -> Any:
        before = self._mark()
        self.api.send_text(self.id, text)
        return await self._changed(before, expect)

    async def taps(self, label: str, expect: str | None = None, toast: str | None = None) -> Any:
        """Presses the newest button whose label contains `label`; waits for the chat to change (or a toast, and with
        `expect` too, the chat: the toast answers the press before the screens that follow are shown)."""
        before = self._mark()
        answers = len(self.chat.callback_answers)
        self.api.press_button(self.id, label)
        if toast is not None:
            await self.api.wait_for(lambda: len(self.chat.callback_answers) > answers, timeout=self.timeout)
            got = self.chat.callback_answers[-1].get("text") or ""
            assert toast in got, f"toast {got!r} lacks {toast!r}"
            if expect is not None:
                await self._changed(before, expect)
            return got
        return await self._changed(before, expect)

    async def presses_raw(self, message_id: int, data: str) -> str:
        answers = len(self.chat.callback_answers)
        self.api.press(self.id, message_id, data)
        await self.api.wait_for(lambda: len(self.chat.callback_answers) > answers, timeout=self.timeout)
        return str(self.chat.callback_answers[-1].get("text") or "")

    def sees(self, text: str) -> bool:
        return any(text in (m.text or "") for m in self.chat.messages)
