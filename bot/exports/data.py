"""What an export is made of, read in one unit of work: the consultation, its versions and each round's results."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.results import RoundResults, RoundTally, begin_tally, tally_round
from dialogues.schema import Consultation
from storage.repositories.reports import RoundDates, VersionInfo
from storage.uow import UnitOfWork


class ExportError(Exception):
    """An export that cannot be made; the message says why, for an officer or operator."""


@dataclass(frozen=True)
class RoundPart:
    results: RoundResults
    dates: RoundDates | None

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
    # Rounds still to be counted from the rows an export writes (collect(..., tallied=False)); empty otherwise.
    pending: list[RoundTally] = field(default_factory=list)

    @property
    def responses(self) -> int:
        return sum(p.results.started for p in self.rounds)

    def local(self, when: datetime | None) -> datetime | None:
        """A stored UTC time as a naive local time: spreadsheets have no time zones."""
        return when.astimezone(self.tz).replace(tzinfo=None) if when is not None else None

    @property
    def rounds_label(self) -> str:
        if len(self.rounds) == 1:
            return f"round {self.rounds[0].number}"
        return "all rounds"


async def collect(
    uow: UnitOfWork,
    code: str,
    round_number: int | None,
    role: str,
    min_respondents: int,
    now: datetime,
    tz: ZoneInfo,
    tallied: bool = True,
) -> ExportData:
    """Everything an export shows but the rows. With `tallied=False` the rounds' figures are left to be counted
    from the rows as they are written (ExportData.pending, then counted()): each answer is read once."""
    found = await uow.consultations.by_code(code)
    if found is None:
        raise ExportError(f"There is no consultation with the code {code!r}.")
    consultation_id, _, spec = found
    rounds = await uow.consultations.rounds(consultation_id)
    if round_number is not None:
        rounds = [r for r in rounds if r.number == round_number]
        if not rounds:
            raise ExportError(f"“{spec.title}” has no round {round_number}.")
    if not rounds:
        raise ExportError(f"“{spec.title}” has no rounds yet.")
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
        parts.append(RoundPart(results, dates.get(r.number)))
    return ExportData(
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
        pending=pending,
    )


async def counted(uow: UnitOfWork, d: ExportData) -> ExportData:
    """The export's data with each pending round's figures, once every row has been added to its tally."""
    if not d.pending:
        return d
    parts = [
        RoundPart(await t.results(uow, d.min_respondents), p.dates) for t, p in zip(d.pending, d.rounds, strict=True)
    ]
    return replace(d, rounds=parts, pending=[])
