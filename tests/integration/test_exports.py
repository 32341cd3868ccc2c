"""Results and officers' exports over real stored answers: figures, suppression, pseudonyms, safety of every byte."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import os
import re
import shutil
import statistics
import subprocess
import zipfile
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pikepdf
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
# Responses headers are in the council's words: the question's prompt (its key is in the Columns sheet)
ANYTHING = example().question("anything_else").prompt
WHY = "Why (comment): " + example().question("pound").prompt


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
        "Q6 anything_else", "Responses", "Columns", "About",
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
    # Libraries' consequence levels: every resident who shared their pound is at exactly one level.
    libraries = next(r for r in pound_sheet if r["Round"] == 1 and r["Service"] == "Libraries and culture")
    levels = [int(n) for n in re.findall(r"(\d+) residents?", libraries["Residents at each consequence level"])]
    assert len(levels) == 3 and sum(levels) == libraries["Residents who answered"]
    housing = next(r for r in pound_sheet if r["Service"] == "Housing")
    assert housing["Residents at each consequence level"] in ("", None)  # the file gives housing no consequences

    # The ranking, both ways. Round 1's two rankings (worked by hand): Borda gives online 4,
    # volunteers 4 (online has a first place), share 3, charge 1; instant-runoff drops volunteers and charge (tied
    # on 0, listed later first), then online and share tie on 1 at every stage: online, listed later, goes, and
    # its vote moves to share, which wins at stage 4.
    savings = [r for r in _table(_sheet(wb, "Q5 savings")) if r["Round"] == 1]
    assert [(r["Option"], r["Borda points"], r["First places"]) for r in savings] == [
        ("Move more services online", 4, 1), ("Use more volunteers", 4, 0),
        ("Share buildings with other public bodies", 3, 1), ("Charge more for some services", 1, 0),
    ]
    share = next(r for r in savings if r["Option"].startswith("Share"))
    assert [share[f"Instant-runoff stage {k} (votes)"] for k in (1, 2, 3, 4)] == [1, 1, 1, 2]
    assert share["Instant-runoff result"] == "wins at stage 4"
    online = next(r for r in savings if r["Option"].startswith("Move"))
    assert online["Instant-runoff result"] == ("out at stage 3 (tie settled by the question's order); its votes "
                                               "went to: Share buildings with other public bodies 1")

    # About: who exported (a role, not a person), the suppression rule, the privacy notice
    about = {r[0]: r[1] for r in _sheet(wb, "About")[1:]}
    assert about["Exported by"] == "an officer"
    assert "fewer than 2 residents" in about["Small numbers"]
    assert "Newcastle City Council runs this consultation" in about["Privacy notice shown to residents"]
    assert about["Versions residents answered"] == "1, 2"


MARKED = re.compile(r"⟦.*⟧", re.S)  # the pseudo-locale's mark around every catalogue text


async def test_the_responses_are_pivot_ready_and_every_column_is_described(app: App, seeded: Seeded) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(await make(app, "xlsx")))
    responses = _table(_sheet(wb, "Responses"))
    spec = example()
    priorities, savings = spec.question("priorities"), spec.question("savings")
    # a multiple choice is a 0/1 column per option: each column's sum is how many ticked it, as the tally says
    r1 = await round_results(app.deps, seeded.consultation_id, 1)
    tally = r1.result("priorities")
    assert tally is not None
    ticks = [a["priorities"] for a in seeded.round1.values() if "priorities" in a]
    for option in priorities.options:  # type: ignore[attr-defined]
        column = [r[f"{priorities.prompt}: {option.label}"] for r in responses if r["Round"] == 1]
        answered = [v for v in column if v is not None]
        assert set(answered) <= {0, 1} and len(answered) == tally.respondents
        assert sum(answered) == sum(option.key in t for t in ticks), option.key
    # a ranking is one position column per option: 1 for the first choice, empty where not ranked
    first = next(a["savings"] for a in seeded.round1.values() if "savings" in a)
    row = next(r for r in responses if r["Round"] == 1 and r[f"{savings.prompt}: position of "
               f"{next(o.label for o in savings.options if o.key == first[0])}"] == 1)  # type: ignore[attr-defined]
    positions = {o.key: row[f"{savings.prompt}: position of {o.label}"] for o in savings.options}  # type: ignore
    assert sorted(v for v in positions.values() if v is not None) == list(range(1, len(first) + 1))
    # every sheet can be filtered; headers stay in sight where each table starts
    for name in wb.sheetnames:
        assert wb[name].auto_filter.ref, name
    assert wb["Responses"].auto_filter.ref == f"A1:{_column_name(len(_sheet(wb, 'Responses')[0]))}{len(responses) + 1}"
    assert wb["Summary"].freeze_panes == "A6"
    # the Columns sheet lists every Responses column with its code, its question and what its values mean
    columns = _table(_sheet(wb, "Columns"))
    assert [c["Header"] for c in columns] == _sheet(wb, "Responses")[0]
    by_code = {c["Code"]: c for c in columns}
    assert by_code["priorities.cleaner_streets"]["Values"] == "1 = ticked, 0 = not ticked, empty = not answered"
    assert by_code["priorities.cleaner_streets"]["Question"] == 4
    assert "Up to 3% (up_to_3)" in by_code["council_tax"]["Values"]
    assert by_code["pound.adult_social_care"]["Kind"] == "pence"
    assert by_code["pseudonym"]["Question"] is None and by_code["started"]["Kind"].startswith("date and time")


def _column_name(n: int) -> str:
    name = ""
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


async def test_every_header_title_and_note_comes_from_the_catalogue(app: App, seeded: Seeded) -> None:
    _, content = await export(
        app.deps, "council-pound", "xlsx", None, "officer", actor=None, via="cli", language="pseudo"
    )
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames[0] == "⟦Summary⟧" and wb.sheetnames[-3:] == ["⟦Responses⟧", "⟦Columns⟧", "⟦About⟧"]
    spec = example()
    content_headers = {q.prompt for q in spec.questions} | {f"{s.name} (p)" for s in version_two(spec).services}
    header = _sheet(wb, "⟦Responses⟧")[0]
    # the prompts are the file's own words, not the catalogue's; every other header is a catalogue message
    by_prompt = [q.prompt for q in spec.questions if q.key in {"satisfaction", "council_tax", "anything_else"}]
    assert [h for h in header if not MARKED.fullmatch(h)] == by_prompt
    for name in wb.sheetnames[1:-3]:  # each question's table: headers, "not shown", its title and the note
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
    cell = next(r[ANYTHING] for r in responses if r[ANYTHING])
    assert cell == "'" + INJECTION
    ws = wb["Responses"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row), "no cell holds a formula"
    comments = {r[WHY] for r in responses}
    assert "'+ libraries @ once" in comments
    assert "(withheld: a moderator rejected this comment)" in comments and "Rejected words." not in comments

    with zipfile.ZipFile(io.BytesIO(await make(app, "csv", 1))) as z:
        rows = list(csv.DictReader(io.StringIO(z.read("responses.csv").decode("utf-8-sig"))))
    assert next(r[ANYTHING] for r in rows if r[ANYTHING]) == "'" + INJECTION


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


# --- the report: HTML and PDF ---------------------------------------------------------------------------------


def pdf_images(pdf: bytes) -> int:
    """Images drawn on the PDF's pages (their transparency masks are images too, and are not counted)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        streams = [obj for obj in doc.objects if isinstance(obj, pikepdf.Stream)]
        images = {x.objgen: x for x in streams if x.get("/Subtype") == "/Image"}  # once each, however many pages
        masks = {x.SMask.objgen for x in images.values() if "/SMask" in x}
        return len(images.keys() - masks)


