"""Tests of the Bot API stand-in, driven by the real aiogram and python-telegram-bot clients."""

from __future__ import annotations

import asyncio
import datetime as dtm
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import telegram
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    Message,
)
from aiohttp import web
from telegram import error as ptb_error
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from tests.botapi import BotAPI, HtmlParseError, RateLimits, aiogram_bot, parse_html, ptb_builder, utf16_len
from tests.botapi.html import trim

USER = 1001


def png(width: int = 2, height: int = 3) -> bytes:
    """A valid PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=d, callback_data=d) for d in data]]
    )


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest_asyncio.fixture
async def api() -> AsyncIterator[BotAPI]:
    server = BotAPI()
    await server.start()
    server.user(USER, "Ada", "ada")
    yield server
    await server.stop()


@pytest_asyncio.fixture
async def bot(api: BotAPI) -> AsyncIterator[Bot]:
    client = aiogram_bot(api)
    yield client
    await client.session.close()


@pytest_asyncio.fixture
async def ptb(api: BotAPI) -> AsyncIterator[telegram.Bot]:
    client = telegram.Bot(api.token, base_url=f"{api.base_url}/bot", base_file_url=f"{api.base_url}/file/bot")
    async with client:
        yield client


async def raw(
    api: BotAPI, method: str, token: str | None = None, **params: Any
) -> tuple[int, dict[str, Any]]:
    """Call a method with a JSON body, as no library would: the answer's status and body."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{api.base_url}/bot{token or api.token}/{method}", json=params) as response,
    ):
        return response.status, await response.json()


# ---- the HTML parser ------------------------------------------------------------------------------


def test_html_nested_tags_and_entities() -> None:
    parsed = parse_html("<b>bold <i>both</i></b> &lt;3 &amp; &quot;q&quot; &#33;&#x41;")
    assert parsed.text == 'bold both <3 & "q" !A'
    assert parsed.entities == [
        {"offset": 0, "length": 9, "type": "bold"},
        {"offset": 5, "length": 4, "type": "italic"},
    ]


