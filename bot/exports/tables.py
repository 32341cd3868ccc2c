"""The tables every format shares (rounds, one per question, about, responses) in the export's language, small-cell
suppression applied. A question's figures are its type's own summary table and its Responses columns its type's
own cells: nothing here knows one type of question from another."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from bot.charts import unit_name
from bot.exports.cells import Cell, safe, safe_text
from bot.exports.data import ExportData, RoundPart
from bot.exports.pseudonym import Pseudonyms
from bot.services.rounds import STATUS as ROUND_STATUS
from dialogues.questions import Outcome, RoundOutcome, of
from dialogues.questions.base import Cell as QuestionCell
from dialogues.report import (
    DATETIME,
    DECIMAL,
    INT,
    LONG,
    NOT_SHOWN,
    PENCE,
    PENCE1,
    PERCENT,
    TEXT,
    ReportTable,
)
from dialogues.report import Column as ReportColumn
from dialogues.schema import Question
from dialogues.screens import Chart
from dialogues.text import Inline, Msg, Span, _, ngettext
from storage.repositories.reports import Response

__all__ = [
    "DATETIME",
    "DECIMAL",
    "INT",
    "LONG",
    "NOT_SHOWN",
    "PENCE",
    "PENCE1",
    "PERCENT",
    "TEXT",
    "ChartData",
    "Column",
    "LocalTime",
    "ResponseRows",
    "Table",
    "about_table",
    "chart_table",
    "columns_table",
    "lead_question",
    "movement_note",
    "own_tables",
    "panel",
    "question_charts",
    "question_table",
    "question_tables",
    "question_title",
    "residents_line",
    "response_columns",
    "role_phrase",
    "rounds_table",
    "suppressed_note",
    "who_counts",
    "why_key",
]


@dataclass(frozen=True)
class Column:
    """A column as a file has it: its header in the export's language, how its values read (a report kind)."""

    header: str
    kind: str = TEXT
    width: float = 14


@dataclass
class Table:
    """A table in the export's language. Its values are cells as they read (text, numbers, times), not yet made
    safe for a spreadsheet: the XLSX and CSV writers make every value safe as they write it, the report escapes it."""

    name: str  # file name stem (CSV) and sheet name (XLSX, at most 31 characters)
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class ChartData:
    """A question type's chart in the export's language: a value per label for each series."""

    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]
    unit: str
    axis: str = ""  # what the values are in, in words ("pence")
    alt: str = ""  # what the chart shows, in words, for whoever cannot see it ("" if its type gives none)


def rendered(d: ExportData, table: ReportTable, name: str, title: Inline, note: Inline | None = None) -> Table:
    """A domain table in the export's language: headers, titles and every message in it rendered once each."""
    tx = d.texts
    return Table(
        name,
        tx(title),
        [Column(tx(c.header), c.kind, c.width) for c in table.columns],
        [[tx.value(v) for v in row] for row in table.rows],
        tx(note) if note is not None else "",
    )


def suppressed_note(d: ExportData) -> Msg:
    return ngettext(
        "Figures based on fewer than {n} resident are not shown.",
        "Figures based on fewer than {n} residents are not shown.",
        d.min_respondents,
    )


ROLES = {  # who made an export, as the About sheet names them: a role, never a person
    "officer": _("an officer"),
    "facilitator": _("a facilitator"),
    "admin": _("an admin"),
    "operator (command line)": _("an operator (command line)"),
}


def role_phrase(role: str) -> Inline:
    return ROLES.get(role, role)


def question_title(number: int, q: Question) -> Msg:
    return _("Question {number} ({label}): {prompt}", number=number, label=of(q).label, prompt=q.prompt)


def lead_question(d: ExportData) -> tuple[int, Question] | None:
    """The question whose chart heads the results (the Council Pound), with its number in the file; None if no
    question's type draws one. Every round is tallied under the latest version, so every round has the same lead."""
    lead = d.rounds[0].results.lead if d.rounds else None
    if lead is None:
        return None
    key = lead.question.key
    return next((i, q) for i, q in enumerate(d.spec.questions, 1) if q.key == key)


