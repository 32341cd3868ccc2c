"""The Council Pound: see today's split of a pound, then share 100p across the services."""

from __future__ import annotations

import functools
import operator
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

from dialogues import allocation as rules
from dialogues.memo import ByIdentity
from dialogues.questions.base import (
    NOT_HERE,
    Answered,
    Cell,
    Changed,
    Json,
    Line,
    Measure,
    QuestionType,
    Refused,
    Result,
    RoundOutcome,
    Tally,
    by_round,
    register,
)
from dialogues.report import INT, LONG, PENCE, PENCE1, TEXT, Column, ReportTable
from dialogues.schema import AllocationQuestion, Consequence, Consultation, Service
from dialogues.screens import Action, Button, Chart, Screen
from dialogues.tally import AllocationTally, ServiceTally, tally_pence_counts
from dialogues.text import Block, Em, Inline, Lines, Localised, Msg, Para, Span, Strong, _, join, ngettext

Pence = dict[str, int]  # service key -> pence


# A service's line on the board and its row of buttons at each number of pence are the same for every resident
# and press after press: made once per service (the object, so a new version of the file makes its own) and
# pence, not some 60 texts and buttons on every press; the renderer then finds them drawn already.
_PIECES: ByIdentity[Service, dict[tuple[str, int, int, int, int], tuple[Line, tuple[Button, ...]]]] = ByIdentity(
    lambda service: {}, 1000
)


class Board(dict[str, int]):
    """A resident's pence on the board (service key -> pence) and the service they last changed, whose consequence
    the board shows. It is a dict of pence like any other draft: equal to one with the same pence."""

    def __init__(self, pence: Mapping[str, int], last: str | None = None):
        super().__init__(pence)
        self.last = last


def _board(pence: Mapping[str, int], last: str | None = None) -> Board:
    return Board(pence, last)


class PoundTally(Tally[Pence, AllocationTally]):
    """Residents' pence kept as one byte per service: 100,000 residents x 12 services is 1.2 MB."""

    def __init__(self, c: Consultation):
        super().__init__()
        self.c = c
        self.keys = [s.key for s in c.services]
        # One C call reads every service's pence from an allocation; a single service needs a 1-tuple.
        getter: Callable[[Any], Any] = operator.itemgetter(*self.keys) if self.keys else (lambda _: ())
        self.pence_of = getter if len(self.keys) != 1 else (lambda a: (getter(a),))
        self.pence = array("B")

    def add(self, answer: Pence, times: int = 1) -> None:
        try:  # the usual case, 0-100 whole pence for every service, as one array: nothing half added
            pence = array("B", self.pence_of(answer))
            if max(pence, default=0) > 100:
                raise OverflowError
        except (KeyError, TypeError, OverflowError):
            # Services an older version did not have count as 0; ones the latest dropped are ignored.
            pence = array("B", [min(100, max(0, _int(answer.get(k)))) for k in self.keys])
        self.pence.extend(pence * times)
        self.respondents += times

    def add_many(self, answers: Iterable[Pence]) -> None:
        batch = list(answers)
        try:  # every pound of the batch read in one C pass; any odd one sends the batch the careful way
            pence = array("B", chain.from_iterable(map(self.pence_of, batch)))
            if max(pence, default=0) > 100:
                raise OverflowError
        except (KeyError, TypeError, OverflowError):
            for answer in batch:
                self.add(answer)
            return
        self.pence.extend(pence)
        self.respondents += len(batch)

    def figures(self) -> AllocationTally:
        k = len(self.keys)
        counts = {key: Counter(self.pence[i::k]) for i, key in enumerate(self.keys)}  # a column is every k-th
        return tally_pence_counts(self.c.services, self.respondents, counts)