def test_html_links_code_spoilers_quotes() -> None:
    parsed = parse_html(
        '<a href="https://example.org/?a=1&b=2">link</a> <pre><code class="language-python">x = 1</code></pre>'
        ' <span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler> <blockquote expandable>q</blockquote>'
        " <code>c</code> <U>u</U>"
    )
    assert parsed.text == "link x = 1 st q c u"
    kinds = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    assert kinds == [
        ("text_link", 0, 4),
        ("pre", 5, 5),
        ("spoiler", 11, 1),
        ("spoiler", 12, 1),
        ("expandable_blockquote", 14, 1),
        ("code", 16, 1),
        ("underline", 18, 1),
    ]
    assert parsed.entities[0]["url"] == "https://example.org/?a=1&b=2"
    assert parsed.entities[1]["language"] == "python"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<x>hi</x>", 'Unsupported start tag "x" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("é<q>", 'Unsupported start tag "q" at byte offset 2'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("Tom & Jerry", "at byte offset 4"),
        ("&nbsp;", "at byte offset 0"),
    ],
)
def test_html_refused_like_telegram(html: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(html)
    assert reason in caught.value.reason
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")


def test_html_utf16_offsets_and_trimming() -> None:
    assert utf16_len("👍") == 2
    assert utf16_len("é") == 1
    parsed = parse_html("👍<b>x</b>")
    assert parsed.entities == [{"offset": 2, "length": 1, "type": "bold"}]
    trimmed = trim(parse_html("  <b> hi </b>  "))
    assert trimmed.text == "hi"
    assert trimmed.entities == [{"offset": 0, "length": 2, "type": "bold"}]


# ---- sending, both libraries ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_aiogram_html_message_recorded_and_broken_html_refused(api: BotAPI, bot: Bot) -> None:
    sent = await bot.send_message(
        USER, "<b>Budget</b> &amp; you", parse_mode="HTML", reply_markup=keyboard("yes")
    )
    assert sent.message_id == 1 and sent.text == "Budget & you"
    shown = api.chat(USER).last()
    assert (shown.text, shown.html, shown.parse_mode) == ("Budget & you", "<b>Budget</b> &amp; you", "HTML")
    assert shown.button_labels() == ["yes"]
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await bot.send_message(USER, "<blink>hi</blink>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "hello")
    assert api.stats["sendMessage"] == 3 and api.stats[400] == 2


@pytest.mark.asyncio
async def test_ptb_html_message_recorded_and_broken_html_refused(api: BotAPI, ptb: telegram.Bot) -> None:
    sent = await ptb.send_message(USER, "<i>Hello</i>", parse_mode="HTML")
    assert sent.text == "Hello" and sent.entities[0].type == "italic"
    assert api.chat(USER).texts() == ["Hello"]
    with pytest.raises(ptb_error.BadRequest, match="parse entities"):
        await ptb.send_message(USER, "a < b", parse_mode="HTML")


@pytest.mark.asyncio
async def test_limits_on_text_and_callback_data(api: BotAPI, bot: Bot, ptb: telegram.Bot) -> None:
    await bot.send_message(USER, "x" * 4096)
    await bot.send_message(USER, "👍" * 2048)  # 4096 UTF-16 code units
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(ptb_error.BadRequest, match="too long"):
        await ptb.send_message(USER, "👍" * 2049)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
    await bot.send_message(USER, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "no", reply_markup=keyboard("x" * 65))
    with pytest.raises(ptb_error.BadRequest, match="Button_data_invalid"):
        markup = telegram.InlineKeyboardMarkup([[telegram.InlineKeyboardButton("a", callback_data="é" * 33)]])
        await ptb.send_message(USER, "no", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "nine", reply_markup=keyboard(*"abcdefghi"))
    many = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="b", callback_data="b")]] * 101)
    with pytest.raises(TelegramBadRequest, match="too many buttons"):
        await bot.send_message(USER, "many", reply_markup=many)
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(USER, BufferedInputFile(png(), "p.png"), caption="c" * 1025)
    assert len(api.chat(USER).messages) == 3


@pytest.mark.asyncio
async def test_flood_and_block_raise_the_libraries_errors(api: BotAPI, bot: Bot, ptb: telegram.Bot) -> None:
    api.flood(2, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "one")
    assert caught.value.retry_after == 3
    with pytest.raises(ptb_error.RetryAfter) as ptb_caught:
        await ptb.send_message(USER, "two")
    assert seconds(ptb_caught.value.retry_after) == 3
    await bot.send_message(USER, "three")
    assert api.chat(USER).texts() == ["three"] and api.stats.too_many_requests == 2

    api.block(USER)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "hello?")
    with pytest.raises(ptb_error.Forbidden):
        await ptb.send_message(USER, "hello?")
    api.unblock(USER)
    await bot.send_message(USER, "back")
    assert api.stats.forbidden == 2


@pytest.mark.asyncio
async def test_rate_limits_in_a_sliding_window(api: BotAPI, bot: Bot) -> None:
    api.user(2002)
    api.rate_limits = RateLimits(global_per_second=3, per_chat_per_second=2)
    await bot.send_message(USER, "a")
    await bot.send_message(USER, "b")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "c")
    assert caught.value.retry_after == 1
    await bot.send_message(2002, "d")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(2002, "e")


