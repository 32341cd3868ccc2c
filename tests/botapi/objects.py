"""Bot API JSON objects (Chat, Message, PhotoSize, Document, File, ChatMember...) built from the world."""

from __future__ import annotations

from typing import Any

from .state import Group, SentMessage, StoredFile, User

ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
    "can_send_welcome_messages", "can_pin_messages", "can_manage_topics",
)  # fmt: skip


def private_chat(user: User) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": user.id, "type": "private", "first_name": user.first_name}
    if user.username:
        chat["username"] = user.username
    return chat


def group_chat(group: Group) -> dict[str, Any]:
    return {"id": group.id, "type": group.type, "title": group.title}


def full_chat(chat: dict[str, Any]) -> dict[str, Any]:
    """ChatFullInfo, as getChat answers (with the fields both libraries require)."""
    accepted = dict.fromkeys(
        ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"),
        False,
    )
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": accepted}


def photo_sizes(file: StoredFile) -> list[dict[str, Any]]:
    return [
        {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "width": file.width,
            "height": file.height,
            "file_size": len(file.content),
        }
    ]


def document(file: StoredFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": len(file.content),
        "mime_type": file.mime_type or "application/octet-stream",
    }
    if file.filename:
        data["file_name"] = file.filename
    return data


def file_object(file: StoredFile) -> dict[str, Any]:
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": len(file.content),
        "file_path": file.file_path,
    }


def message(sent: SentMessage, chat: dict[str, Any], bot: User) -> dict[str, Any]:
    """The Message object for something the bot sent, as it looks now."""
    data: dict[str, Any] = {
        "message_id": sent.message_id,
        "date": sent.date,
        "chat": chat,
        "from": bot.to_api(),
    }
    if sent.kind == "text":
        data["text"] = sent.text or ""
        if sent.entities:
            data["entities"] = sent.entities
    else:
        assert sent.file is not None
        if sent.kind == "photo":
            data["photo"] = photo_sizes(sent.file)
        else:
            data["document"] = document(sent.file)
        if sent.text:
            data["caption"] = sent.text
            if sent.entities:
                data["caption_entities"] = sent.entities
    if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
        data["reply_markup"] = {"inline_keyboard": sent.reply_markup["inline_keyboard"]}
    if sent.reply_to:
        data["reply_to_message"] = sent.reply_to
    if sent.edit_date:
        data["edit_date"] = sent.edit_date
    return data


def member(user: User, status: str) -> dict[str, Any]:
    """A ChatMember of the given status ("creator", "administrator", "member", "left", "kicked")."""
    data: dict[str, Any] = {"user": user.to_api(), "status": status}
    if status == "administrator":
        data.update(can_be_edited=False, is_anonymous=False, can_promote_members=False)
        data.update(dict.fromkeys(ADMIN_RIGHTS, True))
    elif status == "creator":
        data["is_anonymous"] = False
    elif status == "kicked":
        data["until_date"] = 0
    return data


def chat_member_updated(
    chat: dict[str, Any], by: User, bot: User, old: str, new: str, date: int
) -> dict[str, Any]:
    return {
        "chat": chat,
        "from": by.to_api(),
        "date": date,
        "old_chat_member": member(bot, old),
        "new_chat_member": member(bot, new),
    }
