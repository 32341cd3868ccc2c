"""What a resident reads before agreeing, what they hold about themselves, and the erase confirmation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogues.schema import Consultation
from dialogues.screens import Action, Button, Screen, h


def intro_screen(c: Consultation, consultation_id: int, closes: str | None) -> Screen:
    text = (
        f"<b>{h(c.title)}</b>\n<i>Run by {h(c.organiser)}</i>\n\n{h(c.purpose)}\n\n"
        f"⏱ It takes about {c.minutes} minutes."
    )
    if closes:
        text += f" You can answer until {h(closes)}."
    text += f"\n\n<b>How your answers are used and kept</b>\n{h(c.privacy.notice)}"
    if c.privacy.retention:
        text += f"\n{h(c.privacy.retention)}"
    if c.privacy.contact:
        text += f"\nQuestions about your data: {h(c.privacy.contact)}"
    text += "\n\nIf you stop halfway we may send you one reminder; choose below. Do you agree to take part?"
    return Screen(
        text,
        [
            [Button("✅ I agree, start", Action("ok", (consultation_id, 1)))],
            [Button("✅ I agree, but no reminders", Action("ok", (consultation_id, 0)))],
            [Button("No thanks", Action("no", (consultation_id,)))],
        ],
    )


def agreed_screen(c: Consultation) -> Screen:
    return Screen(f"<b>{h(c.title)}</b>\n✅ Thank you for agreeing. Let's start.", edit=True)


def declined_screen(c: Consultation) -> Screen:
    return Screen(
        f"<b>{h(c.title)}</b>\nNo problem: nothing about you has been stored. "
        "If you change your mind, send /start.",
        edit=True,
    )


def choose_screen(open_ones: list[tuple[int, str]]) -> Screen:
    if not open_ones:
        return Screen("There is no consultation open at the moment. When your council opens one, "
                      "they will share a link to it.")
    return Screen("Which consultation would you like to take part in?",
                  [[Button(title, Action("pk", (cid,)))] for cid, title in open_ones])


def mydata_screen(data: Mapping[str, Any] | None, titles: Mapping[int, str]) -> Screen:
    if data is None:
        return Screen("We hold nothing about you.")
    lines = ["<b>Everything we hold about you</b>", f"Your Telegram id: <code>{data['telegram_id']}</code>",
             f"First seen: {data['since']:%d %b %Y %H:%M} UTC", ""]
    for c in data["consents"]:
        lines.append(f"Agreed to take part in “{h(titles.get(c['consultation_id'], '?'))}” on "
                     f"{c['agreed_at']:%d %b %Y %H:%M} UTC; reminders {'on' if c['reminders'] else 'off'}.")
    for r in data["rounds"]:
        state = "finished" if r["finished_at"] else "not finished"
        lines.append(f"\n<b>Round {r['round_id']}</b> ({state}), answers:")
        for k, v in sorted(r["answers"].items()):
            lines.append(f"• {h(k)}: {h(v)}")
    lines.append("\nTo delete all of it, send /erase.")
    return Screen("\n".join(lines))


def erase_confirm_screen() -> Screen:
    return Screen(
        "This deletes everything we hold about you, including all your answers, and they leave every result "
        "and report. It cannot be undone. Are you sure?",
        [[Button("Yes, delete everything", Action("ea")), Button("No, keep it", Action("en"))]],
    )
