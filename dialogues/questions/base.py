"""The contract every question type implements: schema, screens, presses and typed text, answer codec, tally,
results, export columns and summary; one module per type, registered by its `type:` name."""

from __future__ import annotations

import functools
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from dialogues.groups import Grouping
from dialogues.pabulib import PbElection
from dialogues.report import DECIMAL, INT, NOT_SHOWN, Column, ReportTable
from dialogues.schema import QUESTION_CHECKS, Consultation, QuestionBase, accept
from dialogues.screens import Action, Chart, Screen
from dialogues.text import Block, Em, Inline, Lines, Msg, Para, Strong, _

Q = TypeVar("Q", bound=QuestionBase)
A = TypeVar("A")  # an answer, decoded
D = TypeVar("D")  # a draft: work in progress on the current question, kept in the resident's progress
R = TypeVar("R")  # a tally's figures

Json = Any  # what the database holds for an answer or a draft: JSON values only
Line = tuple[Inline, ...]


@dataclass(frozen=True)
class Effect:
    """A change to rows a type keeps of its own (a statement proposed, a reaction), which its keeper in the services
    makes in the same transaction as the answer; `kind` and `data` mean what the type and its keeper agree."""

    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Answered(Generic[A]):
    value: A
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Changed(Generic[D]):
    draft: D
    note: Inline | None = None  # said when typed text changed the draft ("Set Libraries 5p.")
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Refused:
    """Not taken. `alert` when it stops the resident (a blocking notice they must read); a trivial notice is a
    toast. `offer` is a button that puts right what was refused ("Did you mean …?": tap to accept)."""

    message: Inline
    alert: bool = False
    offer: tuple[Inline, Action] | None = None


Result = Answered[A] | Changed[D] | Refused

NOT_HERE = _("That button doesn't belong to this question.")


class Tally(ABC, Generic[A, R]):
    """Counts one question's answers as they stream past, in bounded memory; the order of residents changes
    nothing. Results, group posts, private comparisons and every export use the same tally."""

    def __init__(self) -> None:
        self.respondents = 0

    @abstractmethod
    def add(self, answer: A, times: int = 1) -> None:
        """`times` residents gave this answer."""

    def add_many(self, answers: Iterable[A]) -> None:
        """Many residents' answers, one each: a type whose answers pack densely (the pound's pence) counts a whole
        batch in one go; the others one by one."""
        for answer in answers:
            self.add(answer)

    @abstractmethod
    def figures(self) -> R:
        """The figures so far (only asked for when enough residents answered to show them)."""

    def rows(self, rows: Json) -> None:
        """For a type with rows of its own: what its keeper read of them for this round, before `figures`."""


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """One question's result in one round: its figures, or None when too few answered to show them."""

    respondents: int
    figures: R | None


@dataclass(frozen=True)
class RoundOutcome(Generic[R]):
    """A question's outcome in one round, with the round's number and title, for tables across rounds."""

    number: int
    title: str
    outcome: Outcome[R]


@dataclass(frozen=True)
class Cell:
    """A Responses-table column: its header in the council's words, how its values read (a report.Kind), and for
    the export's list of columns its stable code (`question` or `question.option`) and what its values mean."""

    header: Inline
    kind: str = "text"
    width: float = 18
    code: str = ""
    values: Inline = ""


@dataclass(frozen=True)
class Measure:
    """A figure each resident's answer gives, for results by ward or group and for weighting: pence to a service,
    a rating, 1 or 0 for an option chosen or not. `kind` is how its mean reads (a report kind)."""

    key: str
    label: Inline
    kind: str = DECIMAL


ROUND, CONSULTATION = "round", "consultation"  # how long an answer is kept: QuestionType.kept


