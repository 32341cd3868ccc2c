"""Bot API methods about the bot itself, updates and webhooks, commands and menu, chats and members."""

from __future__ import annotations

import asyncio
import json
import re
from typing import TYPE_CHECKING, Any

from . import objects
from .methods_messages import Handler
from .params import Params
from .state import ApiError, bad_request
from .updates import CONFLICT_POLL

if TYPE_CHECKING:
    from .server import BotAPI

CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


async def get_me(api: BotAPI, p: Params) -> Any:
    return {
        **api.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(api: BotAPI, p: Params) -> Any:
    if api.webhook.url:
        raise ApiError(409, CONFLICT_WEBHOOK)
    request = p.request
    if not await api.poll_slot.claim(request):
        raise ApiError(409, CONFLICT_POLL)
    api.queue.wake()  # an abandoned poll still waiting returns now
    try:
        api.queue.confirm(p.integer("offset"))
        api.queue.set_allowed(p.obj("allowed_updates"))
        limit = min(max(p.integer("limit", 100) or 100, 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, p.number("timeout"))
        while not api.queue.has_deliverable() and not api.closing and api.poll_slot.holds(request):
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await api.queue.wait(remaining)
        if not api.poll_slot.holds(request):
            raise ApiError(409, CONFLICT_POLL)
        return api.queue.take(limit)
    finally:
        api.poll_slot.release(request)


async def set_webhook(api: BotAPI, p: Params) -> Any:
    url = p.text("url") or ""
    if not url:
        return await delete_webhook(api, p)
    if not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.text("secret_token")
    if secret is not None and not SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    if p.flag("drop_pending_updates"):
        api.queue.clear()
    api.queue.set_allowed(p.obj("allowed_updates"))
    api.webhook.set(url, secret, p.integer("max_connections"))
    return True


async def delete_webhook(api: BotAPI, p: Params) -> Any:
    await api.webhook.delete()
    if p.flag("drop_pending_updates"):
        api.queue.clear()
    return True


async def get_webhook_info(api: BotAPI, p: Params) -> Any:
    return api.webhook.info()


async def always_true(api: BotAPI, p: Params) -> Any:
    return True


SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
          "chat_administrators", "chat_member"}
LANGUAGE = re.compile(r"[a-z]{2}")  # an ISO 639-1 code, or empty for every language without a menu of its own


def scope_key(scope: Any, language_code: str | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True) + "|" + (language_code or "")


def checked_scope(api: BotAPI, p: Params) -> str:
    """The key of a BotCommandScope and language_code, refused as Telegram refuses them: an unknown scope type, a
    chat the bot has no chat with ("chat not found", as for a user who never opened the bot), a bad language."""
    scope = p.obj("scope")
    if scope is not None:
        if not isinstance(scope, dict) or scope.get("type") not in SCOPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope["type"].startswith("chat"):
            try:
                chat_id = int(scope["chat_id"])
            except (KeyError, TypeError, ValueError):
                raise bad_request("chat_id is empty") from None
            api.chat_dict(chat_id)
            scope = {**scope, "chat_id": chat_id}
            if scope["type"] == "chat_member":
                user_id = scope.get("user_id")
                group = api.groups.get(chat_id)
                if not isinstance(user_id, int) or group is None or user_id not in group.admins + group.members:
                    raise bad_request("user not found")
    language = p.text("language_code") or ""
    if language and not LANGUAGE.fullmatch(language):
        raise bad_request("invalid language code specified")
    return scope_key(scope, language)


async def set_my_commands(api: BotAPI, p: Params) -> Any:
    commands = p.obj("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands")
    kept = []
    for command in commands:
        if not isinstance(command, dict) or not COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        kept.append({"command": command["command"], "description": description})
    api.commands[checked_scope(api, p)] = kept
    return True


async def delete_my_commands(api: BotAPI, p: Params) -> Any:
    api.commands.pop(checked_scope(api, p), None)
    return True


async def get_my_commands(api: BotAPI, p: Params) -> Any:
    return api.commands.get(checked_scope(api, p), [])


async def set_chat_menu_button(api: BotAPI, p: Params) -> Any:
    chat_id = p.integer("chat_id")
    if chat_id is not None:
        api.chat_dict(chat_id)
    button = p.obj("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button JSON object")
    api.menu_buttons[chat_id] = button
    return True


async def get_chat_menu_button(api: BotAPI, p: Params) -> Any:
    chat_id = p.integer("chat_id")
    return api.menu_buttons.get(chat_id) or api.menu_buttons.get(None) or {"type": "default"}


async def get_chat(api: BotAPI, p: Params) -> Any:
    api.check_not_migrated(p.chat_id())
    return objects.full_chat(api.chat_dict(p.chat_id()))


async def get_chat_member(api: BotAPI, p: Params) -> Any:
    chat_id = p.chat_id()
    api.chat_dict(chat_id)
    api.check_not_migrated(chat_id)
    user_id = p.required_int("user_id")
    group = api.groups.get(chat_id)
    if user_id == api.bot_id:
        return objects.member(api.bot, group.bot_status if group else "member")
    user = api.users.get(user_id)
    if user is None or (group is None and user_id != chat_id):
        raise bad_request("user not found")
    if group is None:
        return objects.member(user, "member")
    status = "administrator" if user_id in group.admins else "member" if user_id in group.members else "left"
    return objects.member(user, status)


async def get_chat_administrators(api: BotAPI, p: Params) -> Any:
    chat_id = p.chat_id()
    api.chat_dict(chat_id)
    api.check_not_migrated(chat_id)
    group = api.groups.get(chat_id)
    if group is None:
        raise bad_request("there are no administrators in the private chat")
    admins = [objects.member(api.users[user_id], "administrator") for user_id in group.admins]
    if group.bot_status == "administrator":
        admins.append(objects.member(api.bot, "administrator"))
    return admins


async def leave_chat(api: BotAPI, p: Params) -> Any:
    chat_id = p.chat_id()
    api.chat_dict(chat_id)
    if chat_id not in api.groups:
        raise bad_request("chat member status can't be changed in private chats")
    api.check_can_send(chat_id)
    api.leave_group(chat_id)
    return True


METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "logOut": always_true,
    "close": always_true,
    "setMyCommands": set_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getMyCommands": get_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "leaveChat": leave_chat,
}
