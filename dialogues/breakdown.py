"""Who took part and what each group said: residents by ward and by each declared group against the population,
each question's means by group, and weighted beside unweighted means with effective sample sizes and 95%
intervals. Pure: it is given each round's residents (their groups and their answers' measures) and returns report
tables, small-cell and complementary suppression applied to every cell."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from dialogues.groups import Grouping
from dialogues.questions import of
from dialogues.questions.base import groupings as declared
from dialogues.reach import under_represented
from dialogues.report import DECIMAL, INT, NOT_SHOWN, PERCENT, TEXT, Column, ReportTable
from dialogues.schema import Consultation, Question
from dialogues.suppression import hidden
from dialogues.text import Inline, Span, _, ngettext
from dialogues.weighting import Margin, WeightingError, kish, weighted_mean, weights


@dataclass(frozen=True)
class Respondent:
    """One resident in one round: their group in each grouping (None: not said), and for each question they
    answered, its type's measures of their answer."""

    groups: tuple[str | None, ...]
    values: Mapping[str, Sequence[float]]


@dataclass(frozen=True)
class RoundResidents:
    number: int
    title: str
    residents: Sequence[Respondent]


@dataclass
class Breakdown:
    """What an export or report shows of who took part: a table of participation against the population, and for
    each question with measures its means by group and (when the file gives population shares) weighted."""

    groupings: list[Grouping]
    participation: ReportTable
    by_group: list[tuple[Question, ReportTable]] = field(default_factory=list)
    weighted: list[tuple[Question, ReportTable]] = field(default_factory=list)


def margins(gs: Sequence[Grouping]) -> list[tuple[int, Margin]]:
    """The groupings results are weighted to, with their index among all groupings."""
    return [(i, Margin(str(g.key), g.population())) for i, g in enumerate(gs) if g.weighted]


def _cells(g: Grouping, index: int, residents: Sequence[Respondent]) -> list[tuple[str | None, list[Respondent]]]:
    """The residents of each group, then those who did not say, in the file's order."""
    by: dict[str | None, list[Respondent]] = {x.key: [] for x in g.groups}
    by[None] = []
    for r in residents:
        key = r.groups[index]
        by[key if key in by else None].append(r)
    return list(by.items())


def participation(gs: Sequence[Grouping], rounds: Sequence[RoundResidents], minimum: int) -> ReportTable:
    """Residents of each group in each round, their share of the residents, the group's share of the population
    and how far apart they are (the shares of those who said, so that "prefer not to say" moves no group)."""
    t = ReportTable(
        "participation",
        _("Who took part"),
        [
            Column(_("Round"), INT, 8),
            Column(_("Breakdown"), TEXT, 16),
            Column(_("Group"), TEXT, 26),
            Column(_("Residents"), INT, 11),
            Column(_("Share of residents who said"), PERCENT, 14),
            Column(_("Share of the population"), PERCENT, 14),
            Column(_("Difference (points)"), DECIMAL, 12),
            Column(_("Under-represented"), TEXT, 12),
        ],
    )
    for rnd in rounds:
        counts_of = {str(g.key): _counts(g, i, rnd.residents) for i, g in enumerate(gs)}
        short = {(s.grouping.key, s.group.key) for s in under_represented(gs, counts_of)}
        for i, g in enumerate(gs):
            cells = _cells(g, i, rnd.residents)
            counts = [len(rs) for _k, rs in cells]
            hide = hidden(counts, minimum)
            said = sum(n for (k, _rs), n in zip(cells, counts, strict=True) if k is not None)
            population = g.population()
            for (key, _rs), n, h in zip(cells, counts, hide, strict=True):
                share = round(n / said, 6) if said and key is not None else None
                pop = round(population[key], 6) if key is not None and key in population else None
                diff = round(100 * (share - pop), 1) if share is not None and pop is not None else None
                under = _("yes") if (g.key, key) in short else None
                if h:
                    t.add(rnd.number, g.title, g.label(key), NOT_SHOWN, NOT_SHOWN, pop, NOT_SHOWN if pop else None,
                          under)  # fmt: skip
                else:
                    t.add(rnd.number, g.title, g.label(key), n, share, pop, diff, under)
            t.add(rnd.number, g.title, _("All residents"), sum(counts), None, None, None, None)
    t.note = Span(
        _("Shares are of the residents who said which group they belong to. A group of fewer than {n} residents "
          "is not shown, nor is another group whenever its number would let one be worked out. A group is "
          "under-represented when its share is under four-fifths of its share of the population.", n=minimum),
        *sources(gs),
    )
    return t