@pytest.mark.asyncio
async def test_photos_and_documents_recorded(api: BotAPI, bot: Bot, ptb: telegram.Bot) -> None:
    image = png(4, 5)
    sent = await bot.send_photo(
        USER, BufferedInputFile(image, "chart.png"), caption="<b>Chart</b>", parse_mode="HTML"
    )
    assert sent.photo is not None and (sent.photo[-1].width, sent.photo[-1].height) == (4, 5)
    assert sent.caption == "Chart"
    await ptb.send_photo(USER, telegram.InputFile(image, filename="again.png"))
    photos = [m for m in api.chat(USER).messages if m.kind == "photo"]
    assert [m.photo for m in photos] == [image, image] and photos[0].text == "Chart"
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER, BufferedInputFile(b"GIF89a...", "x.gif"))

    await bot.send_document(USER, BufferedInputFile(b"a,b\n1,2\n", "summary.csv"))
    doc = await ptb.send_document(USER, b"%PDF-1.4 report", filename="report.pdf", caption="Report")
    assert doc.document is not None and doc.document.file_name == "report.pdf" and doc.caption == "Report"
    documents = [m for m in api.all_sent() if m.kind == "document"]
    assert [(m.filename, m.mime_type, m.document) for m in documents] == [
        ("summary.csv", "text/csv", b"a,b\n1,2\n"),
        ("report.pdf", "application/pdf", b"%PDF-1.4 report"),
    ]
    api.max_document_bytes = 100
    with pytest.raises(TelegramEntityTooLarge):
        await bot.send_document(USER, BufferedInputFile(b"x" * 101, "big.bin"))


@pytest.mark.asyncio
async def test_user_upload_downloaded_through_get_file(api: BotAPI, bot: Bot, ptb: telegram.Bot) -> None:
    update = api.send_document(USER, "ideas.txt", b"more benches", caption="my ideas")
    document = update["message"]["document"]
    assert document["mime_type"] == "text/plain" and document["file_size"] == 12
    file = await bot.get_file(document["file_id"])
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"more benches"
    ptb_file = await ptb.get_file(document["file_id"])
    assert bytes(await ptb_file.download_as_bytearray()) == b"more benches"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


@pytest.mark.asyncio
async def test_edits_deletes_and_callback_answers(api: BotAPI, bot: Bot, ptb: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "Question?", reply_markup=keyboard("a", "b"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Question?", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard("a", "b")
        )
    await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id, reply_markup=keyboard("c"))
    assert api.chat(USER).last().button_labels() == ["c"]
    await bot.edit_message_text(
        "Thanks", chat_id=USER, message_id=sent.message_id
    )  # no markup: keyboard goes
    shown = api.chat(USER).last()
    assert (shown.text, shown.history, shown.buttons) == ("Thanks", ["Question?"], [])
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=99)
    with pytest.raises(ptb_error.BadRequest, match="Query is too old"):
        await ptb.answer_callback_query("404", text="late")
    user_message = api.send_text(USER, "hi")["message"]["message_id"]
    assert user_message == 2  # the chat's ids are shared by the user's and the bot's messages
    second = await ptb.send_message(USER, "Second")
    assert second.message_id == 3
    await ptb.delete_message(USER, second.message_id)
    assert api.chat(USER).last().text == "Thanks" and api.chat(USER).messages[-1].deleted
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER, second.message_id)


async def test_observers_see_each_call_that_succeeded(api: BotAPI, bot: Bot) -> None:
    seen: list[tuple[str, Any, Any]] = []
    api.observers.append(lambda method, p, result: seen.append((method, p.data.get("callback_query_id"), result)))
    sent = await bot.send_message(USER, "Question?", reply_markup=keyboard("a"))
    query = api.press(USER, sent.message_id, "a")["callback_query"]["id"]
    await bot.answer_callback_query(query)
    await bot.edit_message_text("Thanks", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest):
        await bot.edit_message_text("x", chat_id=USER, message_id=99)  # refused: not observed
    assert [m for m, _, _ in seen] == ["sendMessage", "answerCallbackQuery", "editMessageText"]
    assert seen[1][1:] == (query, True)
    assert (seen[2][2]["chat"]["id"], seen[2][2]["message_id"]) == (USER, sent.message_id)


# ---- receiving updates: the dispatchers ------------------------------------------------------------


