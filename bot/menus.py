"""The command menus Telegram shows beside the message box (setMyCommands): residents' in every private chat, and
each staff member's own, in their private chat, with the commands their roles allow. Set at start, and again for
someone whose role is granted or revoked in the chat; both runtimes through the shared transport."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from bot.content import Render
from bot.i18n import PSEUDO, translations
from bot.services import roles
from bot.services.common import Deps
from bot.services.languages import readable
from bot.transport import CommandScope, Menu, TelegramFailure, Transport
from dialogues.text import Inline, Msg, _

if TYPE_CHECKING:
    from bot.bootstrap import App

log = logging.getLogger(__name__)
Text = Callable[[Inline], str]  # a catalogue message as plain text in the bot's language

RESIDENT: list[tuple[str, Msg]] = [
    ("start", _("Take part, or continue where you left off")),
    ("mydata", _("See everything we hold about you")),
    ("erase", _("Delete everything we hold about you")),
    ("language", _("Choose your language")),
    ("help", _("What I can do")),
]
# A staff command, the action (bot.services.roles.NEEDS) that allows it, and what the menu says.
STAFF: list[tuple[str, str, Msg]] = [
    ("consultations", "list", _("List consultations, with buttons to open, close and publish")),
    ("preview", "preview", _("See a consultation as a resident would")),
    ("schedule", "schedule", _("Schedule a round's open, reminder and close")),
    ("open", "open", _("Open a round now")),
    ("close", "close", _("Close a round now")),
    ("extend", "schedule", _("Move a round's close later")),
    ("publish", "publish", _("Post a closed round's results again")),
    ("moderate", "moderate", _("Approve residents' comments for the next round")),
    ("reach", "reach", _("See which wards and groups are under-represented")),
    ("export", "export", _("Download results (XLSX, CSV, PDF, HTML, ODS or JSON)")),
    ("grant", "grant", _("Give someone a role (admins)")),
    ("revoke", "grant", _("Take a role away (admins)")),
]


class Menus:
    def __init__(self, d: Deps, commands: Collection[str], text: Text):
        self.d = d
        self.commands = commands  # the private-chat commands installed (a menu never offers a missing one)
        self.text = text

    def residents(self) -> Menu:
        return [(name, self.text(description)) for name, description in RESIDENT]

    def staff(self, have: set[str]) -> Menu:
        """The menu of someone with these roles: residents' commands, then what their roles allow."""
        mine = [
            (name, self.text(description))
            for name, action, description in STAFF
            if name in self.commands and ("admin" in have or have & roles.NEEDS.get(action, set()))
        ]
        return self.residents() + mine if mine else []

    async def publish(self, t: Transport) -> None:
        """Sets every menu: residents' for all private chats, then one per staff member's chat."""
        await self._set(t, self.residents(), CommandScope())
        # Telegram shows the menu for the app's language where one is set: residents' in each other catalogue.
        for language in readable():
            if language != self.d.config.language and self.d.config.language != PSEUDO:
                words = Render(translations(language), html=False)
                menu = [(name, words.text(description)) for name, description in RESIDENT]
                await self._set(t, menu, CommandScope(), language)
        async with self.d.uow() as uow:
            r = self.d.config.roles
            people = {*r.admins, *r.facilitators, *r.officers, *(g.telegram_id for g in await uow.ledger.roles())}
            staff = {user_id: await roles.roles_of(self.d, uow, user_id) for user_id in people}
        for user_id, have in sorted(staff.items()):
            await self._set(t, self.staff(have), CommandScope.chat(user_id))

    async def refresh(self, user_id: int) -> None:
        """After a role changed: that person's menu, or theirs removed so they see residents' again."""
        t: Transport | None = self.d.transport
        if t is None:
            return  # the command line: the bot sets every menu when it starts
        async with self.d.uow() as uow:
            have = await roles.roles_of(self.d, uow, user_id)
        menu = self.staff(have)
        scope = CommandScope.chat(user_id)
        if menu:
            await self._set(t, menu, scope)
            return
        try:
            await t.delete_commands(scope)
        except TelegramFailure as e:
            log.info("could not remove the command menu of %s: %s", user_id, e)

    async def _set(self, t: Transport, menu: Menu, scope: CommandScope, language: str = "") -> None:
        try:
            await t.set_commands(menu, scope, language)
        except TelegramFailure as e:
            # A staff member who never opened a chat with the bot has no chat yet ("chat not found"): their menu is
            # set at the next start, or when their role changes.
            log.info("could not set the command menu for %s: %s", scope.to_api(), e)


def install(app: App) -> Menus:
    menus = Menus(app.deps, app.core.commands.keys(), app.core.renderer.text)
    app.deps.hooks.setdefault("roles", []).append(menus.refresh)
    return menus