def _outcome(p: RoundPart, q: Question) -> Outcome[Any]:
    found = p.results.result(q.key)
    return found.outcome if found is not None else Outcome(0, None)


def rounds_table(d: ExportData) -> Table:
    """Participation by round: residents who started and who sent their answers (a resident is one response in
    each round they took part in)."""
    lead = lead_question(d)
    headers: Sequence[Inline] = [
        _("Round"),
        _("Title"),
        _("Status"),
        _("Opened"),
        _("Closed"),
        _("Residents who started"),
        _("Residents who sent their answers"),
        _("Sent (% of started)"),
    ]
    kinds = [(INT, 8), (TEXT, 28), (TEXT, 10), (DATETIME, 17), (DATETIME, 17), (INT, 12), (INT, 12), (PERCENT, 12)]
    cols = [ReportColumn(h, kind, width) for h, (kind, width) in zip(headers, kinds, strict=True)]
    if lead is not None:
        number, q = lead
        header = _("Residents who answered question {number} ({label})", number=number, label=of(q).label)
        cols.append(ReportColumn(header, INT, 12))
    t = ReportTable("rounds", _("Participation by round"), cols)
    for p in d.rounds:
        r = p.results
        values: list[Any] = [
            p.number,
            r.round.title,
            ROUND_STATUS.get(r.round.status, r.round.status),
            d.local(p.dates.opened_at) if p.dates else None,
            d.local(p.dates.closed_at) if p.dates else None,
            r.started,
            r.finished,
            r.finished / r.started if r.started else None,
        ]
        if lead is not None:
            values.append(_outcome(p, lead[1]).respondents)
        t.add(*values)
    return rendered(d, t, t.name, t.title, Span(suppressed_note(d), " ", who_counts(d)))


def sheet_name(i: int, q: Question) -> str:
    return f"Q{i} {q.key}"[:31]


def question_table(d: ExportData, i: int, q: Question) -> Table:
    """The question's figures by round, as its type states them."""
    rounds = [RoundOutcome(p.number, p.results.round.title, _outcome(p, q)) for p in d.rounds]
    t = of(q).summary(d.spec, q, rounds)
    note: Inline = Span(suppressed_note(d), " ", t.note) if t.note is not None else suppressed_note(d)
    return rendered(d, t, sheet_name(i, q), question_title(i, q), note)


def question_tables(d: ExportData) -> list[Table]:
    return [question_table(d, i, q) for i, q in enumerate(d.spec.questions, 1)]


def own_tables(d: ExportData) -> list[Table]:
    """The tables of rows question types keep of their own (residents' statements), after the questions'."""
    return [rendered(d, t, t.name, t.title, t.note) for t in d.extra]


def chart_data(d: ExportData, chart: Chart | None) -> ChartData | None:
    if chart is None or chart.points:  # a scatter (opinion groups) is drawn in the chat only, for now
        return None
    tx = d.texts
    return ChartData(
        tx(chart.title),
        [tx(label) for label in chart.labels],
        [(tx(name), [float(v) for v in values]) for name, values in chart.series],
        chart.unit,
        tx(chart.axis if chart.axis is not None else unit_name(chart.unit)),
        tx(chart.alt) if chart.alt is not None else "",
    )


def panel(d: ExportData, q: Question) -> dict[int, Outcome[Any]] | None:
    """The question's figures by round from only the residents who answered it in every round with figures shown,
    if there is such a panel and it is big enough to show (see data.with_panel); None otherwise."""
    lead = lead_question(d)
    if lead is None or lead[1].key != q.key or not d.panel:
        return None
    return d.panel if all(o.figures is not None for o in d.panel.values()) else None


