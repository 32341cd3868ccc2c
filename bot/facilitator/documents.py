"""A consultation file sent to the bot as a document: fetched, loaded (bot.services.consultations), explained."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.incoming import Incoming
from bot.services import consultations, roles
from bot.services.common import Deps, Reply
from bot.transport import TelegramFailure, Transport
from dialogues.loader import MAX_FILE_BYTES
from dialogues.screens import h

if TYPE_CHECKING:
    from bot.bootstrap import App


class Loader:
    def __init__(self, d: Deps):
        self.d = d

    async def document(self, inc: Incoming, _: str) -> Reply:
        if not await roles.check(self.d, inc.user_id, "load", inc.filename, inc.scope):
            return Reply.say("Thanks, but I only accept files from the consultation's facilitators. "
                             "Please answer with the buttons or a message.")
        if not inc.filename.lower().endswith((".yaml", ".yml")):
            return Reply.say(f"“{h(inc.filename[:60])}” is not a consultation file. Send a .yaml file "
                             "(see examples/council-pound.yaml).")
        if inc.file_size > MAX_FILE_BYTES:
            return Reply.say(f"That file is {inc.file_size // 1024} KB; a consultation file is at most "
                             f"{MAX_FILE_BYTES // 1024} KB.")
        transport: Transport = self.d.transport
        try:
            data = await transport.download(inc.file_id)
        except TelegramFailure as e:
            return Reply.say(f"I couldn't download that file ({h(e)}). Please send it again.")
        try:
            spec = consultations.check(data)
        except consultations.ConsultationFileError as e:
            listing = "\n".join(f"• {h(p)}" for p in e.problems[:30])
            more = f"\n…and {len(e.problems) - 30} more." if len(e.problems) > 30 else ""
            return Reply.say(f"❌ “{h(inc.filename)}” has {len(e.problems)} problem(s); nothing was loaded:\n"
                             f"{listing}{more}")
        loaded = await consultations.store(self.d, spec, inc.user_id, inc.scope, filename=inc.filename)
        state = f"stored as version {loaded.version}" if loaded.created else \
            f"unchanged (already version {loaded.version})"
        return Reply.say(
            f"✅ “{h(spec.title)}” {state}.\nCode: <code>{h(spec.code)}</code>\n"
            f"Deep link: {h(self.d.deep_link(spec.code))}\n\n"
            f"Next: /preview {h(spec.code)}, then /schedule {h(spec.code)} open …; close … or /open {h(spec.code)}."
        )


def install(app: App) -> None:
    app.core.on_document = Loader(app.deps).document