class QuestionType(ABC, Generic[Q, A, D, R]):
    """One kind of participation. Subclasses set the class attributes and are registered with `register`."""

    name: ClassVar[str]  # the consultation file's `type:`
    code: ClassVar[str]  # short namespace of its button actions, e.g. "rt" for "rt.v"
    schema: ClassVar[type[QuestionBase]]
    verbs: ClassVar[frozenset[str]]  # the actions it handles, without the namespace
    label: ClassVar[Msg]  # what the type is called in exports: "rating", "share the pound"
    repeats: ClassVar[bool] = True  # answers often equal each other, so the database may count them first
    charted: ClassVar[bool] = False  # its chart heads a results post (`chart` returns one)
    # ROUND: a resident answers afresh in each round. CONSULTATION: one answer per resident per consultation (a
    # ward, an age band), kept apart from any round's, asked once (a later round skips it once it is held, but
    # it can be changed from the summary), counted with each round the resident takes part in.
    kept: ClassVar[str] = ROUND

    # A type with rows of its own (statements, reactions) names the keeper in the services that reads them for it
    # (`bound`, `Tally.rows`), makes its `Effect`s, shows them in /mydata and removes them on /erase.
    keeper: ClassVar[str | None] = None

    def bound(self, live: Json) -> QuestionType[Q, A, D, R]:
        """This type seeing what its keeper read for one resident just now (the statements open to react to);
        the journey asks it, not the bare type, when the keeper gave something."""
        return self

    # ---- answers ------------------------------------------------------------------------------------------------
    @abstractmethod
    def decode(self, c: Consultation, q: Q, raw: Json) -> A | None:
        """A stored answer, or None if it is not a valid answer to this question (an older file's, a damaged one)."""

    def encode(self, c: Consultation, q: Q, answer: A) -> Json:
        return answer

    @abstractmethod
    def describe(self, c: Consultation, q: Q, answer: A) -> list[Line]:
        """How an answer reads back to the resident: in the summary, the settled message, /mydata."""

    def check(self, c: Consultation, q: Q) -> list[Msg]:
        """Problems of this question within the whole consultation file (its own fields the schema checks)."""
        return []

    # ---- the journey --------------------------------------------------------------------------------------------
    def intro(self, c: Consultation, q: Q) -> list[Screen]:
        """Screens before the question is first asked (the pound's "today"); the last carries a `go` button."""
        return []

    @abstractmethod
    def start(self, c: Consultation, q: Q, previous: A | None) -> D:
        """The draft a resident starts from, given their earlier answer (this round's or the last round's)."""

    @abstractmethod
    def draft_to_json(self, draft: D) -> Json: ...

    @abstractmethod
    def draft_from_json(self, c: Consultation, q: Q, raw: Json) -> D: ...

    @abstractmethod
    def screen(self, c: Consultation, q: Q, head: Sequence[Block], draft: D) -> Screen:
        """The question's screen; `head` (question n of m, prompt, help) comes first."""

    @abstractmethod
    def press(self, c: Consultation, q: Q, draft: D, verb: str, args: tuple[int, ...]) -> Result[A, D]: ...

    @abstractmethod
    def typed(self, c: Consultation, q: Q, draft: D, text: str) -> Result[A, D]: ...

    def action(self, verb: str, *args: int) -> Action:
        assert verb in self.verbs, verb
        return _action(self.code, verb, args)

    # ---- results ------------------------------------------------------------------------------------------------
    @abstractmethod
    def tally(self, c: Consultation, q: Q) -> Tally[A, R]: ...

    def add_raw(self, c: Consultation, q: Q, tally: Tally[A, R], raw: Json, times: int = 1) -> None:
        """Adds a stored answer to a tally; one that does not decode is not counted."""
        answer = self.decode(c, q, raw)
        if answer is not None:
            tally.add(answer, times)

    def add_raw_many(self, c: Consultation, q: Q, tally: Tally[A, R], raws: Iterable[Json]) -> None:
        """Adds a batch of stored answers, one resident each, as `add_raw` would one by one."""
        decoded = (self.decode(c, q, raw) for raw in raws)
        tally.add_many(a for a in decoded if a is not None)

    def chart(self, c: Consultation, q: Q, figures: R, title: Inline) -> Chart | None:
        """A chart of the figures, leading a results post; most types have none."""
        return None

    def movement(self, c: Consultation, q: Q, rounds: Sequence[tuple[Inline, R]]) -> Chart | None:
        """A chart of how views moved across rounds (name of each round, figures); None if the type has none."""
        return None

    def withheld(self, c: Consultation, q: Q, figures: R, minimum: int) -> R:
        """The figures with every cell of fewer than `minimum` residents withheld (and whatever would let one be
        worked out), for types whose figures count residents by answer group; the question's own number of
        residents is checked before this. Most types return the figures as they are."""
        return figures

    @abstractmethod
    def result_lines(self, c: Consultation, q: Q, figures: R) -> list[Line]:
        """The figures in words for a group post, under the question's prompt."""

    def personal_lines(self, c: Consultation, q: Q, answer: A, figures: R | None) -> list[Line]:
        """A participant's own answer beside everyone's."""
        lines: list[Line] = [(_("You:"), " ", *self.describe(c, q, answer)[0])]
        lines += [("  ", *line) for line in self.describe(c, q, answer)[1:]]
        return lines

    # ---- breakdowns and weighting ---------------------------------------------------------------------------------
    def grouping(self, c: Consultation, q: Q) -> Grouping | None:
        """The groups this question sorts residents into (wards, age bands), with population shares if the file
        gives them: results are broken down by it, weighted to it, and /reach compares with it. Most types: None."""
        return None

    def measures(self, c: Consultation, q: Q) -> list[Measure]:
        """The figures an answer gives, whose means results by group and weighted results show; none by default."""
        return []

    def measure(self, c: Consultation, q: Q, answer: A) -> list[float]:
        """An answer's value for each of `measures`, in their order."""
        return []

    # ---- exports ------------------------------------------------------------------------------------------------
    def columns(self, c: Consultation, q: Q) -> list[Cell]:
        """The Responses table's columns for this question (one, headed by its prompt, unless overridden); a type
        whose answer is several values (ticks, positions) gives a column to each, so a pivot table needs no text
        splitting."""
        return [Cell(q.prompt, code=q.key)]

    def cells(self, c: Consultation, q: Q, answer: A | None) -> list[Any]:
        """The Responses table's values for one resident's answer (None: no answer); as many as `columns`."""
        return [None if answer is None else self.cell(c, q, answer)]

    def cell(self, c: Consultation, q: Q, answer: A) -> Any:
        return answer

    @abstractmethod
    def summary(self, c: Consultation, q: Q, rounds: Sequence[RoundOutcome[R]]) -> ReportTable:
        """The question's table of figures by round: an XLSX sheet, a CSV file, a section of the report."""

    def pabulib(self, c: Consultation, q: Q) -> PbElection | None:
        """The question as a participatory-budgeting election to fill with its answers and write as a pabulib `.pb`
        file (the `pb` export); None for types that are not budget ballots."""
        return None

    def preview(self, c: Consultation, q: Q, head: Sequence[Block]) -> list[tuple[Inline, Screen]]:
        """The screens `moot consultation preview` shows for this question, each with a heading."""
        s = self.screen(c, q, head, self.start(c, q, None))
        return [(_("the question"), s)]


