"""A participatory-budgeting ballot: residents choose projects within a budget (ticks within the budget, free ticks,
or points shared on the Council Pound's board); after close, Equal Shares with completion beside the greedy rule."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from dialogues import allocation as board
from dialogues.ballot import Ballot, BallotFigures, figures, funded_titles, greedy_why, money, why
from dialogues.budgeting import Case
from dialogues.pabulib import PbElection, Vote
from dialogues.questions.base import (
    NOT_HERE,
    Answered,
    Cell,
    Changed,
    Json,
    Line,
    QuestionType,
    Refused,
    Result,
    RoundOutcome,
    Tally,
    by_round,
    parse_int,
    register,
)
from dialogues.report import INT, PERCENT, TEXT, Column, ReportTable
from dialogues.schema import KEY_PATTERN, Consultation, Invalid, Limit, QuestionBase, Service, Strict, Text, slug
from dialogues.screens import Action, Button, Chart, Screen
from dialogues.text import Block, Em, Inline, Lines, Localised, Msg, Para, Span, Strong, _, ngettext

Kind = Literal["within_budget", "approval", "points"]
Votes = dict[str, int]  # project key -> points; 1 for a tick. A draft and a decoded answer alike.


class BallotProject(Strict):
    key: str = Field(default="", pattern=r"^$|" + KEY_PATTERN)
    title: Annotated[Text, Limit(1, 60)]
    cost: int = Field(gt=0, le=10**12, description="whole units of the currency")
    description: Annotated[Text, Limit(0, 300)] = Localised("")
    ward: Annotated[Text, Limit(0, 60)] = Localised("")

    @model_validator(mode="after")
    def _key(self) -> BallotProject:
        if not self.key:
            object.__setattr__(self, "key", slug(self.title))
        return self


class BallotQuestion(QuestionBase):
    type: Literal["ballot"]
    kind: Kind = "within_budget"
    currency: str = Field(default="GBP", pattern=r"^[A-Z]{3}$", description="ISO 4217 code: GBP, EUR, USD")
    points: int = Field(default=10, ge=2, le=100, description="points to share, for kind: points")
    country: str = Field(default="United Kingdom", min_length=2, max_length=60, description="for the .pb file")
    projects: list[BallotProject] = Field(min_length=2, max_length=30)
    budget: int = Field(gt=0, le=10**12, description="whole units of the currency")

    @field_validator("projects")
    @classmethod
    def _projects(cls, v: list[BallotProject]) -> list[BallotProject]:
        seen: set[str] = set()
        titles: set[str] = set()
        for p in v:
            if p.key in seen:
                raise Invalid(_("two projects have the key {key}: give one of them a key: of its own", key=p.key))
            if p.title.lower() in titles:
                raise Invalid(_("two projects are called “{title}”: each needs a title of its own", title=p.title))
            seen.add(p.key)
            titles.add(p.title.lower())
        return v

    @field_validator("budget")
    @classmethod
    def _budget(cls, v: int, info: ValidationInfo) -> int:
        # `projects` comes first, so it is here when it was valid; the problem is the budget's, and its line.
        projects = info.data.get("projects")
        if projects and v < min(p.cost for p in projects):
            cheapest = min(projects, key=lambda p: p.cost)
            currency = info.data.get("currency", "GBP")
            raise Invalid(_(
                "the budget ({budget}) is smaller than every project: the cheapest, “{title}”, costs {cost}",
                budget=money(v, currency), title=cheapest.title, cost=money(cheapest.cost, currency)))
        return v


def _titles(q: BallotQuestion) -> dict[str, str]:
    return {p.key: p.title for p in q.projects}


def _spent(q: BallotQuestion, votes: Votes) -> int:
    return sum(p.cost for p in q.projects if votes.get(p.key, 0) > 0)


def _shared(votes: Votes) -> int:
    return sum(votes.values())


def _stand_ins(q: BallotQuestion) -> list[Service]:
    """The projects as the Council Pound board's services (name, key, 0 to all the points), so the board's steps
    and its reading of typed names ("Skate park 3", close matches offered) work on points as they do on pence."""
    return [Service.model_construct(key=p.key, name=p.title, today=0, description="", min=0, max=q.points)
            for p in q.projects]


def _example(q: BallotQuestion) -> Span:
    """A typed line for the tips: the first project (in the reader's language) and 3 points."""
    return Span(q.projects[0].title, f" {min(3, q.points)}")


def _big_step(q: BallotQuestion) -> int:
    """A second step on the points board when there are many points to share, as the pound's board has 5p; only
    while five buttons a project stay within Telegram's 100 buttons a message."""
    return 5 if q.points >= 20 and 5 * len(q.projects) + 2 <= 100 else 0


def _over(q: BallotQuestion, votes: Votes) -> Refused | None:
    """Ticks past the budget, refused with how much to take away."""
    spent = _spent(q, votes)
    if q.kind != "within_budget" or spent <= q.budget:
        return None
    return Refused(_("That comes to {spent}, {over} over the {budget} budget: untick projects worth {over} first.",
                     spent=money(spent, q.currency), over=money(spent - q.budget, q.currency),
                     budget=money(q.budget, q.currency)), alert=True)


class BallotTally(Tally[Votes, BallotFigures]):
    """Equal ballots counted together: an approval ballot of 30 projects has few distinct forms in practice."""

    def __init__(self, q: BallotQuestion):
        super().__init__()
        self.q = q
        self.counted: Counter[Ballot] = Counter()

    def add(self, answer: Votes, times: int = 1) -> None:
        self.counted[tuple(sorted((k, v) for k, v in answer.items() if v > 0))] += times
        self.respondents += times

    def figures(self) -> BallotFigures:
        q = self.q
        return figures(q.budget, {p.key: p.cost for p in q.projects}, self.counted.items(), q.kind == "points",
                       self.respondents)


class BallotType(QuestionType[BallotQuestion, Votes, Votes, BallotFigures]):
    name = "ballot"
    code = "pb"
    schema = BallotQuestion
    verbs = frozenset({"t", "c", "d", "a", "p", "s"})  # tick, clear, done, accept a suggestion, points step, submit
    label = _("participatory budgeting ballot")
    charted = True

    # ---- answers ------------------------------------------------------------------------------------------------
    def decode(self, c: Consultation, q: BallotQuestion, raw: Json) -> Votes | None:
        keys = {p.key for p in q.projects}
        if q.kind == "points":
            if not isinstance(raw, dict) or any(k not in keys for k in raw):
                return None
            if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in raw.values()):
                return None
            return dict(raw) if _shared(raw) == q.points else None
        if not isinstance(raw, list | tuple) or any(k not in keys for k in raw) or len(set(raw)) != len(raw):
            return None
        votes = dict.fromkeys(raw, 1)
        return votes if q.kind != "within_budget" or _spent(q, votes) <= q.budget else None

    def encode(self, c: Consultation, q: BallotQuestion, answer: Votes) -> Json:
        if q.kind == "points":
            return {p.key: answer[p.key] for p in q.projects if answer.get(p.key, 0) > 0}
        return [p.key for p in q.projects if answer.get(p.key, 0) > 0]

    def describe(self, c: Consultation, q: BallotQuestion, answer: Votes) -> list[Line]:
        chosen = [p for p in q.projects if answer.get(p.key, 0) > 0]
        if not chosen:
            return [(_("no projects"),)]
        if q.kind == "points":
            return [("  ", p.title, ": ", ngettext("{n} point", "{n} points", answer[p.key])) for p in chosen]
        lines: list[Line] = [("  ", p.title, ": ", money(p.cost, q.currency)) for p in chosen]
        return [*lines, ("  ", _("Total: {total}", total=money(_spent(q, answer), q.currency)))]

    # ---- the journey --------------------------------------------------------------------------------------------
    def intro(self, c: Consultation, q: BallotQuestion) -> list[Screen]:
        """The projects in full (cost, ward, what it is) before the ballot, whose board has room only for titles."""
        lines = Lines(
            (Strong(p.title), " · ", money(p.cost, q.currency), *((" · ", p.ward) if p.ward else ()),
             *((": ", p.description) if p.description else ()))
            for p in q.projects
        )
        how = {
            "within_budget": _("Next, tick the projects you would fund, up to {budget} in all.",
                               budget=money(q.budget, q.currency)),
            "approval": _("Next, tick every project you would like funded."),
            "points": _("Next, share {points} points across the projects you would fund.", points=q.points),
        }[q.kind]
        head = _("{n} projects share a budget of {budget}:", n=len(q.projects), budget=money(q.budget, q.currency))
        return [Screen([Para(Strong(head)), lines, Para(how)], [[Button(_("Next: vote ›"), Action("go"))]])]

    def start(self, c: Consultation, q: BallotQuestion, previous: Votes | None) -> Votes:
        return dict(previous) if previous is not None else {}

    def draft_to_json(self, draft: Votes) -> Json:
        return {"votes": draft}

    def draft_from_json(self, c: Consultation, q: BallotQuestion, raw: Json) -> Votes:
        votes = raw.get("votes") if isinstance(raw, dict) else None
        keys = {p.key for p in q.projects}
        if not isinstance(votes, dict):
            return {}
        return {k: v for k, v in votes.items() if k in keys and isinstance(v, int) and not isinstance(v, bool)}

    def screen(self, c: Consultation, q: BallotQuestion, head: Sequence[Block], draft: Votes) -> Screen:
        return self._points(q, head, draft) if q.kind == "points" else self._ticks(q, head, draft)

    def _ticks(self, q: BallotQuestion, head: Sequence[Block], draft: Votes) -> Screen:
        spent, cur = _spent(q, draft), q.currency
        if q.kind == "within_budget":
            status: Inline = Strong(_("Ticked: {spent} of {budget}; {left} left.", spent=money(spent, cur),
                                      budget=money(q.budget, cur), left=money(q.budget - spent, cur)))
            tip = _("Tap a project to tick it; you can tick projects up to the budget. Then Done.")
        else:
            ticked = sum(1 for v in draft.values() if v > 0)
            status = Strong(ngettext("Ticked: {n} project, {spent}.", "Ticked: {n} projects, {spent}.", ticked,
                                     spent=money(spent, cur)))
            tip = _("Tap every project you would like funded, then Done.")
        body = [*head, Para(Em(tip)), Para(status),
                Para(Em(_("Tip: you can also type the projects' numbers, like “1, 3”.")))]
        rows = [
            [Button(("✅ " if draft.get(p.key, 0) > 0 else "▫️ ") + f"{i + 1}. {p.title} · {money(p.cost, cur)}",
                    self.action("t", i))]
            for i, p in enumerate(q.projects)
        ]
        rows.append([Button(_("Clear"), self.action("c")), Button(_("Done"), self.action("d"))])
        return Screen(body, rows)

    def _points(self, q: BallotQuestion, head: Sequence[Block], draft: Votes) -> Screen:
        left = q.points - _shared(draft)
        board_lines = Lines((p.title, f" ({money(p.cost, q.currency)}): ",
                             Strong(ngettext("{n} point", "{n} points", draft.get(p.key, 0)))) for p in q.projects)
        status: Inline
        if left > 0:
            status = Strong(ngettext("Left to share: {n} point", "Left to share: {n} points", left))
        elif left < 0:
            status = Strong(ngettext("{n} point over: take some away before you submit.",
                                     "{n} points over: take some away before you submit.", -left))
        else:
            status = Span(Strong(_("All {points} points shared.", points=q.points)), " ", _("Tap Submit to save."))
        body = [*head, Para(Em(_("Share {points} points across the projects you would fund.", points=q.points))),
                board_lines, Lines([(status,), (Em(_("Tip: you can also type “{example}”, one per line.",
                                                     example=_example(q))),)])]
        big = _big_step(q)
        rows = []
        for i, p in enumerate(q.projects):
            row = [Button(f"−{big}", self.action("p", i, -big))] if big else []
            row += [Button("−1", self.action("p", i, -1)),
                    Button(f"{draft.get(p.key, 0)} · {p.title[:14]}", self.action("p", i, 0)),
                    Button("+1", self.action("p", i, 1))]
            row += [Button(f"+{big}", self.action("p", i, big))] if big else []
            rows.append(row)
        submit = (_("✅ Submit") if left == 0 else
                  ngettext("Submit ({n} point left)", "Submit ({n} points left)", left) if left > 0 else
                  ngettext("Submit ({n} point over)", "Submit ({n} points over)", -left))
        rows.append([Button(_("Reset"), self.action("c")), Button(submit, self.action("s"))])
        return Screen(body, rows)

    def press(self, c: Consultation, q: BallotQuestion, draft: Votes, verb: str,
              args: tuple[int, ...]) -> Result[Votes, Votes]:
        n = len(q.projects)
        if verb == "c":
            return Changed({})
        if q.kind == "points":
            if verb == "p" and len(args) == 2 and 0 <= args[0] < n and abs(args[1]) in (0, 1, _big_step(q) or 1):
                return self._step(q, draft, args[0], args[1])
            if verb == "s":
                return self._submit(q, draft)
            if verb == "a" and len(args) == 2 and 0 <= args[0] < n and 0 <= args[1] <= q.points:
                p = q.projects[args[0]]
                return Changed({**draft, p.key: args[1]}, note=_("Set {changes}.", changes=f"{p.title} {args[1]}"))
            return Refused(NOT_HERE)
        if verb == "t" and len(args) == 1 and 0 <= args[0] < n:
            return self._toggle(q, draft, args[0])
        if verb == "a" and len(args) == 1 and 0 <= args[0] < n:
            p = q.projects[args[0]]
            new = {**draft, p.key: 1}
            return _over(q, new) or Changed(new, note=_("Ticked: {options}.", options=p.title))
        if verb == "d":
            return self._done(q, draft)
        return Refused(NOT_HERE)

    def _toggle(self, q: BallotQuestion, draft: Votes, i: int) -> Result[Votes, Votes]:
        p = q.projects[i]
        if draft.get(p.key, 0) > 0:
            return Changed({k: v for k, v in draft.items() if k != p.key})
        new = {**draft, p.key: 1}
        return _over(q, new) or Changed(new)

    def _done(self, q: BallotQuestion, draft: Votes) -> Result[Votes, Votes]:
        votes = {p.key: 1 for p in q.projects if draft.get(p.key, 0) > 0}
        if not votes and q.required:
            return Refused(_("Tick at least one project, then Done."), alert=True)
        return _over(q, votes) or Answered(votes)

    def _step(self, q: BallotQuestion, draft: Votes, i: int, delta: int) -> Result[Votes, Votes]:
        p = q.projects[i]
        if delta == 0:  # the project's own button: what it is, as the pound's services say
            about = p.description[:150] or p.title
            return Refused(_("{project} ({cost}): {about}", project=p.title, cost=money(p.cost, q.currency),
                             about=about), alert=True)
        current = draft.get(p.key, 0)
        if delta > 0 and _shared(draft) >= q.points:
            return Refused(_("All {points} points are shared: take one from another project first.", points=q.points))
        if delta < 0 and current <= 0:
            return Refused(_("{project} has no points to take away.", project=p.title))
        # A big step takes no more than is left to share: the board never passes the total by a button.
        return Changed(board.adjust(_stand_ins(q), draft, i, min(delta, q.points - _shared(draft))))

    def _submit(self, q: BallotQuestion, draft: Votes) -> Result[Votes, Votes]:
        total = _shared(draft)
        if total < q.points:
            return Refused(ngettext("You have {n} point left to share.", "You have {n} points left to share.",
                                    q.points - total), alert=True)
        if total > q.points:
            return Refused(ngettext("That is {n} point more than {points}.", "That is {n} points more than {points}.",
                                    total - q.points, points=q.points), alert=True)
        return Answered({k: v for k, v in draft.items() if v > 0})

    def typed(self, c: Consultation, q: BallotQuestion, draft: Votes, text: str) -> Result[Votes, Votes]:
        return self._typed_points(q, draft, text) if q.kind == "points" else self._typed_ticks(q, text)

    def _find(self, q: BallotQuestion, name: str) -> int | Refused:
        """A project by its number, title, key or a close match (offered as a button)."""
        n = parse_int(name)
        if n is not None:
            if 1 <= n <= len(q.projects):
                return n - 1
            return Refused(_("There is no project {number}: the projects are numbered 1 to {n}.", number=n,
                             n=len(q.projects)))
        try:
            found = board.find_service(_stand_ins(q), name)
        except board.AllocationError as e:
            shown = name.strip()[:40]
            if e.suggestion is not None:
                close = q.projects[e.suggestion[0]]
                return Refused(_("I don't know a project called “{name}”. Did you mean {project}?", name=shown,
                                 project=close.title),
                               offer=(_("Yes: {project}", project=close.title), self.action("a", e.suggestion[0])))
            return Refused(_("I don't know a project called “{name}”. Send the projects' numbers, like “1, 3”.",
                             name=shown))
        return [p.key for p in q.projects].index(found.key)

    def _typed_ticks(self, q: BallotQuestion, text: str) -> Result[Votes, Votes]:
        parts = [p for p in re.split(r"[,;\n]+|\s+and\s+", text) if p.strip()]
        if len(parts) == 1 and all(tok.isdigit() for tok in parts[0].split()):
            parts = parts[0].split()
        if not parts or len(parts) > len(q.projects):
            return Refused(_("Send the projects' numbers, like “1, 3”, or tap them."))
        picks: list[int] = []
        for part in parts:
            found = self._find(q, part)
            if isinstance(found, Refused):
                return found
            if found not in picks:
                picks.append(found)
        votes = {q.projects[i].key: 1 for i in sorted(picks)}
        names = ", ".join(q.projects[i].title for i in sorted(picks))
        return _over(q, votes) or Changed(votes, note=_("Ticked: {options}. Tap Done when you are happy with it.",
                                                        options=names))

    def _typed_points(self, q: BallotQuestion, draft: Votes, text: str) -> Result[Votes, Votes]:
        lines = [ln for ln in re.split(r"[;\n]|,(?=\s*[^\d\s])", text) if ln.strip()]
        if not lines or len(lines) > len(q.projects):
            return Refused(_("Type a project and its points, like “{example}”, one per line.", example=_example(q)))
        entries: Votes = {}
        for ln in lines:
            read = board.parse_entry(ln)
            if read is None or not re.fullmatch(r"-?\d+", read[1]):
                return Refused(_("I couldn't read “{line}”. Type a project and a whole number of points, like "
                                 "“{example}”.", line=ln.strip()[:60], example=_example(q)))
            found = self._find(q, read[0])
            if isinstance(found, Refused):
                return found
            p, amount = q.projects[found], int(read[1][:6])
            if not 0 <= amount <= q.points:
                return Refused(_("{project} can have from 0 to {points} points.", project=p.title, points=q.points))
            entries[p.key] = amount
        names = ", ".join(f"{q.projects[[x.key for x in q.projects].index(k)].title} {v}" for k, v in entries.items())
        return Changed({**draft, **entries}, note=_("Set {changes}.", changes=names))

    # ---- results ------------------------------------------------------------------------------------------------
    def tally(self, c: Consultation, q: BallotQuestion) -> BallotTally:
        return BallotTally(q)

    def chart(self, c: Consultation, q: BallotQuestion, figures: BallotFigures, title: Inline) -> Chart:
        # The budget each rule gives each project, as a share of it: the two outcomes side by side. The post's own
        # title is about the pound; this chart names what it shows.
        es, gr = set(figures.shares.funded), set(figures.greedy.funded)
        share = [round(100 * p.cost / q.budget, 1) for p in q.projects]
        return Chart(
            title=_("Equal Shares beside the greedy rule: the share of the {budget} budget each project gets",
                    budget=money(q.budget, q.currency)),
            labels=tuple(p.title for p in q.projects),
            series=(
                (_("Equal Shares"), tuple(s if p.key in es else 0.0 for s, p in zip(share, q.projects, strict=True))),
                (_("Greedy rule"), tuple(s if p.key in gr else 0.0 for s, p in zip(share, q.projects, strict=True))),
            ),
            unit="%",
            alt=_("Equal Shares funds {shares}; the greedy rule funds {greedy}.",
                  shares=funded_titles(figures.shares.funded, _titles(q)),
                  greedy=funded_titles(figures.greedy.funded, _titles(q))),
        )

    def result_lines(self, c: Consultation, q: BallotQuestion, figures: BallotFigures) -> list[Line]:
        cur, titles, es, gr = q.currency, _titles(q), figures.shares, figures.greedy
        greedy_rule = _("(most points first)") if figures.points is not None else _("(most votes first)")
        lines: list[Line] = [
            (Strong(ngettext("{n} resident voted on a budget of {budget}.", "{n} residents voted on a budget of "
                             "{budget}.", figures.respondents, budget=money(q.budget, cur))),),
            (Strong(_("Equal Shares")), " ", _("(with completion) funds {projects}: {spent}, {left} left.",
                                              projects=funded_titles(es.funded, titles), spent=money(es.spent, cur),
                                              left=money(es.left, cur))),
            (Strong(_("Greedy rule")), " ", greedy_rule, " ",
             _("funds {projects}: {spent}, {left} left.", projects=funded_titles(gr.funded, titles),
               spent=money(gr.spent, cur), left=money(gr.left, cur))),
            *([(Em(_("Equal Shares counts every resident who gave a project a point as one of its supporters; the "
                     "greedy rule counts the points.")),)] if figures.points is not None else []),
            ("",),
            (Strong(_("Why each project won or lost")), " ", _("(Equal Shares; greedy):")),
        ]
        for p in q.projects:
            e = es.explanation(p.key)
            votes = (ngettext("{n} point", "{n} points", figures.points[p.key]) if figures.points is not None else
                     ngettext("{n} vote", "{n} votes", figures.supporters[p.key]))
            mark = "✅" if e.funded else "❌"
            lines.append((f"{mark} ", Strong(p.title), f" ({money(p.cost, cur)}, ", votes, "): ", why(e, cur), " ",
                          Em("(", greedy_why(figures, p.key, cur), ")")))
        return lines

    def personal_lines(self, c: Consultation, q: BallotQuestion, answer: Votes,
                       figures: BallotFigures | None) -> list[Line]:
        if figures is None:
            return [(_("You:"),), *self.describe(c, q, answer)]
        es, gr = set(figures.shares.funded), set(figures.greedy.funded)
        lines: list[Line] = [(Strong(_("Your projects")), " ", _("(funded by Equal Shares; by the greedy rule):"))]
        for p in q.projects:
            if answer.get(p.key, 0) > 0:
                lines.append((f"  {p.title}: ", "✅" if p.key in es else "❌", " ", "✅" if p.key in gr else "❌"))
        return lines

    # ---- exports ------------------------------------------------------------------------------------------------
    def columns(self, c: Consultation, q: BallotQuestion) -> list[Cell]:
        if q.kind == "points":
            return [Cell(_("{project} (points)", project=p.title), INT, 12) for p in q.projects]
        cells = [Cell(_("{project} (ticked)", project=p.title), INT, 12) for p in q.projects]
        return [*cells, Cell(_("{question}: total ({currency})", question=q.key, currency=q.currency), INT, 14)]

    def cells(self, c: Consultation, q: BallotQuestion, answer: Votes | None) -> list[Any]:
        n = len(q.projects) + (q.kind != "points")
        if answer is None:
            return [None] * n
        values: list[Any] = [answer.get(p.key, 0) for p in q.projects]
        return values if q.kind == "points" else [*values, _spent(q, answer)]

    def summary(self, c: Consultation, q: BallotQuestion, rounds: Sequence[RoundOutcome[BallotFigures]]) -> ReportTable:
        cur = q.currency
        columns = [
            Column(_("Project"), TEXT, 30),
            Column(_("Ward"), TEXT, 14),
            Column(_("Cost ({currency})", currency=cur), INT, 12),
            Column(_("Supporters"), INT, 11),
            Column(_("Points"), INT, 9),
            Column(_("Equal Shares (with completion)"), TEXT, 14),
            Column(_("How (Equal Shares)"), TEXT, 22),
            Column(_("Supporters needed at least"), INT, 12),
            Column(_("Supporters' money left ({currency})", currency=cur), INT, 14),
            Column(_("Why (Equal Shares)"), TEXT, 60),
            Column(_("Greedy rule"), TEXT, 12),
            Column(_("Greedy: money left at its turn ({currency})", currency=cur), INT, 14),
            Column(_("Share of the budget"), PERCENT, 10),
            Column(_("Residents who answered"), INT, 12),
        ]

        def rows(f: BallotFigures, n: int) -> list[list[Any]]:
            out = []
            steps = {s.project: s for s in f.greedy.steps}
            for p in q.projects:
                e = f.shares.explanation(p.key)
                step = steps.get(p.key)
                out.append([
                    p.title, p.ward or None, p.cost, f.supporters[p.key],
                    f.points[p.key] if f.points is not None else None,
                    _("funded") if e.funded else _("not funded"), _CASES[e.case],
                    e.needed_supporters, int(e.supporters_money) if not e.funded else None, why(e, cur),
                    _("funded") if p.key in f.greedy.funded else _("not funded"),
                    step.left_before if step is not None else None,
                    p.cost / q.budget, n,
                ])
            for rule, outcome in ((_("Equal Shares (with completion)"), f.shares), (_("Greedy rule"), f.greedy)):
                out.append([_("Total: {rule}", rule=rule), None, outcome.spent, None, None, None, None, None,
                            outcome.left, _("{left} left of {budget}", left=money(outcome.left, cur),
                                             budget=money(q.budget, cur)), None, None, outcome.spent / q.budget, n])
            return out

        return by_round(columns, rounds, rows)

    def pabulib(self, c: Consultation, q: BallotQuestion) -> PbElection:
        ids = {p.key: str(i + 1) for i, p in enumerate(q.projects)}
        meta = {"budget": str(q.budget), "vote_type": "cumulative" if q.kind == "points" else "approval",
                "rule": "unknown", "currency": q.currency,
                "country": q.country}
        if q.kind == "points":
            meta |= {"max_sum_points": str(q.points), "min_sum_points": str(q.points)}
        elif q.kind == "within_budget":
            meta["max_sum_cost"] = str(q.budget)

        def vote(answer: Votes) -> Vote | None:
            chosen = [p for p in q.projects if answer.get(p.key, 0) > 0]
            if q.kind == "points":
                chosen.sort(key=lambda p: -answer[p.key])  # pabulib lists cumulative votes by points, most first
                return tuple(ids[p.key] for p in chosen), tuple(answer[p.key] for p in chosen)
            return tuple(ids[p.key] for p in chosen), ()

        columns = ("project_id", "cost", "name", "district", "description", "public_id")
        projects: list[tuple[Any, ...]] = [(ids[p.key], p.cost, p.title, p.ward, p.description, p.key)
                                           for p in q.projects]
        return PbElection(meta, columns, projects, vote, points=q.kind == "points")

    def preview(self, c: Consultation, q: BallotQuestion, head: Sequence[Block]) -> list[tuple[Inline, Screen]]:
        return [(_("the projects"), self.intro(c, q)[0]),
                (_("the question"), self.screen(c, q, head, self.start(c, q, None)))]


_CASES: dict[Case, Msg] = {
    Case.FUNDED_BY_EQUAL_SHARES: _("funded by Equal Shares"),
    Case.FUNDED_IN_COMPLETION: _("funded only in the completion step"),
    Case.TOO_FEW_SUPPORTERS: _("too few supporters"),
    Case.SHARES_RAN_OUT: _("supporters' shares ran out"),
    Case.WOULD_HAVE_FITTED: _("would have fitted in the unspent money"),
}

BALLOT = register(BallotType())
