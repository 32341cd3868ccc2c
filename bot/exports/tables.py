"""The tables every format shares (rounds, averages, one per question, about, responses), suppression applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.exports.cells import Cell, safe, safe_text
from bot.exports.data import ExportData, RoundPart
from bot.exports.pseudonym import Pseudonyms
from dialogues.schema import (
    AllocationQuestion,
    Consultation,
    FreeTextQuestion,
    MultipleChoiceQuestion,
    Question,
    RankingQuestion,
    RatingQuestion,
    SingleChoiceQuestion,
)
from dialogues.tally import allocation_question
from storage.repositories.reports import Response

# How a column's values read: spreadsheets get a number format, CSV a plain rendering.
TEXT, LONG, INT, PENCE, PENCE1, PERCENT, DECIMAL, DATETIME = (
    "text",
    "long",
    "int",
    "pence",
    "pence1",
    "percent",
    "decimal",
    "datetime",
)
NOT_SHOWN = "not shown"
TYPE_NAMES = {
    "allocation": "share the pound",
    "rating": "rating",
    "single_choice": "one choice",
    "multiple_choice": "several choices",
    "ranking": "ranking",
    "free_text": "free text",
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: float = 14


@dataclass
class Table:
    name: str  # file name stem (CSV) and sheet name (XLSX, at most 31 characters)
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""

    def add(self, *values: Any) -> None:
        self.rows.append([safe(v) for v in values])


def suppressed_note(d: ExportData) -> str:
    return f"Figures based on fewer than {d.min_respondents} residents are not shown."


def rounds_table(d: ExportData) -> Table:
    has_pound = allocation_question(d.spec) is not None
    cols = [
        Column("Round", INT, 8),
        Column("Title", TEXT, 28),
        Column("Status", TEXT, 10),
        Column("Opened", DATETIME, 17),
        Column("Closed", DATETIME, 17),
        Column("Residents who started", INT, 12),
        Column("Residents who sent their answers", INT, 12),
        Column("Sent (% of started)", PERCENT, 12),
    ]
    if has_pound:
        cols.append(Column("Residents who shared the pound", INT, 12))
    t = Table("rounds", "Participation by round", cols, note=suppressed_note(d))
    for p in d.rounds:
        r = p.results
        rate = r.finished / r.started if r.started else None
        values: list[Any] = [
            p.number,
            r.round.title,
            r.round.status,
            d.local(p.dates.opened_at) if p.dates else None,
            d.local(p.dates.closed_at) if p.dates else None,
            r.started,
            r.finished,
            rate,
        ]
        if has_pound:
            values.append(r.allocation_respondents)
        t.add(*values)
    return t


def average_table(d: ExportData) -> Table | None:
    """Today's pence beside residents' mean and median in each round, and the change in the latest shown round."""
    if allocation_question(d.spec) is None:
        return None
    cols = [Column("Service", TEXT, 26), Column("Today (p)", PENCE, 10)]
    for p in d.rounds:
        cols += [Column(f"Round {p.number} mean (p)", PENCE1, 12), Column(f"Round {p.number} median (p)", PENCE1, 12)]
    last = next((p for p in reversed(d.rounds) if p.results.allocation is not None), None)
    if last is not None:
        cols.append(Column(f"Change from today, round {last.number} (p)", PENCE1, 14))
    t = Table("average_allocation", "Residents' average allocation beside today's spend", cols, note=suppressed_note(d))
    for i, s in enumerate(d.spec.services):
        values: list[Any] = [s.name, s.today]
        for p in d.rounds:
            a = p.results.allocation
            values += [round(a.services[i].mean, 2), a.services[i].median] if a else [NOT_SHOWN, NOT_SHOWN]
        if last is not None and last.results.allocation is not None:
            values.append(round(last.results.allocation.services[i].change, 2))
        t.add(*values)
    return t


def sheet_name(i: int, q: Question) -> str:
    return f"Q{i} {q.key}"[:31]


def question_table(d: ExportData, i: int, q: Question) -> Table:
    name, title = sheet_name(i, q), f"Question {i} ({TYPE_NAMES.get(q.type, q.type)}): {q.prompt}"
    if isinstance(q, AllocationQuestion):
        return _allocation_table(d, name, title)
    respondents_col = Column("Residents who answered", INT, 12)
    if isinstance(q, RatingQuestion):
        cols = [
            Column("Round", INT, 8),
            Column("Rating", TEXT, 24),
            Column("Residents", INT, 11),
            Column("Share of those who answered", PERCENT, 14),
            respondents_col,
            Column("Average rating", DECIMAL, 11),
        ]
    elif isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
        cols = [
            Column("Round", INT, 8),
            Column("Option", TEXT, 40),
            Column("Residents", INT, 11),
            Column("Share of those who answered", PERCENT, 14),
            respondents_col,
        ]
    elif isinstance(q, RankingQuestion):
        cols = [
            Column("Round", INT, 8),
            Column("Option", TEXT, 40),
            Column("Average position (1 = first)", DECIMAL, 14),
            Column("Overall rank", INT, 10),
            respondents_col,
        ]
    else:
        cols = [Column("Round", INT, 8), respondents_col, Column("Note", TEXT, 60)]
    t = Table(name, title, cols, note=suppressed_note(d))
    for p in d.rounds:
        tally, n = next(((tl, n) for qq, tl, n in p.results.questions if qq.key == q.key), (None, 0))
        if tally is None:
            t.add(p.number, *([NOT_SHOWN] * (len(cols) - 1)))
            continue
        if isinstance(q, FreeTextQuestion):
            t.add(p.number, n, "What residents wrote is in the Responses table.")
        elif isinstance(q, RankingQuestion):
            for rank, (label, mean) in enumerate(tally.counts, 1):
                t.add(p.number, label, round(mean, 2) if mean else None, rank, n)
        elif isinstance(q, RatingQuestion):
            for value, count in tally.counts:
                label = _rating_label(q, int(value))
                t.add(
                    p.number,
                    label,
                    int(count),
                    count / n if n else None,
                    n,
                    round(tally.mean, 2) if tally.mean is not None else None,
                )
        else:
            for label, count in tally.counts:
                t.add(p.number, label, int(count), count / n if n else None, n)
    return t


def _rating_label(q: RatingQuestion, value: int) -> str:
    if value == q.scale_min and q.min_label:
        return f"{value} ({q.min_label})"
    if value == q.scale_max and q.max_label:
        return f"{value} ({q.max_label})"
    return str(value)


def _allocation_table(d: ExportData, name: str, title: str) -> Table:
    cols = [
        Column("Round", INT, 8),
        Column("Service", TEXT, 26),
        Column("Today (p)", PENCE, 10),
        Column("Mean (p)", PENCE1, 10),
        Column("Median (p)", PENCE1, 10),
        Column("Lowest (p)", PENCE, 10),
        Column("Lower quartile (p)", PENCE1, 10),
        Column("Upper quartile (p)", PENCE1, 10),
        Column("Highest (p)", PENCE, 10),
        Column("Change from today (p)", PENCE1, 12),
        Column("Residents who answered", INT, 12),
    ]
    t = Table(name, title, cols, note=suppressed_note(d))
    for p in d.rounds:
        a = p.results.allocation
        if a is None:
            t.add(p.number, *([NOT_SHOWN] * (len(cols) - 1)))
            continue
        for s in a.services:
            t.add(
                p.number,
                s.name,
                s.today,
                round(s.mean, 2),
                s.median,
                s.low,
                s.q1,
                s.q3,
                s.high,
                round(s.change, 2),
                a.respondents,
            )
    return t


def question_tables(d: ExportData) -> list[Table]:
    return [question_table(d, i, q) for i, q in enumerate(d.spec.questions, 1)]


def about_table(d: ExportData) -> Table:
    s = d.spec
    t = Table("about", "About this export", [Column("About", TEXT, 34), Column("", LONG, 100)])
    t.add("Consultation", s.title)
    t.add("Code", s.code)
    t.add("Organiser", s.organiser)
    t.add("Purpose", s.purpose)
    t.add("Questions as in version", f"{d.latest_version} (the latest loaded)")
    t.add("Versions residents answered", ", ".join(str(v) for v in d.versions_used) or "none yet")
    for v in d.versions:
        t.add(f"Version {v.version} loaded", d.local(v.loaded_at))
    for p in d.rounds:
        r, dates = p.results.round, p.dates
        opened = d.local(dates.opened_at) if dates else None
        closed = d.local(dates.closed_at) if dates else None
        t.add(
            f"Round {p.number}",
            f"{r.title}: {r.status}"
            + (f"; opened {opened:%Y-%m-%d %H:%M}" if opened else "")
            + (f"; closed {closed:%Y-%m-%d %H:%M}" if closed else "")
            + f"; {p.results.started} started, {p.results.finished} sent their answers",
        )
    t.add("Rounds in this export", d.rounds_label)
    t.add("Responses in this export", f"{d.responses} (one row per resident per round)")
    t.add("Exported at", f"{d.exported_at:%Y-%m-%d %H:%M} ({d.tz.key})")
    t.add("Exported by", f"an {d.role}" if d.role[:1] in "aeiou" else f"a {d.role}")
    t.add(
        "Small numbers",
        f"{suppressed_note(d)} This applies to every table and chart of figures. The Responses table holds one row "
        "per resident and round under a pseudonym: it is personal data, to be kept and shared as such.",
    )
    t.add(
        "Pseudonyms",
        "Residents appear only under a pseudonym (R- and 12 characters): a keyed HMAC of their Telegram account, "
        "the same in every round of this consultation and different in any other. Telegram ids, usernames and "
        "names are never exported. Residents who erased their data are absent.",
    )
    t.add(
        "What counts",
        "Every answer a resident saved counts, whether or not they pressed 'send my answers'; a resident's latest "
        "answer in each round is used. Figures use the services and questions of the latest version; a service "
        "that an older version lacked counts as 0p for residents who answered that version.",
    )
    t.add("Comments", "The Responses table shows comments awaiting or given approval; rejected ones are withheld.")
    t.add("Cells", "A text cell that would begin with = + - @ is prefixed with ' so it can never run as a formula.")
    t.add("Privacy notice shown to residents", s.privacy.notice)
    if s.privacy.retention:
        t.add("Retention", s.privacy.retention)
    if s.privacy.contact:
        t.add("Contact", s.privacy.contact)
    for i, q in enumerate(s.questions, 1):
        t.add(f"Question {i}: {q.key} ({TYPE_NAMES.get(q.type, q.type)})", q.prompt)
    return t


class ResponseRows:
    """Turns stored responses into Responses-table rows: pseudonym first, never a Telegram id.

    It runs once per resident per round (100,000 times for a big export), so the per-question work is settled here
    once: which answers to read, in which order, and how each kind of answer reads."""

    def __init__(self, d: ExportData, pseudonyms: Pseudonyms):
        self.d = d
        self.pseudonyms = pseudonyms
        self.spec: Consultation = d.spec
        self.alloc = allocation_question(d.spec)
        self.versions = {v.id: v.version for v in d.versions}
        self.others = [q for q in d.spec.questions if not isinstance(q, AllocationQuestion)]
        self.labels = {
            q.key: {o.key: o.label for o in q.options}
            for q in self.others
            if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion | RankingQuestion)
        }
        self._services = [s.key for s in self.spec.services]
        self._why = f"{self.alloc.key}.why" if self.alloc is not None and self.alloc.comment is not None else None
        self._answers = [(q.key, _kind(q), self.labels.get(q.key, {})) for q in self.others]
        self._local = LocalTime(d.tz)

    def columns(self) -> list[Column]:
        return response_columns(self.d)

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
        ]
        answers = r.answers
        if self.alloc is not None:
            pence = answers.get(self.alloc.key)
            if isinstance(pence, dict):
                get = pence.get
                out += [v if (v := get(k, 0)).__class__ is int else _int(v) for k in self._services]
            else:
                out += [None] * len(self._services)
            if self._why is not None:
                review = r.reviews.get(self._why)
                why = answers.get(self._why)
                if why is None:
                    out += [None, None]
                else:
                    if review == "rejected":
                        why = "(withheld: a moderator rejected this comment)"
                    out += [safe(why), safe(review)]
        for key, kind, labels in self._answers:
            value = answers.get(key)
            if value is None:
                out.append(None)
            elif value.__class__ is str and kind != SINGLE:
                out.append(safe_text(value))
            else:
                out.append(safe(_answer(kind, labels, value)))
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


SINGLE, MULTIPLE, RANKING, OTHER = range(4)


def _kind(q: Question) -> int:
    if isinstance(q, SingleChoiceQuestion):
        return SINGLE
    if isinstance(q, MultipleChoiceQuestion):
        return MULTIPLE
    if isinstance(q, RankingQuestion):
        return RANKING
    return OTHER


def _answer(kind: int, labels: dict[str, str], value: Any) -> Any:
    """How an answer reads: options by their labels, several joined; anything else as it is."""
    if kind == SINGLE:
        return labels.get(str(value), value)
    if isinstance(value, list):
        if kind == MULTIPLE:
            return "; ".join([labels.get(str(k), str(k)) for k in value])
        if kind == RANKING:
            return " > ".join([labels.get(str(k), str(k)) for k in value])
    if isinstance(value, list | dict):
        return str(value)
    return value


def response_columns(d: ExportData) -> list[Column]:
    """The Responses table's columns: who and when, each service's pence, the comment, then each other answer."""
    alloc = allocation_question(d.spec)
    cols = [
        Column("Pseudonym", TEXT, 17),
        Column("Round", INT, 7),
        Column("Version", INT, 8),
        Column("Started", DATETIME, 17),
        Column("Last changed", DATETIME, 17),
        Column("Sent", DATETIME, 17),
    ]
    if alloc is not None:
        cols += [Column(f"{s.name} (p)", PENCE, 12) for s in d.spec.services]
        if alloc.comment is not None:
            cols += [Column("Why (comment)", LONG, 50), Column("Comment status", TEXT, 11)]
    for q in d.spec.questions:
        if isinstance(q, AllocationQuestion):
            continue
        free = isinstance(q, FreeTextQuestion)
        cols.append(Column(q.key, LONG if free else TEXT, 50 if free else 18))
    return cols


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def round_by_number(d: ExportData, number: int) -> RoundPart | None:
    return next((p for p in d.rounds if p.number == number), None)
