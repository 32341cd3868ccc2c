"""What an export is made of, read in one unit of work: the consultation, its versions and each round's results,
and the language it is written in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.content import Render
from bot.exports.cells import Cell
from bot.i18n import DEFAULT, translations
from bot.services import keepers
from bot.services.results import RoundResults, RoundTally, begin_tally, panel, tally_round
from dialogues.questions import Outcome
from dialogues.report import ReportTable
from dialogues.schema import Consultation
from dialogues.text import Code, Em, Inline, Link, Msg, Span, Strong, _
from storage.repositories.reports import RoundDates, VersionInfo
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from dialogues.breakdown import Breakdown

_INLINES = (str, Msg, Span, Strong, Em, Code, Link)


class ExportError(Exception):
    """An export that cannot be made; `message` says why, for an officer or operator (str() is it in English)."""

    def __init__(self, message: Inline):
        self.message = message
        super().__init__(Render(translations(DEFAULT), html=False).text(message))


class Texts:
    """One export's language: catalogue messages, headers and content as the plain text a file holds, all through
    one Render. A message is rendered once however often it recurs ("not shown" in every suppressed row)."""

    def __init__(self, language: str = DEFAULT):
        self.language = language
        self.render = Render(translations(language), html=False)
        self._done: dict[Msg, str] = {}

    def __call__(self, x: Inline) -> str:
        if isinstance(x, str):
            return x  # content is already the text
        if isinstance(x, Msg):
            try:
                return self._done[x]
            except KeyError:
                text = self._done[x] = self.render.text(x)
                return text
            except TypeError:  # a parameter that cannot be hashed: rendered each time, still right
                return self.render.text(x)
        return self.render.text(x)

    def value(self, v: Any) -> Cell:
        """A table's value as a cell: content and messages as text, numbers and times as they are."""
        if isinstance(v, bool):
            return self(_("yes") if v else _("no"))
        if v is None or isinstance(v, int | float | datetime):
            return v
        if isinstance(v, _INLINES):
            return self(v)
        return str(v)


@dataclass(frozen=True)
class RoundPart:
    results: RoundResults
    dates: RoundDates | None
    approved: int = 0  # comments a facilitator approved: quoted, or withheld when too few residents took part

    @property
    def withheld(self) -> bool:
        """Approved comments that are not quoted, because the round's figures are not shown."""
        return self.approved > 0 and self.results.suppressed

    @property
    def number(self) -> int:
        return self.results.round.number


@dataclass(frozen=True)
class ExportData:
    consultation_id: int
    code: str
    spec: Consultation  # the latest version: its services and questions head the columns
    latest_version: int
    versions: list[VersionInfo]
    versions_used: list[int]  # version numbers residents answered in the exported rounds
    rounds: list[RoundPart]
    exported_at: datetime  # aware, in the council's zone
    role: str
    min_respondents: int
    tz: ZoneInfo
    texts: Texts  # the export's language: every header, title, note and sentence goes through it
    residents: int = 0  # distinct residents who took part in any exported round (erased ones are gone)
    # Rounds still to be counted from the rows an export writes (collect(..., tallied=False)); empty otherwise.
    pending: list[RoundTally] = field(default_factory=list)
    # The lead question's figures from only the residents who answered it in every round with figures shown (by
    # round number): what "how views moved" compares, so a change is a change of view, not of who answered.
    panel: dict[int, Outcome[Any]] = field(default_factory=dict)
    # Tables of question types' own rows (residents' statements), from their keepers: each a sheet or CSV file.
    extra: list[ReportTable] = field(default_factory=list)
    # Who took part by ward and group, and weighted results (bot.exports.breakdown); None without groupings.
    breakdown: Breakdown | None = None

    @property
    def responses(self) -> int:
        """One per resident per round: a resident in two rounds is two responses (and one resident)."""
        return sum(p.results.started for p in self.rounds)

    def local(self, when: datetime | None) -> datetime | None:
        """A stored UTC time as a naive local time: spreadsheets have no time zones."""
        return when.astimezone(self.tz).replace(tzinfo=None) if when is not None else None

    @property
    def rounds_label(self) -> Inline:
        if len(self.rounds) == 1:
            return _("round {number}", number=self.rounds[0].number)
        return _("all rounds")


