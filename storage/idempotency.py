"""Marks an update as handled in the same transaction as its effect, so a redelivered update changes nothing."""

from __future__ import annotations

from dataclasses import dataclass


class AlreadyApplied(Exception):
    """This update's effect was committed before (a duplicate delivery, or a redelivery after a crash)."""


@dataclass
class UpdateScope:
    """One Telegram update being handled, handed explicitly to every unit of work opened for it.

    The core opens one per update; the use cases it calls pass it to `Deps.uow`. Whichever of those units of
    work commits first records the update id in that same transaction (UnitOfWork.commit), and refuses with
    AlreadyApplied if it was recorded before; later commits for the same update are plain commits.
    """

    update_id: int
    recorded: bool = False
