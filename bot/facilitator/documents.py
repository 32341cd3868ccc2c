"""A consultation file sent to the bot as a document: fetched, loaded (bot.services.consultations), explained."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.incoming import Incoming
from bot.services import consultations, roles
from bot.services.common import Deps, Reply
from bot.transport import TelegramFailure, Transport
from dialogues.problems import MAX_FILE_BYTES
from dialogues.text import Block, Code, Items, Lines, Para, Span, _, ngettext

if TYPE_CHECKING:
    from bot.bootstrap import App


class Loader:
    def __init__(self, d: Deps):
        self.d = d

    async def document(self, inc: Incoming, args: str) -> Reply:
        if not await roles.check(self.d, inc.user_id, "load", inc.filename, inc.scope):
            return Reply.say(_("Thanks, but I only accept files from the consultation's facilitators. "
                               "Please answer with the buttons or a message."))
        if not inc.filename.lower().endswith((".yaml", ".yml")):
            return Reply.say(_("“{file}” is not a consultation file. Send a .yaml file (see {example}).",
                               file=inc.filename[:60], example=Code("examples/council-pound.yaml")))
        if inc.file_size > MAX_FILE_BYTES:
            return Reply.say(_("That file is {size} KB; a consultation file is at most {limit} KB.",
                               size=inc.file_size // 1024, limit=MAX_FILE_BYTES // 1024))
        transport: Transport = self.d.transport
        try:
            data = await transport.download(inc.file_id)
        except TelegramFailure as e:
            return Reply.say(_("I couldn't download that file ({error}). Please send it again.", error=str(e)))
        try:
            spec = consultations.check(data)
        except consultations.ConsultationFileError as e:
            n = len(e.problems)
            body: list[Block] = [
                Para("❌ ", ngettext("“{file}” has {n} problem; nothing was loaded:",
                              "“{file}” has {n} problems; nothing was loaded:", n, file=inc.filename[:60])),
                Items([p.said() for p in e.problems[:30]]),
            ]
            if n > 30:
                body.append(Para(ngettext("…and {n} more.", "…and {n} more.", n - 30)))
            return Reply.say(body)
        loaded = await consultations.store(self.d, spec, inc.user_id, inc.scope, filename=inc.filename)
        state = (_("“{title}” is stored as version {version}.", title=spec.title, version=loaded.version)
                 if loaded.created else
                 _("“{title}” is unchanged (already version {version}).", title=spec.title, version=loaded.version))
        return Reply.say([
            Lines([
                Span("✅ ", state),
                _("Code: {code}", code=Code(spec.code)),
                _("Deep link: {link}", link=self.d.deep_link(spec.code)),
            ]),
            Para(_("Next: /preview {code}, then /schedule {code} open …; close … or /open {code}.", code=spec.code)),
        ])


def install(app: App) -> None:
    app.core.on_document = Loader(app.deps).document
