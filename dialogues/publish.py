"""What residents and groups are shown when a round closes: charts, headline figures, tallies, own answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dialogues.questions import kind
from dialogues.schema import Consultation, FreeTextQuestion, Question, RankingQuestion, RatingQuestion
from dialogues.screens import Button, Chart, Screen, h
from dialogues.tally import AllocationTally, CountTally


def allocation_chart(spec: Consultation, tally: AllocationTally, title: str) -> Chart:
    return Chart(
        title=title,
        labels=tuple(s.name for s in tally.services),
        series=(
            ("Today", tuple(float(s.today) for s in tally.services)),
            ("Residents' average", tuple(round(s.mean, 1) for s in tally.services)),
        ),
    )


def movement_chart(spec: Consultation, rounds: Sequence[tuple[str, AllocationTally]]) -> Chart:
    """Residents' average per service in each round, beside today's spend: how views moved."""
    first = rounds[0][1]
    series = [("Today", tuple(float(s.today) for s in first.services))]
    series += [(name, tuple(round(s.mean, 1) for s in t.services)) for name, t in rounds]
    return Chart("How views moved between rounds", tuple(s.name for s in first.services), tuple(series))


def _suppressed(n: int, minimum: int) -> str:
    if not n:
        return "<i>No answers.</i>"
    return f"<i>Fewer than {minimum} answers, so no figures are shown (to protect privacy).</i>"


def headline(tally: AllocationTally) -> list[str]:
    lines = [f"<b>{tally.respondents} residents shared their pound.</b>"]
    up = tally.raise_most(3)
    down = tally.cut_most(3)
    if up:
        lines.append("Would raise most: " + ", ".join(f"{h(s.name)} (+{s.change:.1f}p)" for s in up))
    if down:
        lines.append("Would cut most: " + ", ".join(f"{h(s.name)} ({s.change:.1f}p)" for s in down))
    lines.append("")
    lines.append("<b>Median pence per service</b> (today in brackets):")
    for s in tally.services:
        lines.append(f"{h(s.name)}: {s.median:g}p ({s.today}p)")
    return lines


def question_lines(q: Question, tally: CountTally | None, n: int, minimum: int) -> list[str]:
    lines = [f"<b>{h(q.prompt)}</b>"]
    if tally is None:
        return [*lines, _suppressed(n, minimum)]
    if isinstance(q, FreeTextQuestion):
        return [*lines, f"{tally.respondents} written answers (read by the council's officers)."]
    if isinstance(q, RankingQuestion):
        lines += [f"{i}. {h(label)} (average place {pos:.1f})" for i, (label, pos) in enumerate(tally.counts, 1)]
    else:
        total = tally.respondents or 1
        lines += [f"{h(label)}: {int(c)} ({100 * c / total:.0f}%)" for label, c in tally.counts]
        if isinstance(q, RatingQuestion) and tally.mean is not None:
            lines.append(f"Average: {tally.mean:.1f} out of {q.scale_max}")
    return lines


def group_screens(
    spec: Consultation,
    round_title: str,
    started: int,
    finished: int,
    allocation: AllocationTally | None,
    allocation_n: int,
    questions: Sequence[tuple[Question, CountTally | None, int]],
    minimum: int,
    deep_link: str | None = None,
) -> list[Screen]:
    """The results post for a linked group: a chart image, then the figures in words."""
    screens: list[Screen] = []
    title = f"<b>{h(spec.title)}: results of {h(round_title)}</b>"
    if allocation is not None:
        chart = allocation_chart(spec, allocation, "Residents' average pound beside today's")
        screens.append(Screen(title, chart=chart))
    lines = [title, f"{finished} residents finished ({started} started).", ""]
    lines += headline(allocation) if allocation is not None else [_suppressed(allocation_n, minimum)]
    for q, t, n in questions:
        lines += ["", *question_lines(q, t, n, minimum)]
    buttons = [[Button("See the consultation", url=deep_link)]] if deep_link else []
    screens.append(Screen("\n".join(lines), buttons))
    return screens


def personal_screen(
    spec: Consultation, round_title: str, answers: Mapping[str, Any], allocation: AllocationTally | None
) -> Screen:
    """A participant's own answers beside everyone's."""
    lines = [f"<b>{h(spec.title)}: {h(round_title)} has closed.</b> Thank you for taking part.", ""]
    for q in spec.questions:
        value = answers.get(q.key)
        if value is None:
            continue
        if allocation is not None and q.type == "allocation":
            lines.append("<b>Your pound beside everyone's average</b> (today in brackets):")
            for s in allocation.services:
                lines.append(f"{h(s.name)}: you {value.get(s.key, 0)}p, everyone {s.mean:.1f}p ({s.today}p)")
        else:
            lines.append(f"<b>{h(q.prompt)}</b>\nYou: {kind(q.type).describe(spec, q, value)}")
    if allocation is None:
        lines.append("<i>Too few people answered to show everyone's figures without risking privacy.</i>")
    return Screen("\n".join(lines))


def deliberation_screens(
    spec: Consultation, previous_title: str, allocation: AllocationTally | None, comments: Sequence[str]
) -> list[Screen]:
    """Before a deliberation round: what everyone said last time, and why, in residents' own words."""
    screens: list[Screen] = []
    if allocation is not None:
        chart = allocation_chart(spec, allocation, f"{previous_title}: residents' average beside today's")
        screens.append(Screen(f"<b>What everyone said in {h(previous_title)}</b>", chart=chart))
        screens.append(Screen("\n".join(headline(allocation))))
    if comments:
        quoted = "\n\n".join(f"💬 “{h(c[:400])}”" for c in comments[:8])
        screens.append(Screen(f"<b>Why residents shared it that way</b> (chosen by the facilitators):\n\n{quoted}"))
    return screens