def question_charts(d: ExportData, q: Question) -> tuple[ChartData | None, ChartData | None]:
    """The charts the question's type draws: of the latest round with figures to show, and of how views moved
    across rounds (when two or more have figures). None where the type draws none or nothing can be shown.

    How views moved compares the same residents in every round (those who answered in each) when enough did; each
    round is named with how many residents its figures count."""
    t = of(q)
    shown = [(p, f) for p in d.rounds if (f := _outcome(p, q).figures) is not None]
    if not shown:
        return None, None
    last, figures = shown[-1]
    title = ngettext(
        "Round {number} ({title}), {n} resident",
        "Round {number} ({title}), {n} residents",
        _outcome(last, q).respondents,
        number=last.number,
        title=last.results.round.title,
    )
    latest = t.chart(d.spec, q, figures, title)
    moved = None
    if len(shown) > 1:
        same = panel(d, q)
        rounds: list[tuple[Inline, Any]] = []
        for p, f in shown:
            o = same[p.number] if same is not None else _outcome(p, q)
            rounds.append((_("{title} (n={n})", title=p.results.round.title, n=o.respondents), o.figures or f))
        moved = t.movement(d.spec, q, rounds)
    return chart_data(d, latest), chart_data(d, moved)


def movement_note(d: ExportData, q: Question) -> Msg:
    """Who the chart of how views moved compares."""
    same = panel(d, q)
    if same is not None:
        n = next(iter(same.values())).respondents
        return ngettext(
            "Each round counts the same {n} resident: the one who answered this question in every round shown.",
            "Each round counts the same {n} residents: those who answered this question in every round shown.",
            n,
        )
    return _(
        "Each round counts the residents who answered this question in it, and they are not all the same people "
        "(too few answered in every round to compare the same residents): n is how many each round counts."
    )


def who_counts(d: ExportData) -> Msg:
    """Who the figures count, said beside them in every format."""
    return _(
        "Who is counted: every answer a resident saved by the close counts, whether or not they pressed 'send my "
        "answers'. Started is residents who opened the round, sent those who pressed send. Each question's figures "
        "count the residents who answered that question, and its shares are out of them."
    )


def residents_line(d: ExportData) -> Span:
    """How many residents and responses an export covers: a resident in two rounds is one resident and two
    responses."""
    return Span(
        ngettext("{n} resident took part", "{n} residents took part", d.residents),
        " ",
        ngettext(
            "({n} response: one per resident per round).",
            "({n} responses: one per resident per round).",
            d.responses,
        ),
    )


UNIT_KINDS = {"p": PENCE1, "%": PERCENT}


def chart_table(chart: ChartData) -> Table:
    """A chart's figures as a table headed by its title, one row per label: what a spreadsheet's chart draws."""
    whole = all(float(v).is_integer() for _n, values in chart.series for v in values)  # counts: votes, residents
    kind = UNIT_KINDS.get(chart.unit, INT if whole else DECIMAL)
    t = Table("", chart.title, [Column(chart.title, TEXT, 26), *(Column(name, kind, 12) for name, _v in chart.series)])
    for i, label in enumerate(chart.labels):
        t.rows.append([label, *(round(values[i], 2) for _n, values in chart.series)])
    return t


