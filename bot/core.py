"""The core every runtime calls: dedupes updates, routes them to use cases, and renders the replies."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from sqlalchemy.exc import DBAPIError, OperationalError

from bot.actions import ActionCodec, BadButton, Pressed
from bot.group_quiet import GroupQuiet
from bot.incoming import Incoming
from bot.limits import SendWindow
from bot.render import Renderer
from bot.services.common import Deps, Refused, Reply
from bot.services.resident import EXPIRED, ResidentService
from bot.transport import Rejected, TelegramFailure, Transport
from dialogues import consent, journey
from dialogues.screens import Button, Screen
from dialogues.text import Block, Inline, Lines, Para, Strong, _
from storage.chatlock import chat_lock
from storage.idempotency import AlreadyApplied, UpdateScope

log = logging.getLogger(__name__)

Handler = Callable[[Incoming, str], Awaitable[Reply | None]]  # (update, command arguments) -> reply
ActionHandler = Callable[[Incoming, Pressed], Awaitable[Reply | None]]

CONCURRENT_UPDATES = 16
DATABASE_DOWN = (OperationalError, DBAPIError, OSError, ConnectionError)

# A press on the journey's own buttons commits before anything is shown, so a duplicate is refused by that commit
# (storage.idempotency) with nothing sent; it skips the look-up of the update id beforehand, a whole transaction
# on every press of the busiest buttons. Consent, erasure and staff buttons keep the look-up.
SORRY = _("Sorry, something went wrong on our side. Your earlier answers are safe; please try again in a moment.")
BUSY = _("We're having a technical problem right now. Your earlier answers are safe; please try again in a moment.")

def group_sorry(command: Inline) -> Inline:
    return _("Sorry, {command} didn't work: something went wrong on our side. Please try again in a moment.",
             command=command)

HELP: list[Block] = [
    Para(_("{moot} runs your council's consultations here in Telegram.", moot=Strong("moot"))),
    Lines([
        (_("/start: take part (or continue where you left off)"),),
        (_("/mydata: see everything we hold about you"),),
        (_("/erase: delete everything we hold about you"),),
        (_("/language: choose your language (Cymraeg / English)"),),
        (_("/help: this message"),),
    ]),
]


def _journey_press(inc: Incoming) -> bool:
    """A press of a journey button, by the action name its data claims (only the look-up depends on it: a
    forged name is refused by the signature check all the same)."""
    return inc.kind == "callback" and ActionCodec.claimed_name(inc.data) in journey.actions()


class ChatLocks:
    """One lock per chat, kept while anyone holds or waits for it, so a chat's updates never run side by side."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class Core:
    def __init__(self, deps: Deps, codec: ActionCodec, resident: ResidentService):
        self.d = deps
        self.codec = codec
        outbox = deps.config.outbox
        self.renderer = Renderer(codec, deps.config.language, SendWindow(outbox.per_second),
                                 SendWindow(outbox.edits_per_second))
        self.resident = resident
        self.commands: dict[str, Handler] = {}  # extra private-chat commands (facilitators, officers)
        self.group_commands: dict[str, Handler] = {}
        self.actions: dict[str, ActionHandler] = {}
        self.on_document: Handler | None = None
        self.on_member: Handler | None = None
        self._locks = ChatLocks()
        self.group_quiet = GroupQuiet()
        # Updates handled at once by this process: bounds memory and database connections in a flood.
        self._slots = asyncio.Semaphore(CONCURRENT_UPDATES)
        # Whether other processes may be handling updates of the same chats (webhook workers): each chat's lock is
        # then taken in PostgreSQL as well as here. Long polling has one consumer by Telegram's rule (a second
        # getUpdates is refused with 409), so the Poller turns it off; the database lock cost a PostgreSQL press a
        # connection of its own and 1.3 ms of CPU (`python -m bench --only answers`).
        self.shared_chats = True

    async def handle(self, inc: Incoming, t: Transport) -> None:
        """Handles one update once, whatever it is; never lets an exception reach the runtime.

        The update id is recorded in the same transaction as the update's effect: the update's scope goes with it
        to the use cases, whose first commit records the id (storage.idempotency), so an update delivered twice,
        or again after a crash, is applied at most once and never lost.
        """
        if not _journey_press(inc):
            try:
                async with self.d.uow() as uow:
                    if await uow.ledger.seen(inc.update_id):
                        log.info("update %s seen before; ignored", inc.update_id)
                        await self._quiet(inc, t)
                        return
            except DATABASE_DOWN:
                log.exception("database unavailable while checking update %s", inc.update_id)
                await self._apologise(inc, t, BUSY)
                return
        key = inc.chat_id or 0
        scope = UpdateScope(inc.update_id)
        inc = dataclasses.replace(inc, scope=scope)  # the use cases' units of work for this update get it
        try:
            # The chat's lock first, then a slot: an update waiting for its chat does not hold a slot.
            across = chat_lock(self.d.engine, key) if self.shared_chats else contextlib.nullcontext()
            async with self._locks.hold(key), self._slots, across:
                try:
                    await self._route(inc, t)
                except AlreadyApplied:
                    log.info("update %s was applied before; ignored", inc.update_id)
                    # Still holding the chat's lock: a redraw read before the resident's next press and sent
                    # after it would put the older board back over the newer one (two workers, a duplicate).
                    await self._quiet(inc, t)
                    return
            if not scope.recorded:
                async with self.d.uow(scope) as uow:
                    await uow.commit()  # nothing else was written: record the update id on its own
        except AlreadyApplied:
            log.info("update %s was applied before; ignored", inc.update_id)
            await self._quiet(inc, t)
        except DATABASE_DOWN:
            log.exception("database error handling update %s", inc.update_id)
            await self._apologise(inc, t, BUSY)
        except TelegramFailure as e:
            log.warning("Telegram refused a reply to update %s: %s", inc.update_id, e)
            if self._group_command(inc) is not None:
                await self._apologise(inc, t, SORRY)
        except Exception:
            log.exception("failed to handle update %s", inc.update_id)
            await self._apologise(inc, t, SORRY)

    async def _quiet(self, inc: Incoming, t: Transport) -> None:
        """A press applied before a crash may never have been answered: stop its spinner, change nothing, and
        on the journey's current screen draw it again as saved, so the resident does not see a stale figure."""
        if inc.kind != "callback":
            return
        with contextlib.suppress(TelegramFailure):
            await t.answer_callback(inc.callback_id)
        if not (_journey_press(inc) and inc.private and inc.user_id is not None and inc.user_id == inc.chat_id):
            return
        try:
            reply = await self.resident.redraw(inc.user_id, self.codec.unpack(inc.user_id, inc.data))
            if reply is not None:
                await self._show(inc, t, reply)
        except (BadButton, TelegramFailure, *DATABASE_DOWN):
            log.info("could not redraw after the duplicate update %s", inc.update_id)

    async def _apologise(self, inc: Incoming, t: Transport, message: Inline) -> None:
        """Tells whoever sent a failed update: a toast for a press, a reply in a private chat, and for a command in
        a group a reply there, or in private if the group cannot be written to."""
        text = self.renderer.text(message)
        try:
            if inc.kind == "callback":
                await t.answer_callback(inc.callback_id, text[:200], alert=True)
            elif inc.private and inc.chat_id is not None and inc.kind in {"message", "document"}:
                await t.send_text(inc.chat_id, self.renderer.content().inline(message))
            elif (command := self._group_command(inc)) is not None:
                await self._apologise_for_group(inc, t, command)
        except TelegramFailure:
            log.warning("could not tell the user about the failure of update %s", inc.update_id)

    def _group_command(self, inc: Incoming) -> str | None:
        """'/link' for a command sent to us in a group; None for anything else."""
        if inc.private or inc.chat_id is None:
            return None
        cmd = inc.command(self.d.bot_username)
        return f"/{cmd[0][:32]}" if cmd is not None else None

    async def _apologise_for_group(self, inc: Incoming, t: Transport, command: str) -> None:
        assert inc.chat_id is not None
        try:
            await t.send_text(inc.chat_id, self.renderer.content().inline(group_sorry(command)))
            return
        except TelegramFailure as e:
            if inc.user_id is None:
                raise
            log.warning("could not apologise in group %s for update %s (%s); telling the sender privately",
                        inc.chat_id, inc.update_id, e)
        where: Inline = command
        if inc.chat_title:
            where = _("{command} in “{group}”", command=command, group=inc.chat_title)
        await t.send_text(inc.user_id, self.renderer.content().inline(group_sorry(where)))

    async def _route(self, inc: Incoming, t: Transport) -> None:
        if inc.user_id is None or inc.chat_id is None:
            return
        if inc.kind == "callback":
            await self._callback(inc, t)
            return
        if inc.kind in {"member", "migrated"}:  # the bot joined or left a group, or a group changed its id
            if self.on_member is not None:
                await self._show(inc, t, await self.on_member(inc, ""))
            return
        try:
            reply = await (self._private(inc) if inc.private else self._group(inc))
        except Refused as e:  # a use case that says why it will not (a role from the config file...)
            reply = Reply.say(e.message)
        await self._show(inc, t, reply)

    async def _private(self, inc: Incoming) -> Reply | None:
        assert inc.user_id is not None
        if inc.kind == "edited":
            return Reply.say(
                _("I saw you edited a message. Edits aren't read: please send the answer again as a new message.")
            )
        if inc.kind == "other":
            return Reply.say(
                _("I can only read text messages and button presses. Please answer with the buttons or a message.")
            )
        if inc.kind == "document":
            if self.on_document is not None:
                return await self.on_document(inc, "")
            return Reply.say(_("I can't use files here. Please answer with the buttons or a message."))
        cmd = inc.command(self.d.bot_username)
        if cmd is None:
            if inc.text.startswith("/"):
                return Reply.say(_("I don't know that command. Send /help to see what I can do."))
            if not inc.text.strip():
                return Reply.say(_("Please answer with the buttons or a text message."))
            return await self.resident.text(inc.user_id, inc.text, inc.scope, inc.language_code)
        name, args = cmd
        if name == "start":
            return await self.resident.start(inc.user_id, args or None, inc.scope, inc.language_code)
        if name == "language":
            return await self.resident.choose_language(inc.user_id, inc.language_code)
        if name == "help":
            return Reply.say([*HELP, *await self._help_extra(inc)])
        if name == "mydata":
            return await self.resident.mydata(inc.user_id, inc.language_code)
        if name == "erase":
            return await self.resident.erase(inc.user_id)
        if name in self.commands:
            return await self.commands[name](inc, args)
        return Reply.say(_("I don't know the command /{name}. Send /help to see what I can do.", name=name[:32]))

    async def _help_extra(self, inc: Incoming) -> tuple[Block, ...]:
        helper = self.commands.get("_help")
        if helper is None:
            return ()
        extra = await helper(inc, "")
        return extra.screens[0].body if extra and extra.screens else ()

    async def _group(self, inc: Incoming) -> Reply | None:
        cmd = inc.command(self.d.bot_username)
        if cmd is None:
            return None  # ordinary group conversation is none of our business
        name, args = cmd
        ours = (name in self.group_commands or name in {"start", "help", "mydata", "erase", "language"}
                or name in self.commands)
        if not ours or not await self._may_answer_in_group(inc):
            return None
        if name in self.group_commands:
            return await self.group_commands[name](inc, args)
        return Reply(
            [
                Screen(
                    _("Answers are collected in a private chat with me, so nobody else sees them. "
                      "Tap below to start."),
                    [[Button(_("Take part privately"), url=self.d.deep_link())]],
                )
            ]
        )

    async def _may_answer_in_group(self, inc: Incoming) -> bool:
        """Staff are always answered; anyone else once an hour, and a few a minute in the whole group (issue 19 #11)."""
        from bot.services.roles import roles_of

        assert inc.user_id is not None and inc.chat_id is not None
        async with self.d.uow() as uow:
            if await roles_of(self.d, uow, inc.user_id):
                return True
        if self.group_quiet.may_answer(inc.chat_id, inc.user_id):
            return True
        log.info("not answering a command in group %s again so soon (update %s)", inc.chat_id, inc.update_id)
        return False

    async def _callback(self, inc: Incoming, t: Transport) -> None:
        assert inc.user_id is not None and inc.chat_id is not None
        try:
            pressed = self.codec.unpack(inc.chat_id, inc.data)
        except BadButton as e:
            await self._refuse_button(inc, str(e))
            await t.answer_callback(inc.callback_id, self.renderer.text(EXPIRED))
            return
        name = pressed.action.name
        reply: Reply | None
        # A resident's own buttons: consent and erasure, the journey's and its question types' (registered by each).
        if name in consent.ACTIONS or name in journey.actions():
            if not inc.private or inc.user_id != inc.chat_id:
                await t.answer_callback(inc.callback_id, self.renderer.text(_("This button isn't for you.")))
                return
            reply = await self.resident.press(inc.user_id, inc.message_id, pressed, inc.scope, inc.language_code)
        elif name in self.actions:
            try:
                reply = await self.actions[name](inc, pressed)
            except Refused as e:
                reply = Reply(toast=e.message, alert=True)
        else:
            reply = Reply(toast=EXPIRED)
        reply = reply or Reply()
        reply.language = await self._language(inc, reply)
        try:
            toast = self.renderer.text(reply.toast, reply.language)[:200] if reply.toast is not None else None
            await t.answer_callback(inc.callback_id, toast, reply.alert)
        except Rejected as e:
            # A press answered late (a slow moment) or twice; the screens still matter more than the spinner.
            log.info("could not answer button press %s: %s", inc.update_id, e)
        await self._show(inc, t, reply)

    async def _language(self, inc: Incoming, reply: Reply) -> str | None:
        """The reader's language: the use case's, else (in a private chat) the one they chose or Telegram's."""
        if reply.language is not None or not inc.private or inc.user_id is None:
            return reply.language
        return await self.resident.language(inc.user_id, inc.language_code)

    async def _refuse_button(self, inc: Incoming, why: str) -> None:
        """A forged, damaged or stale press in a staff member's own chat is a refused privileged action, audited like
        a refused command. Anyone else's forgeries are refused without a trace: they never reach a role check, and a
        stranger cannot fill the audit log with made-up presses."""
        from bot.services.roles import roles_of

        assert inc.user_id is not None
        if not inc.private or inc.user_id != inc.chat_id:
            return
        claimed = ActionCodec.claimed_name(inc.data)
        async with self.d.uow(inc.scope) as uow:
            if not await roles_of(self.d, uow, inc.user_id):
                return
            action = claimed if claimed in self.actions else "press"  # a staff button's name, else any press
            await uow.ledger.audit(inc.user_id, action, f"chat {inc.chat_id}", allowed=False,
                                   reason=f"bad button: {why}"[:120], data=inc.data[:64])
            await uow.commit()

    async def _show(self, inc: Incoming, t: Transport, reply: Reply | None) -> None:
        if reply is None or not reply.screens or inc.chat_id is None:
            return
        anchor = reply.anchor if reply.anchor is not None else (inc.message_id if inc.kind == "callback" else None)
        new_anchor = await self.renderer.show(
            t, inc.chat_id, reply.screens, reply.seq, anchor, await self._language(inc, reply), reply.supersedes,
            reply.languages,
        )
        if new_anchor is not None and reply.participation_id is not None:
            await self.resident.remember_anchor(reply.participation_id, new_anchor, inc.scope)
