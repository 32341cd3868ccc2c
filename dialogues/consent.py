"""What a resident reads before agreeing, what they hold about themselves, and the erase confirmation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogues.schema import Consultation
from dialogues.screens import Action, Button, Screen
from dialogues.text import Block, Code, Em, Lines, Para, Strong, _

AGREE, DECLINE, PICK, ERASE, KEEP = "ok", "no", "pk", "ea", "en"
ACTIONS = frozenset({AGREE, DECLINE, PICK, ERASE, KEEP})


def intro_screen(c: Consultation, consultation_id: int, closes: str | None) -> Screen:
    minutes = _("⏱ It takes about {minutes} minutes.", minutes=c.minutes)
    timing = [minutes, " ", _("You can answer until {closes}.", closes=closes)] if closes else [minutes]
    privacy: list[Any] = [(Strong(_("How your answers are used and kept")),), (c.privacy.notice,)]
    if c.privacy.retention:
        privacy.append((c.privacy.retention,))
    if c.privacy.contact:
        privacy.append((_("Questions about your data: {contact}", contact=c.privacy.contact),))
    body: list[Block] = [
        Lines([(Strong(c.title),), (Em(_("Run by {organiser}", organiser=c.organiser)),)]),
        Para(c.purpose),
        Para(*timing),
        Lines(privacy),
        Para(_("If you stop halfway we may send you one reminder; choose below. Do you agree to take part?")),
    ]
    return Screen(
        body,
        [
            [Button(_("✅ I agree, start"), Action(AGREE, (consultation_id, 1)))],
            [Button(_("✅ I agree, but no reminders"), Action(AGREE, (consultation_id, 0)))],
            [Button(_("No thanks"), Action(DECLINE, (consultation_id,)))],
        ],
    )


def agreed_screen(c: Consultation) -> Screen:
    return Screen(Lines([(Strong(c.title),), (_("✅ Thank you for agreeing. Let's start."),)]), edit=True)


def declined_screen(c: Consultation) -> Screen:
    return Screen(
        Lines([(Strong(c.title),), (_("No problem: nothing about you has been stored. If you change your mind, "
                                      "send /start."),)]),
        edit=True,
    )


def choose_screen(open_ones: list[tuple[int, str]]) -> Screen:
    if not open_ones:
        return Screen(_("There is no consultation open at the moment. When your council opens one, "
                        "they will share a link to it."))
    return Screen(_("Which consultation would you like to take part in?"),
                  [[Button(title, Action(PICK, (cid,)))] for cid, title in open_ones])


def mydata_screen(
    data: Mapping[str, Any] | None, titles: Mapping[int, str], specs: Mapping[int, Consultation] | None = None
) -> Screen:
    """Everything held about a resident; answers read as the summary reads them, in the file's question order
    (`specs` by version id)."""
    if data is None:
        return Screen(_("We hold nothing about you."))
    body: list[Block] = [
        Lines([
            (Strong(_("Everything we hold about you")),),
            (_("Your Telegram id: {id}", id=Code(str(data["telegram_id"]))),),
            (_("First seen: {when} UTC", when=f"{data['since']:%d %b %Y %H:%M}"),),
        ])
    ]
    for c in data["consents"]:
        agreed = _("Agreed to take part in “{title}” on {when} UTC.", title=titles.get(c["consultation_id"], "?"),
                   when=f"{c['agreed_at']:%d %b %Y %H:%M}")
        reminders = _("Reminders on.") if c["reminders"] else _("Reminders off.")
        body.append(Para(agreed, " ", reminders))
    for r in data["rounds"]:
        state = _("finished") if r["finished_at"] else _("not finished")
        lines: list[Any] = [(Strong(_("Round {number}", number=r["round_id"])), " (", state, "), ", _("answers:"))]
        spec = (specs or {}).get(r.get("version_id", -1))
        if spec is not None:
            from dialogues.journey import answer_lines

            for q in spec.questions:
                if q.key in r["answers"] or f"{q.key}.why" in r["answers"]:
                    lines.append((Strong(q.prompt),))
                    lines += answer_lines(spec, q, r["answers"])
        else:
            lines += [(f"• {k}: {v}",) for k, v in sorted(r["answers"].items())]
        body.append(Lines(lines))
    body.append(Para(_("To delete all of it, send /erase.")))
    return Screen(body)


def erase_confirm_screen() -> Screen:
    return Screen(
        _("This deletes everything we hold about you, including all your answers, and they leave every result "
          "and report. It cannot be undone. Are you sure?"),
        [[Button(_("Yes, delete everything"), Action(ERASE)), Button(_("No, keep it"), Action(KEEP))]],
    )