def about_table(d: ExportData) -> Table:
    s = d.spec
    t = ReportTable("about", _("About this export"), [ReportColumn(_("About"), TEXT, 34), ReportColumn("", LONG, 100)])
    t.add(_("Consultation"), s.title)
    t.add(_("Code"), s.code)
    t.add(_("Organiser"), s.organiser)
    t.add(_("Purpose"), s.purpose)
    t.add(_("Questions as in version"), _("{version} (the latest loaded)", version=d.latest_version))
    t.add(_("Versions residents answered"), ", ".join(str(v) for v in d.versions_used) or _("none yet"))
    for v in d.versions:
        t.add(_("Version {version} loaded", version=v.version), d.local(v.loaded_at))
    for p in d.rounds:
        r, dates = p.results.round, p.dates
        opened = d.local(dates.opened_at) if dates else None
        closed = d.local(dates.closed_at) if dates else None
        parts: list[Inline] = [_("{title}: {status}", title=r.title, status=ROUND_STATUS.get(r.status, r.status))]
        if opened:
            parts.append(_("; opened {when}", when=f"{opened:%Y-%m-%d %H:%M}"))
        if closed:
            parts.append(_("; closed {when}", when=f"{closed:%Y-%m-%d %H:%M}"))
        started, finished = p.results.started, p.results.finished
        parts.append(_("; {started} started, {finished} sent their answers", started=started, finished=finished))
        t.add(_("Round {number}", number=p.number), Span(*parts))
    t.add(_("Rounds in this export"), d.rounds_label)
    t.add(
        _("Residents in this export"),
        _("{count} (each counted once, however many of the exported rounds they took part in)", count=d.residents),
    )
    t.add(
        _("Responses in this export"),
        _("{count} (one per resident per round: a row each in the Responses table)", count=d.responses),
    )
    t.add(_("Exported at"), _("{when} ({zone})", when=f"{d.exported_at:%Y-%m-%d %H:%M}", zone=d.tz.key))
    t.add(_("Exported by"), role_phrase(d.role))
    t.add(
        _("Small numbers"),
        Span(
            suppressed_note(d),
            " ",
            _(
                "This applies to every table and chart of figures. The Responses table holds one row per resident "
                "and round under a pseudonym: it is personal data, to be kept and shared as such."
            ),
        ),
    )
    t.add(
        _("Pseudonyms"),
        _(
            "Residents appear only under a pseudonym (R- and 12 characters): a keyed HMAC of their Telegram account, "
            "the same in every round of this consultation and different in any other. Telegram ids, usernames and "
            "names are never exported. Residents who erased their data are absent."
        ),
    )
    counts: list[Inline] = [
        _(
            "Every answer a resident saved by the close counts, whether or not they pressed 'send my answers'; a "
            "resident's latest answer in each round is used. Each question's figures count the residents who "
            "answered that question (its 'Residents who answered'), and its shares are out of them, so questions "
            "can count different numbers of residents. Figures use the questions of the latest version: an answer "
            "that does not fit the latest version's question is not counted."
        )
    ]
    if s.services:
        counts += [
            " ",
            _("A service that an older version lacked counts as 0p for residents who answered that version."),
        ]
    t.add(_("What counts"), Span(*counts))
    t.add(
        _("Comments"),
        _("The Responses table shows comments awaiting or given approval; rejected ones are withheld."),
    )
    t.add(
        _("Cells"),
        _("A text cell that would begin with = + - @ is prefixed with ' so it can never run as a formula."),
    )
    t.add(_("Privacy notice shown to residents"), s.privacy.notice)
    if s.privacy.retention:
        t.add(_("Retention"), s.privacy.retention)
    if s.privacy.contact:
        t.add(_("Contact"), s.privacy.contact)
    for i, q in enumerate(s.questions, 1):
        t.add(_("Question {number}: {key} ({label})", number=i, key=q.key, label=of(q).label), q.prompt)
    return rendered(d, t, t.name, t.title)


# ---- the Responses table ------------------------------------------------------------------------------------------

FIXED_COLUMNS: list[QuestionCell] = [
    QuestionCell(_("Pseudonym"), TEXT, 17, "pseudonym", _("the resident under a pseudonym (see About)")),
    QuestionCell(_("Round"), INT, 7, "round", _("the round's number")),
    QuestionCell(_("Version"), INT, 8, "version", _("the version of the consultation file the resident answered")),
    QuestionCell(_("Started"), DATETIME, 17, "started", _("when the resident began the round")),
    QuestionCell(_("Last changed"), DATETIME, 17, "last_changed", _("when the resident last changed an answer")),
    QuestionCell(_("Sent"), DATETIME, 17, "sent", _("when the resident pressed send; empty if they never did")),
    QuestionCell(_("Language"), TEXT, 9, "language", _("the language(s) the resident answered in (cy, en)")),
]
KINDS: dict[str, Msg] = {  # how a column's values read, for the list of columns
    TEXT: _("text"),
    LONG: _("text"),
    INT: _("whole number"),
    PENCE: _("pence"),
    PENCE1: _("pence"),
    PERCENT: _("share of 1 (shown as a percentage)"),
    DECIMAL: _("number"),
    DATETIME: _("date and time in the council's time zone"),
}
COMMENT_STATUS = {"pending": _("awaiting approval"), "approved": _("approved"), "rejected": _("rejected")}
WITHHELD = _("(withheld: a moderator rejected this comment)")


def why_key(q: Question) -> str | None:
    """Where a question's "why?" comment is stored, if it asks for one."""
    return f"{q.key}.why" if q.comment is not None else None


