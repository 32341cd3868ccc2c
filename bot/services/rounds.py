"""A round's life: open (announce), remind the unfinished, close (publish results), schedule and extend."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.content import Render
from bot.i18n import translations
from bot.services.common import Deps
from dialogues import publish
from dialogues.rounds import Round, schedule_problems
from dialogues.screens import Button, Screen
from dialogues.text import Inline, Msg, Para, Span, Strong, _, join, ngettext
from storage.idempotency import UpdateScope
from storage.repositories.outbox import MANY
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class RoundError(Exception):
    """A round change that cannot be made; `message` says why, for a facilitator (its text is the English)."""

    def __init__(self, message: Msg):
        super().__init__(Render(translations(), html=False).text(message))
        self.message = message


# What a round's status is called where a facilitator or officer reads it.
STATUS = {"draft": _("draft"), "scheduled": _("scheduled"), "open": _("open"), "closed": _("closed")}


@dataclass(frozen=True)
class RoundChange:
    round: Round
    changed: bool  # false when it was already in that state (closing a closed round changes nothing)


async def find_round(uow: UnitOfWork, code: str, number: int | None, want: str) -> Round:
    """The round a facilitator means: round NUMBER, or the open one, or the next to open."""
    found = await uow.consultations.by_code(code)
    if found is None:
        raise RoundError(_("There is no consultation with the code “{code}”.", code=code[:60]))
    rounds = await uow.consultations.rounds(found[0])
    if not rounds:
        raise RoundError(_("This consultation has no rounds."))
    if number is not None:
        for r in rounds:
            if r.number == number:
                return r
        raise RoundError(ngettext(
            "There is no round {number}; this consultation has {n} round.",
            "There is no round {number}; this consultation has {n} rounds.", len(rounds), number=number,
        ))
    open_now = [r for r in rounds if r.status == "open"]
    if open_now:
        return open_now[0]
    waiting = [r for r in rounds if r.status in {"draft", "scheduled"}]
    if want == "open" and waiting:
        return waiting[0]
    if want == "close":
        raise RoundError(_("No round is open."))
    return waiting[0] if waiting else rounds[-1]


async def open_round(
    d: Deps, code: str, number: int | None = None, actor: int | None = None, scope: UpdateScope | None = None
) -> RoundChange:
    """Opens round NUMBER of a consultation, or the next one waiting (the chat's /open and `moot round open`)."""
    async with d.uow() as uow:
        target = await find_round(uow, code, number, "open")
    return await open_round_id(d, target.id, actor, scope)


async def open_round_id(
    d: Deps, round_id: int, actor: int | None = None, scope: UpdateScope | None = None
) -> RoundChange:
    """Opens a round and enqueues its announcements in one transaction, then wakes the outbox."""
    async with d.uow(scope) as uow:
        change = await open_by_id(d, uow, round_id, actor)
        await uow.commit()
    notify_outbox(d)
    return change


async def open_by_id(d: Deps, uow: UnitOfWork, round_id: int, actor: int | None) -> RoundChange:
    target = await uow.consultations.round(round_id)
    assert target is not None
    if target.status == "open":
        return RoundChange(target, False)
    if target.status == "closed":
        raise RoundError(_("Round {number} has already closed.", number=target.number))
    rounds = await uow.consultations.rounds(target.consultation_id)
    other = next((r for r in rounds if r.status == "open"), None)
    if other is not None:
        raise RoundError(_("Round {number} is still open; close it first.", number=other.number))
    r = await uow.consultations.set_round(target.id, status="open", opened_at=d.clock())
    row = await uow.consultations.get(r.consultation_id)
    assert row is not None
    await uow.ledger.audit(actor, "open", f"{row.code} round {r.number}")
    await _announce(d, uow, row.code, r)
    return RoundChange(r, True)


async def _announce(d: Deps, uow: UnitOfWork, code: str, r: Round) -> None:
    """Tells linked groups, and residents who took part before, that a round is open."""
    _version, spec = await uow.consultations.latest(r.consultation_id)
    link = d.deep_link(code)
    closes = d.local(r.closes_at)
    is_open = (
        _("{round} is open until {closes}.", round=r.title, closes=closes) if closes
        else _("{round} is open.", round=r.title)
    )
    body = [
        Para("📣 ", Strong(spec.title), ": ", is_open),
        Para(spec.purpose),
        Para(_("It takes about {minutes} minutes, in a private chat with me.", minutes=spec.minutes)),
    ]
    screen = Screen(body, [[Button(_("Take part privately"), url=link)]])
    for g in await uow.consultations.groups(r.consultation_id):
        await uow.outbox.enqueue(f"open:{r.id}:{g.chat_id}", g.chat_id, "announce", screen)
    if r.number > 1:
        keep = (
            _("See what everyone said, then keep or change your answers until {closes}.", closes=closes) if closes
            else _("See what everyone said, then keep or change your answers.")
        )
        again = Screen(
            Para("📣 ", Strong(spec.title), ": ", _("{round} is open.", round=r.title), " ", keep),
            [[Button(_("Take part again"), url=link)]],
        )
        residents = await uow.residents.consented(r.consultation_id)
        await uow.outbox.enqueue_many("announce", ((f"open:{r.id}:{tid}", tid, again) for tid in residents))


async def close_round(
    d: Deps, code: str, number: int | None = None, actor: int | None = None, scope: UpdateScope | None = None
) -> RoundChange:
    """Closes the open round of a consultation, or round NUMBER (the chat's /close and `moot round close`)."""
    async with d.uow() as uow:
        target = await find_round(uow, code, number, "close")
    return await close_round_id(d, target.id, actor, scope)


async def close_round_id(
    d: Deps, round_id: int, actor: int | None = None, scope: UpdateScope | None = None
) -> RoundChange:
    """Closes a round, then publishes its results (again safe to call: publishing happens once)."""
    async with d.uow(scope) as uow:
        change = await close_by_id(d, uow, round_id, actor)
        await uow.commit()
    await publish_if_due(d, round_id, scope=scope)
    return change


async def close_by_id(d: Deps, uow: UnitOfWork, round_id: int, actor: int | None) -> RoundChange:
    target = await uow.consultations.round(round_id)
    assert target is not None
    if target.status == "closed":
        return RoundChange(target, False)
    if target.status != "open":
        raise RoundError(_("Round {number} is not open.", number=target.number))
    r = await uow.consultations.set_round(target.id, status="closed", closed_at=d.clock())
    row = await uow.consultations.get(r.consultation_id)
    assert row is not None
    await uow.ledger.audit(actor, "close", f"{row.code} round {r.number}")
    await uow.jobs.replace(r.id, [], {"open", "remind", "close"})
    return RoundChange(r, True)


async def publish_if_due(
    d: Deps, round_id: int, again: bool = False, actor: int | None = None, scope: UpdateScope | None = None
) -> int:
    """Posts a closed round's results to its groups and each participant, once (or again on /publish)."""
    from bot.services.results import round_results

    async with d.uow() as uow:
        r = await uow.consultations.round(round_id)
        times = await uow.consultations.round_times(round_id)
        row = await uow.consultations.get(r.consultation_id) if r else None
        if r is None or row is None or times is None or r.status != "closed":
            return 0
        if times.published_at is not None and not again:
            return 0
        code = row.code
    res = await round_results(d, r.consultation_id, r.number)
    moved = None
    lead = res.lead
    if r.number > 1 and lead is not None and lead.figures is not None:
        earlier = await round_results(d, r.consultation_id, r.number - 1)
        before = earlier.result(lead.question.key)
        if before is not None and before.figures is not None:
            both = [(earlier.round.title, before.figures), (r.title, lead.figures)]
            moved = publish.movement_chart(res.spec, lead.question, both)
    stamp = d.clock().strftime("%Y%m%d%H%M%S") if again else "auto"
    sent = 0
    async with d.uow(scope) as uow:
        outcomes = [(x.question, x.outcome) for x in res.questions]
        screens = publish.group_screens(
            res.spec, r.title, res.started, res.finished, outcomes, res.min_respondents, d.deep_link(code)
        )
        if moved is not None:
            title = Para(Strong(res.spec.title), ": ", _("how views moved between rounds"))
            screens.insert(1, Screen(title, chart=moved))
        for g in await uow.consultations.groups(r.consultation_id):
            for i, s in enumerate(screens):
                sent += await uow.outbox.enqueue(f"results:{r.id}:{stamp}:{g.chat_id}:{i}", g.chat_id, "results", s)
        if not again:
            personal = []
            async for tid, answers in uow.residents.round_answers(r.id):
                screen = publish.personal_screen(res.spec, r.title, answers, outcomes)
                personal.append((f"yours:{r.id}:{tid}", tid, screen))
                if len(personal) >= MANY:  # a batch at a time: 10,000 residents' screens need not all be held
                    sent += await uow.outbox.enqueue_many("results", personal)
                    personal = []
            sent += await uow.outbox.enqueue_many("results", personal)
        await uow.consultations.set_round(r.id, published_at=d.clock())
        await uow.ledger.audit(actor, "publish", f"{code} round {r.number}", messages=sent)
        await uow.commit()
    notify_outbox(d)
    return sent


async def remind(d: Deps, round_id: int, job_id: int) -> int:
    """A reminder to residents who started and did not finish, and agreed to reminders."""
    async with d.uow() as uow:
        r = await uow.consultations.round(round_id)
        if r is None or r.status != "open":
            return 0
        row = await uow.consultations.get(r.consultation_id)
        _version, spec = await uow.consultations.latest(r.consultation_id)
        assert row is not None
        closes = d.local(r.closes_at)
        started = _("⏰ You started {title} but haven't finished yet.", title=Strong(spec.title))
        closing: list[Inline] = [" ", _("It closes on {closes}.", closes=closes)] if closes else []
        screen = Screen(
            Para(started, *closing, " ", _("Your answers so far are saved.")),
            [[Button(_("Carry on"), url=d.deep_link(row.code))]],
        )
        residents = await uow.residents.unfinished_with_reminders(round_id)
        n = await uow.outbox.enqueue_many("remind", ((f"remind:{job_id}:{tid}", tid, screen) for tid in residents))
        await uow.ledger.audit(None, "remind", f"{row.code} round {r.number}", messages=n)
        await uow.commit()
    notify_outbox(d)
    return n


async def set_schedule(
    d: Deps, code: str, number: int | None, opens_at: datetime | None, closes_at: datetime,
    reminders: list[datetime], actor: int | None, scope: UpdateScope | None = None,
) -> Round:
    """Sets a round's open, reminder and close times; refuses past or overlapping schedules with the reason."""
    async with d.uow(scope) as uow:
        r = await find_round(uow, code, number, "open")
        if r.status == "closed":
            raise RoundError(_("Round {number} has already closed.", number=r.number))
        if r.status == "open":
            opens_at = None
        others = [(o.opens_at, o.closes_at) for o in await uow.consultations.rounds(r.consultation_id) if o.id != r.id]
        wrong = schedule_problems(opens_at, closes_at, d.clock(), reminders, others)
        if wrong:
            raise RoundError(_("This schedule cannot be used. {problems}", problems=Span(*join(wrong, " "))))
        plan = [("open", opens_at)] if opens_at else []
        plan += [("remind", t) for t in reminders] + [("close", closes_at)]
        await uow.jobs.replace(r.id, [(k, t) for k, t in plan if t is not None], {"open", "remind", "close"})
        status = r.status if r.status == "open" else "scheduled"
        values: dict[str, object] = {"closes_at": closes_at, "status": status}
        if opens_at is not None:
            values["opens_at"] = opens_at
        r = await uow.consultations.set_round(r.id, **values)
        await uow.ledger.audit(actor, "schedule", f"{code} round {r.number}", opens=str(opens_at),
                               closes=str(closes_at), reminders=[str(t) for t in reminders])
        await uow.commit()
    await _resync(d)
    return r


async def extend(
    d: Deps, code: str, number: int | None, closes_at: datetime, actor: int | None, scope: UpdateScope | None = None
) -> Round:
    """Moves the close time of the open round (or round NUMBER) later."""
    async with d.uow(scope) as uow:
        r = await find_round(uow, code, number, "close")
        if closes_at <= d.clock():
            raise RoundError(_("The new close time is in the past."))
        if r.closes_at is not None and closes_at <= r.closes_at:
            closes = d.local(r.closes_at) or ""
            raise RoundError(_("The round already closes on {closes}; give a later time.", closes=closes))
        await uow.jobs.replace(r.id, [("close", closes_at)], {"close"})
        r = await uow.consultations.set_round(r.id, closes_at=closes_at)
        await uow.ledger.audit(actor, "schedule", f"{code} round {r.number}", extended_to=str(closes_at))
        await uow.commit()
    await _resync(d)
    return r


def notify_outbox(d: Deps) -> None:
    for hook in d.hooks.get("outbox", []):
        hook()


async def _resync(d: Deps) -> None:
    for hook in d.hooks.get("schedule", []):
        await hook()
