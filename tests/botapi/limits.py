"""Telegram's limits: text and caption length, inline keyboards, and flood control (429 with retry_after)."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from itertools import islice, takewhile
from typing import Any
from urllib.parse import urlparse

from .html import HtmlParseError, Parsed, parse_html, trim, utf16_len
from .state import ApiError, Button, RateLimits, bad_request

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100
MAX_ROW = 8
BUTTON_ACTIONS = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


def formatted(text: str | None, parse_mode: str | None, entities: Any, *, caption: bool = False) -> Parsed:
    """Parse text or a caption as Telegram would; enforce its length limits (UTF-16, after parsing)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            parsed = parse_html(text or "")
        except HtmlParseError as error:
            raise ApiError(400, error.description) from None
    elif mode in ("", "markdown", "markdownv2"):  # Markdown is passed through unparsed
        parsed = Parsed(text or "", list(entities) if isinstance(entities, list) else [])
    else:
        raise bad_request("unsupported parse_mode")
    parsed = trim(parsed)
    length = utf16_len(parsed.text)
    if caption and length > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    if not caption and length == 0:
        raise bad_request("message text is empty")
    if not caption and length > TEXT_LIMIT:
        raise bad_request("message is too long")
    return parsed


def _url_ok(url: str) -> bool:
    parts = urlparse(url)
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return parts.scheme == "tg" and len(url) > len("tg://")


def _button(raw: Any) -> Button:
    if not isinstance(raw, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in BUTTON_ACTIONS if raw.get(name) is not None]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    data, url = raw.get("callback_data"), raw.get("url")
    if data is not None and not (
        isinstance(data, str) and 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    if url is not None and not (isinstance(url, str) and _url_ok(url)):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return Button(text, data, url)


def keyboard(markup: Any) -> list[list[Button]]:
    """Validate reply_markup; the inline keyboard's buttons (none for reply keyboards and removals)."""
    if markup is None:
        return []
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return []
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("too many buttons")
    if any(len(row) > MAX_ROW for row in rows):
        raise bad_request("BUTTON_DATA_INVALID")
    return [[_button(raw) for raw in row] for row in rows]


@dataclass
class _Flood:
    remaining: int
    retry_after: int
    chat_id: int | None


def _window(per_period: float, period: float) -> tuple[float, int]:
    """(window seconds, capacity) for a rate such as 30 per 1 s or 0.5 per 1 s (= 1 per 2 s)."""
    if per_period >= 1:
        return period, int(per_period)
    return period / per_period, 1


def _too_many(times: deque[float], window: float, capacity: int, now: float) -> int | None:
    """Seconds to wait (ceil, at least 1) if another send now would exceed capacity in the window."""
    recent = list(islice(takewhile(lambda t: t > now - window, reversed(times)), capacity))
    if len(recent) < capacity:
        return None
    return max(1, math.ceil(recent[-1] + window - now))


class Limiter:
    """Flood faults on demand plus sliding-window rate limits over successful sends and edits."""

    def __init__(self) -> None:
        self._floods: list[_Flood] = []
        self._all: deque[float] = deque(maxlen=10_000)
        self._chats: dict[int, deque[float]] = {}

    def flood(self, times: int, retry_after: int = 1, chat_id: int | None = None) -> None:
        self._floods.append(_Flood(times, retry_after, chat_id))

    def admit(self, chat_id: int, limits: RateLimits, is_group: bool) -> None:
        """Raise a 429 ApiError if this send must be refused; otherwise count it as sent."""
        for flood in self._floods:
            if flood.remaining > 0 and flood.chat_id in (None, chat_id):
                flood.remaining -= 1
                raise self._error(flood.retry_after)
        self._floods = [f for f in self._floods if f.remaining > 0]
        now = time.monotonic()
        chat_times = self._chats.setdefault(chat_id, deque(maxlen=1_000))
        checks: list[tuple[deque[float], float | None, float]] = [
            (self._all, limits.global_per_second, 1.0),
            (chat_times, limits.per_chat_per_second, 1.0),
            (chat_times, limits.per_group_per_minute if is_group else None, 60.0),
        ]
        for times, rate, period in checks:
            if rate:
                wait = _too_many(times, *_window(rate, period), now)
                if wait is not None:
                    raise self._error(wait)
        self._all.append(now)
        chat_times.append(now)

    @staticmethod
    def _error(retry_after: int) -> ApiError:
        return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
