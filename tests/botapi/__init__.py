"""A local stand-in for the Telegram Bot API that real aiogram and PTB bots talk to in tests."""

from .clients import aiogram_bot, ptb_builder
from .html import HtmlParseError, Parsed, parse_html, utf16_len
from .server import BotAPI
from .state import ApiError, Button, ChatView, RateLimits, SentMessage, Stats, User

__all__ = [
    "ApiError",
    "BotAPI",
    "Button",
    "ChatView",
    "HtmlParseError",
    "Parsed",
    "RateLimits",
    "SentMessage",
    "Stats",
    "User",
    "aiogram_bot",
    "parse_html",
    "ptb_builder",
    "utf16_len",
]