def response_cells(d: ExportData) -> list[tuple[int | None, QuestionCell]]:
    """Who and when, then for each question its type's columns and, if it asks "why?", the comment and its status;
    each with the number of its question (None for who and when)."""
    out: list[tuple[int | None, QuestionCell]] = [(None, c) for c in FIXED_COLUMNS]
    for i, q in enumerate(d.spec.questions, 1):
        out += [(i, c if c.code else replace(c, code=q.key)) for c in of(q).columns(d.spec, q)]
        if why_key(q) is not None:
            out += [
                (i, QuestionCell(_("Why (comment): {question}", question=q.prompt), LONG, 50, f"{q.key}.why",
                                 _("the resident's reason, in their words; withheld if a moderator rejected it"))),
                (i, QuestionCell(_("Comment status: {question}", question=q.prompt), TEXT, 11, f"{q.key}.why_status",
                                 _("awaiting approval, approved or rejected"))),
            ]
    return out


def response_columns(d: ExportData) -> list[Column]:
    """The Responses table's columns in the export's language."""
    tx = d.texts
    return [Column(tx(c.header), c.kind, c.width) for _number, c in response_cells(d)]


def columns_table(d: ExportData) -> Table:
    """The list of the Responses table's columns: each header, its stable code, its question, what kind of value
    it holds and what its values mean (every option with its code), so an officer can read any column."""
    t = ReportTable("columns", _("The Responses table's columns"), [
        ReportColumn(_("Column"), TEXT, 8), ReportColumn(_("Header"), LONG, 40), ReportColumn(_("Code"), TEXT, 24),
        ReportColumn(_("Question"), INT, 9), ReportColumn(_("Kind"), TEXT, 18), ReportColumn(_("Values"), LONG, 60),
    ])
    for i, (number, c) in enumerate(response_cells(d)):
        t.add(_letters(i), c.header, c.code, number, KINDS.get(c.kind, c.kind), c.values)
    return rendered(d, t, t.name, t.title)