async def collect(
    uow: UnitOfWork,
    code: str,
    round_number: int | None,
    role: str,
    min_respondents: int,
    now: datetime,
    tz: ZoneInfo,
    tallied: bool = True,
    language: str = DEFAULT,
    pseudonym: Callable[[int], str] | None = None,
) -> ExportData:
    """Everything an export shows but the rows, in `language`. With `tallied=False` the rounds' figures are left
    to be counted from the rows as they are written (ExportData.pending, then counted()): each answer is read once."""
    found = await uow.consultations.by_code(code)
    if found is None:
        raise ExportError(_("There is no consultation with the code “{code}”.", code=code))
    consultation_id, _version, spec = found
    rounds = await uow.consultations.rounds(consultation_id)
    if round_number is not None:
        rounds = [r for r in rounds if r.number == round_number]
        if not rounds:
            raise ExportError(_("“{title}” has no round {number}.", title=spec.title, number=round_number))
    if not rounds:
        raise ExportError(_("“{title}” has no rounds yet.", title=spec.title))
    dates = await uow.reports.round_dates(consultation_id)
    versions = await uow.reports.versions(consultation_id)
    used_ids = await uow.reports.versions_used([r.id for r in rounds])
    pending: list[RoundTally] = []
    parts = []
    for r in rounds:
        if tallied:
            results = await tally_round(uow, consultation_id, r, min_respondents)
        else:  # the figures of nothing counted yet, until counted() replaces them
            pending.append(await begin_tally(uow, consultation_id, r))
            results = await pending[-1].results(uow, min_respondents)
        parts.append(RoundPart(results, dates.get(r.number), await uow.reports.approved_count(r.id)))
    data = ExportData(
        consultation_id=consultation_id,
        code=code,
        spec=spec,
        latest_version=versions[-1].version if versions else 1,
        versions=versions,
        versions_used=sorted(v.version for v in versions if v.id in used_ids),
        rounds=parts,
        exported_at=now.astimezone(tz),
        role=role,
        min_respondents=min_respondents,
        tz=tz,
        texts=Texts(language),
        residents=await uow.reports.residents([r.id for r in rounds]),
        pending=pending,
    )
    if pseudonym is not None:  # what types keep in rows of their own, authors under their pseudonyms
        extra = [t for q, k in keepers.kept(spec)
                 for t in await k.tables(uow, consultation_id, spec, q, pseudonym, min_respondents)]
        data = replace(data, extra=extra)
    return data if pending else await _complete(uow, data)


async def counted(uow: UnitOfWork, d: ExportData) -> ExportData:
    """The export's data with each pending round's figures, once every row has been added to its tally."""
    if not d.pending:
        return d
    parts = [
        RoundPart(await t.results(uow, d.min_respondents), p.dates, p.approved)
        for t, p in zip(d.pending, d.rounds, strict=True)
    ]
    return await _complete(uow, replace(d, rounds=parts, pending=[]))


async def _complete(uow: UnitOfWork, d: ExportData) -> ExportData:
    from bot.exports.breakdown import with_breakdown  # it builds on this module's ExportData

    return await with_breakdown(uow, await with_panel(uow, d))


async def with_panel(uow: UnitOfWork, d: ExportData) -> ExportData:
    """The export's data with the lead question's panel: its figures in each round with figures shown, from only
    the residents who answered it in all of them (small-cell suppression applied to the panel as to any figure)."""
    lead = d.rounds[0].results.lead if d.rounds else None
    if lead is None:
        return d
    q = lead.question
    shown = [p for p in d.rounds if (r := p.results.result(q.key)) is not None and r.figures is not None]
    if len(shown) < 2:
        return d
    by_id = await panel(uow, d.spec, q, [p.results.round.id for p in shown], d.min_respondents)
    return replace(d, panel={p.number: by_id[p.results.round.id] for p in shown})
