"""What happens to a group's link when Telegram changes the group: it follows a migration to a supergroup's new id,
and goes inactive (with its facilitator told) when the bot is removed, until the bot is added back."""

from __future__ import annotations

import logging

from bot.services.common import Deps
from dialogues.screens import Screen
from dialogues.text import Code, Para, Strong, _
from storage.repositories.consultations import LinkedGroup
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


async def follow_migration(uow: UnitOfWork, old_chat_id: int, new_chat_id: int) -> LinkedGroup | None:
    """The group `old_chat_id` is now the supergroup `new_chat_id`: the link and the messages not yet sent follow
    it (the caller commits). Safe to repeat: Telegram says it twice (in the old chat and the new)."""
    moved = await uow.consultations.move_group(old_chat_id, new_chat_id)
    rows = await uow.outbox.move_chat(old_chat_id, new_chat_id)
    if moved is not None or rows:
        log.info("group %s became supergroup %s: link %s, %d messages follow", old_chat_id, new_chat_id,
                 "moved" if moved else "not linked", rows)
    return moved


def removed_screen(group: LinkedGroup, title: str, code: str) -> Screen:
    return Screen(Para("⚠️ ", _(
        "I was removed from the group “{group}”, which was linked to {consultation}: invitations and results are "
        "no longer posted there. To post there again, add me back to the group (its link is kept); or send /unlink "
        "in the group.", group=group.title or str(group.chat_id), consultation=Strong(title),
    ), " ", _("Consultation code: {code}.", code=Code(code))))


async def bot_removed(d: Deps, uow: UnitOfWork, chat_id: int) -> LinkedGroup | None:
    """The bot was removed from a group (a my_chat_member update, or a 403 on a send): its link goes inactive and
    the facilitator who linked it is told privately, through the outbox, once (the caller commits, then wakes the
    outbox)."""
    before = await uow.consultations.set_group_active(chat_id, False)
    if before is None or not before.active:
        return None
    row = await uow.consultations.get(before.consultation_id)
    code = row.code if row else "?"
    _version, spec = await uow.consultations.latest(before.consultation_id)
    await uow.outbox.enqueue(f"group-removed:{chat_id}:{d.clock():%Y%m%d%H%M%S%f}", before.linked_by, "group",
                             removed_screen(before, spec.title, code))
    await uow.ledger.audit(None, "group removed", f"group {chat_id}", code=code)
    log.info("removed from linked group %s; its link is inactive and its facilitator told", chat_id)
    return before


async def bot_added_back(uow: UnitOfWork, chat_id: int) -> LinkedGroup | None:
    """The bot is a member again of a group whose link went inactive: posting there resumes (caller commits)."""
    before = await uow.consultations.set_group_active(chat_id, True)
    return before if before is not None and not before.active else None