def pdf_streams(pdf: bytes) -> list[bytes]:
    """Every stream of a PDF, decoded."""
    out = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    out.append(obj.read_bytes())
                except pikepdf.PdfError:  # an image in a format qpdf does not decode: its bytes as stored
                    out.append(obj.read_raw_bytes())
    return out


def pdf_plain_text(pdf: bytes) -> str:
    """The PDF's text as a reader copies it (pdftotext, from poppler-utils), lines joined by spaces."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: apt-get install poppler-utils (.ci/run does)"
    done = subprocess.run([pdftotext, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


async def test_the_pdf_report_has_pages_charts_and_tables(app: App, seeded: Seeded) -> None:
    content = await make(app, "pdf")
    assert content.startswith(b"%PDF-")
    with pikepdf.open(io.BytesIO(content)) as doc:
        assert len(doc.pages) >= 2
    # The lead question's chart of the latest round and movement between rounds; the ranking's instant-runoff count.
    assert pdf_images(content) == 3
    pngs = [s for s in pdf_streams(content) if len(s) > 10_000]
    assert pngs, "image data decodes"
    text = pdf_plain_text(content)
    assert "The chart's figures" in text and "Figures by round" in text  # a table beside each chart, and the type's
    one_round = await make(app, "pdf", 1)
    assert pdf_images(one_round) == 2  # no movement chart for one round


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


class _Text(HTMLParser):
    """The text of an HTML page as a reader hears it: each element's text on its own line, the style left out."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = [""]
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in {"style", "script"}
        if tag not in {"strong", "em", "a", "br", "span"}:
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in {"style", "script"}

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.lines[-1] += data