AnyType = QuestionType[Any, Any, Any, Any]
_REGISTRY: dict[str, AnyType] = {}
_CODES: dict[str, AnyType] = {}


def register(question_type: AnyType) -> AnyType:
    """Makes a question type known by its file `type:` and its action namespace; both must be new."""
    if question_type.name in _REGISTRY and _REGISTRY[question_type.name] is not question_type:
        raise ValueError(f"question type {question_type.name!r} is registered twice")
    if question_type.code in _CODES and _CODES[question_type.code] is not question_type:
        raise ValueError(f"action namespace {question_type.code!r} is taken by {_CODES[question_type.code].name!r}")
    _REGISTRY[question_type.name] = question_type
    _CODES[question_type.code] = question_type
    QUESTION_CHECKS[question_type.name] = question_type.check
    accept([t.schema for t in _REGISTRY.values()])
    _ACTIONS.clear()
    return question_type


def unregister(name: str) -> None:
    """Forgets a type (for tests that define their own)."""
    t = _REGISTRY.pop(name, None)
    if t is not None:
        _CODES.pop(t.code, None)
        QUESTION_CHECKS.pop(name, None)
        accept([t.schema for t in _REGISTRY.values()])
        _ACTIONS.clear()


def of(q: QuestionBase) -> AnyType:
    """The type of a question."""
    return _REGISTRY[str(getattr(q, "type"))]  # noqa: B009 - every question model has `type`, QuestionBase does not


