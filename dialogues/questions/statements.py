"""Statements: residents react to short statements one at a time (agree, disagree, pass) and add their own, which
a facilitator moderates; the reactions give opinion groups and common ground (dialogues.opinion).

The statements and reactions are rows of their own, kept by the services' "statements" keeper: it gives this type
what is open to react to (`bound`), makes the `Effect`s it asks for, and hands the round's reactions to the tally.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from dialogues.questions.base import (
    Answered,
    Cell,
    Changed,
    Effect,
    Json,
    Line,
    QuestionType,
    Refused,
    Result,
    RoundOutcome,
    Tally,
    by_round,
    register,
)
from dialogues.questions.free_text import check_length, quoted
from dialogues.report import INT, PERCENT, TEXT, Column, ReportTable
from dialogues.schema import Consultation, QuestionBase
from dialogues.screens import Button, Chart, Screen
from dialogues.similar import normalised
from dialogues.text import Block, Em, Inline, Msg, Para, Quote, Span, Strong, _, join, ngettext

if TYPE_CHECKING:
    from dialogues import opinion

# As dialogues.opinion counts them; that module (numpy, scikit-learn) is imported when groups are first found, so
# a bot that never shows statements never loads it.
AGREE, DISAGREE, PASS = 1, -1, 0
VOTES = {"a": AGREE, "d": DISAGREE, "p": PASS}
PROPOSE, REACT, FOLLOW = "propose", "react", "follow"  # the effects the keeper makes
SLACK = 2.0  # random lift of a statement's reaction count when choosing the next: fewest first, not strictly


class StatementsQuestion(QuestionBase):
    type: Literal["statements"]
    statements: list[str] = Field(default=[], max_length=300, description="seed statements, from the council")
    max_length: int = Field(default=140, ge=20, le=500, description="longest statement a resident may add")
    proposals: bool = Field(default=True, description="residents may add statements of their own")
    project: bool = Field(default=False, description="a resident's statement may come with an estimated cost")
    cost_max: int = Field(default=10_000_000, ge=1, le=1_000_000_000, description="largest cost in pounds")


@dataclass(frozen=True)
class Open:
    """A statement open to reactions: its id and text, and how many have reacted to it."""

    id: int
    text: str
    reactions: int


@dataclass(frozen=True)
class Live:
    """What the keeper read for one resident: the approved statements, the resident's reactions so far, the
    texts of statements they proposed that wait for a moderator, and whether they asked to hear of new ones."""

    statements: tuple[Open, ...] = ()
    mine: Mapping[int, int] = field(default_factory=dict)  # statement id -> reaction
    pending: tuple[str, ...] = ()
    following: bool = False
    seed: int = 0
    resident: int | None = None  # the keeper's id for the resident: how the round's figures find them again

    @classmethod
    def from_json(cls, raw: Json) -> Live:
        if not isinstance(raw, Mapping):
            return cls()
        return cls(
            tuple(Open(int(s[0]), str(s[1]), int(s[2])) for s in raw.get("statements", ())),
            {int(k): int(v) for k, v in dict(raw.get("mine", {})).items()},
            tuple(str(t) for t in raw.get("pending", ())),
            bool(raw.get("following", False)),
            int(raw.get("seed", 0)),
            int(raw["resident"]) if isinstance(raw.get("resident"), int) else None,
        )

    def to_json(self) -> Json:
        return {"statements": [[s.id, s.text, s.reactions] for s in self.statements],
                "mine": {str(k): v for k, v in self.mine.items()}, "pending": list(self.pending),
                "following": self.following, "seed": self.seed, "resident": self.resident}

    def text(self, statement: int) -> str | None:
        return next((s.text for s in self.statements if s.id == statement), None)


@dataclass(frozen=True)
class Draft:
    mode: str = "react"  # react | write (typing a statement) | cost (its estimated cost)
    current: int | None = None  # the statement on screen
    again: bool = False  # going through statements already reacted to, to change a reaction
    done: tuple[int, ...] = ()  # reacted to in this sitting (the keeper's count catches up on the next step)
    text: str = ""  # the statement written, while its cost is asked
    follow: bool | None = None  # asked just now to hear of new statements (True) or not to (False)


@dataclass(frozen=True)
class Reacted:
    """The answer kept when a resident is done for now: how many statements they had reacted to, and the keeper's
    id for them, so the round's results can tell them privately which opinion group they are closest to."""

    reactions: int
    resident: int | None = None