def _letters(index: int) -> str:
    """A spreadsheet's column name: A, B, ..., Z, AA, AB, ..."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


_PLAIN = frozenset({int, float, datetime, type(None)})  # cells a question type gives that need no making safe
_SCALARS = frozenset({str, int, float, bool})
MEMO = 10_000  # distinct answers to a question whose cells are kept: a ranking of 8 has 40,320 orders, so a bound
# (answer key, question, its type's decode and cells, the cells of no answer, its comment's key, the cells of answers
# met before when the type's answers often repeat)
Reader = tuple[
    str, Question, Callable[..., Any], Callable[..., list[Any]], list[None], str | None, dict[Any, list[Cell]] | None
]


def _memo_key(raw: Any) -> Any:
    """A stored answer as a dictionary key that tells 1 from True and a list from a string; None if it has none."""
    cls = raw.__class__
    if cls in _SCALARS:
        return (cls, raw)
    if cls is list and all(v.__class__ in _SCALARS for v in raw):
        return (list, tuple(raw))
    return None


class ResponseRows:
    """Turns stored responses into Responses-table rows: pseudonym first, never a Telegram id.

    It runs once per resident per round (100,000 times for a big export), so the per-question work is settled here
    once: which answers to read, in which order, each question's type and its decoding, and every text the rows
    repeat (the withheld comment, the comment statuses), rendered in the export's language."""

    def __init__(self, d: ExportData, pseudonyms: Pseudonyms, stored: bool = False):
        """With `stored`, the answers to the questions in `stored_keys` come as the database keeps them, undecoded
        (Reports.responses(raw=...)): each distinct one is decoded once, when its cells are first made."""
        self.d = d
        self.pseudonyms = pseudonyms
        self.stored = stored
        spec = d.spec
        self.versions = {v.id: v.version for v in d.versions}
        self._local = LocalTime(d.tz)
        self._spec = spec
        self._questions: list[Reader] = []
        for q in spec.questions:
            t = of(q)
            blank: list[None] = [None] * len(t.columns(spec, q))
            # Ratings, choices and rankings repeat: their cells are made once per distinct answer, not per row.
            memo: dict[Any, list[Cell]] | None = {} if t.repeats else None
            self._questions.append((q.key, q, t.decode, t.cells, blank, why_key(q), memo))
        # The answers that repeat, which may be read undecoded.
        self.stored_keys = frozenset(key for key, *_rest, memo in self._questions if memo is not None)
        tx = d.texts
        self._withheld = safe_text(tx(WITHHELD))
        self._status = {state: safe_text(tx(m)) for state, m in COMMENT_STATUS.items()}

    def columns(self) -> list[Column]:
        return response_columns(self.d)

    def _cells(self, values: list[Any]) -> list[Cell]:
        plain, cell = _PLAIN, self._cell
        if plain.issuperset(map(type, values)):  # all plain (a pound's pence): checked in one C pass
            return cast(list[Cell], values)
        return cast(list[Cell], [v if v.__class__ in plain else cell(v) for v in values])  # plain ones are Cells

    def _cell(self, value: Any) -> Cell:
        """A value a question type gave that is not a plain number or time: text made safe, a message rendered."""
        if value.__class__ is str:
            return safe_text(value)
        if isinstance(value, bool):
            return safe(value)
        return safe(self.d.texts.value(value))

    def row(self, r: Response, round_number: int) -> list[Cell]:
        """One row; every value as safe() makes it (the pseudonym, numbers and times need no making safe)."""
        local = self._local
        out: list[Cell] = [
            self.pseudonyms(self.d.code, r.telegram_id),
            round_number,
            self.versions.get(r.version_id),
            local(r.started_at),
            local(r.updated_at),
            local(r.finished_at) if r.finished_at is not None else None,
            safe_text(r.language) if r.language else None,
        ]
        answers = r.answers
        spec, stored = self._spec, self.stored
        for key, q, decode, cells, blank, why, memo in self._questions:
            raw = answers.get(key)
            if raw is None:
                out += blank
            elif memo is None:
                out += self._cells(cells(spec, q, decode(spec, q, raw)))
            else:
                # Stored JSON text is its own key (texts never equal the tuples _memo_key makes).
                known = raw if stored and raw.__class__ is str else _memo_key(raw)
                made = memo.get(known) if known is not None else None
                if made is None:
                    value = json.loads(raw) if stored and raw.__class__ is str else raw
                    if value is None:
                        made = cast(list[Cell], blank)
                    else:
                        made = self._cells(cells(spec, q, decode(spec, q, value)))
                    if known is not None and len(memo) < MEMO:
                        memo[known] = made
                out += made
            if why is not None:
                text = answers.get(why)
                if text is None:
                    out += (None, None)
                else:
                    review = r.reviews.get(why)
                    out.append(self._withheld if review == "rejected" else safe(text))
                    out.append(None if review is None else self._status.get(review) or safe(review))
        return out


class LocalTime:
    """Naive UTC times (as responses carry them) as naive local times, as ExportData.local gives them.

    The offset from UTC is looked up once per hour of UTC and then added: three times as quick as converting
    each time through the zone. An hour in which the offset changes is converted value by value."""

    HOUR = timedelta(hours=1)
    TICK = timedelta(microseconds=1)

    def __init__(self, tz: ZoneInfo):
        self.tz = tz
        self.offsets: dict[int, timedelta | None] = {}  # hours since year 1 -> offset, None if it changes

    def __call__(self, utc: datetime) -> datetime:
        hour = utc.toordinal() * 24 + utc.hour
        try:
            offset = self.offsets[hour]
        except KeyError:
            offset = self.offsets[hour] = self._offset(utc.replace(minute=0, second=0, microsecond=0))
        if offset is None:
            return self._convert(utc)
        return utc + offset

    def _offset(self, start: datetime) -> timedelta | None:
        first = self._convert(start) - start
        last = self._convert(start + self.HOUR - self.TICK) - (start + self.HOUR - self.TICK)
        return first if first == last else None

    def _convert(self, utc: datetime) -> datetime:
        return utc.replace(tzinfo=UTC).astimezone(self.tz).replace(tzinfo=None)
