"""What a runtime hands to the core: one plain record per Telegram update, framework types left behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.idempotency import UpdateScope

_TEXTS = ("chat_title", "text", "callback_id", "data", "file_id", "filename", "language_code")


@dataclass(frozen=True)
class Incoming:
    update_id: int
    kind: str  # message | callback | document | member | migrated | edited | other
    user_id: int | None = None
    chat_id: int | None = None
    chat_type: str = "private"  # private | group | supergroup | channel
    chat_title: str = ""
    text: str = ""
    message_id: int | None = None
    callback_id: str = ""
    data: str = ""
    file_id: str = ""
    filename: str = ""
    file_size: int = 0
    bot_added: bool = False  # for member updates: the bot became a member (true) or left (false)
    reply_user_id: int | None = None  # the author of the message this one replies to (for /grant by reply)
    language_code: str = ""  # the sender's Telegram app language ("cy", "en-GB"), a hint until they choose
    migrated_to: int | None = None  # kind "migrated": the group chat_id is now the supergroup with this id
    # Given by the core while it handles the update; handlers pass it on to the use cases they call, so the
    # update id is recorded by the first commit those make (storage.idempotency).
    scope: UpdateScope | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # A NUL character means nothing in any of these, and PostgreSQL refuses to store one in a text column (a
        # forged press's data in the audit log, a typed answer): taken out as the update arrives.
        for name in _TEXTS:
            value = getattr(self, name)
            if "\x00" in value:
                object.__setattr__(self, name, value.replace("\x00", ""))

    @property
    def private(self) -> bool:
        return self.chat_type == "private"

    def command(self, bot_username: str) -> tuple[str, str] | None:
        """('start', 'council-pound') for '/start council-pound' or '/start@ourbot ...'; None if not for us."""
        if self.kind != "message" or not self.text.startswith("/"):
            return None
        head, _, rest = self.text.partition(" ")
        name, _, target = head[1:].partition("@")
        if target and target.lower() != bot_username.lower():
            return None
        return name.lower(), rest.strip()


def from_update(u: dict[str, Any]) -> Incoming:
    """Reads a Bot API update (as JSON-like dict, whichever framework parsed it) into an Incoming.

    Enumerated values are made plain strings: PTB's to_dict() keeps its str-based enums (ChatType...).
    """
    uid = int(u.get("update_id", 0))
    if "callback_query" in u:
        cq = u["callback_query"]
        msg = cq.get("message") or {}
        chat = msg.get("chat") or {}
        return Incoming(
            uid,
            "callback",
            _id(cq.get("from")),
            chat.get("id"),
            str(chat.get("type", "private")),
            chat.get("title") or "",
            message_id=msg.get("message_id"),
            callback_id=str(cq.get("id", "")),
            data=cq.get("data") or "",
            language_code=_language(cq.get("from")),
        )
    if "my_chat_member" in u:
        m = u["my_chat_member"]
        chat = m.get("chat") or {}
        status = str((m.get("new_chat_member") or {}).get("status", ""))
        return Incoming(
            uid,
            "member",
            _id(m.get("from")),
            chat.get("id"),
            str(chat.get("type", "group")),
            chat.get("title") or "",
            bot_added=status in {"member", "administrator"},
        )
    for key, kind in (("message", "message"), ("edited_message", "edited")):
        if key in u:
            m = u[key]
            chat = m.get("chat") or {}
            base = dict(
                user_id=_id(m.get("from")),
                chat_id=chat.get("id"),
                chat_type=str(chat.get("type", "private")),
                chat_title=chat.get("title") or "",
                message_id=m.get("message_id"),
                language_code=_language(m.get("from")),
            )
            if kind == "message" and ("migrate_to_chat_id" in m or "migrate_from_chat_id" in m):
                # Telegram says it in both chats: the old group (migrate_to) and the new supergroup (migrate_from).
                here, to, since = chat.get("id"), m.get("migrate_to_chat_id"), m.get("migrate_from_chat_id")
                old, new = (here, to) if to is not None else (since, here)
                if isinstance(old, int) and isinstance(new, int):
                    return Incoming(uid, "migrated", **{**base, "chat_id": old}, migrated_to=new)
                return Incoming(uid, "other", **base)
            if "document" in m and kind == "message":
                d = m["document"]
                return Incoming(
                    uid,
                    "document",
                    **base,
                    text=m.get("caption") or "",
                    file_id=d.get("file_id", ""),
                    filename=d.get("file_name") or "file",
                    file_size=int(d.get("file_size") or 0),
                )
            text = m.get("text")
            if text is None:
                kind = "other" if kind == "message" else kind  # stickers, photos, voice: not answers
            return Incoming(uid, kind, **base, text=text or "")
    return Incoming(uid, "other")


def _language(user: dict[str, Any] | None) -> str:
    return str((user or {}).get("language_code") or "")[:16]


def _id(user: dict[str, Any] | None) -> int | None:
    return int(user["id"]) if user and "id" in user else None
