"""A resident's use cases: agree, answer, resume, change answers, see and erase their data."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from bot.actions import Pressed
from bot.i18n import PSEUDO, translations
from bot.services import keepers, languages
from bot.services.common import Deps, Reply
from dialogues import consent, journey
from dialogues.questions.base import kept_per_consultation
from dialogues.rounds import Round
from dialogues.schema import Consultation
from dialogues.screens import Action, Screen
from dialogues.text import Msg, _
from storage.engine import checkpoint
from storage.idempotency import UpdateScope
from storage.repositories.residents import Participation
from storage.uow import UnitOfWork

SEQ_SPACE = 2**30  # a participation's first screen number is drawn from this: another round's never matches
ERASED = _("Your answers were deleted when you used /erase. Send /start to take part again.")
CLOSED = _("This round has closed or the button has expired. Send /start to see what is open.")
EXPIRED = _("This button has expired. Use the latest message, or send /start.")

# Screens shown before a deliberation round, supplied by the facilitator side (round 1's results, comments).
Preamble = Callable[[UnitOfWork, Round], Awaitable[list[Screen]]]


class ResidentService:
    def __init__(self, deps: Deps, preamble: Preamble | None = None):
        self.d = deps
        self.preamble = preamble

    async def start(self, user_id: int, code: str | None, scope: UpdateScope | None = None, hint: str = "") -> Reply:
        async with self.d.uow(scope) as uow:
            if code:
                found = await uow.consultations.by_code_any_case(code)
                if found is None:
                    reply = Reply([consent.not_found_screen(code, await self._open_ones(uow))])
                    return await self._in_language(uow, reply, user_id, hint)
                return await self._offer(uow, user_id, found[0], hint)
            open_ones = await self._open_ones(uow)
            if len(open_ones) == 1:
                return await self._offer(uow, user_id, open_ones[0][0], hint)
            return await self._in_language(uow, Reply([consent.choose_screen(open_ones)]), user_id, hint)

    # ---- languages ----------------------------------------------------------------------------------------------
    def _default(self) -> str:
        return self.d.config.language

    async def language(self, user_id: int, hint: str = "") -> str:
        """The language to write to someone in, outside a consultation: chosen, else Telegram's if the bot can
        write it, else the council's default."""
        if self._default() == PSEUDO:
            return PSEUDO
        async with self.d.uow() as uow:
            chosen = await uow.residents.language(user_id)
        return chosen or languages.from_hint(hint, languages.readable()) or self._default()

    async def _in_language(self, uow: UnitOfWork, reply: Reply, user_id: int, hint: str) -> Reply:
        if self._default() == PSEUDO:
            reply.language = PSEUDO
        else:
            chosen = await uow.residents.language(user_id)
            reply.language = chosen or languages.from_hint(hint, languages.readable()) or self._default()
        return reply

    def _for(self, spec: Consultation, chosen: str | None, hint: str) -> str | None:
        """The language a consultation is shown in to someone: chosen, else Telegram's where it is offered, else
        None (ask) where it offers several, else its one language."""
        if self._default() == PSEUDO:
            return PSEUDO
        offered = languages.for_consultation(spec)
        if chosen:
            return chosen
        return languages.from_hint(hint, offered) or (None if len(offered) > 1 else offered[0])

    def ask_language(self, consultation_id: int, offered: list[str]) -> Reply:
        """The question in each language at once, a button per language named in itself."""
        asked = [translations(x).gettext(languages.ASK.singular) for x in offered]
        names = [(languages.number(x), languages.name(x)) for x in offered]
        return Reply([consent.language_screen(consultation_id, asked, names)], language=offered[0])

    async def choose_language(self, user_id: int, hint: str = "") -> Reply:
        """/language: the choice, whatever is going on; the next screen is in the new language."""
        current = await self.language(user_id, hint)
        offered = languages.choices(self._default())
        reply = self.ask_language(0, sorted(offered, key=lambda x: x != current))
        reply.language = current
        return reply

    async def _chose(self, user_id: int, consultation_id: int, n: int, scope: UpdateScope | None) -> Reply:
        """A language button: stored for someone who agreed before (and their screen shown again in it); for
        anyone else, the consultation's invitation in that language, which stores it if they agree."""
        language = languages.code(n)
        if language is None:
            return Reply(toast=EXPIRED)
        async with self.d.uow(scope) as uow:
            resident = await uow.residents.find(user_id)
            said = Screen(languages.CHOSEN, edit=True)
            if resident is not None:
                await uow.residents.set_language(resident.id, language)
                part = await uow.residents.current_of(user_id)
                reply = Reply([said])
                if part is not None:
                    rnd = await uow.consultations.round(part.round_id)
                    assert rnd is not None
                    reply = await self._join(uow, resident.id, rnd.consultation_id, rnd)
                    reply.screens.insert(0, said)
                await uow.commit()
                reply.language = language
                return reply
            target = consultation_id
            if not target:
                open_ones = await self._open_ones(uow)
                target = open_ones[0][0] if len(open_ones) == 1 else 0
            if not target or await uow.consultations.get(target) is None:
                return Reply([said], language=language)
            reply = await self._offer(uow, user_id, target, "", chosen=language)
            if consultation_id:  # the question before the invitation: the invitation takes its place
                reply.screens[0].edit = True
            else:
                reply.screens.insert(0, said)
            return reply

    async def _open_ones(self, uow: UnitOfWork) -> list[tuple[int, str]]:
        """(consultation id, title) of each consultation with a round open."""
        open_ones = []
        for r in await uow.consultations.open_rounds():
            row = await uow.consultations.get(r.consultation_id)
            if row is not None:
                open_ones.append((row.id, row.title))
        return open_ones

    async def _offer(
        self, uow: UnitOfWork, user_id: int, consultation_id: int, hint: str, chosen: str | None = None
    ) -> Reply:
        """The intro and privacy notice (in the reader's language, asked first if it cannot be told), or straight
        back to the journey for someone who already agreed."""
        rnd = await uow.consultations.open_round(consultation_id)
        _version, spec = await uow.consultations.latest(consultation_id)
        resident = await uow.residents.find(user_id)
        language = self._for(spec, chosen or (resident.language if resident else None), hint)
        if rnd is None:
            reply = Reply.say(await self._not_open(uow, consultation_id, spec.title))
            reply.language = language or spec.languages[0]
            return reply
        if resident is not None and await uow.residents.consent(resident.id, consultation_id) is not None:
            reply = await self._join(uow, resident.id, consultation_id, rnd)
            await uow.commit()
            reply.language = language or spec.languages[0]
            return reply
        if language is None:
            return self.ask_language(consultation_id, languages.for_consultation(spec))
        shown = languages.number(language) if language != PSEUDO else 0
        return Reply([consent.intro_screen(spec, consultation_id, self.d.local(rnd.closes_at), shown)],
                     language=language)

    async def _not_open(self, uow: UnitOfWork, consultation_id: int, title: str) -> Msg:
        rounds = await uow.consultations.rounds(consultation_id)
        upcoming = [r for r in rounds if r.status == "scheduled" and r.opens_at]
        if upcoming:
            return _("“{title}” is not open yet. It opens on {opens}.", title=title,
                     opens=self.d.local(upcoming[0].opens_at) or "")
        return _("“{title}” is not open at the moment. Thank you for your interest.", title=title)

    async def _join(self, uow: UnitOfWork, resident_id: int, consultation_id: int, rnd: Round) -> Reply:
        part = await uow.residents.participation(resident_id, rnd.id)
        if part is not None:
            spec = await self.d.spec(uow, part.version_id)
            progress = journey.Progress.from_json(part.state)
            answers = await self._answers(uow, part, spec, consultation_id)
            out = journey.resume(spec, await self._ctx(uow, resident_id, rnd, spec), progress, answers)
            await uow.residents.save_state(part.id, out.progress.to_json())
            back = consent.welcome_back(progress.step, progress.index, len(spec.questions))
            reply = Reply([back, *out.screens], out.progress.seq, None, part.id)
            reply.supersedes = progress.anchor  # the old copy's buttons are dead: take them away
            return reply
        version_id, spec = await uow.consultations.latest(consultation_id)
        ctx = await self._ctx(uow, resident_id, rnd, spec)
        about = await uow.residents.profile(resident_id, consultation_id) if kept_per_consultation(spec) else {}
        out = journey.begin(spec, ctx, about, first_seq=secrets.randbelow(SEQ_SPACE))
        part = await uow.residents.start(resident_id, rnd.id, version_id, out.progress.to_json())
        screens = list(out.screens)
        if self.preamble is not None and rnd.number > 1:
            screens = await self.preamble(uow, rnd) + screens
        return Reply(screens, out.progress.seq, None, part.id)

    @staticmethod
    async def _answers(
        uow: UnitOfWork, part: Participation, spec: Consultation, consultation_id: int
    ) -> dict[str, Any]:
        """The round's answers, with the resident's answers about themselves (ward, age band) kept for the whole
        consultation, if its questions ask any."""
        answers = part.answers if part.answers is not None else await uow.residents.answers(part.id)
        if kept_per_consultation(spec):
            answers = {**await uow.residents.profile(part.resident_id, consultation_id), **answers}
        return answers

    async def _ctx(self, uow: UnitOfWork, resident_id: int, rnd: Round, spec: Consultation) -> journey.RoundContext:
        previous = (
            await uow.residents.previous_answers(resident_id, rnd.consultation_id, rnd.number) if rnd.number > 1 else {}
        )
        live = await keepers.live(uow, rnd, resident_id, spec)  # what types with rows of their own read now
        title = languages.round_title(spec, rnd.number, rnd.title)
        return journey.RoundContext(rnd.number, title, self.d.local(rnd.closes_at), previous, live)

    async def press(
        self, user_id: int, message_id: int | None, pressed: Pressed, scope: UpdateScope | None = None,
        hint: str = "",
    ) -> Reply:
        a = pressed.action
        if a.name == consent.LANGUAGE:
            if len(a.args) != 2:
                return Reply(toast=EXPIRED)
            reply = await self._chose(user_id, a.args[0], a.args[1], scope)
            if reply.anchor is None and reply.screens and reply.screens[0].edit:
                reply.anchor = message_id
            return reply
        if a.name in {consent.AGREE, consent.DECLINE, consent.PICK}:
            return await self._consent(user_id, message_id, pressed, scope, hint)
        if a.name in {consent.ERASE, consent.KEEP}:
            return await self._erase_answer(user_id, a.name == consent.ERASE, scope)
        async with self.d.uow(scope) as uow:
            part = await uow.residents.current_of(user_id)
            if part is None:
                erased = await uow.residents.find(user_id) is None
                return Reply(toast=ERASED if erased else CLOSED)
            progress = journey.Progress.from_json(part.state)
            if pressed.seq != progress.seq:
                return Reply(toast=EXPIRED)
            reply = await self._step(uow, part, progress, journey.Press(a), anchor=message_id, user_id=user_id)
            await uow.commit()
            return reply

    async def redraw(self, user_id: int, pressed: Pressed) -> Reply | None:
        """After a duplicate press (applied before, its answer perhaps lost): the current screen again, if the
        press was on it."""
        async with self.d.uow() as uow:
            part = await uow.residents.current_of(user_id)
            if part is None:
                return None
            progress = journey.Progress.from_json(part.state)
            if pressed.seq != progress.seq:
                return None
            rnd = part.round or await uow.consultations.round(part.round_id)
            assert rnd is not None
            spec = await self.d.spec(uow, part.version_id)
            answers = await self._answers(uow, part, spec, rnd.consultation_id)
            screens = journey.redraw(spec, await self._ctx(uow, part.resident_id, rnd, spec), progress, answers)
        return Reply(screens, progress.seq) if screens else None

    async def text(self, user_id: int, text: str, scope: UpdateScope | None = None, hint: str = "") -> Reply:
        async with self.d.uow(scope) as uow:
            part = await uow.residents.current_of(user_id)
            if part is None:
                if await self._not_agreed_to_an_open_one(uow, user_id):
                    return await self._in_language(uow, Reply([consent.use_the_buttons()]), user_id, hint)
                reply = Reply.say(_("Hello! Send /start to take part in a consultation."))
                return await self._in_language(uow, reply, user_id, hint)
            progress = journey.Progress.from_json(part.state)
            reply = await self._step(uow, part, progress, journey.Typed(text), anchor=progress.anchor, user_id=user_id)
            await uow.commit()
            return reply

    async def _not_agreed_to_an_open_one(self, uow: UnitOfWork, user_id: int) -> bool:
        """Whether the intro with its consent buttons is what this person has in front of them, as far as can be
        told without storing anything about someone who has not agreed: a consultation is open that they have not
        agreed to."""
        resident = await uow.residents.find(user_id)
        for cid, _title in await self._open_ones(uow):
            if resident is None or await uow.residents.consent(resident.id, cid) is None:
                return True
        return False

    async def _step(
        self, uow: UnitOfWork, part: Participation, progress: journey.Progress, event: journey.Event,
        anchor: int | None, user_id: int,
    ) -> Reply:
        rnd = part.round or await uow.consultations.round(part.round_id)
        assert rnd is not None
        spec = await self.d.spec(uow, part.version_id)
        answers = await self._answers(uow, part, spec, rnd.consultation_id)
        chosen = part.language if part.language_known else await uow.residents.language(user_id)
        language = PSEUDO if self._default() == PSEUDO else (chosen or spec.languages[0])
        out = journey.handle(spec, await self._ctx(uow, part.resident_id, rnd, spec), progress, answers, event)
        await uow.writing()  # what follows writes; the journey above only read
        await keepers.apply(uow, rnd, part.resident_id, spec, out.effects)
        if out.saves:
            kept = kept_per_consultation(spec)
            await uow.residents.save_answers(part.id, {k: v for k, v in out.saves.items() if k not in kept},
                                             None if language == PSEUDO else language)
            about = {k: v for k, v in out.saves.items() if k in kept}
            if about:
                await uow.residents.save_profile(part.resident_id, rnd.consultation_id, about)
        await uow.residents.save_state(part.id, out.progress.to_json(), finished=out.finished_now)
        return Reply(out.screens, out.progress.seq, anchor, part.id, out.toast, out.alert, language=language)

    async def remember_anchor(self, participation_id: int, message_id: int, scope: UpdateScope | None = None) -> None:
        """After a new message with buttons is sent, typed answers edit that one."""
        async with self.d.uow(scope) as uow:
            part = await uow.residents.participation_by_id(participation_id)
            if part is None:
                return
            progress = dataclasses.replace(journey.Progress.from_json(part.state), anchor=message_id)
            await uow.residents.save_state(part.id, progress.to_json())
            await uow.commit()

    async def _consent(
        self, user_id: int, message_id: int | None, pressed: Pressed, scope: UpdateScope | None, hint: str = ""
    ) -> Reply:
        a = pressed.action
        if not a.args:
            return Reply(toast=EXPIRED)
        consultation_id = a.args[0]
        at = 2 if a.name == consent.AGREE else 1  # where the intro's buttons carry the language it was shown in
        shown = languages.code(a.args[at]) if a.name != consent.PICK and len(a.args) > at else None
        async with self.d.uow(scope) as uow:
            row = await uow.consultations.get(consultation_id)
            if row is None:
                return Reply(toast=EXPIRED)
            if a.name == consent.PICK:
                return await self._offer(uow, user_id, consultation_id, hint)
            reply = await self._agree_or_decline(uow, user_id, message_id, a, consultation_id, shown)
            if reply.language is None:
                _v, spec = await uow.consultations.latest(consultation_id)
                reply.language = self._for(spec, shown or await uow.residents.language(user_id), hint) \
                    or spec.languages[0]
            return reply

    async def _agree_or_decline(
        self, uow: UnitOfWork, user_id: int, message_id: int | None, a: Action, consultation_id: int,
        shown: str | None,
    ) -> Reply:
        resident = await uow.residents.find(user_id)
        if resident is not None and await uow.residents.consent(resident.id, consultation_id) is not None:
            # The intro's buttons once agreed (a double tap, an older copy): the journey stays where it is.
            already = consent.ALREADY_AGREED if a.name == consent.AGREE else consent.ALREADY_AGREED_DECLINE
            return Reply(toast=already, alert=a.name == consent.DECLINE)
        _version, spec = await uow.consultations.latest(consultation_id)
        if a.name == consent.DECLINE:
            return Reply([consent.declined_screen(spec)], anchor=message_id)
        rnd = await uow.consultations.open_round(consultation_id)
        if rnd is None:
            return Reply(
                [Screen(await self._not_open(uow, consultation_id, spec.title), edit=True)], anchor=message_id
            )
        version_id, _spec = await uow.consultations.latest(consultation_id)
        resident = await uow.residents.get_or_create(user_id)
        await uow.residents.agree(
            resident.id, consultation_id, version_id, reminders=len(a.args) > 1 and a.args[1] == 1
        )
        if shown is not None and self._default() != PSEUDO:
            await uow.residents.set_language(resident.id, shown)  # the language they read the notice in
        reply = await self._join(uow, resident.id, consultation_id, rnd)
        await uow.commit()
        reply.screens.insert(0, consent.agreed_screen(spec))
        reply.anchor = message_id
        return reply

    async def mydata(self, user_id: int, hint: str = "") -> Reply:
        async with self.d.uow() as uow:
            data = await uow.residents.everything(user_id)
            titles: dict[int, str] = {c.id: c.title for c in await uow.consultations.all()}
            for c in data["consents"] if data else []:  # in every language of the file, for the reader's
                titles[c["consultation_id"]] = (await uow.consultations.latest(c["consultation_id"]))[1].title
            versions = {r["version_id"] for r in data["rounds"]} if data else set()
            specs = {v: await self.d.spec(uow, v) for v in versions}
            resident = await uow.residents.find(user_id)
            own = await keepers.mydata(uow, resident.id) if resident is not None else []
            about = {cid: (await uow.consultations.latest(cid))[1] for cid in (data or {}).get("profiles", {})}
            if data and data.get("language"):
                data["language"] = languages.name(data["language"])
            return await self._in_language(uow, Reply([consent.mydata_screen(data, titles, specs, own, about)]),
                                           user_id, hint)

    async def erase(self, user_id: int) -> Reply:
        async with self.d.uow() as uow:
            if await uow.residents.find(user_id) is None:
                return Reply.say(_("We hold nothing about you, so there is nothing to erase."))
        return Reply([consent.erase_confirm_screen()])

    async def _erase_answer(self, user_id: int, confirmed: bool, scope: UpdateScope | None) -> Reply:
        if not confirmed:
            return Reply([Screen(_("Nothing was deleted."), edit=True)], toast=_("Kept."))
        async with self.d.uow(scope) as uow:
            gone = await uow.residents.erase(user_id)
            await uow.ledger.audit(None, "erase", "a resident", detail="resident used /erase")
            await uow.commit()
        await checkpoint(self.d.engine)  # the deleted words leave SQLite's log too
        text = _("🗑 Done: everything we held about you has been deleted.") if gone else _("We hold nothing about you.")
        return Reply([Screen(text, edit=True)])
