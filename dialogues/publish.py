"""What residents and groups are shown when a round closes: charts, figures in words, own answers beside everyone's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dialogues.questions import Outcome, of
from dialogues.schema import Consultation, Question
from dialogues.screens import Button, Screen
from dialogues.text import Block, Em, Inline, Lines, Para, Quote, Span, Strong, _, ngettext

Results = Sequence[tuple[Question, Outcome[Any]]]


def _suppressed(n: int, minimum: int) -> Inline:
    if not n:
        return Em(_("No answers."))
    return Em(_("Fewer than {minimum} answers, so no figures are shown (to protect privacy).", minimum=minimum))


def question_block(spec: Consultation, q: Question, outcome: Outcome[Any], minimum: int) -> Block:
    head: tuple[Inline, ...] = (Strong(q.prompt),)
    if outcome.figures is None:
        return Lines([head, (_suppressed(outcome.respondents, minimum),)])
    return Lines([head, *of(q).result_lines(spec, q, outcome.figures)])


def lead(spec: Consultation, results: Results) -> tuple[Question, Outcome[Any]] | None:
    """The question whose chart heads the post (the Council Pound), if any type draws one."""
    return next(((q, o) for q, o in results if of(q).charted), None)


def group_screens(
    spec: Consultation,
    round_title: str,
    started: int,
    finished: int,
    results: Results,
    minimum: int,
    deep_link: str | None = None,
) -> list[Screen]:
    """The results post for a linked group: a chart image, then the figures in words. It says who is counted:
    every answer saved by the close, sent or not; each question's figures (its chart, its shares) are out of the
    residents who answered that question, and its heading says how many they are."""
    screens: list[Screen] = []
    title = Strong(_("{title}: results of {round}", title=spec.title, round=round_title))
    first = lead(spec, results)
    if first is not None and first[1].figures is not None:
        q, o = first
        chart = of(q).chart(spec, q, o.figures, _("Residents' average pound beside today's"))
        if chart is not None:
            # The chart in words, in its caption: as part of the body, which the outbox keeps with the post.
            screens.append(Screen(Para(title), chart=chart))  # the renderer puts chart.alt in the caption
    counts = Span(
        ngettext(
            "Figures count every answer saved by the close, from {n} resident who started;",
            "Figures count every answer saved by the close, from {n} residents who started;",
            started,
        ),
        " ",
        ngettext("{n} of them pressed send.", "{n} of them pressed send.", finished),
        " ",
        _("Each question counts those who answered it, and its percentages are out of them."),
    )
    body: list[Block] = [Para(title), Para(Em(counts))]
    for q, o in results:
        answered = ngettext("({n} answered)", "({n} answered)", o.respondents)
        head: tuple[Inline, ...] = (Strong(q.prompt), " ", Em(answered))
        if o.figures is None:
            body.append(Lines([head, (_suppressed(o.respondents, minimum),)]))
        else:
            body.append(Lines([head, *of(q).result_lines(spec, q, o.figures)]))
    buttons = [[Button(_("See the consultation"), url=deep_link)]] if deep_link else []
    screens.append(Screen(body, buttons))
    screens += question_charts(spec, results, first[0] if first is not None else None)
    return screens


def question_charts(spec: Consultation, results: Results, lead: Question | None) -> list[Screen]:
    """After the figures in words: a chart for each other question whose type draws one (a ranking's count, stage
    by stage), each under its prompt, with the chart in words in its caption."""
    out: list[Screen] = []
    for q, o in results:
        if q is lead or o.figures is None:
            continue
        chart = of(q).chart(spec, q, o.figures, q.prompt)
        if chart is not None:
            out.append(Screen(Para(Strong(q.prompt)), chart=chart))
    return out


def personal_screen(spec: Consultation, round_title: str, answers: Mapping[str, Any], results: Results) -> Screen:
    """A participant's own answers beside everyone's."""
    body: list[Block] = [
        Para(Strong(_("{title}: {round} has closed.", title=spec.title, round=round_title)), " ",
             _("Thank you for taking part."))
    ]
    withheld = False
    for q, o in results:
        raw = answers.get(q.key)
        t = of(q)
        value = t.decode(spec, q, raw) if raw is not None else None
        if value is None:
            continue
        withheld = withheld or o.figures is None
        body.append(Lines([(Strong(q.prompt),), *t.personal_lines(spec, q, value, o.figures)]))
    if withheld:
        body.append(Para(Em(_("Too few people answered to show everyone's figures without risking privacy."))))
    return Screen(body)


def movement_screen(
    spec: Consultation, q: Question, rounds: Sequence[tuple[Inline, Any]], residents: int
) -> Screen | None:
    """How views on one question moved between rounds (round name, figures), if its type draws that: the figures
    are from the same `residents` in every round, which the post says, so a change is a change of view."""
    chart = of(q).movement(spec, q, rounds)
    if chart is None:
        return None
    who = ngettext("the {n} resident who answered in both rounds", "the {n} residents who answered in both rounds",
                   residents)
    title = Para(Strong(spec.title), ": ", _("how views moved between rounds, among {who}", who=who))
    return Screen(title, chart=chart)


def deliberation_screens(
    spec: Consultation, previous_title: str, results: Results, comments: Sequence[str]
) -> list[Screen]:
    """Before a deliberation round: what everyone said last time, and why, in residents' own words."""
    screens: list[Screen] = []
    first = lead(spec, results)
    if first is not None and first[1].figures is not None:
        q, o = first
        title = _("{round}: residents' average beside today's", round=previous_title)
        chart = of(q).chart(spec, q, o.figures, title)
        head = Strong(_("What everyone said in {round}", round=previous_title))
        screens.append(Screen(head, chart=chart) if chart is not None else Screen(head))
        screens.append(Screen(Lines(of(q).result_lines(spec, q, o.figures))))
    if comments:
        heading = Para(Strong(_("Why residents shared it that way")), " ", _("(chosen by the facilitators):"))
        body: list[Block] = [heading]
        body += [Quote("💬 ", c[:400]) for c in comments[:8]]
        screens.append(Screen(body))
    return screens
