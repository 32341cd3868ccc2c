"""Marks an update as handled in the same transaction as its effect, so a redelivered update changes nothing."""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass


class AlreadyApplied(Exception):
    """This update's effect was committed before (a duplicate delivery, or a redelivery after a crash)."""


@dataclass
class UpdateMark:
    update_id: int
    recorded: bool = False


_current: ContextVar[UpdateMark | None] = ContextVar("moot_update", default=None)


def begin(update_id: int) -> Token[UpdateMark | None]:
    return _current.set(UpdateMark(update_id))


def end(token: Token[UpdateMark | None]) -> None:
    _current.reset(token)


def current() -> UpdateMark | None:
    return _current.get()
