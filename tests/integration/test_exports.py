"""Results and officers' exports over real stored answers: figures, suppression, pseudonyms, safety of every byte."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import csv
import io
import os
import re
import statistics
import zipfile
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from bot.bootstrap import App, build
from bot.config import Config
from bot.exports.data import ExportError
from bot.exports.pseudonym import PseudonymKeyMissing, Pseudonyms
from bot.exports.service import TooLarge, export, export_to
from bot.services.results import round_results
from tests.harness import OFFICER
from tests.integration.export_seed import INJECTION, KEYS, Seeded, example, seed, version_two

KEY = "integration-test-pseudonym-key"


def config(database_url: str, **privacy: str) -> Config:
    return Config.model_validate(
        {
            "database": {"url": database_url},
            "telegram": {"bot_username": "moot_test_bot"},  # announcements link to the bot
            "privacy": {"pseudonym_key": KEY, **privacy},
            "results": {"min_respondents": 2},
            "roles": {"officers": [OFFICER]},
        }
    )


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    a = await build(config(database_url), with_runtime=False)
    yield a
    await a.close()


@pytest.fixture
async def seeded(app: App) -> Seeded:
    return await seed(app.deps)


async def make(app: App, fmt: str, round_number: int | None = None) -> bytes:
    _, content = await export(app.deps, "council-pound", fmt, round_number, "officer", actor=None, via="test")
    return content


# --- the shared results service ------------------------------------------------------------------------------


async def test_round_results_tally_the_latest_version_and_suppress_small_cells(app: App, seeded: Seeded) -> None:
    r1 = await round_results(app.deps, seeded.consultation_id, 1)
    assert (r1.started, r1.finished) == (5, 4)  # the erased resident is gone
    assert r1.lead is not None and r1.lead.question.key == "pound"
    a1 = r1.lead.figures
    assert a1 is not None and r1.lead.respondents == 4
    # figures use the latest version's services: the new service counts as 0p for round 1's answers
    assert [s.key for s in a1.services] == [*KEYS, "climate_action"]
    by_key = {s.key: s for s in a1.services}
    assert by_key["climate_action"].mean == 0
    pounds = [a["pound"] for a in seeded.round1.values() if "pound" in a]
    for k in KEYS:
        assert by_key[k].mean == pytest.approx(statistics.fmean(p[k] for p in pounds))
        assert by_key[k].median == statistics.median(p[k] for p in pounds)
    questions = {r.question.key: (r.figures, r.respondents) for r in r1.questions}
    assert questions["council_tax"] == (None, 1)  # one answer: not shown
    assert questions["anything_else"] == (None, 1)
    sat, n = questions["satisfaction"]
    assert sat is not None and n == 5 and sum(c for _, c in sat.counts) == 5
    assert dict(sat.counts)[4] == 2
    assert questions["savings"][0] is not None  # two answers: shown
    assert set(r1.comments) == {"Care matters most.", "+ libraries @ once"}  # approved only
    assert r1.min_respondents == 2

    r2 = await round_results(app.deps, seeded.consultation_id, 2)
    assert r2.lead is not None and r2.lead.figures is not None and r2.lead.respondents == 4
    assert {s.key: s.mean for s in r2.lead.figures.services}["climate_action"] == pytest.approx(5 / 4)
    assert r2.comments == ["Homes first."]
    with pytest.raises(LookupError):
        await round_results(app.deps, seeded.consultation_id, 3)


async def test_a_round_with_too_few_residents_shows_no_figures_and_no_comments(app: App) -> None:
    from tests.integration.export_seed import answer, example, pound, review

    spec = example()
    async with app.deps.uow() as uow:
        cid = (await uow.consultations.store(spec, None)).consultation_id
        await uow.commit()
    from bot.services import rounds

    await rounds.open_round(app.deps, spec.code, 1)
    await answer(app.deps, 7_731_599_001, cid, {"pound": pound(housing=12), "pound.why": "Only me.", "satisfaction": 3})
    await review(app.deps, 7_731_599_001, 1, "approved")
    r = await round_results(app.deps, cid, 1)
    assert r.lead is not None and r.lead.figures is None and r.lead.respondents == 1 and r.suppressed
    assert r.comments == []
    assert all(x.figures is None for x in r.questions)


async def test_responses_stream_in_batches_and_answers_are_counted_as_given(app: App, seeded: Seeded) -> None:
    async with app.deps.uow() as uow:
        rounds = await uow.consultations.rounds(seeded.consultation_id)
        batches = [b async for b in uow.reports.responses(rounds[0].id, batch=2)]
        counted = await uow.reports.answer_counts(rounds[0].id, ["satisfaction", "priorities", "pound"])
        streamed = [b async for b in uow.reports.question_values(rounds[0].id, "pound", batch=3)]
    assert [len(b) for b in batches] == [2, 2, 1]
    assert len({r.participation_id for b in batches for r in b}) == 5
    given = [r.answers for b in batches for r in b]
    for key in ("satisfaction", "priorities", "pound"):
        assert sorted(repr(v) for k, v, n in counted if k == key for _ in range(n)) == sorted(
            repr(a[key]) for a in given if key in a
        )
    assert [len(b) for b in streamed] == [3, 1]  # four residents shared the pound in round 1
    assert sorted(repr(v) for b in streamed for v in b) == sorted(repr(a["pound"]) for a in given if "pound" in a)


# --- pseudonyms and cells ------------------------------------------------------------------------------------


def test_pseudonyms_are_keyed_stable_and_per_consultation() -> None:
    p = Pseudonyms("k1")
    a = p("council-pound", 123456789)
    assert re.fullmatch(r"R-[0-9a-f]{12}", a)
    assert a == p("council-pound", 123456789)
    assert a != p("other-consultation", 123456789)
    assert a != Pseudonyms("k2")("council-pound", 123456789)
    with pytest.raises(PseudonymKeyMissing, match="MOOT_PRIVACY__PSEUDONYM_KEY"):
        Pseudonyms("")


async def test_without_a_pseudonym_key_nothing_is_exported(database_url: str) -> None:
    a = await build(config(database_url, pseudonym_key=""), with_runtime=False)
    try:
        await seed(a.deps)
        with pytest.raises(PseudonymKeyMissing, match="MOOT_PRIVACY__PSEUDONYM_KEY"):
            await export(a.deps, "council-pound", "xlsx", None, "officer", actor=None, via="test")
    finally:
        await a.close()


async def test_export_errors_say_what_is_wrong(app: App, seeded: Seeded) -> None:
    with pytest.raises(ExportError, match="no consultation"):
        await export(app.deps, "nope", "xlsx", None, "officer", actor=None, via="test")
    with pytest.raises(ExportError, match="no round 7"):
        await export(app.deps, "council-pound", "xlsx", 7, "officer", actor=None, via="test")
    with pytest.raises(ExportError, match="Unknown format"):
        await export(app.deps, "council-pound", "docx", None, "officer", actor=None, via="test")
    with pytest.raises(TooLarge, match="moot export"):
        await export(app.deps, "council-pound", "csv", None, "officer", limit=100, actor=None, via="test")


# --- XLSX ----------------------------------------------------------------------------------------------------


def _sheet(wb: Any, name: str) -> list[list[Any]]:
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def _table(rows: list[list[Any]]) -> list[dict[str, Any]]:
    header = rows[0]
    out = []
    for r in rows[1:]:
        if all(v is None for v in r):
            break
        out.append(dict(zip(header, r, strict=False)))
    return out


async def test_xlsx_sums_match_the_tallies(app: App, seeded: Seeded) -> None:
    content = await make(app, "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == [
        "Summary", "Q1 pound", "Q2 satisfaction", "Q3 council_tax", "Q4 priorities", "Q5 savings",
        "Q6 anything_else", "Responses", "About",
    ]  # fmt: skip
    r1 = await round_results(app.deps, seeded.consultation_id, 1)
    r2 = await round_results(app.deps, seeded.consultation_id, 2)
    assert r1.lead is not None and r2.lead is not None
    a1, a2 = r1.lead.figures, r2.lead.figures
    assert a1 is not None and a2 is not None

    # Responses: one row per resident per round; each service's column averages to the tally's mean
    responses = _table(_sheet(wb, "Responses"))
    assert len(responses) == r1.started + r2.started == 9
    assert wb["Responses"].freeze_panes == "B2"
    for rnd, res, a in ((1, r1, a1), (2, r2, a2)):
        rows = [r for r in responses if r["Round"] == rnd and r["Adult social care (p)"] is not None]
        assert res.lead is not None and len(rows) == res.lead.respondents
        for s in a.services:
            col = [r[f"{s.name} (p)"] for r in rows]
            assert sum(col) / len(col) == pytest.approx(s.mean)
        for r in rows:
            assert sum(r[f"{s.name} (p)"] for s in a.services) == 100
    pseudonyms = {r["Pseudonym"] for r in responses}
    assert all(re.fullmatch(r"R-[0-9a-f]{12}", p) for p in pseudonyms)
    assert len(pseudonyms) == 6  # five residents in round 1, one new in round 2; the erased one absent
    erased = Pseudonyms(KEY)("council-pound", seeded.erased)
    assert erased not in pseudonyms

    # Summary: participation with the lead question's respondents; the lead question's figures by round (today
    # beside each round's mean, as in the tallies); the chart and the figures it draws (today, each round's mean)
    summary = _sheet(wb, "Summary")
    rounds = _table(summary[next(i for i, r in enumerate(summary) if r[:2] == ["Round", "Title"]) :])
    assert [r["Residents who answered question 1 (share the pound)"] for r in rounds] == [4, 4]
    header_at = next(i for i, r in enumerate(summary) if r[:2] == ["Round", "Service"])
    figures = _table(summary[header_at:])
    for rnd, a in ((1, a1), (2, a2)):
        shown = [f for f in figures if f["Round"] == rnd]
        assert [f["Service"] for f in shown] == [s.name for s in a.services]
        assert sum(f["Today (p)"] for f in shown) == 100
        for f, s in zip(shown, a.services, strict=True):
            assert f["Mean (p)"] == pytest.approx(s.mean, abs=0.01)
            assert f["Median (p)"] == s.median
            assert f["Change from today (p)"] == pytest.approx(s.change, abs=0.01)
            assert f["Residents who answered"] == 4
    assert sum(f["Mean (p)"] for f in figures if f["Round"] == 2) == pytest.approx(100, abs=0.1)
    # How views moved compares the same residents: the three who shared the pound in both rounds, each round named
    # with its count; the means are theirs (a service round 1 lacked is 0p for them there)
    both = [t for t in seeded.round1 if t in seeded.round2 and "pound" in seeded.round1[t]]
    assert len(both) == 3
    series = ["Today", "Share your pound (n=3)", "Think again (n=3)"]
    drawn_at = next(i for i, r in enumerate(summary) if r[1:4] == series)
    drawn = summary[drawn_at + 1 : drawn_at + 1 + len(a1.services)]
    assert [r[0] for r in drawn] == [s.name for s in a1.services]
    assert sum(r[1] for r in drawn) == 100
    for row, service in zip(drawn, a1.services, strict=True):  # a chart's means are to a tenth of 1p
        mean1 = statistics.fmean(seeded.round1[t]["pound"].get(service.key, 0) for t in both)
        mean2 = statistics.fmean(seeded.round2[t]["pound"].get(service.key, 0) for t in both)
        assert row[2] == pytest.approx(mean1, abs=0.051) and row[3] == pytest.approx(mean2, abs=0.051)
    assert "the same 3 residents" in summary[drawn_at + 1 + len(a1.services)][0]
    assert wb["Summary"]._charts, "the summary has a chart"

    # question sheets: counts add up to the respondents; a question one resident answered is not shown
    satisfaction = _table(_sheet(wb, "Q2 satisfaction"))
    for rnd, res in ((1, r1), (2, r2)):
        rows = [r for r in satisfaction if r["Round"] == rnd]
        found = res.result("satisfaction")
        assert found is not None
        n = found.respondents
        assert sum(r["Residents"] for r in rows) == n
        assert all(r["Residents who answered"] == n for r in rows)
    tax = _table(_sheet(wb, "Q3 council_tax"))
    assert [r["Option"] for r in tax if r["Round"] == 1] == ["not shown"]
    assert sum(r["Residents"] for r in tax if r["Round"] == 2) == 2
    assert wb["Q2 satisfaction"].freeze_panes == "A2"
    pound_sheet = _table(_sheet(wb, "Q1 pound"))
    assert sum(r["Mean (p)"] for r in pound_sheet if r["Round"] == 1) == pytest.approx(100, abs=0.1)

    # About: who exported (a role, not a person), the suppression rule, the privacy notice
    about = {r[0]: r[1] for r in _sheet(wb, "About")[1:]}
    assert about["Exported by"] == "an officer"
    assert "fewer than 2 residents" in about["Small numbers"]
    assert "Newcastle City Council runs this consultation" in about["Privacy notice shown to residents"]
    assert about["Versions residents answered"] == "1, 2"


MARKED = re.compile(r"⟦.*⟧", re.S)  # the pseudo-locale's mark around every catalogue text


async def test_every_header_title_and_note_comes_from_the_catalogue(app: App, seeded: Seeded) -> None:
    _, content = await export(
        app.deps, "council-pound", "xlsx", None, "officer", actor=None, via="cli", language="pseudo"
    )
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames[0] == "⟦Summary⟧" and wb.sheetnames[-2:] == ["⟦Responses⟧", "⟦About⟧"]
    spec = example()
    content_headers = {q.key for q in spec.questions} | {f"{s.name} (p)" for s in version_two(spec).services}
    header = _sheet(wb, "⟦Responses⟧")[0]
    assert [h for h in header if not MARKED.fullmatch(h)] == ["satisfaction", "council_tax", "priorities", "savings",
                                                             "anything_else"]  # fmt: skip
    for name in wb.sheetnames[1:-2]:  # each question's table: headers, "not shown", its title and the note
        rows = _sheet(wb, name)
        assert all(MARKED.fullmatch(h) for h in rows[0]), name
        assert all(MARKED.fullmatch(v) for r in rows[1:] for v in r if v in {"⟦not shown⟧", "not shown"})
        assert MARKED.fullmatch(rows[-2][0]) and MARKED.fullmatch(rows[-1][0]), name
    about = _sheet(wb, "⟦About⟧")
    assert all(MARKED.fullmatch(r[0]) for r in about)
    summary = _sheet(wb, "⟦Summary⟧")
    assert all(MARKED.fullmatch(r[0]) for r in summary[:3])

    _, zipped = await export(app.deps, "council-pound", "csv", 1, "officer", actor=None, via="cli", language="pseudo")
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        for name in z.namelist():
            first = next(csv.reader(io.StringIO(z.read(name).decode("utf-8-sig"))))
            assert all(MARKED.search(h) or h in content_headers or not h for h in first), name


async def test_a_formula_from_a_resident_comes_out_inert(app: App, seeded: Seeded) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(await make(app, "xlsx", 1)))
    responses = _table(_sheet(wb, "Responses"))
    cell = next(r["anything_else"] for r in responses if r["anything_else"])
    assert cell == "'" + INJECTION
    ws = wb["Responses"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row), "no cell holds a formula"
    comments = {r["Why (comment)"] for r in responses}
    assert "'+ libraries @ once" in comments
    assert "(withheld: a moderator rejected this comment)" in comments and "Rejected words." not in comments

    with zipfile.ZipFile(io.BytesIO(await make(app, "csv", 1))) as z:
        rows = list(csv.DictReader(io.StringIO(z.read("responses.csv").decode("utf-8-sig"))))
    assert next(r["anything_else"] for r in rows if r["anything_else"]) == "'" + INJECTION


# --- CSV -----------------------------------------------------------------------------------------------------


async def test_csv_zip_has_one_file_per_table_with_a_bom(app: App, seeded: Seeded) -> None:
    content = await make(app, "csv")
    r2 = await round_results(app.deps, seeded.consultation_id, 2)
    assert r2.lead is not None and r2.lead.figures is not None
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        names = z.namelist()
        assert names[:2] == ["responses.csv", "rounds.csv"]  # the rows stream first; the figures come from them
        assert {"question_1_pound.csv", "about.csv", "question_2_satisfaction.csv"} <= set(names)
        tables = {}
        for name in names:
            raw = z.read(name)
            assert raw.startswith(b"\xef\xbb\xbf"), name
            tables[name] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    rounds = tables["rounds.csv"]
    assert [int(r["Round"]) for r in rounds] == [1, 2]
    assert [int(r["Residents who started"]) for r in rounds] == [5, 4]
    assert rounds[0]["Sent (% of started)"] == "80.0"  # the header names its unit once
    assert [int(r["Residents who answered question 1 (share the pound)"]) for r in rounds] == [4, 4]
    responses = tables["responses.csv"]
    assert len(responses) == 9
    rows2 = [r for r in responses if r["Round"] == "2"]
    for s in r2.lead.figures.services:
        assert statistics.fmean(int(r[f"{s.name} (p)"]) for r in rows2) == pytest.approx(s.mean)
    pound2 = [a for a in tables["question_1_pound.csv"] if a["Round"] == "2"]
    assert sum(int(a["Today (p)"]) for a in pound2) == 100
    assert pound2[-1]["Service"] == "Climate action" and float(pound2[-1]["Mean (p)"]) == pytest.approx(1.25)


# --- PDF -----------------------------------------------------------------------------------------------------


def pdf_images(pdf: bytes) -> int:
    """Colour images drawn in a PDF (their transparency masks are images too, and are not counted)."""
    dicts = re.findall(rb"<<((?:(?!<<|>>).)*?)>>\s*stream", pdf, re.S)
    return sum(1 for d in dicts if b"/Image" in d and b"/DeviceRGB" in d)


def pdf_streams(pdf: bytes) -> list[bytes]:
    """Every stream of a PDF, decoded (reportlab uses Flate, and ASCII85 before it for images)."""
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\n?endstream", pdf, re.S):
        data = m.group(1).strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data.removeprefix(b"<~").removesuffix(b"~>"))
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
        out.append(data)
    return out


async def test_the_pdf_report_has_pages_charts_and_tables(app: App, seeded: Seeded) -> None:
    content = await make(app, "pdf")
    assert content.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", content))
    assert pages >= 2
    assert pdf_images(content) == 2  # the lead question's chart of the latest round, and movement between rounds
    streams = pdf_streams(content)
    pngs = [s for s in streams if len(s) > 10_000]
    assert pngs, "image data decodes"
    one_round = await make(app, "pdf", 1)
    assert pdf_images(one_round) == 1  # no movement chart for one round


async def test_the_pdf_leaves_out_what_too_few_residents_said(app: App) -> None:
    from bot.services import rounds
    from tests.integration.export_seed import answer, example, pound

    spec = example()
    async with app.deps.uow() as uow:
        cid = (await uow.consultations.store(spec, None)).consultation_id
        await uow.commit()
    await rounds.open_round(app.deps, spec.code, 1)
    await answer(app.deps, 7_731_599_002, cid, {"pound": pound(housing=12), "satisfaction": 3})
    content = await make(app, "pdf")
    assert content.startswith(b"%PDF-")
    assert pdf_images(content) == 0  # no chart from one resident


async def pdf_text(app: App, round_number: int | None = None) -> str:
    """Every paragraph of the PDF report, as plain text in the order it is laid out (headings, notes, cells)."""
    from reportlab.platypus import KeepTogether, Paragraph, Table

    from bot.exports.data import collect
    from bot.exports.pdf import PdfWriter

    d = app.deps
    async with d.uow() as uow:
        data = await collect(uow, "council-pound", round_number, "officer", 2, d.clock(), d.tz)
    out: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, Paragraph):
            out.append(x.getPlainText())
        elif isinstance(x, KeepTogether):
            for y in x._content:
                walk(y)
        elif isinstance(x, Table):
            for row in x._cellvalues:
                for y in row:
                    walk(y)
        elif isinstance(x, list | tuple):
            for y in x:
                walk(y)

    walk(PdfWriter(io.BytesIO()).story(data))
    return "\n".join(out)


ONE_PLURAL = re.compile(r"(?<![\d.,])1 (residents|responses|answers)\b")  # "1 residents finished"


async def seed_one(app: App, comment: bool = True) -> None:
    """One resident in round 1 (fewer than the minimum of 2), with an approved comment."""
    from bot.services import rounds
    from tests.integration.export_seed import answer, pound, review

    spec = example()
    async with app.deps.uow() as uow:
        cid = (await uow.consultations.store(spec, None)).consultation_id
        await uow.commit()
    await rounds.open_round(app.deps, spec.code, 1)
    answers: dict[str, Any] = {"pound": pound(housing=12), "satisfaction": 3}
    if comment:
        answers["pound.why"] = "Only me."
    await answer(app.deps, 7_731_599_003, cid, answers)
    if comment:
        await review(app.deps, 7_731_599_003, 1, "approved")


async def test_residents_and_responses_are_counted_apart_and_said_who_counts(app: App, seeded: Seeded) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(await make(app, "xlsx")))
    about = {r[0]: r[1] for r in _sheet(wb, "About")[1:]}
    # six residents (five in round 1, one new in round 2), nine responses (one per resident per round)
    assert about["Residents in this export"].startswith("6 (each counted once")
    assert about["Responses in this export"].startswith("9 (one per resident per round")
    assert "Each question's figures count the residents who answered that question" in about["What counts"]
    assert "Who is counted: every answer a resident saved by the close counts" in _sheet(wb, "Summary")[2][0]
    text = await pdf_text(app)
    assert "6 residents took part (9 responses: one per resident per round)." in text
    assert "Who is counted: every answer a resident saved by the close counts" in text
    assert "Each round counts the same 3 residents" in text  # how views moved: those who answered both rounds
    one = await pdf_text(app, 1)
    assert "5 residents took part (5 responses: one per resident per round)." in one
    wb1 = openpyxl.load_workbook(io.BytesIO(await make(app, "xlsx", 1)))
    about1 = {r[0]: r[1] for r in _sheet(wb1, "About")[1:]}
    assert about1["Residents in this export"].startswith("5 ") and about1["Responses in this export"].startswith("5 ")


async def test_a_csv_header_names_its_unit_once(app: App, seeded: Seeded) -> None:
    with zipfile.ZipFile(io.BytesIO(await make(app, "csv"))) as z:
        headers = {n: next(csv.reader(io.StringIO(z.read(n).decode("utf-8-sig")))) for n in z.namelist()}
    every = [h for hs in headers.values() for h in hs]
    assert all(h.count("%") <= 1 for h in every), [h for h in every if h.count("%") > 1]
    assert "Sent (% of started)" in headers["rounds.csv"]
    assert "Share of those who answered (%)" in headers["question_2_satisfaction.csv"]  # its values are 0-100


async def test_with_too_few_residents_the_pound_keeps_its_heading_and_comments_are_withheld(app: App) -> None:
    await seed_one(app)
    title = "Question 1 (share the pound): How would you share the council pound?"
    wb = openpyxl.load_workbook(io.BytesIO(await make(app, "xlsx")))
    summary = _sheet(wb, "Summary")
    at = next(i for i, r in enumerate(summary) if r and r[0] == title)
    assert summary[at + 1][:2] == ["Round", "Service"] and summary[at + 2][1] == "not shown"
    assert [r[0] for r in _sheet(wb, "Q1 pound")][-2] == title
    with zipfile.ZipFile(io.BytesIO(await make(app, "csv"))) as z:
        pound_csv = list(csv.reader(io.StringIO(z.read("question_1_pound.csv").decode("utf-8-sig"))))
        texts = [z.read(n).decode("utf-8-sig") for n in z.namelist()]
    assert pound_csv[0][:2] == ["Round", "Service"] and pound_csv[1][1] == "not shown"
    text = await pdf_text(app)
    assert title in text
    # the comment was approved, but the round's figures are not shown: the report says why it is not quoted
    assert "Round 1: comments are withheld because fewer than 2 residents took part" in text
    assert "No comments have been approved" not in text and "Only me." not in text
    assert "1 resident took part (1 response: one per resident per round)." in text
    cells = [str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r if v is not None]
    for where, found in (("pdf", text), ("xlsx", "\n".join(cells)), ("csv", "\n".join(texts))):
        assert not ONE_PLURAL.search(found), (where, ONE_PLURAL.search(found))


async def test_without_approved_comments_the_pdf_says_none_are_approved(app: App) -> None:
    await seed_one(app, comment=False)
    text = await pdf_text(app)
    assert "No comments have been approved for publication yet." in text and "withheld" not in text


# --- nothing identifies a resident -------------------------------------------------------------------------------


def every_byte(fmt: str, content: bytes) -> bytes:
    if fmt in {"xlsx", "csv"}:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return content + b"".join(z.read(n) for n in z.namelist())
    return content + b"".join(pdf_streams(content))


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
async def test_no_telegram_id_appears_anywhere_in_an_export(app: App, seeded: Seeded, fmt: str) -> None:
    blob = every_byte(fmt, await make(app, fmt))  # all rounds: everything an export can hold
    assert b"council-pound" in blob  # the search does see the text (in the PDF, its metadata)
    for tid in [*seeded.ids, OFFICER]:
        for form in {str(tid).encode(), str(tid).encode("utf-16-le"), f"{tid:x}".encode()}:
            assert form not in blob, f"{tid} found in the {fmt} export"
    assert b"Erase me please" not in blob


# --- the command line --------------------------------------------------------------------------------------------


def test_the_cli_writes_an_export_with_progress(tmp_path: Path) -> None:
    from bot.cli import app as cli

    db = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    conf = tmp_path / "moot.toml"
    conf.write_text(f'[database]\nurl = "{db}"\n[privacy]\npseudonym_key = "{KEY}"\n[results]\nmin_respondents = 2\n')

    async def prepare() -> None:
        a = await build(config(db), with_runtime=False)
        try:
            await seed(a.deps)
        finally:
            await a.close()

    asyncio.run(prepare())
    # The test runner's own MOOT_TEST_* variables would read as config keys; the CLI gets a clean environment.
    runner = CliRunner(env={k: None for k in os.environ if k.startswith("MOOT_")})  # type: ignore[misc]
    out = tmp_path / "r.xlsx"
    result = runner.invoke(
        cli, ["export", "council-pound", "--format", "xlsx", "--out", str(out), "--config", str(conf)]
    )
    assert result.exit_code == 0, result.output
    assert "9 responses" in result.output
    wb = openpyxl.load_workbook(out)
    assert len(_table(_sheet(wb, "Responses"))) == 9
    result = runner.invoke(
        cli, ["export", "council-pound", "-f", "pdf", "--out", str(tmp_path / "r.pdf"), "--round", "2", "-c", str(conf)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    result = runner.invoke(cli, ["export", "nope", "-f", "csv", "--out", str(tmp_path / "x.zip"), "-c", str(conf)])
    assert result.exit_code == 1 and "no consultation" in result.output
    assert not (tmp_path / "x.zip").exists()


async def test_export_to_reports_progress(app: App, seeded: Seeded) -> None:
    seen: list[tuple[int, int]] = []
    buf = io.BytesIO()
    info = await export_to(
        app.deps, "council-pound", "csv", buf, None, "officer", progress=lambda a, b: seen.append((a, b))
    )
    assert seen[0] == (0, 9) and seen[-1] == (9, 9)
    assert info.responses == 9 and info.rounds == [1, 2] and info.filename.endswith(".zip")


def test_the_cli_refusal_without_a_pseudonym_key_names_the_config_section(tmp_path: Path) -> None:
    from bot.cli import app as cli

    conf = tmp_path / "moot.toml"
    conf.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/cli.db"\n')
    runner = CliRunner(env={k: None for k in os.environ if k.startswith("MOOT_")})  # type: ignore[misc]
    result = runner.invoke(cli, ["export", "council-pound", "-f", "csv", "--out", str(tmp_path / "x.zip"),
                                 "-c", str(conf)], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert "pseudonym_key under [privacy] in the config file" in result.output
