"""What a resident reads before agreeing (and when they come back), what they hold about themselves, and the erase
confirmation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

from dialogues.schema import Consultation
from dialogues.screens import Action, Button, Screen
from dialogues.text import Block, Code, Em, Lines, Para, Strong, When, _

AGREE, DECLINE, PICK, ERASE, KEEP, LANGUAGE = "ok", "no", "pk", "ea", "en", "lg"
ACTIONS = frozenset({AGREE, DECLINE, PICK, ERASE, KEEP, LANGUAGE})


AGREE_START = _("✅ I agree, start")
AGREE_QUIET = _("✅ I agree, but no reminders")
NO_THANKS = _("No thanks")


def intro_screen(c: Consultation, consultation_id: int, closes: str | None, language: int = 0) -> Screen:
    """The invitation and privacy notice; `language` (a number, bot.services.languages) is the language it is
    shown in, carried by the buttons so that agreeing stores it."""
    lang = (language,) if language else ()
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
            [Button(AGREE_START, Action(AGREE, (consultation_id, 1, *lang)))],
            [Button(AGREE_QUIET, Action(AGREE, (consultation_id, 0, *lang)))],
            [Button(NO_THANKS, Action(DECLINE, (consultation_id, *lang)))],
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


# A second press on the intro's buttons once someone agreed (a double tap, or an older copy of the intro).
ALREADY_AGREED = _("You have already agreed to take part. Carry on from the latest message, or send /start.")
ALREADY_AGREED_DECLINE = _("You have already agreed to take part. To stop and delete your answers, send /erase.")
NOTHING_OPEN = _("There is no consultation open at the moment. When your council opens one, they will share a link "
                 "to it.")


def _pick(open_ones: list[tuple[int, str]]) -> list[list[Button]]:
    return [[Button(title, Action(PICK, (cid,)))] for cid, title in open_ones]


def choose_screen(open_ones: list[tuple[int, str]]) -> Screen:
    if not open_ones:
        return Screen(NOTHING_OPEN)
    return Screen(_("Which consultation would you like to take part in?"), _pick(open_ones))


def not_found_screen(code: str, open_ones: list[tuple[int, str]]) -> Screen:
    """/start with a code no consultation has: say so, and offer what is open."""
    missing = _("I can't find a consultation called “{code}”. Check the link you were given.", code=code[:64])
    if not open_ones:
        return Screen([Para(missing), Para(NOTHING_OPEN)])
    return Screen([Para(missing), Para(_("Open now:"))], _pick(open_ones))


def welcome_back(step: str, index: int, total: int) -> Screen:
    """What precedes the screen someone left off at, when they come back with /start."""
    if step == "done":
        return Screen(_("Welcome back: you have sent your answers."))
    if step == "summary" or index >= total:
        return Screen(_("Welcome back: here are your answers so far."))
    return Screen(_("Welcome back: question {number} of {total}.", number=index + 1, total=total))


def use_the_buttons() -> Screen:
    """Text typed while the intro is showing: the answer is one of its buttons."""
    return Screen(_(
        "To take part, tap one of the buttons under the introduction above: {start}, {quiet} or {no}. "
        "If you can't find it, send /start to see it again.",
        start=Strong(AGREE_START), quiet=Strong(AGREE_QUIET), no=Strong(NO_THANKS),
    ))


def mydata_screen(
    data: Mapping[str, Any] | None,
    titles: Mapping[int, str],
    specs: Mapping[int, Consultation] | None = None,
    own: Sequence[Block] = (),
    about: Mapping[int, Consultation] | None = None,
) -> Screen:
    """Everything held about a resident; answers read as the summary reads them, in the file's question order
    (`specs` by version id; `about`, by consultation id, reads their answers about themselves); `own` is what
    question types keep in rows of their own (statements, reactions)."""
    if data is None:
        return Screen(_("We hold nothing about you."))
    body: list[Block] = [
        Lines([
            (Strong(_("Everything we hold about you")),),
            (_("Your Telegram id: {id}", id=Code(str(data["telegram_id"]))),),
            (_("First seen: {when} UTC", when=When(data["since"].astimezone(UTC))),),
            *([(_("Language: {language}", language=str(data["language"])),)] if data.get("language") else []),
        ])
    ]
    for c in data["consents"]:
        agreed = _("Agreed to take part in “{title}” on {when} UTC.", title=titles.get(c["consultation_id"], "?"),
                   when=When(c["agreed_at"].astimezone(UTC)))
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
    for cid, held in (data.get("profiles") or {}).items():
        title = titles.get(cid, "?")
        lines = [(Strong(_("About you, for all of “{title}”:", title=title)),)]
        spec = (about or {}).get(cid)
        if spec is not None:
            from dialogues.journey import answer_lines

            for q in spec.questions:
                if q.key in held:
                    lines.append((Strong(q.prompt),))
                    lines += answer_lines(spec, q, held)
            asked = {q.key for q in spec.questions}  # what a later file no longer asks is still held: shown too
            lines += [(f"• {k}: {v}",) for k, v in sorted(held.items()) if k not in asked]
        else:
            lines += [(f"• {k}: {v}",) for k, v in sorted(held.items())]
        body.append(Lines(lines))
    body += own
    body.append(Para(_("To delete all of it, send /erase.")))
    return Screen(body)


def language_screen(consultation_id: int, asked: list[str], names: list[tuple[int, str]]) -> Screen:
    """Which language, asked in each of them at once (`asked`: the question already in every language), with a
    button per language named in itself ('Cymraeg', 'English')."""
    return Screen(Para(" / ".join(asked)),
                  [[Button(label, Action(LANGUAGE, (consultation_id, n))) for n, label in names]])


def erase_confirm_screen() -> Screen:
    return Screen(
        _("This deletes everything we hold about you, including all your answers, and they leave every result "
          "and report. It cannot be undone. Are you sure?"),
        [[Button(_("Yes, delete everything"), Action(ERASE)), Button(_("No, keep it"), Action(KEEP))]],
    )