@pytest.mark.asyncio
async def test_aiogram_dispatcher_polls_replies_and_answers_presses(api: BotAPI) -> None:
    dp = Dispatcher()

    @dp.message()
    async def on_message(message: Message) -> None:
        await message.answer(f"You said {message.text}", reply_markup=keyboard("Agree", "Disagree"))

    @dp.callback_query()
    async def on_press(query: CallbackQuery) -> None:
        await query.answer(f"noted {query.data}", show_alert=True)
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"Chose {query.data}")

    polling = asyncio.create_task(dp.start_polling(aiogram_bot(api), handle_signals=False, polling_timeout=5))
    try:
        api.send_text(USER, "/start now")
        reply = await api.wait_for_message(USER, "You said /start now")
        assert reply.button_labels() == ["Agree", "Disagree"]
        api.press_button(USER, "Disagree")
        await api.wait_for_message(USER, "Chose Disagree")
        await api.wait_for(lambda: len(api.chat(USER).callback_answers) == 1)
        answer = api.chat(USER).callback_answers[0]
        assert (answer["text"], answer["show_alert"]) == ("noted Disagree", True)
        with pytest.raises(LookupError, match="no button containing 'Maybe'"):
            api.press_button(USER, "Maybe")
    finally:
        await dp.stop_polling()
        await polling


@pytest.mark.asyncio
async def test_ptb_application_polls_replies_and_answers_presses(api: BotAPI) -> None:
    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        markup = telegram.InlineKeyboardMarkup([[telegram.InlineKeyboardButton("Yes", callback_data="yes")]])
        await update.message.reply_html("<b>Welcome</b>", reply_markup=markup)

    async def press(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("thanks")
        await update.callback_query.edit_message_text("Answered yes")

    app = ptb_builder(api).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(press))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=5))
    try:
        api.send_text(USER, "/start@moot_test_bot")
        await api.wait_for_message(USER, "Welcome")
        api.press_button(USER, "Yes")
        await api.wait_for_message(USER, "Answered yes")
        await api.wait_for(lambda: bool(api.chat(USER).callback_answers))
        assert api.chat(USER).callback_answers[0]["text"] == "thanks"
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert api.stats[409] == 0 and api.pending_updates() == 0


# ---- getUpdates and webhook semantics ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_get_updates_offsets_duplicates_and_long_poll(api: BotAPI) -> None:
    first, second, third = (api.send_text(USER, text) for text in ("one", "two", "three"))
    status, body = await raw(api, "getUpdates")
    assert status == 200 and [u["update_id"] for u in body["result"]] == [1, 2, 3]
    _, body = await raw(api, "getUpdates", offset=2, limit=1)
    assert [u["message"]["text"] for u in body["result"]] == ["two"]
    assert api.pending_updates() == 2
    api.send_update(second)  # delivered again, same update_id
    _, body = await raw(api, "getUpdates", offset=4)
    assert [u["update_id"] for u in body["result"]] == [second["update_id"]]
    _, body = await raw(api, "getUpdates", offset=4)
    assert body["result"] == [] and api.pending_updates() == 0
    assert third["update_id"] == 3 and first["message"]["chat"]["type"] == "private"

    poll = asyncio.create_task(raw(api, "getUpdates", offset=4, timeout=5))
    await asyncio.sleep(0.1)
    conflict = await raw(api, "getUpdates", offset=4, timeout=5)
    assert conflict[0] == 409 and "terminated by other getUpdates request" in conflict[1]["description"]
    started = asyncio.get_running_loop().time()
    api.send_update({"update_id": 100, "message": {**first["message"], "text": "late"}})
    _, body = await poll
    assert asyncio.get_running_loop().time() - started < 1
    assert [u["update_id"] for u in body["result"]] == [100]
    assert api.send_text(USER, "next")["update_id"] == 101


