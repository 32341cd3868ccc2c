"""The world outside the bot: users and groups acting (each action queues an Update), and what chats show."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import Any

from . import objects
from .media import guess_mime
from .state import ApiError, ChatView, Group, SentMessage, StoredFile, User, bad_request
from .updates import UpdateQueue


def _now() -> int:
    return int(time.time())


def _service(content: dict[str, Any]) -> bool:
    return "migrate_to_chat_id" in content


class World:
    """Recorded state shared by the HTTP side (the bot's calls) and the test side (users' actions)."""

    def __init__(self, token: str, bot_username: str) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot = User(self.bot_id, "Moot", bot_username, "", is_bot=True)
        self.users: dict[int, User] = {}
        self.groups: dict[int, Group] = {}
        self.blocked: set[int] = set()
        self.queue = UpdateQueue()
        self.files: dict[str, StoredFile] = {}
        self._chats: dict[int, ChatView] = {}
        self._sent: list[SentMessage] = []
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self._user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._last_id: dict[int, int] = {}
        self._callbacks: dict[str, tuple[int, bool]] = {}  # query id -> (chat id, answered)
        self._counter = itertools.count(1)

    # ---- users and groups -------------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str = "Resident",
        username: str | None = None,
        language_code: str = "en",
    ) -> User:
        """Register (or re-describe) a user; their private chat with the bot then exists."""
        user = User(user_id, first_name, username, language_code)
        self.users[user_id] = user
        return user

    def _user(self, user_id: int) -> User:
        return self.users.get(user_id) or self.user(user_id)

    def add_group(
        self,
        chat_id: int,
        title: str,
        admins: Sequence[int],
        members: Sequence[int] = (),
        chat_type: str | None = None,
    ) -> None:
        """A group exists (negative id => "supergroup"); the bot is not in it until add_bot_to_group."""
        for user_id in (*admins, *members):
            self._user(user_id)
        kind = chat_type or ("supergroup" if chat_id < 0 else "group")
        self.groups[chat_id] = Group(chat_id, title, kind, list(admins), list(members))

    def _group(self, chat_id: int) -> Group:
        if chat_id not in self.groups:
            raise LookupError(f"no group {chat_id}: call add_group() first")
        return self.groups[chat_id]

    def _bot_membership(self, chat_id: int, by_user: int | None, status: str) -> dict[str, Any]:
        group = self._group(chat_id)
        by_id = by_user if by_user is not None else (group.admins or [self.bot_id])[0]
        by = self.bot if by_id == self.bot_id else self._user(by_id)
        old, group.bot_status = group.bot_status, status
        change = objects.chat_member_updated(self.chat_dict(chat_id), by, self.bot, old, status, _now())
        return self.queue.put({"my_chat_member": change})

    def add_bot_to_group(self, chat_id: int, by_user: int, as_admin: bool = False) -> dict[str, Any]:
        """The bot joins: a my_chat_member update (returned) and a new_chat_members service message."""
        update = self._bot_membership(chat_id, by_user, "administrator" if as_admin else "member")
        self._new_message(chat_id, by_user, {"new_chat_members": [self.bot.to_api()]})
        return update

    def kick_bot(self, chat_id: int, by_user: int | None = None) -> dict[str, Any]:
        """The group removes the bot: sends there answer 403 from now on."""
        return self._bot_membership(chat_id, by_user, "kicked")

    def leave_group(self, chat_id: int) -> dict[str, Any]:
        """The bot leaves (leaveChat)."""
        return self._bot_membership(chat_id, self.bot_id, "left")

    def migrate_group(self, chat_id: int, new_chat_id: int, by_user: int | None = None) -> None:
        """The group becomes a supergroup with a new id, as Telegram does it: the old chat gets a service message
        with migrate_to_chat_id, the new one a message with migrate_from_chat_id; the bot stays a member, and
        anything sent to the old id is refused with 400 and parameters.migrate_to_chat_id."""
        group = self._group(chat_id)
        if group.migrated_to is not None:
            raise ValueError(f"group {chat_id} was migrated already")
        self.groups[new_chat_id] = Group(
            new_chat_id, group.title, "supergroup", list(group.admins), list(group.members), group.bot_status
        )
        by = by_user if by_user is not None else (group.admins or [self.bot_id])[0]
        self._new_message(chat_id, by, {"migrate_to_chat_id": new_chat_id})
        group.migrated_to = new_chat_id
        self._new_message(new_chat_id, by, {"migrate_from_chat_id": chat_id})

    def check_not_migrated(self, chat_id: int) -> None:
        group = self.groups.get(chat_id)
        if group is not None and group.migrated_to is not None:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=group.migrated_to)

    def block(self, user_id: int, notify: bool = True) -> None:
        """The user blocks the bot: sends to their private chat answer 403 (and a my_chat_member update)."""
        self._private_status(user_id, "kicked", notify)

    def unblock(self, user_id: int, notify: bool = True) -> None:
        self._private_status(user_id, "member", notify)

    def _private_status(self, user_id: int, status: str, notify: bool) -> None:
        user = self._user(user_id)
        old = "kicked" if user_id in self.blocked else "member"
        if status == "kicked":
            self.blocked.add(user_id)
        else:
            self.blocked.discard(user_id)
        if notify and old != status:
            change = objects.chat_member_updated(
                objects.private_chat(user), user, self.bot, old, status, _now()
            )
            self.queue.put({"my_chat_member": change})

    # ---- users acting ---------------------------------------------------------------------------
    def _new_message(self, chat_id: int, user_id: int, content: dict[str, Any]) -> dict[str, Any]:
        sender = self._user(user_id)
        if chat_id != user_id and self._group(chat_id).migrated_to is not None and not _service(content):
            raise ValueError(f"group {chat_id} is now the supergroup {self._group(chat_id).migrated_to}")
        message = {
            "message_id": self.next_message_id(chat_id),
            "date": _now(),
            "chat": self.chat_dict(chat_id),
            "from": sender.to_api(),
            **content,
        }
        self._user_messages[(chat_id, message["message_id"])] = message
        return self.queue.put({"message": message})

    def send_text(self, user_id: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
        """A user writes ``text`` (in their private chat unless chat_id names a group)."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}
            ]
        return self._new_message(user_id if chat_id is None else chat_id, user_id, content)

    def send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        chat_id: int | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """A user uploads a file; the bot can getFile it and download it from the file URL."""
        stored = self.store_file(content, "documents", filename, guess_mime(filename))
        message: dict[str, Any] = {"document": objects.document(stored)}
        if caption:
            message["caption"] = caption
        return self._new_message(user_id if chat_id is None else chat_id, user_id, message)

    def send_web_app_data(self, user_id: int, data: str, button_text: str = "Open") -> dict[str, Any]:
        """A Mini App's ``Telegram.WebApp.sendData(data)``: a web_app_data message in the private chat."""
        if len(data.encode("utf-8")) > 4096:
            raise ValueError("WebApp.sendData accepts at most 4096 bytes")
        return self._new_message(
            user_id, user_id, {"web_app_data": {"data": data, "button_text": button_text}}
        )

    def edit_text(
        self, user_id: int, message_id: int, new_text: str, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user edits one of their messages: an edited_message update."""
        chat_id = user_id if chat_id is None else chat_id
        sender = self._user(user_id)
        message = self._user_messages.get((chat_id, message_id)) or {
            "message_id": message_id,
            "date": _now(),
            "chat": self.chat_dict(chat_id),
            "from": sender.to_api(),
        }
        message.update(text=new_text, edit_date=_now())
        message.pop("entities", None)
        return self.queue.put({"edited_message": dict(message)})

    def press(
        self, user_id: int, message_id: int, callback_data: str, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A callback_query for a button on message_id; the button is not checked (presses may be forged)."""
        chat_id = user_id if chat_id is None else chat_id
        sender = self._user(user_id)
        query_id = f"{self.bot_id}{next(self._counter):08d}"
        self._callbacks[query_id] = (chat_id, False)
        query = {
            "id": query_id,
            "from": sender.to_api(),
            "message": self.message_dict(chat_id, message_id)
            or {"chat": self.chat_dict(chat_id), "message_id": message_id, "date": 0},
            "chat_instance": str(abs(chat_id) * 7 + 1),
            "data": callback_data,
        }
        return self.queue.put({"callback_query": query})

    def press_button(
        self, user_id: int, label_contains: str, chat_id: int | None = None, message_id: int | None = None
    ) -> dict[str, Any]:
        """Press the inline button whose text contains ``label_contains`` (latest message first)."""
        chat_id = user_id if chat_id is None else chat_id
        shown = self.chat(chat_id).visible()
        candidates = [m for m in shown if m.message_id == message_id] if message_id else list(reversed(shown))
        for sent in candidates:
            button = sent.button(label_contains)
            if button is not None and button.callback_data is not None:
                return self.press(user_id, sent.message_id, button.callback_data, chat_id)
        available = [(m.message_id, m.button_labels()) for m in candidates if m.buttons]
        raise LookupError(f"no button containing {label_contains!r} in chat {chat_id}; buttons: {available}")

    def send_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update; queueing the same dict twice delivers it twice (same update_id)."""
        return self.queue.put(update)

    # ---- what chats show ------------------------------------------------------------------------
    def chat(self, chat_id: int) -> ChatView:
        return self._chats.setdefault(chat_id, ChatView(chat_id))

    def all_sent(self) -> list[SentMessage]:
        return list(self._sent)

    def pending_updates(self) -> int:
        return len(self.queue)

    # ---- used by the method handlers ----------------------------------------------------------------
    def next_message_id(self, chat_id: int) -> int:
        self._last_id[chat_id] = self._last_id.get(chat_id, 0) + 1
        return self._last_id[chat_id]

    def chat_dict(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self.groups:
            return objects.group_chat(self.groups[chat_id])
        if chat_id in self.users:
            return objects.private_chat(self.users[chat_id])
        raise bad_request("chat not found")

    def check_can_send(self, chat_id: int) -> None:
        """400 for an unknown chat, 403 if the user blocked the bot or the bot is not in the group."""
        self.chat_dict(chat_id)
        self.check_not_migrated(chat_id)
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        group = self.groups.get(chat_id)
        if group and group.bot_status == "kicked":
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        if group and group.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {group.type} chat")

    def sent_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        sent = self._sent_index.get((chat_id, message_id))
        return None if sent is None or sent.deleted else sent

    def user_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        return self._user_messages.get((chat_id, message_id))

    def delete_user_message(self, chat_id: int, message_id: int) -> bool:
        return self._user_messages.pop((chat_id, message_id), None) is not None

    def message_dict(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        sent = self.sent_message(chat_id, message_id)
        if sent is not None:
            return objects.message(sent, self.chat_dict(chat_id), self.bot)
        return self.user_message(chat_id, message_id)

    def record_sent(self, sent: SentMessage) -> SentMessage:
        self.chat(sent.chat_id).messages.append(sent)
        self._sent.append(sent)
        self._sent_index[(sent.chat_id, sent.message_id)] = sent
        return sent

    def store_file(self, content: bytes, folder: str, filename: str | None, mime: str | None) -> StoredFile:
        n = next(self._counter)
        suffix = "." + filename.rsplit(".", 1)[1] if filename and "." in filename else ""
        stored = StoredFile(
            f"F{n:06d}-{folder}", f"U{n:06d}", content, f"{folder}/file_{n}{suffix}", filename, mime
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == path), None)

    def answer_callback(self, query_id: str, answer: dict[str, Any]) -> None:
        chat_id, answered = self._callbacks.get(query_id, (0, True))
        if answered:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self._callbacks[query_id] = (chat_id, True)
        self.chat(chat_id).callback_answers.append({"callback_query_id": query_id, **answer})
