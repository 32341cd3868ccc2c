"""The report an officer publishes: the HTML page and the tagged PDF/UA-1 made from it, read back as a screen reader
and a checker would (html.parser; pdfua and pikepdf), residents' emoji and Welsh letters included."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from html import unescape
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

import pdfua
import pikepdf
import pytest

from bot.bootstrap import App, build
from bot.exports import pdf as pdf_report
from tests.integration.export_seed import Seeded, answer, example, pound, review, seed
from tests.integration.test_exports import config, make, pdf_plain_text

WELSH = "Diolch! Mae'r ŵyl a'r ŷd yn bwysig â chalon"
EMOJI = "😀👍🏽"
HOSTILE = '<script>alert(1)</script> & <b onclick="x">bold</b>'
CHECKER_FAULTS = {"UA-14-001"}  # pdfua 0.1.3's heading check raises on pikepdf 10's arrays: checked here instead


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    a = await build(config(database_url), with_runtime=False)
    yield a
    await a.close()


@pytest.fixture
async def seeded(app: App) -> Seeded:
    return await seed(app.deps)


class Page(HTMLParser):
    """What an accessibility checker reads from an HTML page: headings, images, tables, the language."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.title = ""
        self.headings: list[tuple[int, str]] = []
        self.images: list[dict[str, str | None]] = []
        self.tables: list[dict[str, Any]] = []
        self.scripts = 0
        self.open: list[str] = []
        self.text = ""
        self.after_figure: list[str] = []  # what follows each figure: the element that holds its table

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.open.append(tag)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "img":
            self.images.append(a)
            self.open.pop()  # a void element
        elif tag in {"br", "meta"}:
            self.open.pop()
        elif tag == "script":
            self.scripts += 1
        elif tag == "table":
            self.tables.append({"caption": "", "col": [], "row": 0, "th_without_scope": 0, "body_rows": 0})
        elif tag == "th":
            t = self.tables[-1]
            scope = a.get("scope")
            if scope == "col":
                t["col"].append("")
            elif scope == "row":
                t["row"] += 1
            else:
                t["th_without_scope"] += 1
        elif tag == "tr" and "tbody" in self.open:
            self.tables[-1]["body_rows"] += 1
        self.text = ""

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append((int(tag[1]), " ".join(self.text.split())))
        elif tag == "title":
            self.title = self.text
        elif tag == "caption":
            self.tables[-1]["caption"] = " ".join(self.text.split())
        elif tag == "th" and self.open and "thead" in self.open:
            self.tables[-1]["col"][-1] = self.text.strip()
        if tag == "figure":
            self.after_figure.append("")
        while self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.text += data


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


async def quote_residents(app: App, *comments: str) -> None:
    """Two residents (the minimum) in round 1 of a new consultation, their comments approved for publication."""
    from bot.services import rounds

    spec = example()
    async with app.deps.uow() as uow:
        cid = (await uow.consultations.store(spec, None)).consultation_id
        await uow.commit()
    await rounds.open_round(app.deps, spec.code, 1)
    for i, comment in enumerate(comments):
        tid = 7_731_598_001 + i
        await answer(app.deps, tid, cid, {"pound": pound(housing=8 + i), "pound.why": comment, "satisfaction": 3})
        await review(app.deps, tid, 1, "approved")


async def test_the_html_report_has_a_language_headings_in_order_alt_texts_and_table_headers(
    app: App, seeded: Seeded
) -> None:
    html = (await make(app, "html")).decode("utf-8")
    page = read(html)
    assert page.lang == "en"
    assert page.title == "The Council Pound: results"
    assert page.scripts == 0
    levels = [level for level, _text in page.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), page.headings  # no level skipped
    assert all(text for _level, text in page.headings)
    names = [text for _level, text in page.headings]
    assert "Who took part" in names and "What residents said" in names and "About this report" in names
    assert sum(n.startswith("Question ") for n in names) == 6  # every question has its section
    # the charts (the pound's latest round and how views moved; the ranking's count): each an image with its
    # words, and its figures in a table beside it
    assert len(page.images) == 3
    alts = [str(i.get("alt") or "") for i in page.images]
    assert alts[0].startswith("Average of 4 residents, today's in brackets: Adult social care 34.2p (34p)")
    assert alts[1].startswith("Average pence in Share your pound (n=3) then Think again (n=3), today's in brackets:")
    assert alts[2].startswith("Stage 1: Share buildings with other public bodies 1,")
    assert all(str(i.get("src", "")).startswith("data:image/png;base64,") for i in page.images)
    assert [t["caption"] for t in page.tables].count("The chart's figures") == 3
    for t in page.tables:
        assert t["caption"], t
        assert t["col"] and all(t["col"]), t  # every column headed
        assert t["th_without_scope"] == 0
    chart_tables = [t for t in page.tables if t["caption"] == "The chart's figures"]
    assert [t["body_rows"] for t in chart_tables] == [11, 11, 4]  # a row per service, then per ranked option
    assert all(t["row"] == t["body_rows"] for t in chart_tables)  # each row named by a header
    participation = next(t for t in page.tables if t["caption"] == "Participation by round")
    assert {"Residents who started", "Residents who sent their answers"} <= set(participation["col"])
    assert "6 residents took part (9 responses: one per resident per round)." in html