def sources(gs: Sequence[Grouping]) -> list[Inline]:
    """Where each grouping's population shares come from, as the file says."""
    out: list[Inline] = []
    for g in gs:
        if g.source and g.population():
            out += [" ", _("{breakdown}: {source}", breakdown=g.title, source=g.source)]
    return out


def _counts(g: Grouping, index: int, residents: Sequence[Respondent]) -> dict[str, int]:
    return {str(k): len(rs) for k, rs in _cells(g, index, residents) if k is not None}


def _measured(c: Consultation) -> list[Question]:
    return [q for q in c.questions if of(q).measures(c, q)]


def by_group(
    c: Consultation, q: Question, gs: Sequence[Grouping], rounds: Sequence[RoundResidents], minimum: int
) -> ReportTable:
    """A question's means (each of its type's measures) for all residents who answered and for each group."""
    measures = of(q).measures(c, q)
    t = ReportTable(
        "",
        _("{prompt}: by group", prompt=q.prompt),
        [
            Column(_("Round"), INT, 8),
            Column(_("Breakdown"), TEXT, 16),
            Column(_("Group"), TEXT, 26),
            Column(_("Residents who answered"), INT, 12),
            *(Column(m.label, m.kind, 12) for m in measures),
        ],
    )

    def means(rs: Sequence[Respondent]) -> list[float]:
        rows = [r.values[q.key] for r in rs]
        return [sum(v[j] for v in rows) / len(rows) for j in range(len(measures))]

    for rnd in rounds:
        answered = [r for r in rnd.residents if q.key in r.values]
        if len(answered) < minimum or not answered:  # nobody: nothing to show; a few: withheld
            gap = NOT_SHOWN if answered else None
            t.add(rnd.number, _("All residents"), "", NOT_SHOWN if answered else 0, *([gap] * len(measures)))
            continue
        t.add(rnd.number, _("All residents"), "", len(answered), *_rounded(means(answered)))
        for i, g in enumerate(gs):
            cells = _cells(g, i, answered)
            hide = hidden([len(rs) for _k, rs in cells], minimum)
            for (key, rs), h in zip(cells, hide, strict=True):
                if h:
                    t.add(rnd.number, g.title, g.label(key), NOT_SHOWN, *([NOT_SHOWN] * len(measures)))
                elif not rs:
                    t.add(rnd.number, g.title, g.label(key), 0, *([None] * len(measures)))
                else:
                    t.add(rnd.number, g.title, g.label(key), len(rs), *_rounded(means(rs)))
    t.note = _("Means are of the residents who answered the question, unweighted. A group of fewer than {n} "
               "residents is not shown, nor is another group whenever its figures would let one be worked out.",
               n=minimum)
    return t


def _rounded(values: Sequence[float]) -> list[float]:
    return [round(v, 4) for v in values]


Weights = dict[tuple[int, ...], "list[float] | WeightingError"]  # by the residents weighted (their ids)