def _int(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def _bounds(s: Any) -> tuple[Inline, ...]:
    """A service's limits, shown on the board before Submit could refuse them."""
    if s.min and s.max < 100:
        return (" · ", _("{low}p to {high}p", low=s.min, high=s.max))
    if s.min:
        return (" · ", _("at least {pence}p", pence=s.min))
    if s.max < 100:
        return (" · ", _("at most {pence}p", pence=s.max))
    return ()


def consequence_blocks(services: Sequence[Service], draft: Mapping[str, int]) -> list[Block]:
    """What the resident's pence for the service they last changed would mean, as the file says (a board of any
    kind may show it: `draft` is service key -> pence, with the service last changed as its `last`)."""
    last = getattr(draft, "last", None)
    s = next((s for s in services if s.key == last), None)
    if s is None:
        return []
    pence = _int(draft.get(s.key, 0))
    found = s.consequence(pence)
    if found is None:
        return []
    return [Para("ℹ️ ", Strong(_("{service} at {pence}p:", service=s.name, pence=pence)), " ", found.text)]


def level_span(c: Consequence) -> Inline:
    """A consequence's level in words: "3p or less", "4p to 5p", "6p or more"."""
    return c.span()


def level_lines(figures: AllocationTally) -> list[Line]:
    """For each service with consequences in the file, how many residents chose each level."""
    shown = [s for s in figures.services if s.levels]
    if not shown:
        return []
    lines: list[Line] = [("",), (Strong(_("What residents' pence would mean")), " ",
                                 _("(residents who chose each level):"))]
    for s in shown:
        lines.append((Strong(s.name),))
        lines += [("· ", level_span(c), ": ", c.text, " ", Em(_people(n))) for c, n in s.levels]
    return lines


def level_cell(s: ServiceTally) -> Inline:
    return Span(*join([Span(level_span(c), " (", c.text, "): ", _people(n)) for c, n in s.levels], "; "))


def _people(n: int) -> Inline:
    return ngettext("{n} resident", "{n} residents", n)


def _short(name: str) -> str:
    """A service name cut to fit a button, in each of its languages."""
    if isinstance(name, Localised):
        return _short_localised(name.default, tuple(name.texts.items()))
    return _cut(name)


def _cut(text: str) -> str:
    return text if len(text) <= 14 else text[:13] + "…"


@functools.lru_cache(maxsize=1024)
def _short_localised(default: str, texts: tuple[tuple[str, str], ...]) -> Localised:
    # Remembered by every language's text: a board shows every service's short name on every press.
    return Localised({k: _cut(v) for k, v in texts}, default)


def _pence(service: str, pence: int) -> Inline:
    return _("{service} {pence}p", service=service, pence=pence)


def _change(service: str, change: float) -> Inline:
    return _("{service} ({change:+.1f}p)", service=service, change=change)


class Allocation(QuestionType[AllocationQuestion, Pence, Pence, AllocationTally]):
    name = "allocation"
    code = "al"
    schema = AllocationQuestion
    verbs = frozenset({"d", "i", "r", "t", "s", "a"})  # adjust, info, reset, today's split, submit, accept
    label = _("share the pound")
    repeats = False
    charted = True

    def decode(self, c: Consultation, q: AllocationQuestion, raw: Json) -> Pence | None:
        return raw if isinstance(raw, dict) else None

    def check(self, c: Consultation, q: AllocationQuestion) -> list[Msg]:
        return [_("an allocation question needs at least 2 services under services:")] if len(c.services) < 2 else []

    def describe(self, c: Consultation, q: AllocationQuestion, answer: Pence) -> list[Line]:
        return [(Span("  ", s.name, ": "), _("{pence}p", pence=_int(answer.get(s.key, 0)))) for s in c.services]

    # ---- the journey --------------------------------------------------------------------------------------------
    def intro(self, c: Consultation, q: AllocationQuestion) -> list[Screen]:
        """How every penny of a pound is spent today: a chart, then each service in words."""
        by_today = sorted(c.services, key=lambda s: -s.today)  # as the words below list them
        chart = Chart(
            title=_("How each penny of a council pound is spent today"),
            labels=tuple(s.name for s in by_today),
            series=((_("Today"), tuple(float(s.today) for s in by_today)),),
            alt=_("Today, of each £1: {services}.", services=Span(*join([_pence(s.name, s.today) for s in by_today],
                                                                            "; "))),
        )
        caption: list[Block] = [Para(Strong(_("{title}: today", title=c.title)))]
        if c.figures_note:
            caption.append(Para(Em(c.figures_note)))
        title: Inline = q.today_intro or _("How each penny of a council pound is spent today:")
        lines = Lines(
            (Strong(_("{pence}p", pence=s.today)), " ", s.name, *((": ", s.description) if s.description else ()))
            for s in sorted(c.services, key=lambda s: -s.today)
        )
        return [
            Screen(caption, chart=chart),
            Screen(
                [Para(Strong(title)), lines, Para(_("Next, you share 100p your way."))],
                [[Button(_("Next: share your 100p ›"), Action("go"))]],
            ),
        ]

    def start(self, c: Consultation, q: AllocationQuestion, previous: Pence | None) -> Pence:
        if previous is not None and not rules.problems(c.services, previous):
            return dict(previous)
        return rules.empty(c.services)

    def draft_to_json(self, draft: Pence) -> Json:
        last = getattr(draft, "last", None)
        return {"pence": dict(draft), "last": last} if last else {"pence": dict(draft)}

    def draft_from_json(self, c: Consultation, q: AllocationQuestion, raw: Json) -> Pence:
        pence = raw.get("pence") if isinstance(raw, dict) else None
        last = raw.get("last") if isinstance(raw, dict) else None
        last = last if isinstance(last, str) and last in c.service_names() else None
        return _board(pence, last) if isinstance(pence, dict) and pence else rules.empty(c.services)

    def screen(self, c: Consultation, q: AllocationQuestion, head: Sequence[Block], draft: Pence) -> Screen:
        left = rules.left(draft)
        small, big = (q.steps[0], q.steps[-1])
        pieces = [self._pieces(i, s, draft.get(s.key, 0), small, big) for i, s in enumerate(c.services)]
        status: tuple[Inline, ...]
        if left > 0:
            status = (Strong(_("Left to allocate: {left}p", left=left)),)
        elif left < 0:
            status = (Strong(_("{over}p over: take some away before you submit.", over=-left)),)
        else:
            status = (Strong(_("All 100p shared.")), " ", _("Tap Submit to save."))
        body = [
            *head,
            Para(Em(_("Your pence, with today's in brackets."))),
            Lines(line for line, _row in pieces),
            *consequence_blocks(c.services, draft),
            Lines([status, (Em(_("Tip: you can also type “Libraries 12”, or several lines at once.")),)]),
        ]
        rows: list[list[Button]] = [list(row) for _line, row in pieces]
        rows.append([Button(_("Reset"), self.action("r")), Button(_("Start from today's split"), self.action("t"))])
        submit = (
            _("✅ Submit")
            if left == 0
            else _("Submit ({left}p left)", left=left)
            if left > 0
            else _("Submit ({over}p over)", over=-left)
        )
        rows.append([Button(submit, self.action("s"))])
        return Screen(body, rows)

    def _pieces(self, i: int, s: Service, pence: int, small: int, big: int) -> tuple[Line, tuple[Button, ...]]:
        """The service's line on the board and its row of buttons at these pence, remembered (_PIECES)."""
        made = _PIECES.get(s)
        key = (self.code, i, pence, small, big)
        got = made.get(key)
        if got is None:
            line = (Span(s.name, ": "), Strong(_("{pence}p", pence=pence)), " ", _("({pence}p)", pence=s.today),
                    *_bounds(s))
            row = [Button(f"−{big}", self.action("d", i, -big))] if big != small else []
            row += [
                Button(f"−{small}", self.action("d", i, -small)),
                # The amount first: a phone cuts the end of a label.
                Button(Span(_("{pence}p", pence=pence), " ", _short(s.name)), self.action("i", i)),
                Button(f"+{small}", self.action("d", i, small)),
            ]
            row += [Button(f"+{big}", self.action("d", i, big))] if big != small else []
            got = made[key] = (line, tuple(row))
        return got

    def press(
        self, c: Consultation, q: AllocationQuestion, draft: Pence, verb: str, args: tuple[int, ...]
    ) -> Result[Pence, Pence]:
        try:
            if verb == "d" and len(args) == 2 and abs(args[1]) in q.steps:
                new = rules.adjust(c.services, draft, args[0], args[1])
                return Changed(_board(new, c.services[args[0]].key))
            if verb == "i" and len(args) == 1 and 0 <= args[0] < len(c.services):
                s = c.services[args[0]]
                return Refused(
                    alert=True,
                    message=_(
                        "{service}: {description} Today {pence}p.",
                        service=s.name,
                        description=(s.description or "")[:150],
                        pence=s.today,
                    ),
                )
            if verb == "r":
                return Changed(rules.empty(c.services))
            if verb == "t":
                return Changed(rules.today(c.services))
            if verb == "s":
                wrong = rules.problems(c.services, draft)
                return Refused(Span(*join(wrong, " ")), alert=True) if wrong else Answered(dict(draft))
            if verb == "a" and len(args) == 2 and 0 <= args[0] < len(c.services):  # a suggestion accepted
                s = c.services[args[0]]
                return Changed(
                    _board(rules.apply_typed(c.services, draft, {s.key: max(0, min(s.max, args[1]))}), s.key),
                    note=_("Set {changes}.", changes=_pence(s.name, args[1])),
                )
        except rules.AllocationError as e:
            return Refused(e.message)
        return Refused(NOT_HERE)

    def typed(self, c: Consultation, q: AllocationQuestion, draft: Pence, text: str) -> Result[Pence, Pence]:
        try:
            entries = rules.parse_typed(c.services, text)
            new = rules.apply_typed(c.services, draft, entries)
        except rules.AllocationError as e:
            if e.suggestion is not None and e.suggestion[1] >= 0:
                i, pence = e.suggestion
                offer = _("Yes: {service} {pence}p", service=c.services[i].name, pence=pence)
                return Refused(e.message, offer=(offer, self.action("a", i, pence)))
            return Refused(e.message)
        names = c.service_names()
        note = Span(*join([_pence(names[k], v) for k, v in entries.items()]))
        return Changed(_board(new, list(entries)[-1] if entries else None), note=_("Set {changes}.", changes=note))

    # ---- results ------------------------------------------------------------------------------------------------
    def tally(self, c: Consultation, q: AllocationQuestion) -> PoundTally:
        return PoundTally(c)

    def add_raw(self, c: Consultation, q: AllocationQuestion, tally: Any, raw: Json, times: int = 1) -> None:
        if isinstance(raw, dict):
            tally.add(raw, times)

    def chart(self, c: Consultation, q: AllocationQuestion, figures: AllocationTally, title: Inline) -> Chart:
        # In the file's order, as result_lines lists the averages.
        averages = Span(*join([_("{service} {mean:.1f}p ({today}p)", service=s.name, mean=s.mean, today=s.today)
                               for s in figures.services], "; "))
        return Chart(
            title=title,
            labels=tuple(s.name for s in figures.services),
            series=(
                (_("Today"), tuple(float(s.today) for s in figures.services)),
                (_("Residents' average"), tuple(round(s.mean, 1) for s in figures.services)),
            ),
            alt=ngettext(
                "Average of {n} resident, today's in brackets: {services}.",
                "Average of {n} residents, today's in brackets: {services}.",
                figures.respondents,
                services=averages,
            ),
        )

    def movement(
        self, c: Consultation, q: AllocationQuestion, rounds: Sequence[tuple[Inline, AllocationTally]]
    ) -> Chart:
        first = rounds[0][1]
        series: list[tuple[Inline, tuple[float, ...]]] = [(_("Today"), tuple(float(s.today) for s in first.services))]
        series += [(name, tuple(round(s.mean, 1) for s in t.services)) for name, t in rounds]
        # In words for the caption: each service's average in each round, in the rounds' order.
        moves = Span(*join([
            Span(s.name, " " + " → ".join(f"{t.services[i].mean:.1f}p" for _name, t in rounds) + f" ({s.today}p)")
            for i, s in enumerate(first.services)
        ], "; "))
        return Chart(
            _("How views moved between rounds"), tuple(s.name for s in first.services), tuple(series),
            alt=_("Average pence in {rounds}, today's in brackets: {services}.",
                  rounds=Span(*join([name for name, _t in rounds], _(" then "))), services=moves),
        )

    def result_lines(self, c: Consultation, q: AllocationQuestion, figures: AllocationTally) -> list[Line]:
        n = figures.respondents
        lines: list[Line] = [(Strong(_n_shared(n)),)]
        up, down = figures.raise_most(3), figures.cut_most(3)
        if up:
            lines.append(
                (_("Would raise most: {services}", services=Span(*join([_change(s.name, s.change) for s in up]))),)
            )
        if down:
            lines.append(
                (_("Would cut most: {services}", services=Span(*join([_change(s.name, s.change) for s in down]))),)
            )
        lines.append(("",))
        lines.append((Strong(_("Residents' average pence per service")), " ", _("(today in brackets):")))
        lines += [(Span(s.name, ": "), _("{mean:.1f}p ({today}p)", mean=s.mean, today=s.today))
                  for s in figures.services]
        lines += level_lines(figures)
        return lines

    def personal_lines(
        self, c: Consultation, q: AllocationQuestion, answer: Pence, figures: AllocationTally | None
    ) -> list[Line]:
        if figures is None:
            return [(_("You:"),), *self.describe(c, q, answer)]
        lines: list[Line] = [(Strong(_("Your pound beside everyone's average")), " ", _("(today in brackets):"))]
        lines += [
            (
                Span(s.name, ": "),
                _(
                    "you {mine}p, everyone {mean:.1f}p ({today}p)",
                    mine=_int(answer.get(s.key, 0)),
                    mean=s.mean,
                    today=s.today,
                ),
            )
            for s in figures.services
        ]
        return lines

    def measures(self, c: Consultation, q: AllocationQuestion) -> list[Measure]:
        return [Measure(s.key, s.name, PENCE1) for s in c.services]

    def measure(self, c: Consultation, q: AllocationQuestion, answer: Pence) -> list[float]:
        return [float(min(100, max(0, _int(answer.get(s.key, 0))))) for s in c.services]

    # ---- exports ------------------------------------------------------------------------------------------------
    def columns(self, c: Consultation, q: AllocationQuestion) -> list[Cell]:
        return [Cell(_("{service} (p)", service=s.name), PENCE, 12, f"{q.key}.{s.key}",
                     _("pence of the resident's 100p given to {service} (today {today}p)", service=s.name,
                       today=s.today)) for s in c.services]

    def cells(self, c: Consultation, q: AllocationQuestion, answer: Pence | None) -> list[Any]:
        if answer is None:
            return [None] * len(c.services)
        get = answer.get
        return [v if (v := get(s.key, 0)).__class__ is int else _int_or_none(v) for s in c.services]

    def summary(
        self, c: Consultation, q: AllocationQuestion, rounds: Sequence[RoundOutcome[AllocationTally]]
    ) -> ReportTable:
        levels = any(s.consequences for s in c.services)
        columns = [
            Column(_("Service"), TEXT, 26),
            Column(_("Today (p)"), PENCE, 10),
            Column(_("Mean (p)"), PENCE1, 10),
            Column(_("Median (p)"), PENCE1, 10),
            Column(_("Lowest (p)"), PENCE, 10),
            Column(_("Lower quartile (p)"), PENCE1, 10),
            Column(_("Upper quartile (p)"), PENCE1, 10),
            Column(_("Highest (p)"), PENCE, 10),
            Column(_("Change from today (p)"), PENCE1, 12),
            Column(_("Residents who answered"), INT, 12),
        ]
        if levels:  # only when the file gives consequences: a table without them keeps its columns
            columns.append(Column(_("Residents at each consequence level"), LONG, 60))
        return by_round(
            columns,
            rounds,
            lambda a, n: [
                (s.name, s.today, round(s.mean, 2), s.median, s.low, s.q1, s.q3, s.high, round(s.change, 2), n,
                 *((level_cell(s),) if levels else ()))
                for s in a.services
            ],
        )

    def preview(self, c: Consultation, q: AllocationQuestion, head: Sequence[Block]) -> list[tuple[Inline, Screen]]:
        today = self.intro(c, q)
        return [
            (_("today's split (with a chart image)"), today[0]),
            (_("today's split"), today[1]),
            (_("the question"), self.screen(c, q, head, self.start(c, q, None))),
        ]


def _int_or_none(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _n_shared(n: int) -> Inline:
    return ngettext("{n} resident shared their pound.", "{n} residents shared their pound.", n)


ALLOCATION = register(Allocation())
