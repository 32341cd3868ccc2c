"""A round's life: open (announce), remind the unfinished, close (publish results), schedule, unschedule, extend and
reopen; and telling the facilitator who asked how each broadcast went."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.content import Render
from bot.i18n import translations
from bot.services import languages
from bot.services.common import Deps
from dialogues import publish
from dialogues.rounds import Round, schedule_problems
from dialogues.schema import Consultation
from dialogues.screens import Button, Screen
from dialogues.text import Code, Inline, Msg, Para, Param, Span, Strong, _, join, ngettext
from storage.idempotency import UpdateScope
from storage.repositories.jobs import TIMED, Job
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
# Participants' results are drawn and enqueued this many at a time, each batch in transactions of its own, with
# the event loop free for residents' presses between batches (about 1 ms of CPU a participant).
PERSONAL_BATCH = 100
PERSONAL_SHARE_PAUSE = 2.0  # after each batch, a pause this many times as long as the batch took


class RoundError(Exception):
    """A round change that cannot be made; `message` says why, for a facilitator (its text is the English)."""

    def __init__(self, message: Msg):
        super().__init__(Render(translations(), html=False).text(message))
        self.message = message


class ClosedRound(RoundError):
    """Opening or extending a round that has closed: it can be reopened, but only when asked for explicitly (the
    chat's "Yes, reopen round N" button, `moot round open --reopen`)."""

    def __init__(self, r: Round):
        super().__init__(_("Round {number} has already closed.", number=r.number))
        self.round = r


# What a round's status is called where a facilitator or officer reads it.
STATUS = {"draft": _("draft"), "scheduled": _("scheduled"), "open": _("open"), "closed": _("closed")}


@dataclass(frozen=True)
class RoundChange:
    round: Round
    changed: bool  # false when it was already in that state (closing a closed round changes nothing)
    # A close's results, being counted and posted in a task of their own (the facilitator's reply does not wait
    # for them); the command line awaits it before it exits.
    publishing: Awaitable[Any] | None = None


async def find_round(uow: UnitOfWork, code: str, number: int | None, want: str) -> Round:
    """The round a facilitator means: round NUMBER, or the open one, or the next to open (to reopen: the last
    closed one)."""
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
    closed = [r for r in rounds if r.status == "closed"]
    if want == "reopen" and closed:
        return closed[-1]
    open_now = [r for r in rounds if r.status == "open"]
    if open_now:
        return open_now[0]
    waiting = [r for r in rounds if r.status in {"draft", "scheduled"}]
    if want == "open" and waiting:
        return waiting[0]
    if want == "close":
        raise RoundError(_("No round is open."))
    return waiting[0] if waiting else rounds[-1]


def order_problem(rounds: list[Round], target: Round, opening: bool) -> Msg | None:
    """Why round N cannot be opened (or scheduled) yet: rounds run in order. Round N opens only once round N-1 has
    closed, and is scheduled only once round N-1 has been scheduled or run (the overlap check then keeps their
    times apart)."""
    before = next((r for r in rounds if r.number == target.number - 1), None)
    if before is None or before.status == "closed":
        return None
    if before.status == "draft":
        return _("Round {before} has not been scheduled or opened yet, and rounds run in order: schedule or open "
                 "round {before} first.", before=before.number)
    if opening and before.status == "open":
        return _("Round {number} is still open; close it first.", number=before.number)
    if opening:
        return _("Round {before} has not run yet, and rounds run in order: round {number} can open once round "
                 "{before} has closed.", before=before.number, number=target.number)
    return None


async def open_round(
    d: Deps, code: str, number: int | None = None, actor: int | None = None, scope: UpdateScope | None = None,
    closes_at: datetime | None = None,
) -> RoundChange:
    """Opens round NUMBER of a consultation, or the next one waiting (the chat's /open and `moot round open`),
    closing at `closes_at` if given. A closed round raises ClosedRound: reopening is `reopen`."""
    async with d.uow() as uow:
        target = await find_round(uow, code, number, "open")
    return await open_round_id(d, target.id, actor, scope, closes_at=closes_at)


async def open_round_id(
    d: Deps, round_id: int, actor: int | None = None, scope: UpdateScope | None = None, tell: int | None = None,
    closes_at: datetime | None = None,
) -> RoundChange:
    """Opens a round and enqueues its announcements in one transaction, then wakes the outbox. `tell` (else the
    actor) hears how the announcements went."""
    async with d.uow(scope) as uow:
        change = await open_by_id(d, uow, round_id, actor, tell, closes_at)
        await uow.commit()
    notify_outbox(d)
    if change.changed and (tell or actor):
        await _resync(d)  # its report job
    return change


async def open_by_id(
    d: Deps, uow: UnitOfWork, round_id: int, actor: int | None, tell: int | None = None,
    closes_at: datetime | None = None,
) -> RoundChange:
    target = await uow.consultations.round(round_id)
    assert target is not None
    if target.status == "open":
        return RoundChange(target, False)
    if target.status == "closed":
        raise ClosedRound(target)
    rounds = await uow.consultations.rounds(target.consultation_id)
    other = next((r for r in rounds if r.status == "open"), None)
    if other is not None:
        raise RoundError(_("Round {number} is still open; close it first.", number=other.number))
    wrong = order_problem(rounds, target, opening=True)
    if wrong is not None:
        raise RoundError(wrong)
    values: dict[str, object] = {"status": "open", "opened_at": d.clock()}
    if closes_at is not None:
        if closes_at <= d.clock():
            raise RoundError(_("The close time is in the past."))
        values["closes_at"] = closes_at
        await uow.jobs.replace(target.id, [("close", closes_at)], {"open", "close"}, by=tell or actor)
    else:
        await uow.jobs.cancel(target.id, {"open"})
    r = await uow.consultations.set_round(target.id, **values)
    row = await uow.consultations.get(r.consultation_id)
    assert row is not None
    await uow.ledger.audit(actor, "open", f"{row.code} round {r.number}", closes=str(r.closes_at))
    keys = await _announce(d, uow, row.code, r)
    await _report_later(d, uow, r, tell or actor, "open", keys, scheduled=actor is None)
    return RoundChange(r, True)


def _generation(reopens: int) -> str:
    """The part of a round's outbox keys that tells its reopenings apart ('' the first time: keys as ever)."""
    return f"r{reopens}:" if reopens else ""


def _is_open(title: str, reopens: int, closes: Param | None) -> Msg:
    """'Round 2 is open until …' (or open again), with the round's title in the reader's language."""
    if reopens:
        return (
            _("{round} is open again until {closes}.", round=title, closes=closes) if closes
            else _("{round} is open again.", round=title)
        )
    return (
        _("{round} is open until {closes}.", round=title, closes=closes) if closes
        else _("{round} is open.", round=title)
    )


def _group_announcement(spec: Consultation, r: Round, is_open: Inline, link: str) -> Screen:
    described = spec.rounds[r.number - 1].description if 0 < r.number <= len(spec.rounds) else ""
    body = [
        Para("📣 ", Strong(spec.title), ": ", is_open),
        Para(described if r.number > 1 and described else spec.purpose),
        Para(_("It takes about {minutes} minutes, in a private chat with me.", minutes=spec.minutes)),
    ]
    return Screen(body, [[Button(_("Take part privately"), url=link)]])


def _announced(r: Round, reopens: int) -> str:
    """The outbox key prefix of a round's announcements (the group's is this and its chat id)."""
    return f"open:{r.id}:{_generation(reopens)}"


async def _announce(d: Deps, uow: UnitOfWork, code: str, r: Round) -> list[str]:
    """Tells linked groups, and residents who took part before, that a round is open; the outbox key prefixes used.

    Round 1's post says what the consultation is for; a later round's says what that round is for (its description
    in the file), so the group does not read the same purpose twice."""
    _version, spec = await uow.consultations.latest(r.consultation_id)
    times = await uow.consultations.round_times(r.id)
    reopens = times.reopens if times is not None else 0
    link = d.deep_link(code)
    closes = d.local(r.closes_at)
    title = languages.round_title(spec, r.number, r.title)
    is_open = _is_open(title, reopens, closes)
    screen = _group_announcement(spec, r, is_open, link)
    prefix = _announced(r, reopens)
    in_each = languages.for_groups(spec, d.config.languages_first)
    for g in await uow.consultations.groups(r.consultation_id):
        await uow.outbox.enqueue(f"{prefix}{g.chat_id}", g.chat_id, "announce", screen, languages=in_each)
    if r.number > 1 or reopens:
        keep = (
            _("See what everyone said, then keep or change your answers until {closes}.", closes=closes) if closes
            else _("See what everyone said, then keep or change your answers.")
        )
        again = Screen(
            Para("📣 ", Strong(spec.title), ": ", is_open if reopens else _("{round} is open.", round=title),
                 " ", keep),
            [[Button(_("Take part again"), url=link)]],
        )
        residents = await uow.residents.consented(r.consultation_id)
        await uow.outbox.enqueue_many("announce", ((f"{prefix}{tid}", tid, again) for tid in residents))
    return [prefix]


async def close_round(
    d: Deps, code: str, number: int | None = None, actor: int | None = None, scope: UpdateScope | None = None
) -> RoundChange:
    """Closes the open round of a consultation, or round NUMBER (the chat's /close and `moot round close`)."""
    async with d.uow() as uow:
        target = await find_round(uow, code, number, "close")
    return await close_round_id(d, target.id, actor, scope)


async def close_round_id(
    d: Deps, round_id: int, actor: int | None = None, scope: UpdateScope | None = None, tell: int | None = None
) -> RoundChange:
    """Closes a round and, in the same transaction, schedules the posting of its results (a `publish` job, run at
    once in a task of its own: counting 10,000 residents' answers must not hold up the update that closed it, nor
    the other residents' presses). `tell` (else the actor) hears how the results went; closed on schedule, `tell`
    is also told at once that it closed."""
    async with d.uow(scope) as uow:
        change = await close_by_id(d, uow, round_id, actor, tell)
        job = await uow.jobs.publish(round_id, d.clock(), tell or actor) if change.changed else None
        await uow.commit()
    if job is None:
        return change
    return RoundChange(change.round, change.changed, run_now(d, job))


async def publish_again(d: Deps, round_id: int, actor: int, scope: UpdateScope | None = None) -> Awaitable[Any]:
    """A facilitator's /publish: the results posted again, counted in a job of its own; `actor` hears how it went."""
    async with d.uow(scope) as uow:
        job = await uow.jobs.publish(round_id, d.clock(), actor, again=True)
        await uow.commit()
    return run_now(d, job)


def run_now(d: Deps, job: Job) -> Awaitable[Any]:
    """Starts a job now, in the scheduler's own task (which claims it, so it runs once whoever else sees it); where
    no scheduler runs (the command line), a scheduler made for the purpose runs it."""
    for hook in d.hooks.get("run_now", []):
        return hook(job.id)
    from bot.scheduler import Scheduler  # here, not above: the scheduler itself calls into this module

    return Scheduler(d).run(job.id)


async def close_by_id(
    d: Deps, uow: UnitOfWork, round_id: int, actor: int | None, tell: int | None = None
) -> RoundChange:
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
    await uow.jobs.replace(r.id, [], TIMED)
    if tell is not None and actor is None:  # a person who closed it has the reply; on schedule, say so now
        said = _("⏰ Round {number} of {code} closed on schedule. I'm posting its results now and will tell you "
                 "how that went.", number=r.number, code=Code(row.code))
        times = await uow.consultations.round_times(r.id)
        gen = _generation(times.reopens if times else 0)
        await uow.outbox.enqueue(f"told:close:{r.id}:{gen}{tell}", tell, "report", Screen(Para(said)))
    return RoundChange(r, True)


async def publish_if_due(
    d: Deps, round_id: int, again: bool = False, actor: int | None = None, scope: UpdateScope | None = None,
    tell: int | None = None,
) -> int:
    """Posts a closed round's results to its groups and each participant, once (or again on /publish); `tell`
    (else the actor) hears how they went."""
    from bot.services.results import panel, round_results

    async with d.uow() as uow:
        r = await uow.consultations.round(round_id)
        times = await uow.consultations.round_times(round_id)
        row = await uow.consultations.get(r.consultation_id) if r else None
        if r is None or row is None or times is None or r.status != "closed":
            return 0
        if times.published_at is not None and not again:
            return 0
        code = row.code
        gen = _generation(times.reopens)
    res = await round_results(d, r.consultation_id, r.number)
    moved = None
    lead = res.lead
    if r.number > 1 and lead is not None and lead.figures is not None:
        earlier = await round_results(d, r.consultation_id, r.number - 1)
        async with d.uow() as uow:
            same = await panel(uow, res.spec, lead.question, [earlier.round.id, r.id], res.min_respondents)
        before, after = same[earlier.round.id], same[r.id]
        if before.figures is not None and after.figures is not None:
            both = [(languages.round_title(res.spec, earlier.round.number, earlier.round.title), before.figures),
                    (languages.round_title(res.spec, r.number, r.title), after.figures)]
            moved = publish.movement_screen(res.spec, lead.question, both, after.respondents)
    stamp = d.clock().strftime("%Y%m%d%H%M%S") if again else "auto"
    prefixes = [f"results:{r.id}:{gen}{stamp}:"] + ([] if again else [f"yours:{r.id}:{gen}"])
    sent = 0
    outcomes = [(x.question, x.outcome) for x in res.questions]
    screens = publish.group_screens(
        res.spec, languages.round_title(res.spec, r.number, r.title), res.started, res.finished, outcomes,
        res.min_respondents, d.deep_link(code)
    )
    if moved is not None:
        screens.insert(1, moved)
    in_each = languages.for_groups(res.spec, d.config.languages_first)

    async def post_to_groups(uow: UnitOfWork) -> int:
        added = 0
        for g in await uow.consultations.groups(r.consultation_id):
            for i, s in enumerate(screens):
                added += await uow.outbox.enqueue(f"{prefixes[0]}{g.chat_id}:{i}", g.chat_id, "results", s,
                                                  languages=in_each)
        return added

    if not again:
        # The groups' posts first, then each participant's results a batch at a time, each batch read, drawn and
        # then written in short transactions of its own: on SQLite a write holds the one write lock, and 10,000
        # residents' results in one transaction kept residents' presses waiting past the busy timeout. Every
        # message has a fixed key, so a publish cut short and run again adds only what is missing.
        async with d.uow() as uow:
            sent += await post_to_groups(uow)
            await uow.commit()
        title = languages.round_title(res.spec, r.number, r.title)
        start: int | None = 0
        while start is not None:
            began = time.perf_counter()
            async with d.uow() as uow:
                page, start = await uow.residents.round_answers_page(r.id, start, PERSONAL_BATCH)
            personal = [(f"yours:{r.id}:{gen}{tid}", tid, publish.personal_screen(res.spec, title, answers, outcomes))
                        for tid, answers in page]
            if personal:
                async with d.uow() as uow:
                    await uow.writing()  # in turn with residents' presses
                    sent += await uow.outbox.enqueue_many("results", personal)
                    await uow.commit()
            # At most a third of this process's time: residents' presses come first, and the results are still
            # enqueued many times faster than the outbox may send them (29 a second).
            await asyncio.sleep(PERSONAL_SHARE_PAUSE * (time.perf_counter() - began))
    async with d.uow(scope) as uow:
        if again:  # one transaction: posted again under one stamp, or not at all
            sent += await post_to_groups(uow)
        await uow.consultations.set_round(r.id, published_at=d.clock())
        await uow.ledger.audit(actor, "publish", f"{code} round {r.number}", messages=sent)
        await _report_later(d, uow, r, tell or actor, "results", prefixes, scheduled=actor is None)
        await uow.commit()
    notify_outbox(d)
    if tell or actor:
        await _resync(d)
    return sent


async def remind(d: Deps, round_id: int, job_id: int, tell: int | None = None) -> int:
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
        await _report_later(d, uow, r, tell, "remind", [f"remind:{job_id}:"], scheduled=True)
        await uow.commit()
    notify_outbox(d)
    if tell:
        await _resync(d)
    return n


async def set_schedule(
    d: Deps, code: str, number: int | None, opens_at: datetime | None, closes_at: datetime,
    reminders: list[datetime], actor: int | None, scope: UpdateScope | None = None,
) -> Round:
    """Sets a round's open, reminder and close times; refuses past or overlapping schedules, and rounds out of
    order, with the reason. The jobs remember `actor`, who is told when each runs and how its messages went."""
    async with d.uow(scope) as uow:
        r = await find_round(uow, code, number, "open")
        if r.status == "closed":
            raise ClosedRound(r)
        if r.status == "open":
            opens_at = None
        rounds = await uow.consultations.rounds(r.consultation_id)
        wrong_order = order_problem(rounds, r, opening=False)
        if wrong_order is not None:
            raise RoundError(wrong_order)
        others = [(o.opens_at, o.closes_at) for o in rounds if o.id != r.id]
        wrong = schedule_problems(opens_at, closes_at, d.clock(), reminders, others)
        before = next((o for o in rounds if o.number == r.number - 1 and o.status != "closed"), None)
        starts = opens_at or d.clock()
        if before is not None and not wrong and (before.closes_at is None or starts < before.closes_at):
            wrong = [_("Round {before} has no close time yet, so round {number} cannot be timed after it.",
                       before=before.number, number=r.number) if before.closes_at is None
                     else _("It overlaps another round of this consultation.")]
        if wrong:
            raise RoundError(_("This schedule cannot be used. {problems}", problems=Span(*join(wrong, " "))))
        plan = [("open", opens_at)] if opens_at else []
        plan += [("remind", t) for t in reminders] + [("close", closes_at)]
        await uow.jobs.replace(r.id, [(k, t) for k, t in plan if t is not None], TIMED, by=actor)
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


@dataclass(frozen=True)
class Unscheduled:
    round: Round
    cancelled: int  # opens, reminders and closes that will not run now


async def unschedule(
    d: Deps, code: str, number: int | None, actor: int | None, scope: UpdateScope | None = None
) -> Unscheduled:
    """Removes a round's pending schedule (the chat's /unschedule, `moot round unschedule`), audited. A scheduled
    round goes back to draft; an open one stays open with no close time, until it is closed by hand. Refused while
    the next round is scheduled after it (it would then wait for a close that never comes)."""
    async with d.uow(scope) as uow:
        r = await find_round(uow, code, number, "open")
        if r.status == "closed":
            raise RoundError(_("Round {number} has already closed; it has no schedule left.", number=r.number))
        after = next((o for o in await uow.consultations.rounds(r.consultation_id) if o.number == r.number + 1),
                     None)
        if after is not None and after.status == "scheduled":
            raise RoundError(_("Round {after} is scheduled to follow it: unschedule round {after} first.",
                               after=after.number))
        cancelled = await uow.jobs.cancel(r.id, TIMED)
        if r.status == "scheduled":
            r = await uow.consultations.set_round(r.id, status="draft", opens_at=None, closes_at=None)
        elif r.status == "open" and r.closes_at is not None:
            r = await uow.consultations.set_round(r.id, closes_at=None)
        elif not cancelled:
            raise RoundError(_("Round {number} has no schedule; nothing changed.", number=r.number))
        await uow.ledger.audit(actor, "unschedule", f"{code} round {r.number}", cancelled=cancelled)
        await uow.commit()
    await _resync(d)
    return Unscheduled(r, cancelled)


async def extend(
    d: Deps, code: str, number: int | None, closes_at: datetime, actor: int | None, scope: UpdateScope | None = None
) -> Round:
    """Moves the close time of the open round (or round NUMBER) later, and tells the linked groups the new time
    (each group's announcement is edited to the new time, and a short post says so). A closed
    round raises ClosedRound: extending it is reopening it (`reopen`)."""
    async with d.uow(scope) as uow:
        r = await find_round(uow, code, number, "close")
        if r.status == "closed":
            raise ClosedRound(r)
        if closes_at <= d.clock():
            raise RoundError(_("The new close time is in the past."))
        if r.closes_at is not None and closes_at <= r.closes_at:
            closes = d.local(r.closes_at) or ""
            raise RoundError(_("The round already closes on {closes}; give a later time.", closes=closes))
        await uow.jobs.replace(r.id, [("close", closes_at)], {"close"}, by=actor)
        r = await uow.consultations.set_round(r.id, closes_at=closes_at)
        await uow.ledger.audit(actor, "schedule", f"{code} round {r.number}", extended_to=str(closes_at))
        if r.status == "open":
            await _post_new_close(d, uow, code, r)
        await uow.commit()
    notify_outbox(d)
    await _resync(d)
    return r


async def _post_new_close(d: Deps, uow: UnitOfWork, code: str, r: Round) -> None:
    """Corrects each group's announcement in place to the new close time (so the post people scroll back to is
    never stale) and says in a short new post that the round was extended."""
    _version, spec = await uow.consultations.latest(r.consultation_id)
    times = await uow.consultations.round_times(r.id)
    reopens = times.reopens if times else 0
    gen = _generation(reopens)
    closes = d.local(r.closes_at) or ""
    link = d.deep_link(code)
    title = languages.round_title(spec, r.number, r.title)
    corrected = _group_announcement(spec, r, Span(_is_open(title, reopens, closes), " ", _("(extended)")), link)
    notice = Screen(
        Para("⏰ ", Strong(spec.title), ": ", _("{round} is now open until {closes}.", round=title, closes=closes)),
        [[Button(_("Take part privately"), url=link)]],
    )
    stamp = f"{r.closes_at:%Y%m%d%H%M}" if r.closes_at else ""
    in_each = languages.for_groups(spec, d.config.languages_first)
    for g in await uow.consultations.groups(r.consultation_id):
        announced = f"{_announced(r, reopens)}{g.chat_id}"
        await uow.outbox.enqueue(f"extend-edit:{r.id}:{gen}{stamp}:{g.chat_id}", g.chat_id, "announce", corrected,
                                 replaces=announced, languages=in_each)
        await uow.outbox.enqueue(f"extend:{r.id}:{gen}{stamp}:{g.chat_id}", g.chat_id, "announce", notice,
                                 languages=in_each)


async def reopen(
    d: Deps, code: str, number: int | None, closes_at: datetime | None, actor: int | None,
    scope: UpdateScope | None = None,
) -> RoundChange:
    """Opens a closed round again, until `closes_at` (or until it is closed by hand): audited, announced to the
    linked groups and the residents who took part, and its results are published again when it closes. Asked for
    only after a confirmation ("Yes, reopen round N", `moot round open --reopen`). Refused once a later round has
    opened, or when a scheduled later round would open before this one closes."""
    async with d.uow(scope) as uow:
        r = await find_round(uow, code, number, "reopen")
        if r.status != "closed":
            if r.status == "open":
                return RoundChange(r, False)
            raise RoundError(_("Round {number} has not closed, so there is nothing to reopen.", number=r.number))
        rounds = await uow.consultations.rounds(r.consultation_id)
        other = next((o for o in rounds if o.status == "open"), None)
        if other is not None:
            raise RoundError(_("Round {number} is still open; close it first.", number=other.number))
        later = [o for o in rounds if o.number > r.number]
        ran = next((o for o in later if o.status == "closed"), None)
        if ran is not None:
            raise RoundError(_("Round {later} has already run after it, so round {number} cannot be reopened.",
                               later=ran.number, number=r.number))
        if closes_at is not None and closes_at <= d.clock():
            raise RoundError(_("The new close time is in the past."))
        nxt = next((o for o in later if o.status == "scheduled" and o.opens_at is not None), None)
        if nxt is not None and nxt.opens_at is not None and (closes_at is None or closes_at > nxt.opens_at):
            raise RoundError(_("Round {later} is scheduled to open on {opens}: reopen round {number} until a time "
                               "before that (/extend), or unschedule round {later} first.", later=nxt.number,
                               opens=d.local(nxt.opens_at) or "", number=r.number))
        times = await uow.consultations.round_times(r.id)
        reopens = (times.reopens if times else 0) + 1
        r = await uow.consultations.set_round(r.id, status="open", closed_at=None, published_at=None,
                                              closes_at=closes_at, reopens=reopens)
        if closes_at is not None:
            await uow.jobs.replace(r.id, [("close", closes_at)], {"close"}, by=actor)
        await uow.ledger.audit(actor, "reopen", f"{code} round {r.number}", closes=str(closes_at), reopens=reopens)
        keys = await _announce(d, uow, code, r)
        await _report_later(d, uow, r, actor, "open", keys, scheduled=False)
        await uow.commit()
    notify_outbox(d)
    await _resync(d)
    return RoundChange(r, True)


# ---- telling the facilitator how a broadcast went ---------------------------------------------------------------
#
# A broadcast is enqueued in the transaction that causes it (an open, a reminder, results), but it is delivered
# later, by the outbox, within Telegram's limits: 10,000 residents take minutes. Counts known at enqueueing time
# would say only how many were queued, not how many arrived. So the same transaction adds a report job (a row in
# scheduled_jobs, kind "report", addressed to the facilitator who asked: the one who scheduled the round, or who
# opened, closed or reopened it by hand). The scheduler runs it a moment later; while any of the broadcast's
# messages (found by their outbox key prefixes) is still pending or being sent, it postpones itself, waiting longer
# each time; once all are settled it enqueues one private message with the counts: sent, blocked (the chat stopped
# or removed the bot), failed (Telegram refused it). A report that has waited REPORT_GIVE_UP says what is still
# waiting instead of waiting for ever. It survives restarts like every job, and another worker may run it.

REPORT_FIRST = timedelta(seconds=1)
REPORT_LONGEST_WAIT = timedelta(minutes=5)
REPORT_GIVE_UP = timedelta(hours=6)


async def _report_later(
    d: Deps, uow: UnitOfWork, r: Round, to: int | None, event: str, prefixes: list[str], scheduled: bool
) -> None:
    if to is None:
        return
    now = d.clock()
    detail = {"event": event, "prefixes": prefixes, "number": r.number, "scheduled": scheduled,
              "since": now.isoformat(), "waits": 0}
    await uow.jobs.report(r.id, now + REPORT_FIRST, to, detail)


def _what(event: str, scheduled: bool, number: int, code: str) -> Msg:
    c = Code(code)
    if event == "open":
        return (_("⏰ Round {number} of {code} opened on schedule.", number=number, code=c) if scheduled
                else _("Round {number} of {code} is open.", number=number, code=c))
    if event == "remind":
        return _("⏰ The reminder for round {number} of {code} went out.", number=number, code=c)
    return _("The results of round {number} of {code} are posted.", number=number, code=c)


async def report(d: Deps, job: Job) -> str:
    """Runs a report job: "again" (postponed: messages still on their way) or "done" (the facilitator is told)."""
    detail: dict[str, Any] = dict(job.detail)
    prefixes = [str(p) for p in detail.get("prefixes", [])]
    now = d.clock()
    async with d.uow() as uow:
        counts = await uow.jobs.delivery(prefixes)
        waiting = counts.get("pending", 0) + counts.get("sending", 0)
        since = datetime.fromisoformat(str(detail.get("since") or now.isoformat()))
        if waiting and now - since < REPORT_GIVE_UP:
            waits = int(detail.get("waits", 0)) + 1
            pause = min(REPORT_FIRST * 2 ** min(waits, 12), REPORT_LONGEST_WAIT)
            await uow.jobs.postpone(job.id, now + pause, {**detail, "waits": waits})
            await uow.commit()
            return "again"
        r = await uow.consultations.round(job.round_id)
        row = await uow.consultations.get(r.consultation_id) if r else None
        if r is None or row is None or job.requested_by is None:
            return "failed"
        event = str(detail.get("event", ""))
        what = _what(event, bool(detail.get("scheduled")), r.number, row.code)
        sent, blocked, failed = counts.get("sent", 0), counts.get("blocked", 0), counts.get("failed", 0)
        lines: list[Inline] = [what]
        if not sent + blocked + failed + waiting:
            lines.append(_("There was nobody to send it to: no linked group, and no resident it was for."))
        else:
            lines.append(_("Messages: {sent} sent, {blocked} blocked, {failed} failed.",
                           sent=sent, blocked=blocked, failed=failed))
            if blocked:
                lines.append(ngettext("{n} chat has stopped or removed the bot.",
                                      "{n} chats have stopped or removed the bot.", blocked))
            if waiting:
                lines.append(ngettext("{n} message is still waiting to be sent.",
                                      "{n} messages are still waiting to be sent.", waiting))
        await uow.outbox.enqueue(f"report:{job.id}", job.requested_by, "report", Screen(Para(Span(*join(lines, " ")))))
        await uow.commit()
    notify_outbox(d)
    return "done"


async def tell_failure(d: Deps, job: Job, why: Msg) -> None:
    """A timed open or close that could not be made: the facilitator who scheduled it hears why, privately."""
    if job.requested_by is None:
        return
    async with d.uow() as uow:
        r = await uow.consultations.round(job.round_id)
        row = await uow.consultations.get(r.consultation_id) if r else None
        if r is None or row is None:
            return
        what = (_("⚠️ Round {number} of {code} did not open on schedule.", number=r.number, code=Code(row.code))
                if job.kind == "open" else
                _("⚠️ Round {number} of {code} did not close on schedule.", number=r.number, code=Code(row.code)))
        await uow.outbox.enqueue(f"told:{job.kind}:{job.id}", job.requested_by, "report", Screen(Para(what, " ", why)))
        await uow.commit()
    notify_outbox(d)


def notify_outbox(d: Deps) -> None:
    for hook in d.hooks.get("outbox", []):
        hook()


async def _resync(d: Deps) -> None:
    for hook in d.hooks.get("schedule", []):
        await hook()