async def test_the_pdf_is_tagged_pdf_ua_with_every_figure_described(
    app: App, seeded: Seeded, tmp_path: Path
) -> None:
    content = await make(app, "pdf")
    page = read((await make(app, "html")).decode("utf-8"))
    alts = [str(i.get("alt")) for i in page.images]
    (tmp_path / "report.pdf").write_bytes(content)
    report = pdfua.validate(str(tmp_path / "report.pdf"))
    problems = [(f.rule_id, f.severity.name, f.message) for f in report.findings]
    assert not problems, problems  # no error and no warning from the checks the checker makes
    skipped = [(o.rule_id, o.skipped_reason) for o in report.skipped]
    assert {rule for rule, _why in skipped} <= CHECKER_FAULTS, skipped

    with pikepdf.open(io.BytesIO(content)) as doc:
        root = doc.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en"
        assert root.ViewerPreferences.DisplayDocTitle is True
        with doc.open_metadata() as xmp:
            assert xmp.get("dc:title") == "The Council Pound: results"
            assert xmp.get("pdfuaid:part") == "1"
        assert str(doc.docinfo.Title) == "The Council Pound: results"
        elements = list(_walk(root.StructTreeRoot))
    roles = [str(e.S) for e in elements]
    figures = [e for e in elements if e.S == "/Figure"]
    assert [str(f.Alt) for f in figures] == alts  # each chart's words, as the HTML gives them
    assert roles.count("/H1") == 1 and "/H2" in roles and "/H3" in roles
    assert all(_marks_content(e) for e in elements if re.fullmatch(r"/H[1-6]", str(e.S)))  # no heading is empty
    headers = [e for e in elements if e.S == "/TH"]
    assert headers and all(str(e.A.Scope) in {"/Column", "/Row"} for e in headers)
    assert {str(e.A.Scope) for e in headers} == {"/Column", "/Row"}  # column headers, and the rows' names
    cells = [e for e in elements if e.S == "/TD"]
    ids = {bytes(e.ID) for e in headers}
    assert cells and all(len(e.A.Headers) and {bytes(h) for h in e.A.Headers} <= ids for e in cells)
    # WeasyPrint tags page by page: a table running over a page break is a /Table on each page, each with its head
    assert roles.count("/Table") >= len(page.tables)


def _walk(node: Any) -> Any:
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from _walk(kid)


def _marks_content(e: Any) -> bool:
    kids = e.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and (kid.get("/Type") == "/MCR" or
                                                                               _marks_content(kid))):
            return True
    return False


async def test_residents_words_are_escaped_and_keep_welsh_letters_and_emoji(app: App) -> None:
    await quote_residents(app, f"{WELSH} {EMOJI}", HOSTILE)
    html = (await make(app, "html")).decode("utf-8")
    assert f"“{WELSH} {EMOJI}”" in unescape(html)
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b onclick=&#34;x&#34;&gt;" in html
    assert read(html).scripts == 0
    content = await make(app, "pdf")
    text = pdf_plain_text(content)
    assert WELSH in text and "<script>alert(1)</script> & <b" in text
    if pdf_report.emoji_font():  # drawn with the colour emoji font (.ci/run installs fonts-noto-color-emoji)
        assert "😀" in text
        assert any("Emoji" in name for name in _fonts(content)), _fonts(content)
    else:
        assert "😀" not in text


async def test_without_an_emoji_font_emoji_are_dropped_cleanly(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    await quote_residents(app, f"{WELSH} {EMOJI} da", "Two 👩‍👩‍👧 words 🏴󠁧󠁢󠁷󠁬󠁳󠁿")
    monkeypatch.setattr(pdf_report, "emoji_font", lambda: False)
    text = pdf_plain_text(await make(app, "pdf"))
    assert f"“{WELSH} da”" in text and "“Two words”" in text
    assert not re.search("[\U0001f000-\U0001ffff\u200d\ufe0f\U000e0000-\U000e007f\ufffd]", text)
    assert "Emoji" not in " ".join(_fonts(await make(app, "pdf")))


def _fonts(content: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(content)) as doc:
        return sorted({str(o.BaseFont) for o in doc.objects if isinstance(o, pikepdf.Dictionary) and "/BaseFont" in o})