async def report_text(app: App, round_number: int | None = None) -> str:
    """Every paragraph, heading and cell of the report (the HTML the PDF is laid out from), as plain text."""
    parser = _Text()
    parser.feed((await make(app, "html", round_number)).decode("utf-8"))
    return "\n".join(" ".join(line.split()) for line in parser.lines if line.strip())


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
    text = await report_text(app)
    assert "6 residents took part (9 responses: one per resident per round)." in text
    assert "Who is counted: every answer a resident saved by the close counts" in text
    assert "Each round counts the same 3 residents" in text  # how views moved: those who answered both rounds
    one = await report_text(app, 1)
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
    text = await report_text(app)
    assert title in text
    # the comment was approved, but the round's figures are not shown: the report says why it is not quoted
    assert "Round 1: comments are withheld because fewer than 2 residents took part" in text
    assert "No comments have been approved" not in text and "Only me." not in text
    assert "1 resident took part (1 response: one per resident per round)." in text
    cells = [str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r if v is not None]
    for where, found in (("report", text), ("xlsx", "\n".join(cells)), ("csv", "\n".join(texts))):
        assert not ONE_PLURAL.search(found), (where, ONE_PLURAL.search(found))


async def test_without_approved_comments_the_report_says_none_are_approved(app: App) -> None:
    await seed_one(app, comment=False)
    text = await report_text(app)
    assert "No comments have been approved for publication yet." in text and "withheld" not in text


# --- open formats: ODS and JSON ---------------------------------------------------------------------------------