def by_name(name: str) -> AnyType:
    return _REGISTRY[name]


def by_code(code: str) -> AnyType | None:
    return _CODES.get(code)


def registered() -> list[AnyType]:
    return list(_REGISTRY.values())


_ACTIONS: list[frozenset[str]] = []  # every type's actions, worked out once per change of the registry


@functools.lru_cache(maxsize=4096)
def _action(code: str, verb: str, args: tuple[int, ...]) -> Action:
    """Actions are immutable, and a board makes the same fifty on every press."""
    return Action(f"{code}.{verb}", args)


def actions() -> frozenset[str]:
    """Every question type's action names, namespaced."""
    if not _ACTIONS:
        _ACTIONS.append(frozenset(f"{t.code}.{v}" for t in _REGISTRY.values() for v in t.verbs))
    return _ACTIONS[0]


def kept_per_consultation(c: Consultation) -> set[str]:
    """Keys of the questions whose answers are kept once per resident per consultation, not per round."""
    return {q.key for q in c.questions if of(q).kept == CONSULTATION}


def groupings(c: Consultation) -> list[Grouping]:
    """Every grouping the consultation's questions declare, in the file's order."""
    return [g for q in c.questions if (g := of(q).grouping(c, q)) is not None]


def by_round(
    columns: Sequence[Column],
    rounds: Sequence[RoundOutcome[R]],
    rows: Callable[[R, int], Iterable[Sequence[Any]]],
) -> ReportTable:
    """A question's figures by round, under a Round column: `rows(figures, respondents)` gives one round's rows;
    a round whose figures are withheld has one row of "not shown"."""
    t = ReportTable("", "", [Column(_("Round"), INT, 8), *columns])
    for r in rounds:
        figures = r.outcome.figures
        if figures is None:
            t.add(r.number, *([NOT_SHOWN] * len(columns)))
            continue
        for row in rows(figures, r.outcome.respondents):
            t.add(r.number, *row)
    return t


# ---- pieces types share -------------------------------------------------------------------------------------------


def parse_int(text: str) -> int | None:
    t = text.strip().rstrip(".")
    # \d is exactly what int() reads; str.isdigit() also admits "²", which int() refuses.
    if re.fullmatch(r"-?\d{1,5}", t):
        return int(t)
    return None


def head(number: int, total: int, q: QuestionBase) -> list[Block]:
    """Question n of m, the prompt and its help: the top of every question's screen."""
    out: list[Block] = [Lines([(Strong(_("Question {number} of {total}", number=number, total=total)),), (q.prompt,)])]
    if q.help:
        out.append(Para(Em(q.help)))
    return out


@dataclass
class Counts:
    """How many residents gave each answer, for types whose answers repeat (ratings, choices, rankings)."""

    counted: dict[Any, int] = field(default_factory=dict)

    def add(self, key: Any, times: int) -> None:
        self.counted[key] = self.counted.get(key, 0) + times

    def items(self) -> Iterable[tuple[Any, int]]:
        return self.counted.items()


def labels(options: Iterable[Any]) -> Mapping[str, str]:
    return {o.key: o.label for o in options}