def pick(candidates: Sequence[Open], seed: int) -> Open | None:
    """The next statement to show: fewest reactions first, a random lift of up to SLACK breaking near-ties, so every
    statement gathers reactions and residents do not all see the same order (as Pol.is does)."""
    if not candidates:
        return None
    rng = random.Random(seed)
    return min(candidates, key=lambda s: (s.reactions + rng.uniform(0, SLACK), s.id))


def parse_cost(text: str, most: int) -> int | None:
    """£12,500 / 12500 / 12.5k → 12500; None if it is not a whole number of pounds from 0 to `most`."""
    t = text.strip().lower().replace(",", "").replace("£", "").replace(" ", "")
    m = re.fullmatch(r"(\d{1,10})(\.\d+)?(k|m)?", t)
    if not m:
        return None
    value = float(m.group(1) + (m.group(2) or ""))
    value *= {"k": 1_000, "m": 1_000_000}.get(m.group(3) or "", 1)
    if value != int(value) or value > most:
        return None
    return int(value)


@dataclass(frozen=True)
class StatementRow:
    """A statement as the tally sees it: approved (shown), or not (its reactions are not counted)."""

    id: int
    text: str


@dataclass(frozen=True)
class StatementFigures:
    respondents: int  # residents with at least one reaction
    statements: tuple[StatementRow, ...]
    analysis: opinion.Analysis
    minimum: int  # the smallest number of residents a figure may be shown for
    residents: tuple[int, ...] = ()  # the keeper's ids of the residents, in the order of the analysis' rows
    matrix: Any = None  # their reactions (rows as `residents`, columns as `statements`), for private comparisons

    def shown(self, s: int) -> bool:
        return self.analysis.overall[s].votes >= self.minimum


class StatementsTally(Tally[Reacted, StatementFigures]):
    """Fed by the keeper: the approved statements and every reaction to them as they stand."""

    def __init__(self) -> None:
        super().__init__()
        self.statements: list[StatementRow] = []
        self.reactions: list[tuple[int, int, int]] = []
        self.minimum = 1

    def add(self, answer: Reacted, times: int = 1) -> None:
        pass  # who took part is read from the reactions themselves: stopping half-way still counts

    def rows(self, rows: Json) -> None:
        self.statements = [StatementRow(int(i), str(t)) for i, t in rows.get("statements", ())]
        self.reactions = [(int(r), int(s), int(v)) for r, s, v in rows.get("reactions", ())]
        self.minimum = int(rows.get("minimum", 1))
        self.respondents = len({r for r, _s, _v in self.reactions})

    def figures(self) -> StatementFigures:
        residents = sorted({r for r, _s, _v in self.reactions})
        import numpy as np

        from dialogues import opinion

        m = opinion.matrix(self.reactions, residents, [s.id for s in self.statements])
        if not residents:
            m = np.zeros((0, len(self.statements)))
        return StatementFigures(self.respondents, tuple(self.statements), opinion.analyse(m, self.minimum),
                                self.minimum, tuple(residents), m)


def group_name(n: int) -> str:
    return "ABCDE"[n] if n < 5 else str(n + 1)


def percent(x: float) -> str:
    return f"{round(100 * x)}%"