def weighted(
    c: Consultation,
    q: Question,
    gs: Sequence[Grouping],
    rounds: Sequence[RoundResidents],
    minimum: int,
    cache: Weights | None = None,
) -> ReportTable | None:
    """A question's means unweighted and weighted to the population side by side, each with its 95% interval,
    and the effective sample size; None when no grouping gives population shares to weight to."""
    ms = margins(gs)
    if not ms:
        return None
    measures = of(q).measures(c, q)
    kind = measures[0].kind
    t = ReportTable(
        "",
        _("{prompt}: weighted and unweighted", prompt=q.prompt),
        [
            Column(_("Round"), INT, 8),
            Column(_("Figure"), TEXT, 26),
            Column(_("Residents who answered"), INT, 12),
            Column(_("Unweighted mean"), kind, 12),
            Column(_("Unweighted 95% from"), kind, 12),
            Column(_("Unweighted 95% to"), kind, 12),
            Column(_("Weighted mean"), kind, 12),
            Column(_("Weighted 95% from"), kind, 12),
            Column(_("Weighted 95% to"), kind, 12),
            Column(_("Effective sample size"), DECIMAL, 12),
        ],
    )
    refusals: list[Inline] = []
    for rnd in rounds:
        answered = [r for r in rnd.residents if q.key in r.values]
        n = len(answered)
        if n < minimum or n == 0:
            for m in measures:
                t.add(rnd.number, m.label, NOT_SHOWN if n else 0, *([NOT_SHOWN if n else None] * 7))
            continue
        # Questions most residents answered share one set of weights: raking is worked out once for them.
        who = (rnd.number, *(id(r) for r in answered))
        found = cache.get(who) if cache is not None else None
        if found is None:
            try:
                found = weights([[r.groups[i] for i, _m in ms] for r in answered], [m for _i, m in ms])
            except WeightingError as e:
                found = e
            if cache is not None:
                cache[who] = found
        w: list[float] | None = None
        if isinstance(found, WeightingError):
            refusals.append(_("Round {number} is not weighted: {reason}.", number=rnd.number, reason=str(found)))
        else:
            w = found
        n_eff = round(kish(w), 1) if w is not None else None
        for j, m in enumerate(measures):
            values = [r.values[q.key][j] for r in answered]
            plain = weighted_mean(values)
            row: list[object] = [rnd.number, m.label, n, *_rounded([plain.mean, plain.low, plain.high])]
            if w is not None:
                est = weighted_mean(values, w)
                row += [*_rounded([est.mean, est.low, est.high]), n_eff]
            else:
                row += [None, None, None, None]
            t.add(*row)
    names = Span(*_joined([g.title for g in gs if g.weighted]))
    note: list[Inline] = [
        _("Weighted to the population shares of: {margins}.", margins=names),
        " ",
        ngettext(
            "One margin: post-stratification.",
            "Several margins: raking (iterative proportional fitting) until every margin matches.",
            len(ms),
        ),
        " ",
        _("Residents who did not say keep their own share in that margin. The 95% intervals use a linearised "
          "standard error; the effective sample size is Kish's (sum of weights squared over the sum of squared "
          "weights)."),
    ]
    note += sources(gs)
    for r in refusals:
        note += [" ", r]
    t.note = Span(*note)
    return t


def _joined(items: Sequence[Inline]) -> list[Inline]:
    out: list[Inline] = []
    for i, x in enumerate(items):
        if i:
            out.append(", ")
        out.append(x)
    return out


def breakdown(c: Consultation, rounds: Sequence[RoundResidents], minimum: int) -> Breakdown | None:
    """Everything an export or the report shows of who took part, or None if the file declares no grouping."""
    gs = declared(c)
    if not gs:
        return None
    out = Breakdown(gs, participation(gs, rounds, minimum))
    cache: Weights = {}
    for q in _measured(c):
        out.by_group.append((q, by_group(c, q, gs, rounds, minimum)))
        w = weighted(c, q, gs, rounds, minimum, cache)
        if w is not None:
            out.weighted.append((q, w))
    return out


def reader(c: Consultation, gs: Sequence[Grouping]) -> Callable[[Mapping[str, object]], Respondent]:
    """Reads residents' stored answers (a round's, and their answers about themselves) as Respondents: the
    questions with measures and each grouping's keys are settled once, not once per resident."""
    keys = [(str(g.key), frozenset(x.key for x in g.groups)) for g in gs]
    measured = [(q.key, q, of(q)) for q in _measured(c)]

    def read(answers: Mapping[str, object]) -> Respondent:
        groups = tuple(raw if isinstance(raw := answers.get(k), str) and raw in known else None for k, known in keys)
        values: dict[str, Sequence[float]] = {}
        for key, q, t in measured:
            raw = answers.get(key)
            answer = t.decode(c, q, raw) if raw is not None else None
            if answer is not None:
                values[key] = t.measure(c, q, answer)
        return Respondent(groups, values)

    return read


def respondent(c: Consultation, gs: Sequence[Grouping], answers: Mapping[str, object]) -> Respondent:
    """One resident's groups and measures from their stored answers."""
    return reader(c, gs)(answers)
