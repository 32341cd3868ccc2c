"""Telegram's two messages about a group becoming a supergroup read as one event: (old id, new id)."""

from __future__ import annotations

from bot.incoming import from_update


def _message(chat: dict[str, object], **content: object) -> dict[str, object]:
    return {"update_id": 7, "message": {"message_id": 1, "date": 0, "chat": chat, "from": {"id": 9}, **content}}


def test_both_migration_messages_give_the_old_and_the_new_id() -> None:
    in_old = from_update(_message({"id": -5, "type": "group"}, migrate_to_chat_id=-1005))
    in_new = from_update(_message({"id": -1005, "type": "supergroup"}, migrate_from_chat_id=-5))
    for inc in (in_old, in_new):
        assert (inc.kind, inc.chat_id, inc.migrated_to, inc.user_id) == ("migrated", -5, -1005, 9)


def test_a_malformed_migration_message_is_nothing_to_act_on() -> None:
    assert from_update(_message({"id": -1005, "type": "supergroup"}, migrate_from_chat_id="x")).kind == "other"
    assert from_update(_message({"type": "group"}, migrate_to_chat_id=-1005)).kind == "other"