class Statements(QuestionType[StatementsQuestion, Reacted, Draft, StatementFigures]):
    name = "statements"
    code = "st"
    schema = StatementsQuestion
    verbs = frozenset({"a", "d", "p", "w", "x", "r", "c", "n"})
    label = _("statements and reactions")
    repeats = False
    keeper = "statements"

    def __init__(self, live: Live | None = None) -> None:
        self.live = live or Live()

    def bound(self, live: Json) -> Statements:
        return Statements(Live.from_json(live))

    # ---- answers ------------------------------------------------------------------------------------------------
    def decode(self, c: Consultation, q: StatementsQuestion, raw: Json) -> Reacted | None:
        if isinstance(raw, Mapping) and isinstance(raw.get("reactions"), int) and raw["reactions"] >= 0:
            resident = raw.get("resident")
            return Reacted(raw["reactions"], resident if isinstance(resident, int) else None)
        return None

    def encode(self, c: Consultation, q: StatementsQuestion, answer: Reacted) -> Json:
        out: dict[str, int] = {"reactions": answer.reactions}
        if answer.resident is not None:
            out["resident"] = answer.resident
        return out

    def describe(self, c: Consultation, q: StatementsQuestion, answer: Reacted) -> list[Line]:
        return [(ngettext("You reacted to {n} statement.", "You reacted to {n} statements.", answer.reactions),)]

    def check(self, c: Consultation, q: StatementsQuestion) -> list[Msg]:
        seen: set[str] = set()
        for n, text in enumerate(q.statements, 1):
            if not text.strip():
                return [_("statement {n} of question {key} is empty", n=n, key=q.key)]
            if len(text) > q.max_length:
                return [_("statement {n} of question {key} is {length} characters, more than its max_length of "
                          "{limit}", n=n, key=q.key, length=len(text), limit=q.max_length)]
            if normalised(text) in seen:
                return [_("statement {n} of question {key} says the same as an earlier one", n=n, key=q.key)]
            seen.add(normalised(text))
        if not q.statements and not q.proposals:
            return [_("question {key} has no statements and residents may not add any", key=q.key)]
        return []

    # ---- the journey --------------------------------------------------------------------------------------------
    def _unseen(self, draft: Draft) -> list[Open]:
        live = self.live
        if draft.again:
            return [s for s in live.statements if s.id not in draft.done]
        return [s for s in live.statements if s.id not in live.mine and s.id not in draft.done]

    def _reacted(self, draft: Draft) -> int:
        return len(set(self.live.mine) | set(draft.done))

    def _next(self, draft: Draft) -> Draft:
        chosen = pick(self._unseen(draft), self.live.seed * 7919 + len(draft.done))
        return replace(draft, mode="react", current=chosen.id if chosen else None)

    def start(self, c: Consultation, q: StatementsQuestion, previous: Reacted | None) -> Draft:
        return self._next(Draft())

    def draft_to_json(self, draft: Draft) -> Json:
        return {"mode": draft.mode, "current": draft.current, "again": draft.again, "done": list(draft.done),
                "text": draft.text, "follow": draft.follow}

    def draft_from_json(self, c: Consultation, q: StatementsQuestion, raw: Json) -> Draft:
        if not isinstance(raw, Mapping) or raw.get("mode") not in {"react", "write", "cost"}:
            return self.start(c, q, None)
        current = raw.get("current")
        follow = raw.get("follow")
        draft = Draft(str(raw["mode"]), int(current) if isinstance(current, int) else None, bool(raw.get("again")),
                     tuple(int(i) for i in raw.get("done", ()) if isinstance(i, int)), str(raw.get("text", "")),
                     follow if isinstance(follow, bool) else None)
        if draft.mode == "react" and (draft.current is None or self.live.text(draft.current) is None):
            return self._next(draft)  # statements opened since the board was drawn: the next one is served
        return draft

    def _following(self, draft: Draft) -> bool:
        return self.live.following if draft.follow is None else draft.follow

    def screen(self, c: Consultation, q: StatementsQuestion, head: Sequence[Block], draft: Draft) -> Screen:
        live = self.live
        total = len(live.statements)
        reacted = self._reacted(draft)
        body: list[Block] = list(head)
        buttons: list[list[Button]] = []
        if draft.mode == "write":
            body.append(Para("✍️ ", _("Type your statement as a message (up to {limit:,} characters). A moderator "
                                     "reads it before anyone else sees it; your name is never shown.",
                                     limit=q.max_length)))
            buttons.append([Button(_("Cancel"), self.action("c"))])
            return Screen(body, buttons)
        if draft.mode == "cost":
            body.append(Quote(draft.text))
            body.append(Para("💷 ", _("If this is a project idea, about how much would it cost, in pounds? Type a "
                                     "number, like 25000, or tap No cost.")))
            buttons.append([Button(_("No cost"), self.action("c"))])
            return Screen(body, buttons)
        text = live.text(draft.current) if draft.current is not None else None
        if text is not None and draft.current is not None:
            number = min(reacted + 1, total) if not draft.again else len(draft.done) + 1
            body.append(Para(Strong(_("Statement {n} of {total}", n=number, total=total))))
            body.append(Quote(text))
            if draft.current in live.mine:
                was = {AGREE: _("agree"), DISAGREE: _("disagree"), PASS: _("pass")}[live.mine[draft.current]]
                body.append(Para(Em(_("Your reaction so far: {reaction}. A new one replaces it.", reaction=was))))
            sid = draft.current
            buttons.append([Button(Span("👍 ", _("Agree")), self.action("a", sid)),
                            Button(Span("👎 ", _("Disagree")), self.action("d", sid)),
                            Button(Span("🤷 ", _("Pass")), self.action("p", sid))])
        elif total == 0:
            body.append(Para(_("There are no statements to react to yet.")))
        else:
            body.append(Para("✅ ", ngettext("You have reacted to the {n} statement there is so far.",
                                             "You have reacted to all {n} statements there are so far.", total)))
            buttons.append([Button(Span("🔁 ", _("Change my reactions")), self.action("r"))])
        extra: list[Button] = []
        if q.proposals:
            extra.append(Button(Span("✍️ ", _("Add my own")), self.action("w")))
        extra.append(Button(Span("🔔 ", _("Stop telling me of new ones") if self._following(draft)
                                 else _("Tell me of new ones")), self.action("n")))
        buttons.append(extra)
        buttons.append([Button(_("Done for now"), self.action("x"))])
        if text is not None:
            body.append(Para(Em(_("Stop whenever you like; you can come back and carry on until the round closes."))))
        return Screen(body, buttons)

    def press(
        self, c: Consultation, q: StatementsQuestion, draft: Draft, verb: str, args: tuple[int, ...]
    ) -> Result[Reacted, Draft]:
        live = self.live
        if verb in VOTES:
            if len(args) != 1 or live.text(args[0]) is None:
                return Refused(_("That statement is not open for reactions any more."))
            done = (*draft.done, args[0])
            effect = Effect(REACT, {"statement": args[0], "reaction": VOTES[verb]})
            return Changed(self._next(replace(draft, done=done)), effects=(effect,))
        if verb == "x":
            return Answered(Reacted(self._reacted(draft), live.resident))
        if verb == "r":
            return Changed(self._next(Draft(again=True)))
        if verb == "w":
            if not q.proposals:
                return Refused(_("This question does not take statements of your own."))
            return Changed(replace(draft, mode="write"))
        if verb == "c":
            if draft.mode == "cost":
                return self._proposed(q, draft, draft.text, None)
            return Changed(self._next(replace(draft, mode="react")))
        if verb == "n":
            on = not self._following(draft)
            note = _("You will be told when a new statement opens.") if on else _("You won't be told of new ones.")
            return Changed(replace(draft, follow=on), note=note, effects=(Effect(FOLLOW, {"on": on}),))
        return Refused(_("That button doesn't belong to this question."))

    def typed(self, c: Consultation, q: StatementsQuestion, draft: Draft, text: str) -> Result[Reacted, Draft]:
        if draft.mode == "cost":
            cost = parse_cost(text, q.cost_max)
            if cost is None:
                return Refused(_("Please type the cost as a whole number of pounds, up to £{most:,}, or tap No cost.",
                                 most=q.cost_max))
            return self._proposed(q, draft, draft.text, cost)
        if draft.mode != "write":
            if q.proposals:
                return Refused(_("Please react with the buttons. To add a statement of your own, tap Add my own "
                                 "first."))
            return Refused(_("Please react with the buttons."))
        checked = check_length(text, q.max_length)
        if isinstance(checked, Refused):
            return Refused(_("Please type your statement as a message.")) if not text.strip() else checked
        assert isinstance(checked, Answered)
        written = checked.value
        if "\n" in written:
            written = " ".join(written.split())
        same = normalised(written)
        if any(normalised(s.text) == same for s in self.live.statements):
            return Refused(_("That statement is already here. React to it when it comes up, or write a different "
                             "one."))
        if any(normalised(t) == same for t in self.live.pending):
            return Refused(_("You have sent that statement already; it is waiting for a moderator."))
        if q.project:
            return Changed(replace(draft, mode="cost", text=written), note=_("Now the estimated cost, if any."))
        return self._proposed(q, draft, written, None)

    def _proposed(self, q: StatementsQuestion, draft: Draft, text: str, cost: int | None) -> Changed[Draft]:
        data: dict[str, Any] = {"text": text}
        if cost is not None:
            data["cost"] = cost
        note = _("Thank you: your statement is waiting for a moderator. You will be told when it is decided.")
        return Changed(self._next(replace(draft, mode="react", text="")), note=note, effects=(Effect(PROPOSE, data),))

    def preview(self, c: Consultation, q: StatementsQuestion, head: Sequence[Block]) -> list[tuple[Inline, Screen]]:
        seeded = Statements(Live(tuple(Open(-i - 1, t, 0) for i, t in enumerate(q.statements))))
        out: list[tuple[Inline, Screen]] = [(_("the question"), seeded.screen(c, q, head, seeded.start(c, q, None)))]
        if q.proposals:
            out.append((_("adding a statement"), seeded.screen(c, q, head, Draft(mode="write"))))
        return out

    # ---- results ------------------------------------------------------------------------------------------------
    def tally(self, c: Consultation, q: StatementsQuestion) -> StatementsTally:
        return StatementsTally()

    def result_lines(self, c: Consultation, q: StatementsQuestion, figures: StatementFigures) -> list[Line]:
        a = figures.analysis
        texts = [s.text for s in figures.statements]
        lines: list[Line] = [(ngettext("{n} resident reacted to {s} statements.",
                                       "{n} residents reacted to {s} statements.", figures.respondents,
                                       s=len(texts)),)]
        if a.groups:
            lines.append((ngettext("Their reactions form {n} opinion group.", "Their reactions form {n} opinion "
                                   "groups.", len(a.groups)),))
        else:
            lines.append((Em(_("No opinion groups are shown: too few residents reacted, or a group would be "
                               "smaller than {minimum}.", minimum=figures.minimum)),))
        common = [s for s in a.common if figures.shown(s)]
        if common:
            lines.append((Strong(_("Common ground")), " ", _("(every group leans to agree):")))
            for s in common:
                lines.append(("🤝 ", quoted(texts[s]), " ", _("{share} agree", share=percent(
                    a.overall[s].agree / max(1, a.overall[s].votes)))))
        # a share is shown only where at least the minimum of residents reacted, in each group it is given for
        divisive = [s for s in a.divisive if all(g.counts[s].votes >= figures.minimum for g in a.groups)]
        if divisive:
            lines.append((Strong(_("Where the groups differ most:")),))
            for s in divisive:
                shares = ", ".join(f"{group_name(i)} {percent(g.counts[s].agree / max(1, g.counts[s].votes))}"
                                   for i, g in enumerate(a.groups))
                lines.append(("⚖️ ", quoted(texts[s]), " ", _("agree: {shares}", shares=shares)))
        for i, g in enumerate(a.groups):
            head: tuple[Inline, ...] = (Strong(_("Group {name}", name=group_name(i))), " ",
                                        ngettext("({n} resident)", "({n} residents)", len(g.members)), ": ")
            shown = [d for d in g.distinct if g.counts[d.statement].votes >= figures.minimum]
            if not shown:
                lines.append((*head, _("no statement sets it clearly apart.")))
                continue
            d = shown[0]
            said = dict(statement=quoted(texts[d.statement]), share=percent(d.plain), others=percent(d.plain_others))
            if d.agree:
                lines.append((*head, _("agrees more than others with {statement} ({share} against {others})",
                                       **said)))
            else:
                lines.append((*head, _("disagrees more than others with {statement} ({share} against {others})",
                                       **said)))
        return lines

    def chart(self, c: Consultation, q: StatementsQuestion, figures: StatementFigures, title: Inline) -> Chart | None:
        """The opinion groups as a scatter: a dot per resident placed, coloured by group; none when groups are
        withheld."""
        a = figures.analysis
        if not a.groups:
            return None
        names = tuple(f"{group_name(i)} ({len(g.members)})" for i, g in enumerate(a.groups))  # no words to translate
        points = tuple((x, y, g) for (x, y), g in zip(a.points, a.labels, strict=True) if g >= 0)
        sizes = [ngettext("group {name}, {n} resident", "group {name}, {n} residents", len(g.members),
                          name=group_name(i)) for i, g in enumerate(a.groups)]
        alt = ngettext("Opinion groups: each dot is one of {n} residents, placed by their reactions (closer dots "
                       "reacted more alike): {groups}.", "Opinion groups: each dot is one of {n} residents, placed "
                       "by their reactions (closer dots reacted more alike): {groups}.", len(points),
                       groups=Span(*join(sizes, "; ")))
        return Chart(_("Opinion groups: {prompt}", prompt=title), names, (), "", alt, points=points)

    def personal_lines(
        self, c: Consultation, q: StatementsQuestion, answer: Reacted, figures: StatementFigures | None
    ) -> list[Line]:
        """Which opinion group the resident's reactions are closest to, and where they differ from most of it."""
        lines: list[Line] = [(_("You:"), " ", *self.describe(c, q, answer)[0])]
        if figures is None or answer.resident is None or answer.resident not in figures.residents:
            return lines
        a = figures.analysis
        row = figures.residents.index(answer.resident)
        if row not in a.counted or not a.groups or a.labels[a.counted.index(row)] < 0:
            return lines
        g = a.labels[a.counted.index(row)]
        group = a.groups[g]
        lines.append((_("Your reactions are closest to group {name}", name=group_name(g)), " ",
                      ngettext("({n} resident).", "({n} residents).", len(group.members))))
        differ: list[tuple[float, int, int]] = []
        for s, mine in enumerate(figures.matrix[row]):
            k = group.counts[s]
            if mine not in (AGREE, DISAGREE) or k.votes < max(1, figures.minimum):
                continue
            most = k.agree / k.votes if mine == DISAGREE else k.disagree / k.votes
            if most > 0.5:
                differ.append((-most, s, int(mine)))
        for most, s, mine in sorted(differ)[:3]:
            text = quoted(figures.statements[s].text)
            share = percent(-most)
            if mine == DISAGREE:
                lines.append(("  ", _("You disagree with {statement}; {share} of group {name} agree.",
                                      statement=text, share=share, name=group_name(g))))
            else:
                lines.append(("  ", _("You agree with {statement}; {share} of group {name} disagree.",
                                      statement=text, share=share, name=group_name(g))))
        if not differ:
            lines.append(("  ", _("You react as most of that group does.")))
        return lines

    def columns(self, c: Consultation, q: StatementsQuestion) -> list[Cell]:
        return [Cell(q.key, INT, 12)]

    def cell(self, c: Consultation, q: StatementsQuestion, answer: Reacted) -> Any:
        return answer.reactions

    def summary(
        self, c: Consultation, q: StatementsQuestion, rounds: Sequence[RoundOutcome[StatementFigures]]
    ) -> ReportTable:
        columns = [Column(_("Statement"), TEXT, 50), Column(_("Who"), TEXT, 16), Column(_("Residents"), INT, 10),
                   Column(_("Agree"), INT, 8), Column(_("Disagree"), INT, 9), Column(_("Pass"), INT, 8),
                   Column(_("Agree share"), PERCENT, 10), Column(_("Common ground"), TEXT, 10),
                   Column(_("Divisive"), TEXT, 9)]
        return by_round(columns, rounds, self._rows)

    def _rows(self, f: StatementFigures, respondents: int) -> list[list[Any]]:
        a = f.analysis
        rows: list[list[Any]] = []
        yes, no = _("yes"), ""
        for s, st in enumerate(f.statements):
            whole = a.overall[s]
            who: list[tuple[Inline, opinion.Counts, int]] = [(_("everyone"), whole, whole.votes)]
            who += [(_("group {name}", name=group_name(i)), g.counts[s], len(g.members))
                    for i, g in enumerate(a.groups)]
            for label, k, _n in who:
                if k.votes < f.minimum:
                    rows.append([st.text, label, k.votes, None, None, None, None, "", ""])
                    continue
                rows.append([st.text, label, k.votes, k.agree, k.disagree, k.passed, k.agree / k.votes,
                             yes if s in a.common else no, yes if s in a.divisive else no])
        return rows


STATEMENTS = register(Statements())
