"""Facilitator commands: list consultations, preview, schedule, unschedule, open, close, extend, reopen and publish
rounds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.actions import Pressed
from bot.facilitator.common import EXPIRED, gated, gated_press, reason, split_code
from bot.incoming import Incoming
from bot.preview import screens as preview_screens
from bot.services import rounds
from bot.services.common import Deps, Reply
from dialogues.rounds import Round
from dialogues.screens import Action, Button, Screen
from dialogues.text import Block, Code, Em, Inline, Lines, Para, Span, Strong, _, join, ngettext
from dialogues.when import EXAMPLES, WhenError, parse_plan, parse_when

if TYPE_CHECKING:
    from bot.bootstrap import App

HELP: list[Block] = [
    Lines([
        Strong(_("For facilitators")),
        _("/consultations: list them, with buttons to open, close and publish"),
        _("Send a consultation file (.yaml) as a document to load it"),
        _("/preview CODE: see every screen as a resident would"),
        _("/schedule CODE [ROUND] open 1 Dec 09:00; remind 8 Dec 18:00; close 14 Dec 17:00"),
        _("/unschedule CODE [ROUND]: remove a round's timed open, reminders and close"),
        _("/open CODE [ROUND] [close 14 Dec 17:00], /close CODE [ROUND]: now"),
        _("/extend CODE [ROUND] 16 Dec 17:00: move the close time later (or reopen a closed round)"),
        _("/publish CODE [ROUND]: post a closed round's results again"),
        _("/moderate: approve residents' comments for the next round"),
        _("/reach CODE [ROUND]: which wards and groups are under-represented so far"),
        _("/link CODE (in a group) and /unlink: connect a Telegram group"),
        _("/grant, /revoke: roles (admins)"),
    ]),
]


CANCEL = _("Cancel")


def refused(what: Inline, e: Exception) -> Reply:
    """'Not opened.' and why, for a change that was refused."""
    return Reply.say(Para("⚠️ ", what, " ", reason(e)))


class Commands:
    def __init__(self, d: Deps):
        self.d = d

    async def consultations(self, inc: Incoming, args: str) -> Reply:
        body: list[Block] = [Para(Strong(_("Consultations")))]
        buttons: list[list[Button]] = []
        async with self.d.uow() as uow:
            rows = await uow.consultations.all()
            for row in rows:
                lines: list[Inline] = [_("{title} (code {code})", title=Strong(row.title), code=Code(row.code))]
                for r in await uow.consultations.rounds(row.id):
                    started, finished = await uow.residents.counts(r.id)
                    parts: list[Inline] = [
                        _("Round {number} “{title}”: {status}", number=r.number, title=r.title,
                          status=rounds.STATUS.get(r.status, r.status)),
                    ]
                    opens, closes = self.d.local(r.opens_at), self.d.local(r.closes_at)
                    if r.status == "scheduled" and opens:
                        parts += [", ", _("opens {time}", time=opens)]
                    if r.status in {"scheduled", "open"} and closes:
                        parts += [", ", _("closes {time}", time=closes)]
                    parts += ["; ", _("{started} started, {finished} finished", started=started, finished=finished)]
                    lines.append(Span(*parts))
                    if r.status in {"draft", "scheduled"}:
                        label = _("Open {code} round {number} now", code=row.code, number=r.number)
                        buttons.append([Button(label, Action("fo", (r.id,)))])
                    elif r.status == "open":
                        label = _("Close {code} round {number} now", code=row.code, number=r.number)
                        buttons.append([Button(label, Action("fc", (r.id,)))])
                    else:
                        label = _("Publish {code} round {number} again", code=row.code, number=r.number)
                        buttons.append([Button(label, Action("fp", (r.id,)))])
                groups = await uow.consultations.groups(row.id, with_inactive=True)
                if groups:
                    names: list[Inline] = [(g.title or str(g.chat_id)) if g.active else _(
                        "{group} (I was removed from it)", group=g.title or str(g.chat_id)) for g in groups]
                    lines.append(ngettext("Linked group: {groups}", "Linked groups: {groups}", len(groups),
                                          groups=Span(*join(names))))
                else:
                    lines.append(_("No linked group yet: send /link {code} in a group.", code=row.code))
                lines.append(_("Deep link: {link}", link=self.d.deep_link(row.code)))
                body.append(Lines(lines))
        if not rows:
            body.append(Para(_("None yet. Send a consultation file (.yaml) to me as a document to load one.")))
        return Reply([Screen(body, buttons)])

    async def preview(self, inc: Incoming, args: str) -> Reply:
        code = args.strip()
        async with self.d.uow() as uow:
            found = await uow.consultations.by_code(code) if code else None
        if found is None:
            return Reply.say(_("Which consultation? Send /preview CODE (see /consultations for codes)."))
        shown = [Screen(Lines([
            Strong(_("Preview of “{title}”", title=found[2].title)),
            _("Every screen as a resident sees it. Buttons here do nothing."),
        ]))]
        for title, s in preview_screens(found[2]):
            # Buttons are drawn as text so a preview can never act on anything.
            rows = [Span(*join([Span("[ ", b.label, " ]") for b in row], "  ")) for row in s.buttons]
            body: list[Block] = [Para(Em(title)), *s.body]
            if rows:
                body.append(Lines(rows))
            shown.append(Screen(body, chart=s.chart))
        return Reply(shown)

    async def schedule(self, inc: Incoming, args: str) -> Reply:
        code, number, rest = split_code(args)
        zone = self.d.config.timezone
        if not code or not rest:
            return Reply.say(Lines([
                _("Send: /schedule CODE [ROUND] open 1 Dec 09:00; remind 8 Dec 18:00; close 14 Dec 17:00"),
                _("Times are in {timezone}. You can write {examples}.", timezone=zone, examples=EXAMPLES),
            ]))
        try:
            plan = parse_plan(rest, self.d.clock(), self.d.tz)
            opens = plan["open"][0] if plan["open"] else None
            r = await rounds.set_schedule(self.d, code, number, opens, plan["close"][0],
                                          plan["remind"], inc.user_id, inc.scope)
        except (WhenError, rounds.RoundError) as e:
            return refused(_("Not scheduled."), e)
        lines: list[Inline] = [Span("✅ ", _("Round {number} of {code} is scheduled ({timezone} time):",
                                             number=r.number, code=Code(code), timezone=zone))]
        if plan["open"] and r.status != "open":
            lines.append(_("Opens: {time}", time=self.d.local(plan["open"][0]) or ""))
        lines += [_("Reminder: {time}", time=self.d.local(t) or "") for t in plan["remind"]]
        lines.append(_("Closes: {time}", time=self.d.local(plan["close"][0]) or ""))
        return Reply.say(Lines(lines))

    async def open_now(self, inc: Incoming, args: str) -> Reply:
        code, number, rest = split_code(args)
        closes_at = None
        try:
            if rest:
                head, _sep, when = rest.partition(" ")
                if head.lower() != "close" or not when.strip():
                    return Reply.say(_("Send: /open CODE [ROUND], or /open CODE ROUND close 14 Dec 17:00 to set "
                                       "when it closes."))
                closes_at = parse_when(when, self.d.clock(), self.d.tz)
            change = await rounds.open_round(self.d, code, number, inc.user_id, inc.scope, closes_at=closes_at)
        except rounds.ClosedRound as e:
            return self.confirm_reopen(code, e.round, closes_at)
        except (WhenError, rounds.RoundError) as e:
            return refused(_("Not opened."), e)
        if not change.changed:
            return Reply.say(_("Round {number} was already open; nothing changed.", number=change.round.number))
        closes = self.d.local(change.round.closes_at)
        return Reply.say(Lines([
            Span("✅ ", _("Round {number} of {code} is open. Linked groups are told.",
                          number=change.round.number, code=Code(code))),
            _("It closes on {time}.", time=closes) if closes else
            _("It has no close time: close it with /close {code}, or set one with /extend {code} TIME.", code=code),
            _("Deep link: {link}", link=self.d.deep_link(code)),
        ]))

    def confirm_reopen(self, code: str, r: Round, closes_at: datetime | None) -> Reply:
        """A closed round is reopened only after a second, explicit yes: its results were already posted."""
        body: list[Block] = [
            Para("⚠️ ", _("Round {number} of {code} has already closed.", number=r.number, code=Code(code))),
            Para(_("Reopen it? Residents can change their answers again, linked groups are told, and the results "
                   "are posted again when it closes.")),
            Para(_("It will close on {time}.", time=self.d.local(closes_at) or "") if closes_at else
                 _("It will have no close time: to set one, send /extend {code} {number} TIME instead.",
                   code=code, number=r.number)),
        ]
        at = int(closes_at.timestamp()) if closes_at else 0
        label = _("Yes, reopen round {number}", number=r.number)
        return Reply([Screen(body, [[Button(label, Action("fr", (r.id, at)))], [Button(CANCEL, Action("fn"))]])])

    async def unschedule(self, inc: Incoming, args: str) -> Reply:
        code, number, _rest = split_code(args)
        if not code:
            return Reply.say(_("Send: /unschedule CODE [ROUND]"))
        try:
            done = await rounds.unschedule(self.d, code, number, inc.user_id, inc.scope)
        except rounds.RoundError as e:
            return refused(_("Nothing unscheduled."), e)
        r = done.round
        still = (_("It stays open until you close it with /close {code}.", code=code) if r.status == "open"
                 else _("It is a draft again: schedule it with /schedule or open it with /open."))
        return Reply.say(Para("✅ ", ngettext(
            "Round {number} of {code} is unscheduled ({n} timed step removed).",
            "Round {number} of {code} is unscheduled ({n} timed steps removed).",
            done.cancelled, number=r.number, code=Code(code)), " ", still))
    async def close_now(self, inc: Incoming, args: str) -> Reply:
        code, number, _rest = split_code(args)
        try:
            change = await rounds.close_round(self.d, code, number, inc.user_id, inc.scope)
        except rounds.RoundError as e:
            return refused(_("Not closed."), e)
        if not change.changed:
            return Reply.say(_("Round {number} was already closed; nothing changed.", number=change.round.number))
        async with self.d.uow() as uow:
            groups = await uow.consultations.groups(change.round.consultation_id, with_inactive=True)
        said: list[Inline] = ["✅ ", _(
            "Round {number} of {code} is closed. Results are being posted to the linked groups and participants.",
            number=change.round.number, code=Code(code),
        ) if any(g.active for g in groups) else _(
            "Round {number} of {code} is closed. Results are being sent to participants; no linked group can be "
            "posted to.", number=change.round.number, code=Code(code),
        )]
        gone: list[Inline] = [g.title or str(g.chat_id) for g in groups if not g.active]
        if gone:  # the bot was removed from them: say so rather than let the facilitator wait for a post
            said += [" ", ngettext(
                "Not posted in {groups}: I was removed from it (add me back to post there).",
                "Not posted in {groups}: I was removed from them (add me back to post there).",
                len(gone), groups=Span(*join(gone)),
            )]
        return Reply.say(Para(*said))

    async def extend(self, inc: Incoming, args: str) -> Reply:
        code, number, rest = split_code(args)
        try:
            when = parse_when(rest, self.d.clock(), self.d.tz)
            r = await rounds.extend(self.d, code, number, when, inc.user_id, inc.scope)
        except rounds.ClosedRound as e:
            return self.confirm_reopen(code, e.round, when)
        except (WhenError, rounds.RoundError) as e:
            return refused(_("Not extended."), e)
        closes = self.d.local(r.closes_at) or ""
        said: list[Inline] = ["✅ ", _("Round {number} now closes on {time}.", number=r.number, time=closes)]
        if r.status == "open":
            said += [" ", _("Linked groups are told.")]
        return Reply.say(Para(*said))

    async def publish(self, inc: Incoming, args: str) -> Reply:
        code, number, _rest = split_code(args)
        async with self.d.uow() as uow:
            try:
                r = await rounds.find_round(uow, code, number, "publish")
            except rounds.RoundError as e:
                return refused(_("Not published."), e)
        if r.status != "closed":
            return Reply.say(_("Round {number} has not closed yet; its results are published when it closes.",
                               number=r.number))
        assert inc.user_id is not None  # a command in a private chat always has its sender
        await rounds.publish_again(self.d, r.id, inc.user_id, inc.scope)
        return Reply.say(Para("✅ ", _(
            "Posting the results of round {number} again to the linked groups; I'll tell you how it went.",
            number=r.number,
        )))

    async def press(self, inc: Incoming, pressed: Pressed) -> Reply | None:
        a = pressed.action
        if a.name == "fn":
            return Reply([Screen(_("Nothing changed."), edit=True)], toast=_("Nothing changed."))
        if len(a.args) != (2 if a.name == "fr" else 1):
            return Reply(toast=EXPIRED)
        async with self.d.uow() as uow:
            r = await uow.consultations.round(a.args[0])
            found = await uow.consultations.get(r.consultation_id) if r else None
            rounds_ = await uow.consultations.rounds(r.consultation_id) if r else []
        if r is None or found is None:
            return Reply(toast=EXPIRED)
        if a.name == "fo":
            return self.confirm_open(found.code, r, rounds_)
        if a.name == "fr":
            out = await self.reopen(inc, found.code, r, a.args[1])
        else:
            args = f"{found.code} {r.number}"
            reply = {"fy": self.open_now, "fc": self.close_now, "fp": self.publish}[a.name]
            out = await reply(inc, args)
        out.toast = _("Done.")
        return out

    def confirm_open(self, code: str, r: Round, all_rounds: list[Round]) -> Reply:
        """"Open round N now" asks first, and says how to give the close time: opening tells every linked group
        and, from round 2 on, every resident who took part."""
        if r.status == "open":
            return Reply.say(_("Round {number} was already open; nothing changed.", number=r.number))
        wrong = rounds.order_problem(all_rounds, r, opening=True)
        if r.status == "closed":
            return self.confirm_reopen(code, r, None)
        if wrong is not None:
            return Reply.say(Para("⚠️ ", _("Not opened."), " ", wrong))
        who = (_("Linked groups get a post, and residents who took part before get a message.") if r.number > 1
               else _("Linked groups get a post with the link to take part."))
        closes = self.d.local(r.closes_at)
        when = (_("It closes on {time}, as scheduled.", time=closes) if closes else
                _("It has no close time yet. To set one, send {command} instead; otherwise close it yourself "
                  "with /close.", command=Code(f"/open {code} {r.number} close 14 Dec 17:00")))
        body: list[Block] = [
            Para(Strong(_("Open round {number} of {code} now?", number=r.number, code=Code(code)))),
            Para(who), Para(when),
        ]
        label = _("Yes, open round {number} now", number=r.number)
        return Reply([Screen(body, [[Button(label, Action("fy", (r.id,)))], [Button(CANCEL, Action("fn"))]])])

    async def reopen(self, inc: Incoming, code: str, r: Round, at: int) -> Reply:
        closes_at = datetime.fromtimestamp(at, UTC) if at else None
        try:
            change = await rounds.reopen(self.d, code, r.number, closes_at, inc.user_id, inc.scope)
        except rounds.RoundError as e:
            return refused(_("Not reopened."), e)
        if not change.changed:
            return Reply.say(_("Round {number} was already open; nothing changed.", number=r.number))
        closes = self.d.local(change.round.closes_at)
        return Reply.say(Para("✅ ", _("Round {number} of {code} is open again. Linked groups are told.",
                                      number=r.number, code=Code(code)), " ",
                              _("It closes on {time}.", time=closes) if closes
                              else _("Close it with /close {code} when you are ready.", code=code)))

    async def help(self, inc: Incoming, args: str) -> Reply | None:
        from bot.services.roles import roles_of

        assert inc.user_id is not None
        async with self.d.uow() as uow:
            mine = await roles_of(self.d, uow, inc.user_id)
        return Reply.say(HELP) if mine & {"admin", "facilitator"} else None


def install(app: App) -> None:
    d, core = app.deps, app.core
    c = Commands(d)
    core.commands["consultations"] = gated(d, "list", c.consultations)
    core.commands["preview"] = gated(d, "preview", c.preview)
    core.commands["schedule"] = gated(d, "schedule", c.schedule)
    core.commands["open"] = gated(d, "open", c.open_now)
    core.commands["close"] = gated(d, "close", c.close_now)
    core.commands["extend"] = gated(d, "schedule", c.extend)
    core.commands["unschedule"] = gated(d, "schedule", c.unschedule)
    core.commands["publish"] = gated(d, "publish", c.publish)
    core.commands["_help"] = c.help
    core.actions["fo"] = gated_press(d, "open", c.press)
    core.actions["fy"] = gated_press(d, "open", c.press)
    core.actions["fr"] = gated_press(d, "open", c.press)
    core.actions["fn"] = gated_press(d, "open", c.press)
    core.actions["fc"] = gated_press(d, "close", c.press)
    core.actions["fp"] = gated_press(d, "publish", c.press)
