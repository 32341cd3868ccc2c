"""A resident's use cases: agree, answer, resume, change answers, see and erase their data."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from bot.actions import Pressed
from bot.services import keepers
from bot.services.common import Deps, Reply
from dialogues import consent, journey
from dialogues.questions.base import kept_per_consultation
from dialogues.rounds import Round
from dialogues.schema import Consultation
from dialogues.screens import Screen
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

    async def start(self, user_id: int, code: str | None, scope: UpdateScope | None = None) -> Reply:
        async with self.d.uow(scope) as uow:
            if code:
                found = await uow.consultations.by_code_any_case(code)
                if found is None:
                    return Reply([consent.not_found_screen(code, await self._open_ones(uow))])
                return await self._offer(uow, user_id, found[0])
            open_ones = await self._open_ones(uow)
            if len(open_ones) == 1:
                return await self._offer(uow, user_id, open_ones[0][0])
            return Reply([consent.choose_screen(open_ones)])

    async def _open_ones(self, uow: UnitOfWork) -> list[tuple[int, str]]:
        """(consultation id, title) of each consultation with a round open."""
        open_ones = []
        for r in await uow.consultations.open_rounds():
            row = await uow.consultations.get(r.consultation_id)
            if row is not None:
                open_ones.append((row.id, row.title))
        return open_ones

    async def _offer(self, uow: UnitOfWork, user_id: int, consultation_id: int) -> Reply:
        """The intro and privacy notice, or straight back to the journey for someone who already agreed."""
        rnd = await uow.consultations.open_round(consultation_id)
        _version, spec = await uow.consultations.latest(consultation_id)
        if rnd is None:
            return Reply.say(await self._not_open(uow, consultation_id, spec.title))
        resident = await uow.residents.find(user_id)
        if resident is not None and await uow.residents.consent(resident.id, consultation_id) is not None:
            reply = await self._join(uow, resident.id, consultation_id, rnd)
            await uow.commit()
            return reply
        return Reply([consent.intro_screen(spec, consultation_id, self.d.local(rnd.closes_at))])

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
        answers = await uow.residents.answers(part.id)
        if kept_per_consultation(spec):
            answers = {**await uow.residents.profile(part.resident_id, consultation_id), **answers}
        return answers

    async def _ctx(self, uow: UnitOfWork, resident_id: int, rnd: Round, spec: Consultation) -> journey.RoundContext:
        previous = (
            await uow.residents.previous_answers(resident_id, rnd.consultation_id, rnd.number) if rnd.number > 1 else {}
        )
        live = await keepers.live(uow, rnd, resident_id, spec)  # what types with rows of their own read now
        return journey.RoundContext(rnd.number, rnd.title, self.d.local(rnd.closes_at), previous, live)

    async def press(
        self, user_id: int, message_id: int | None, pressed: Pressed, scope: UpdateScope | None = None
    ) -> Reply:
        a = pressed.action
        if a.name in {consent.AGREE, consent.DECLINE, consent.PICK}:
            return await self._consent(user_id, message_id, pressed, scope)
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
            reply = await self._step(uow, part, progress, journey.Press(a), anchor=message_id)
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
            rnd = await uow.consultations.round(part.round_id)
            assert rnd is not None
            spec = await self.d.spec(uow, part.version_id)
            answers = await self._answers(uow, part, spec, rnd.consultation_id)
            screens = journey.redraw(spec, await self._ctx(uow, part.resident_id, rnd, spec), progress, answers)
        return Reply(screens, progress.seq) if screens else None

    async def text(self, user_id: int, text: str, scope: UpdateScope | None = None) -> Reply:
        async with self.d.uow(scope) as uow:
            part = await uow.residents.current_of(user_id)
            if part is None:
                if await self._not_agreed_to_an_open_one(uow, user_id):
                    return Reply([consent.use_the_buttons()])
                return Reply.say(_("Hello! Send /start to take part in a consultation."))
            progress = journey.Progress.from_json(part.state)
            reply = await self._step(uow, part, progress, journey.Typed(text), anchor=progress.anchor)
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
        self, uow: UnitOfWork, part: Participation, progress: journey.Progress, event: journey.Event, anchor: int | None
    ) -> Reply:
        rnd = await uow.consultations.round(part.round_id)
        assert rnd is not None
        spec = await self.d.spec(uow, part.version_id)
        answers = await self._answers(uow, part, spec, rnd.consultation_id)
        out = journey.handle(spec, await self._ctx(uow, part.resident_id, rnd, spec), progress, answers, event)
        await keepers.apply(uow, rnd, part.resident_id, spec, out.effects)
        if out.saves:
            kept = kept_per_consultation(spec)
            await uow.residents.save_answers(part.id, {k: v for k, v in out.saves.items() if k not in kept})
            about = {k: v for k, v in out.saves.items() if k in kept}
            if about:
                await uow.residents.save_profile(part.resident_id, rnd.consultation_id, about)
        await uow.residents.save_state(part.id, out.progress.to_json(), finished=out.finished_now)
        return Reply(out.screens, out.progress.seq, anchor, part.id, out.toast, out.alert)

    async def remember_anchor(self, participation_id: int, message_id: int, scope: UpdateScope | None = None) -> None:
        """After a new message with buttons is sent, typed answers edit that one."""
        async with self.d.uow(scope) as uow:
            part = await uow.residents.participation_by_id(participation_id)
            if part is None:
                return
            state = dict(part.state)
            state["anchor"] = message_id
            await uow.residents.save_state(part.id, state)
            await uow.commit()

    async def _consent(
        self, user_id: int, message_id: int | None, pressed: Pressed, scope: UpdateScope | None
    ) -> Reply:
        a = pressed.action
        if not a.args:
            return Reply(toast=EXPIRED)
        consultation_id = a.args[0]
        async with self.d.uow(scope) as uow:
            row = await uow.consultations.get(consultation_id)
            if row is None:
                return Reply(toast=EXPIRED)
            if a.name == consent.PICK:
                return await self._offer(uow, user_id, consultation_id)
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
            reply = await self._join(uow, resident.id, consultation_id, rnd)
            await uow.commit()
            reply.screens.insert(0, consent.agreed_screen(spec))
            reply.anchor = message_id
            return reply

    async def mydata(self, user_id: int) -> Reply:
        async with self.d.uow() as uow:
            data = await uow.residents.everything(user_id)
            titles = {c.id: c.title for c in await uow.consultations.all()}
            versions = {r["version_id"] for r in data["rounds"]} if data else set()
            specs = {v: await self.d.spec(uow, v) for v in versions}
            resident = await uow.residents.find(user_id)
            own = await keepers.mydata(uow, resident.id) if resident is not None else []
            about = {cid: (await uow.consultations.latest(cid))[1] for cid in (data or {}).get("profiles", {})}
        return Reply([consent.mydata_screen(data, titles, specs, own, about)])

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
