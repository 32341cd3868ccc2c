"""Facilitator commands: list consultations, preview, schedule, open, close, extend and publish rounds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.actions import Pressed
from bot.facilitator.common import gated, gated_press, split_code
from bot.incoming import Incoming
from bot.preview import screens as preview_screens
from bot.services import rounds
from bot.services.common import Deps, Reply
from dialogues.screens import Action, Button, Screen, h
from dialogues.when import EXAMPLES, WhenError, parse_plan, parse_when

if TYPE_CHECKING:
    from bot.bootstrap import App

HELP = (
    "<b>For facilitators</b>\n"
    "/consultations: list them, with buttons to open, close and publish\n"
    "Send a consultation file (.yaml) as a document to load it\n"
    "/preview CODE: see every screen as a resident would\n"
    "/schedule CODE [ROUND] open 1 Dec 09:00; remind 8 Dec 18:00; close 14 Dec 17:00\n"
    "/open CODE [ROUND], /close CODE [ROUND]: now\n"
    "/extend CODE 16 Dec 17:00: move the close time later\n"
    "/publish CODE [ROUND]: post a closed round's results again\n"
    "/moderate: approve residents' comments for the next round\n"
    "/link CODE (in a group) and /unlink: connect a Telegram group\n"
    "/grant, /revoke: roles (admins)"
)


class Commands:
    def __init__(self, d: Deps):
        self.d = d

    async def consultations(self, inc: Incoming, args: str) -> Reply:
        lines = ["<b>Consultations</b>"]
        buttons: list[list[Button]] = []
        async with self.d.uow() as uow:
            rows = await uow.consultations.all()
            for row in rows:
                lines.append(f"\n<b>{h(row.title)}</b> (code <code>{h(row.code)}</code>)")
                for r in await uow.consultations.rounds(row.id):
                    started, finished = await uow.residents.counts(r.id)
                    when = ""
                    if r.status == "scheduled":
                        when = f", opens {self.d.local(r.opens_at)}"
                    if r.status in {"scheduled", "open"} and r.closes_at:
                        when += f", closes {self.d.local(r.closes_at)}"
                    lines.append(f"Round {r.number} “{h(r.title)}”: {r.status}{h(when)}; "
                                 f"{started} started, {finished} finished")
                    if r.status in {"draft", "scheduled"}:
                        buttons.append([Button(f"Open {row.code} round {r.number} now", Action("fo", (r.id,)))])
                    elif r.status == "open":
                        buttons.append([Button(f"Close {row.code} round {r.number} now", Action("fc", (r.id,)))])
                    else:
                        buttons.append([Button(f"Publish {row.code} round {r.number} again", Action("fp", (r.id,)))])
                lines.append(f"Deep link: {h(self.d.deep_link(row.code))}")
        if not rows:
            lines.append("None yet. Send a consultation file (.yaml) to me as a document to load one.")
        return Reply([Screen("\n".join(lines), buttons)])

    async def preview(self, inc: Incoming, args: str) -> Reply:
        code = args.strip()
        async with self.d.uow() as uow:
            found = await uow.consultations.by_code(code) if code else None
        if found is None:
            return Reply.say("Which consultation? Send /preview CODE (see /consultations for codes).")
        shown = [Screen(f"<b>Preview of “{h(found[2].title)}”</b>, as a resident sees it. Buttons here do nothing.")]
        for title, s in preview_screens(found[2]):
            # Buttons are drawn as text so a preview can never act on anything.
            labels = "\n".join("  ".join(f"[ {h(b.label)} ]" for b in row) for row in s.buttons)
            text = f"<i>{h(title)}</i>\n\n{s.text}" + (f"\n\n{labels}" if labels else "")
            shown.append(Screen(text, chart=s.chart))
        return Reply(shown)

    async def schedule(self, inc: Incoming, args: str) -> Reply:
        code, number, rest = split_code(args)
        if not code or not rest:
            return Reply.say(
                "Send: /schedule CODE [ROUND] open 1 Dec 09:00; remind 8 Dec 18:00; close 14 Dec 17:00\n"
                f"Times are in {h(self.d.config.timezone)}. You can write {h(EXAMPLES)}."
            )
        try:
            plan = parse_plan(rest, self.d.clock(), self.d.tz)
            opens = plan["open"][0] if plan["open"] else None
            r = await rounds.set_schedule(self.d, code, number, opens, plan["close"][0],
                                          plan["remind"], inc.user_id, inc.scope)
        except (WhenError, rounds.RoundError) as e:
            return Reply.say(f"Not scheduled: {h(e)}.")
        lines = [f"✅ Round {r.number} of <code>{h(code)}</code> is scheduled ({h(self.d.config.timezone)} time):"]
        if plan["open"] and r.status != "open":
            lines.append(f"Opens: {self.d.local(plan['open'][0])}")
        lines += [f"Reminder: {self.d.local(t)}" for t in plan["remind"]]
        lines.append(f"Closes: {self.d.local(plan['close'][0])}")
        return Reply.say("\n".join(lines))

    async def open_now(self, inc: Incoming, args: str) -> Reply:
        code, number, _ = split_code(args)
        try:
            change = await rounds.open_round(self.d, code, number, inc.user_id, inc.scope)
        except rounds.RoundError as e:
            return Reply.say(f"Not opened: {h(e)}.")
        if not change.changed:
            return Reply.say(f"Round {change.round.number} was already open; nothing changed.")
        return Reply.say(f"✅ Round {change.round.number} of <code>{h(code)}</code> is open. Linked groups are told.\n"
                         f"Deep link: {h(self.d.deep_link(code))}")

    async def close_now(self, inc: Incoming, args: str) -> Reply:
        code, number, _ = split_code(args)
        try:
            change = await rounds.close_round(self.d, code, number, inc.user_id, inc.scope)
        except rounds.RoundError as e:
            return Reply.say(f"Not closed: {h(e)}.")
        if not change.changed:
            return Reply.say(f"Round {change.round.number} was already closed; nothing changed.")
        return Reply.say(f"✅ Round {change.round.number} of <code>{h(code)}</code> is closed. "
                         "Results are being posted to the linked groups and participants.")

    async def extend(self, inc: Incoming, args: str) -> Reply:
        code, number, rest = split_code(args)
        try:
            when = parse_when(rest, self.d.clock(), self.d.tz)
            r = await rounds.extend(self.d, code, number, when, inc.user_id, inc.scope)
        except (WhenError, rounds.RoundError) as e:
            return Reply.say(f"Not extended: {h(e)}.")
        return Reply.say(f"✅ Round {r.number} now closes on {self.d.local(r.closes_at)}.")

    async def publish(self, inc: Incoming, args: str) -> Reply:
        code, number, _ = split_code(args)
        async with self.d.uow() as uow:
            try:
                r = await rounds.find_round(uow, code, number, "publish")
            except rounds.RoundError as e:
                return Reply.say(f"Not published: {h(e)}.")
        if r.status != "closed":
            return Reply.say(f"Round {r.number} is {r.status}; results are published when it closes.")
        n = await rounds.publish_if_due(self.d, r.id, again=True, actor=inc.user_id, scope=inc.scope)
        return Reply.say(f"✅ Results of round {r.number} posted again to the linked groups ({n} messages).")

    async def press(self, inc: Incoming, pressed: Pressed) -> Reply | None:
        a = pressed.action
        if len(a.args) != 1:
            return Reply(toast="This button has expired.")
        async with self.d.uow() as uow:
            r = await uow.consultations.round(a.args[0])
            found = await uow.consultations.get(r.consultation_id) if r else None
        if r is None or found is None:
            return Reply(toast="This button has expired.")
        args = f"{found.code} {r.number}"
        reply = {"fo": self.open_now, "fc": self.close_now, "fp": self.publish}[a.name]
        out = await reply(inc, args)
        out.toast = "Done."
        return out

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
    core.commands["publish"] = gated(d, "publish", c.publish)
    core.commands["_help"] = c.help
    core.actions["fo"] = gated_press(d, "open", c.press)
    core.actions["fc"] = gated_press(d, "close", c.press)
    core.actions["fp"] = gated_press(d, "publish", c.press)
