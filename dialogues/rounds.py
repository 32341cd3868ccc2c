"""Rounds of a consultation and the rules for opening, closing and scheduling them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dialogues.text import Msg, _


@dataclass(frozen=True)
class Round:
    id: int
    consultation_id: int
    number: int
    title: str
    status: str  # draft | scheduled | open | closed
    opens_at: datetime | None = None
    closes_at: datetime | None = None


@dataclass(frozen=True)
class LoadedVersion:
    """A stored consultation file version."""

    consultation_id: int
    version_id: int
    code: str
    version: int
    created: bool  # false when the same file was loaded before


def schedule_problems(
    opens_at: datetime | None,
    closes_at: datetime,
    now: datetime,
    reminders: list[datetime],
    other_rounds: list[tuple[datetime | None, datetime | None]],
) -> list[Msg]:
    """Why a round's schedule is refused: past times, a close before the open, overlaps with other rounds."""
    out: list[Msg] = []
    if closes_at <= now:
        out.append(_("The close time is in the past."))
    if opens_at is not None:
        if opens_at < now:
            out.append(_("The open time is in the past."))
        if closes_at <= opens_at:
            out.append(_("The round must close after it opens."))
    start = opens_at or now
    for r in reminders:
        if not start < r < closes_at:
            out.append(_("A reminder at {time} is not between the open and close times.", time=f"{r:%Y-%m-%d %H:%M}"))
    for o, c in other_rounds:
        if o is not None and c is not None and start < c and o < closes_at:
            out.append(_("It overlaps another round of this consultation."))
            break
    return out
