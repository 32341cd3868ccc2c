"""/export in a private chat: an officer or facilitator picks a consultation, round(s) and format, and gets a file."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.actions import Pressed
from bot.exports.data import ExportError
from bot.exports.pseudonym import NO_KEY, PseudonymKeyMissing
from bot.facilitator.common import reason
from bot.incoming import Incoming
from bot.services import roles
from bot.services.common import Reply
from bot.services.resident import EXPIRED
from bot.services.rounds import STATUS
from bot.transport import TelegramFailure
from dialogues.questions import of
from dialogues.screens import Action, Button, Document, Screen
from dialogues.text import Block, Lines, Msg, Para, Span, Strong, _

if TYPE_CHECKING:
    from bot.bootstrap import App

log = logging.getLogger(__name__)

TELEGRAM_LIMIT = 50 * 1024 * 1024  # the Bot API's limit for a document a bot sends
ORDER = ("xlsx", "csv", "pdf", "ods", "json", "pb", "html")  # a format travels in button data by index: only append
BUSY = _("Your last export is still being prepared. It will arrive here shortly.")
HELP_LINE = _("/export: download results as an Excel workbook, CSV files, the report as a PDF or a web page, an "
              "OpenDocument spreadsheet or JSON data")
IN_PRIVATE = _("Exports hold residents' answers, so I only send them in a private chat: send me /export there.")


def _role(held: set[str]) -> str:
    """The role named in the export's About sheet; never who the person is."""
    return next((r for r in ("officer", "facilitator", "admin") if r in held), "officer")


