"""Who took part and what each group said, for every format: residents by ward and declared group against the
population, each question's means by group, and weighted beside unweighted means (dialogues.breakdown does the
figures and the suppression). `breakdown_tables(d)` is what a format includes: the XLSX and CSV write each table;
the report can place them as they are (`report_tables(d)` gives the domain tables, before any rendering)."""

from __future__ import annotations

from dataclasses import replace

from bot.exports.data import ExportData
from bot.exports.tables import Table, rendered
from dialogues.breakdown import Breakdown, RoundResidents, breakdown, reader
from dialogues.questions.base import groupings
from dialogues.report import ReportTable
from dialogues.text import _
from storage.uow import UnitOfWork


async def with_breakdown(uow: UnitOfWork, d: ExportData) -> ExportData:
    """The export's data with its breakdown by ward and group, if the consultation declares any grouping. Each
    round's residents are read once more (their groups and their answers' measures, a few numbers each)."""
    gs = groupings(d.spec)
    if not gs:
        return d
    rounds = []
    read = reader(d.spec, gs)
    for p in d.rounds:
        residents = []
        async for batch in uow.reports.responses(p.results.round.id):
            residents += [read(r.answers) for r in batch]
        rounds.append(RoundResidents(p.number, p.results.round.title, residents))
    return replace(d, breakdown=breakdown(d.spec, rounds, d.min_respondents))


def report_tables(d: ExportData) -> list[ReportTable]:
    """The breakdown's tables as the domain states them, in order: who took part, then for each question with
    figures its means by group and (when the file gives population shares) weighted beside unweighted."""
    b: Breakdown | None = d.breakdown
    if b is None:
        return []
    out = [b.participation]
    weighted = dict((q.key, t) for q, t in b.weighted)
    for q, t in b.by_group:
        out.append(t)
        if q.key in weighted:
            out.append(weighted[q.key])
    return out


def breakdown_tables(d: ExportData) -> list[Table]:
    """The breakdown's tables in the export's language, named for a sheet or a CSV file."""
    b = d.breakdown
    if b is None:
        return []
    numbers = {q.key: i for i, q in enumerate(d.spec.questions, 1)}
    out = [rendered(d, b.participation, d.texts(_("Who took part")), b.participation.title, b.participation.note)]
    weighted = dict((q.key, t) for q, t in b.weighted)
    for q, t in b.by_group:
        n = numbers[q.key]
        out.append(rendered(d, t, f"Q{n} by group", t.title, t.note))
        if q.key in weighted:
            w = weighted[q.key]
            out.append(rendered(d, w, f"Q{n} weighted", w.title, w.note))
    return out