def _ods_sheets(content: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet of an ODS file as rows of typed values, read with odfpy as a spreadsheet program would."""
    from odf import opendocument, table, text

    doc = opendocument.load(io.BytesIO(content))
    sheets: dict[str, list[list[Any]]] = {}
    for t in doc.spreadsheet.getElementsByType(table.Table):
        rows = []
        for row in t.getElementsByType(table.TableRow):
            values: list[Any] = []
            for c in row.getElementsByType(table.TableCell):
                kind = c.getAttribute("valuetype")
                if kind in ("float", "percentage"):
                    v = float(c.getAttribute("value"))
                    values.append(int(v) if v.is_integer() and kind == "float" else v)
                elif kind == "date":
                    values.append(c.getAttribute("datevalue"))
                elif kind == "string":
                    values.append("\n".join(str(p) for p in c.getElementsByType(text.P)))
                else:
                    values.append(None)
            rows.append(values)
        sheets[t.getAttribute("name")] = rows
    return sheets


async def test_the_ods_has_the_workbook_s_sheets_and_its_sums_match_the_tallies(app: App, seeded: Seeded) -> None:
    content = await make(app, "ods")
    assert content[30:38] == b"mimetype" and b"application/vnd.oasis.opendocument.spreadsheet" in content[:100]
    sheets = _ods_sheets(content)
    assert list(sheets) == [
        "Summary", "Q1 pound", "Q2 satisfaction", "Q3 council_tax", "Q4 priorities", "Q5 savings",
        "Q6 anything_else", "Responses", "Columns", "About",
    ]  # fmt: skip
    r1 = await round_results(app.deps, seeded.consultation_id, 1)
    assert r1.lead is not None and r1.lead.figures is not None
    responses = _table(sheets["Responses"])
    assert len(responses) == 9  # one row per resident per round, as in the XLSX
    rows = [r for r in responses if r["Round"] == 1 and r["Adult social care (p)"] is not None]
    assert len(rows) == r1.lead.respondents
    for s in r1.lead.figures.services:
        col = [r[f"{s.name} (p)"] for r in rows]
        assert sum(col) / len(col) == pytest.approx(s.mean)
    # text from a resident is text, never a formula, and times are typed times
    assert "'" + INJECTION in [r[ANYTHING] for r in responses]
    assert b"table:formula" not in zipfile.ZipFile(io.BytesIO(content)).read("content.xml")
    participation = sheets["Summary"]
    assert participation[0] == ["Participation by round"]
    header = next(i for i, r in enumerate(participation) if r[:2] == ["Round", "Title"])
    by_round = _table(participation[header:])
    assert [r["Residents who started"] for r in by_round] == [r1.started, 4]
    assert all(isinstance(r["Opened"], str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", r["Opened"])
               for r in by_round)


async def test_the_json_follows_its_schema_and_its_figures_match_the_tallies(app: App, seeded: Seeded) -> None:
    import json

    import jsonschema

    from bot.exports.jsonfile import schema

    data = json.loads(await make(app, "json"))
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(data, schema(), cls=jsonschema.Draft202012Validator)
    assert data["consultation"]["code"] == "council-pound" and data["rounds"] == [1, 2]
    headers = [c["header"] for c in data["responses"]["columns"]]
    rows = [dict(zip(headers, r, strict=True)) for r in data["responses"]["rows"]]
    assert len(rows) == 9
    r2 = await round_results(app.deps, seeded.consultation_id, 2)
    assert r2.lead is not None and r2.lead.figures is not None
    shared = [r for r in rows if r["Round"] == 2 and r["Adult social care (p)"] is not None]
    for s in r2.lead.figures.services:
        assert sum(r[f"{s.name} (p)"] for r in shared) / len(shared) == pytest.approx(s.mean)
    # the same rows as every format: text a spreadsheet would take for a formula is defused, as the schema says
    assert "'" + INJECTION in [r[ANYTHING] for r in rows]
    names = [t["name"] for t in data["tables"]]
    assert names[0] == "rounds" and names[-2:] == ["columns", "about"] and len(names) == 3 + 6


async def test_a_json_export_that_breaks_its_schema_is_caught() -> None:
    import jsonschema

    from bot.exports.jsonfile import schema

    broken = {"format": "moot-export", "version": 1, "consultation": {"code": "x", "title": "t", "organiser": "o",
              "version": 1}, "exported_at": "2026-12-05T17:00:00+00:00", "language": "en",
              "responses": {"name": "responses", "title": "Responses", "columns": [{"header": "Round",
                            "kind": "whole"}], "rows": [[1]]}, "tables": []}  # fmt: skip
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema(), cls=jsonschema.Draft202012Validator)


# --- nothing identifies a resident -------------------------------------------------------------------------------


def every_byte(fmt: str, content: bytes) -> bytes:
    if fmt in {"xlsx", "csv", "ods"}:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return content + b"".join(z.read(n) for n in z.namelist())
    if fmt == "html":  # and the charts inside it
        images = re.findall(rb"data:image/png;base64,([A-Za-z0-9+/=]+)", content)
        return content + b"".join(base64.b64decode(i) for i in images)
    if fmt == "pdf":
        return content + b"".join(pdf_streams(content))
    return content


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf", "html", "ods", "json"])
async def test_no_telegram_id_appears_anywhere_in_an_export(app: App, seeded: Seeded, fmt: str) -> None:
    blob = every_byte(fmt, await make(app, fmt))  # all rounds: everything an export can hold
    assert b"council-pound" in blob  # the search does see the text (in the PDF, its decoded page content)
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
    result = runner.invoke(
        cli, ["export", "council-pound", "-f", "html", "-o", str(tmp_path / "r.html"), "-c", str(conf)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.html").read_text("utf-8").startswith("<!DOCTYPE html>")
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
