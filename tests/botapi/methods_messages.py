"""Bot API methods that send, edit and delete messages, answer button presses, and hand out files."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from . import objects
from .html import Parsed
from .limits import formatted, keyboard
from .media import guess_mime, image_kind, image_size
from .params import Params, Upload
from .state import ApiError, Button, SentMessage, StoredFile, bad_request

if TYPE_CHECKING:
    from .server import BotAPI

Handler = Callable[["BotAPI", Params], Awaitable[Any]]
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}  # fmt: skip
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


def _inline(markup: Any) -> Any:
    return markup.get("inline_keyboard") if isinstance(markup, dict) else None


def _reply_to(api: BotAPI, chat_id: int, p: Params) -> dict[str, Any] | None:
    reply = p.obj("reply_parameters")
    message_id = p.integer("reply_to_message_id")
    allow = p.flag("allow_sending_without_reply")
    if isinstance(reply, dict):
        message_id = int(reply["message_id"]) if "message_id" in reply else None
        allow = allow or bool(reply.get("allow_sending_without_reply"))
    if message_id is None:
        return None
    target = api.message_dict(chat_id, message_id)
    if target is None and not allow:
        raise bad_request("message to be replied not found")
    return target


def _deliver(api: BotAPI, p: Params, sent: SentMessage) -> dict[str, Any]:
    """Common tail of every send: reply target, flood control, then record and answer with the Message."""
    sent.reply_to = _reply_to(api, sent.chat_id, p)
    api.limiter.admit(sent.chat_id, api.rate_limits, sent.chat_id in api.groups)
    sent.message_id = api.next_message_id(sent.chat_id)
    api.record_sent(sent)
    return objects.message(sent, api.chat_dict(sent.chat_id), api.bot)


async def send_message(api: BotAPI, p: Params) -> Any:
    chat_id = p.chat_id()
    api.check_can_send(chat_id)
    raw = p.text("text")
    parsed = formatted(raw, p.text("parse_mode"), p.obj("entities"))
    markup = p.obj("reply_markup")
    sent = SentMessage(
        chat_id, 0, "text", parsed.text, raw, p.text("parse_mode"), keyboard(markup),
        entities=parsed.entities, reply_markup=markup,
    )  # fmt: skip
    return _deliver(api, p, sent)


def _stored_upload(api: BotAPI, upload: Upload | str, kind: str) -> StoredFile:
    if isinstance(upload, str):
        known = api.files.get(upload)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return known
    if kind == "photo":
        if image_kind(upload.content) is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        stored = api.store_file(upload.content, "photos", upload.filename or "photo.jpg", "image/jpeg")
        stored.width, stored.height = image_size(upload.content)
        return stored
    if len(upload.content) > api.max_document_bytes:
        raise ApiError(413, "Request Entity Too Large")
    if not upload.content:
        raise bad_request("file must be non-empty")
    filename = upload.filename or "document"
    return api.store_file(upload.content, "documents", filename, guess_mime(filename, upload.content_type))


async def _send_file(api: BotAPI, p: Params, kind: str) -> Any:
    chat_id = p.chat_id()
    api.check_can_send(chat_id)
    stored = _stored_upload(api, p.upload(kind), kind)
    raw = p.text("caption")
    parsed = formatted(raw, p.text("parse_mode"), p.obj("caption_entities"), caption=True)
    markup = p.obj("reply_markup")
    sent = SentMessage(
        chat_id, 0, kind, parsed.text or None, raw, p.text("parse_mode"), keyboard(markup),
        photo=stored.content if kind == "photo" else None,
        document=stored.content if kind == "document" else None,
        filename=stored.filename, mime_type=stored.mime_type,
        entities=parsed.entities, reply_markup=markup, file=stored,
    )  # fmt: skip
    return _deliver(api, p, sent)


async def send_photo(api: BotAPI, p: Params) -> Any:
    return await _send_file(api, p, "photo")


async def send_document(api: BotAPI, p: Params) -> Any:
    return await _send_file(api, p, "document")


def _editable(api: BotAPI, p: Params) -> SentMessage:
    if "inline_message_id" in p:
        raise bad_request("MESSAGE_ID_INVALID")
    chat_id = p.chat_id()
    message_id = p.required_int("message_id")
    api.check_can_send(chat_id)
    sent = api.sent_message(chat_id, message_id)
    if sent is None:
        if api.user_message(chat_id, message_id) is not None:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return sent


def _apply_edit(
    api: BotAPI,
    sent: SentMessage,
    parsed: Parsed | None,
    p: Params,
    raw: str | None,
    buttons: list[list[Button]],
) -> dict[str, Any]:
    markup = p.obj("reply_markup")
    same_text = parsed is None or (parsed.text or None, parsed.entities) == (sent.text or None, sent.entities)
    if same_text and _inline(markup) == _inline(sent.reply_markup):
        raise bad_request(NOT_MODIFIED)
    api.limiter.admit(sent.chat_id, api.rate_limits, sent.chat_id in api.groups)
    if parsed is not None:
        if (parsed.text or None) != sent.text:
            sent.history.append(sent.text or "")
        sent.text, sent.html, sent.entities = parsed.text or None, raw, parsed.entities
        sent.parse_mode = p.text("parse_mode")
    sent.reply_markup = markup if _inline(markup) is not None else None
    sent.buttons = buttons
    sent.edit_date = int(time.time())
    sent.version += 1
    return objects.message(sent, api.chat_dict(sent.chat_id), api.bot)


async def edit_message_text(api: BotAPI, p: Params) -> Any:
    sent = _editable(api, p)
    if sent.kind != "text":
        raise bad_request("there is no text in the message to edit")
    raw = p.text("text")
    parsed = formatted(raw, p.text("parse_mode"), p.obj("entities"))
    return _apply_edit(api, sent, parsed, p, raw, keyboard(p.obj("reply_markup")))


async def edit_message_caption(api: BotAPI, p: Params) -> Any:
    sent = _editable(api, p)
    if sent.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    raw = p.text("caption")
    parsed = formatted(raw, p.text("parse_mode"), p.obj("caption_entities"), caption=True)
    return _apply_edit(api, sent, parsed, p, raw, keyboard(p.obj("reply_markup")))


async def edit_message_reply_markup(api: BotAPI, p: Params) -> Any:
    sent = _editable(api, p)
    return _apply_edit(api, sent, None, p, None, keyboard(p.obj("reply_markup")))


async def delete_message(api: BotAPI, p: Params) -> Any:
    chat_id = p.chat_id()
    message_id = p.required_int("message_id")
    api.check_can_send(chat_id)
    sent = api.sent_message(chat_id, message_id)
    if sent is not None:
        sent.deleted = True
        sent.version += 1
        return True
    if api.delete_user_message(chat_id, message_id):
        return True
    raise bad_request("message to delete not found")


async def answer_callback_query(api: BotAPI, p: Params) -> Any:
    text = p.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    answer: dict[str, Any] = {"text": text, "show_alert": p.flag("show_alert")}
    if "url" in p:
        answer["url"] = p.text("url")
    api.answer_callback(p.text("callback_query_id") or "", answer)
    return True


async def send_chat_action(api: BotAPI, p: Params) -> Any:
    chat_id = p.chat_id()
    api.check_can_send(chat_id)
    action = p.text("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    api.chat(chat_id).actions.append(action)
    return True


async def get_file(api: BotAPI, p: Params) -> Any:
    stored = api.files.get(p.text("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.content) > api.max_download_bytes:
        raise bad_request("file is too big")
    return objects.file_object(stored)


METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    "getFile": get_file,
}