@pytest.mark.asyncio
async def test_webhook_delivery_with_secret_and_retries(api: BotAPI) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    answers = iter([500, 200, 200])

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=next(answers))

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        status, _ = await raw(api, "setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        assert status == 200
        api.send_text(USER, "via webhook")
        await api.wait_for(lambda: len(received) == 2 and api.pending_updates() == 0)
        assert received[0] == received[1] and received[0][0] == "s3cret"
        assert received[0][1]["message"]["text"] == "via webhook"
        status, body = await raw(api, "getUpdates")
        assert status == 409 and "webhook is active" in body["description"]
        _, info = await raw(api, "getWebhookInfo")
        assert info["result"]["url"].endswith("/hook") and "500" in info["result"]["last_error_message"]
        await raw(api, "deleteWebhook")
        api.send_text(USER, "polled again")
        _, body = await raw(api, "getUpdates")
        assert [u["message"]["text"] for u in body["result"]] == ["polled again"]
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_tokens_methods_and_bodies(api: BotAPI) -> None:
    status, body = await raw(api, "getMe", token="1:wrong")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = await raw(api, "fly")
    assert (status, body["description"]) == (404, "Not Found: method not found")
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{api.base_url}/bot{api.token}/getme") as response:
            me = await response.json()
        form = {
            "chat_id": str(USER),
            "text": "form",
            "reply_markup": '{"inline_keyboard": [[{"text": "u", "url": "https://x.org"}]]}',
        }
        async with session.post(f"{api.base_url}/bot{api.token}/sendMessage", data=form) as response:
            assert response.status == 200
    assert me["result"]["username"] == "moot_test_bot" and me["result"]["is_bot"] is True
    assert api.chat(USER).last().buttons[0][0].url == "https://x.org"
    status, body = await raw(api, "setMyCommands", commands=[{"command": "start", "description": "Begin"}])
    assert status == 200 and api.my_commands() == [{"command": "start", "description": "Begin"}]
    status, body = await raw(api, "setMyCommands", commands=[{"command": "Start", "description": "Begin"}])
    assert status == 400 and "BOT_COMMAND_INVALID" in body["description"]
    status, _ = await raw(
        api, "sendMessage", chat_id=USER, text="x", reply_markup={"inline_keyboard": [[{"text": "t"}]]}
    )
    assert status == 400


# ---- groups -------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_groups_membership_admins_and_kicks(api: BotAPI, bot: Bot, ptb: telegram.Bot) -> None:
    group = -100123
    api.add_group(group, "Council", admins=[USER], members=[2002])
    with pytest.raises(TelegramForbiddenError, match="not a member"):
        await bot.send_message(group, "hello")
    joined = api.add_bot_to_group(group, by_user=USER)
    assert joined["my_chat_member"]["new_chat_member"]["status"] == "member"
    await bot.send_message(group, "Results are in")
    assert api.chat(group).texts() == ["Results are in"]
    assert api.chat(group).last().message_id == 2  # 1 was the new_chat_members service message
    admin = await bot.get_chat_member(group, USER)
    assert admin.status == "administrator"
    assert (await ptb.get_chat_member(group, 2002)).status == "member"
    assert [m.user.id for m in await ptb.get_chat_administrators(group)] == [USER]
    chat = await ptb.get_chat(group)
    assert (chat.type, chat.title) == ("supergroup", "Council")
    update = api.send_text(2002, "/results", chat_id=group)
    assert update["message"]["chat"]["id"] == group
    assert update["message"]["entities"][0] == {"type": "bot_command", "offset": 0, "length": 8}
    api.kick_bot(group)
    with pytest.raises(ptb_error.Forbidden, match="kicked"):
        await ptb.send_message(group, "still there?")


@pytest.mark.asyncio
async def test_a_group_upgraded_to_a_supergroup_moves_to_its_new_id(api: BotAPI, bot: Bot, ptb: telegram.Bot) -> None:
    old, new = -4000123, -1004000123
    api.add_group(old, "Walker residents", admins=[USER], members=[2002], chat_type="group")
    api.add_bot_to_group(old, by_user=USER)
    api.queue.clear()
    api.migrate_group(old, new, by_user=USER)
    first, second = api.queue.deliverable()
    assert first["message"]["chat"] == {"id": old, "type": "group", "title": "Walker residents"}
    assert first["message"]["migrate_to_chat_id"] == new
    assert second["message"]["chat"]["id"] == new and second["message"]["chat"]["type"] == "supergroup"
    assert second["message"]["migrate_from_chat_id"] == old
    with pytest.raises(TelegramMigrateToChat) as moved:
        await bot.send_message(old, "Results are in")
    assert moved.value.migrate_to_chat_id == new
    with pytest.raises(ptb_error.ChatMigrated) as migrated:
        await ptb.send_photo(old, png(), caption="chart")
    assert migrated.value.new_chat_id == new
    status, body = await raw(api, "sendMessage", chat_id=old, text="x")
    assert status == 400 and body["parameters"] == {"migrate_to_chat_id": new}
    with pytest.raises(ptb_error.ChatMigrated):
        await ptb.get_chat_member(old, USER)
    await bot.send_message(new, "Results are in")  # the bot is a member of the supergroup, with the same admins
    assert api.chat(new).texts() == ["Results are in"]
    assert (await ptb.get_chat_member(new, USER)).status == "administrator"
    with pytest.raises(ValueError):
        api.send_text(2002, "hello?", chat_id=old)  # nobody can write in the old group any more


@pytest.mark.asyncio
async def test_wait_for_reports_what_chats_show(api: BotAPI, bot: Bot) -> None:
    await bot.send_message(USER, "Only this")
    with pytest.raises(AssertionError, match="Only this"):
        await api.wait_for_message(USER, "Something else", timeout=0.05)
    message = await api.wait_for_message(USER, "Only")
    assert message.text == "Only this"
    waiting = asyncio.create_task(api.wait_for_message(USER, "Only", new_only=True, timeout=2))
    await asyncio.sleep(0.05)
    await bot.edit_message_text("Only that", chat_id=USER, message_id=message.message_id)
    assert (await waiting).history == ["Only this"]


@pytest.mark.asyncio
async def test_other_methods(api: BotAPI, bot: Bot, ptb: telegram.Bot) -> None:
    assert await bot.send_chat_action(USER, "typing")
    assert api.chat(USER).actions == ["typing"]
    assert await bot.set_my_commands([BotCommand(command="start", description="Begin")])
    assert [c.command for c in await ptb.get_my_commands()] == ["start"]
    assert await bot.delete_my_commands() and await bot.get_my_commands() == []
    assert await bot.set_chat_menu_button(chat_id=USER, menu_button=MenuButtonCommands())
    assert (await ptb.get_chat_menu_button(USER)).type == "commands"
    photo = await ptb.send_photo(USER, png(), caption="old")
    edited = await bot.edit_message_caption(
        chat_id=USER, message_id=photo.message_id, caption="<i>new</i>", parse_mode="HTML"
    )
    assert isinstance(edited, Message) and edited.caption == "new"
    assert api.chat(USER).last().history == ["old"]
    assert (await raw(api, "logOut"))[0] == 200 and (await raw(api, "close"))[0] == 200
    api.add_group(-5, "Residents", admins=[USER])
    api.add_bot_to_group(-5, by_user=USER)
    assert await ptb.leave_chat(-5)
    with pytest.raises(TelegramForbiddenError, match="not a member"):
        await bot.send_message(-5, "gone")
    update = api.send_web_app_data(USER, '{"pence": [50, 50]}')
    message = telegram.Update.de_json(update, ptb).message
    assert message is not None and message.web_app_data is not None
    assert message.web_app_data.data == '{"pence": [50, 50]}'