class Exports:
    def __init__(self, app: App):
        self.app = app
        self.d = app.deps
        self.running: dict[int, asyncio.Task[None]] = {}  # user id -> their export being prepared
        self.slots = asyncio.Semaphore(2)  # exports are heavy; the bot keeps answering residents meanwhile

    # --- background part: finish pending exports on shutdown ---------------------------------------------------

    async def start(self) -> None:
        return

    async def stop(self) -> None:
        pending = list(self.running.values())
        if pending:
            await asyncio.wait(pending, timeout=30)
            for task in pending:
                task.cancel()

    # --- checks ------------------------------------------------------------------------------------------------

    async def _may(self, inc: Incoming, target: str) -> bool:
        """Checked on every command and press: a private chat with the person themself, and the export role."""
        if not inc.private or inc.user_id is None or inc.user_id != inc.chat_id:
            return False
        return await roles.check(self.d, inc.user_id, "export", target, inc.scope)

    async def _role_of(self, user_id: int) -> str:
        async with self.d.uow() as uow:
            return _role(await roles.roles_of(self.d, uow, user_id))

    # --- steps -------------------------------------------------------------------------------------------------

    async def command(self, inc: Incoming, args: str) -> Reply:
        if not inc.private:
            return Reply.say(IN_PRIVATE)
        if not await self._may(inc, "/export"):
            return Reply.say(roles.REFUSED_EXPORT)
        if not self.d.config.privacy.pseudonym_key.get_secret_value():
            off = _("Exports are switched off until the bot's operator sets a pseudonym key.")
            return Reply.say([Para("⚠️ ", off), Para(NO_KEY)])
        return await self._consultations(edit=False)

    async def _consultations(self, edit: bool) -> Reply:
        async with self.d.uow() as uow:
            found = await uow.reports.consultations()
        if not found:
            none = _("No consultation has been loaded yet, so there is nothing to export.")
            return Reply([Screen(none, edit=edit)])
        if len(found) == 1 and not edit:
            return await self._rounds(found[0][0], edit=False, back=False)
        buttons = [[Button(title[:60], Action("xc", (cid,)))] for cid, _code, title in found[-30:]]
        text = Lines([("📥 ", Strong(_("Export results"))), _("Which consultation?")])
        return Reply([Screen(text, buttons, edit=edit)])

    async def _names(self, consultation_id: int) -> tuple[str, str] | None:
        """(code, title) of a consultation, or None if it is gone."""
        async with self.d.uow() as uow:
            found = await uow.consultations.get(consultation_id)
        return (found.code, found.title) if found is not None else None

    async def _rounds(self, consultation_id: int, edit: bool, back: bool = True) -> Reply:
        names = await self._names(consultation_id)
        if names is None:
            return Reply(toast=EXPIRED)
        title = names[1]
        async with self.d.uow() as uow:
            rounds = await uow.consultations.rounds(consultation_id)
        if not rounds:
            none = _("“{title}” has no rounds yet, so there is nothing to export.", title=title)
            return Reply([Screen(none, edit=edit)])
        buttons = [
            [Button(_("Round {number}: {title} ({status})", number=r.number, title=r.title[:40],
                      status=STATUS.get(r.status, r.status)), Action("xr", (consultation_id, r.number)))]
            for r in rounds
        ]
        if len(rounds) > 1:
            buttons.append([Button(_("All rounds"), Action("xr", (consultation_id, 0)))])
        if back:
            buttons.append([Button(Span("« ", _("Other consultations")), Action("xl"))])
        text = Lines([("📥 ", Strong(_("Export: {title}", title=title))), _("Which round?")])
        return Reply([Screen(text, buttons, edit=edit)])

    async def _formats(self, consultation_id: int, number: int) -> Reply:
        from bot.exports.service import FORMATS  # the writers and their libraries, when first asked for

        names = await self._names(consultation_id)
        if names is None:
            return Reply(toast=EXPIRED)
        heading = (_("Export: {title}, round {number}", title=names[1], number=number) if number
                   else _("Export: {title}, all rounds", title=names[1]))
        async with self.d.uow() as uow:
            _version, spec = await uow.consultations.latest(consultation_id)
        # The .pb file only where a question's type makes an election of its answers (a budget ballot).
        elections = any(of(q).pabulib(spec, q) is not None for q in spec.questions)
        buttons = [[Button(FORMATS[fmt][2], Action("xf", (consultation_id, number, i)))]
                   for i, fmt in enumerate(ORDER) if fmt != "pb" or elections]
        buttons.append([Button(Span("« ", _("Rounds")), Action("xc", (consultation_id,)))])
        text = Lines([
            ("📥 ", Strong(heading)),
            _("Which format? Residents appear only under pseudonyms, and figures from too few residents are left out."),
        ])
        return Reply([Screen(text, buttons, edit=True)])

    async def press(self, inc: Incoming, pressed: Pressed) -> Reply:
        a = pressed.action
        if not await self._may(inc, f"/export {a.name}"):
            return Reply(toast=roles.REFUSED_EXPORT, alert=True)
        args = a.args
        if a.name == "xl":
            return await self._consultations(edit=True)
        if a.name == "xc" and len(args) == 1:
            return await self._rounds(args[0], edit=True)
        if a.name == "xr" and len(args) == 2:
            return await self._formats(args[0], args[1])
        if a.name == "xf" and len(args) == 3 and 0 <= args[2] < len(ORDER):
            return await self._begin(inc, args[0], args[1] or None, ORDER[args[2]])
        return Reply(toast=EXPIRED)

    async def _begin(self, inc: Incoming, consultation_id: int, number: int | None, fmt: str) -> Reply:
        from bot.exports.service import FORMATS  # the writers and their libraries, when first asked for

        assert inc.user_id is not None and inc.chat_id is not None
        if inc.user_id in self.running:
            return Reply(toast=BUSY)
        names = await self._names(consultation_id)
        if names is None:
            return Reply(toast=EXPIRED)
        code, title = names
        role = await self._role_of(inc.user_id)
        # Made in the background: a large export outlives the time Telegram allows for answering a button. It is
        # not part of this update (no scope): the press is recorded now, the export audited when it is made.
        task = asyncio.create_task(self._produce(inc.user_id, inc.chat_id, code, number, fmt, role))
        self.running[inc.user_id] = task
        user_id = inc.user_id

        def done(finished: asyncio.Task[None]) -> None:
            self.running.pop(user_id, None)

        task.add_done_callback(done)
        label = FORMATS[fmt][2]
        preparing = (
            _("Preparing the {format} for “{title}”, round {number}. It will arrive here shortly.",
              format=label, title=title, number=number) if number
            else _("Preparing the {format} for “{title}”, all rounds. It will arrive here shortly.",
                   format=label, title=title)
        )
        return Reply([Screen(Para("⏳ ", preparing), edit=True)], toast=_("Preparing your export…"))

    async def _produce(self, user_id: int, chat_id: int, code: str, number: int | None, fmt: str, role: str) -> None:
        from bot.exports.service import FORMATS, TooLarge, export  # the writers, when first asked for

        target = f"{code} {'round ' + str(number) if number else 'all rounds'}"
        screens: list[Screen]
        try:
            async with self.slots:
                info, content = await export(self.d, code, fmt, number, role, limit=TELEGRAM_LIMIT,
                                             actor=user_id, via="bot")  # fmt: skip
            caption = Lines([
                ("📊 ", info.filename),
                _("{format}; residents appear only under pseudonyms. Handle it as personal data.",
                  format=FORMATS[fmt][2]),
            ])
            screens = [Screen(caption, document=Document(info.filename, content, info.mime_type))]
        except TooLarge as e:
            screens = [Screen(Para("⚠️ ", reason(e)))]
        except PseudonymKeyMissing as e:
            first = _("The bot's operator must set a pseudonym key first.")
            screens = [Screen([Para("⚠️ ", first), Para(reason(e))])]
        except ExportError as e:
            screens = [Screen(Para("⚠️ ", reason(e)))]
        except Exception:
            log.exception("export of %s failed", target)
            failed = _("Sorry, the export failed on our side. Please try again later.")
            screens = [Screen(Para("⚠️ ", failed))]
        runtime = self.app.runtime
        if runtime is None:
            return
        try:
            await self.app.core.renderer.show(runtime.transport, chat_id, screens)
        except TelegramFailure as e:
            log.warning("could not send the export of %s: %s", target, e)

    async def help_line(self, user_id: int | None) -> Msg | None:
        if user_id is None:
            return None
        async with self.d.uow() as uow:
            held = await roles.roles_of(self.d, uow, user_id)
        return HELP_LINE if held & {"officer", "facilitator", "admin"} else None


def install(app: App) -> None:
    feature = Exports(app)
    core = app.core
    core.commands["export"] = feature.command
    core.group_commands["export"] = feature.command  # only to say that exports come in a private chat
    for name in ("xl", "xc", "xr", "xf"):
        core.actions[name] = feature.press
    app.background.append(feature)
    previous = core.commands.get("_help")

    async def help_extra(inc: Incoming, args: str) -> Reply | None:
        # Chains onto any help another feature added, so each feature adds its own line.
        body: list[Block] = []
        if previous is not None:
            before = await previous(inc, args)
            if before is not None and before.screens:
                body += before.screens[0].body
        mine = await feature.help_line(inc.user_id)
        if mine is not None:
            last = body[-1] if body else None
            if isinstance(last, Lines):  # one more line in the list of commands above
                body[-1] = Lines([*last.lines, mine])
            else:
                body.append(Lines([mine]))
        return Reply.say(body) if body else None

    core.commands["_help"] = help_extra
