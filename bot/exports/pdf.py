"""The PDF report for a cabinet paper (reportlab): the consultation, participation, then each question with the
charts its type draws and its type's table of figures by round, the comments residents gave, and what the report is.
Every text is in the export's language."""

from __future__ import annotations

import io
import os
from typing import IO, Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bot.exports import charts
from bot.exports.cells import Cell
from bot.exports.data import ExportData, RoundPart
from bot.exports.tables import (
    DECIMAL,
    PENCE,
    PENCE1,
    PERCENT,
    Column,
    movement_note,
    question_charts,
    question_table,
    residents_line,
    role_phrase,
    rounds_table,
    suppressed_note,
    who_counts,
    why_key,
)
from bot.exports.tables import Table as Figures
from dialogues.text import Inline, _, ngettext

EXCERPT = 400  # characters of a comment quoted in the report
MAX_QUOTES = 12  # per round
WIDTH = A4[0] - 36 * mm
CHART_WIDTH = 115 * mm  # a chart drawn for a phone (4 inches wide), its labels some 12 points on paper
ROUNDS_WIDTHS = [9, 19, 9, 12.5, 12.5, 9, 10, 8, 11]  # percent of the page's width, for the participation table


def _fonts() -> tuple[str, str]:
    """DejaVu Sans (shipped with matplotlib) covers far more alphabets than the PDF base fonts."""
    try:
        base = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
        if "MootSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("MootSans", os.path.join(base, "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont("MootSans-Bold", os.path.join(base, "DejaVuSans-Bold.ttf")))
            registerFontFamily(
                "MootSans", normal="MootSans", bold="MootSans-Bold", italic="MootSans", boldItalic="MootSans-Bold"
            )  # so <b> in a paragraph finds the bold face
        return "MootSans", "MootSans-Bold"
    except Exception:
        return "Helvetica", "Helvetica-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=9.5, leading=13)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=18, alignment=TA_LEFT),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=13, spaceBefore=10),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=bold, fontSize=10.5, spaceBefore=6),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#555555")),
        "quote": ParagraphStyle(
            "quote", parent=body, leftIndent=8 * mm, fontSize=9, textColor=colors.HexColor("#333333")
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "cellb": ParagraphStyle("cellb", parent=body, fontName=bold, fontSize=8, leading=10),
    }


def _fmt(value: Cell, col: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if col.kind == PERCENT:
            return f"{value * 100:.0f}%"
        if col.kind in (PENCE, PENCE1):
            return f"{value:.1f}p"
        if col.kind == DECIMAL:
            return f"{value:.2f}"
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and col.kind in (PENCE, PENCE1):
        return f"{value}p"
    if hasattr(value, "strftime"):
        return f"{value:%d %b %Y}"
    return str(value)  # tables reach the PDF unguarded: the spreadsheet guard means nothing here


def _withheld(number: int, minimum: int) -> Inline:
    return ngettext(
        "Round {number}: comments are withheld because fewer than {n} resident took part, too few to quote them "
        "without risking someone being recognised.",
        "Round {number}: comments are withheld because fewer than {n} residents took part, too few to quote them "
        "without risking someone being recognised.",
        minimum,
        number=number,
    )


class PdfWriter:
    wants_rows = False

    def __init__(self, out: IO[bytes], compress: bool = True):
        self.out = out
        self.compress = compress
        self.data: ExportData | None = None

    def start(self, d: ExportData) -> None:
        self.data = d

    def rows(self, batch: list[list[Cell]]) -> None:  # the report holds figures, never residents' rows
        return

    # --- building blocks ---------------------------------------------------------------------------------------

    def _p(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(text, self.st[style])

    def _t(self, text: object, style: str = "body") -> Paragraph:
        """A paragraph of text from a file or a resident: escaped, so it can never be markup."""
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), self.st[style])

    def _widths(self, columns: list[Column], texts: list[list[str]]) -> list[float]:
        """Column widths for the page. Each column is at least as wide as its longest word (header or value), so
        no word is broken where the page allows; the width left over goes first to the columns whose text would
        otherwise wrap, as much as each needs to fit on one line, then to all as the columns' own widths say."""
        cell, head = self.st["cell"], self.st["cellb"]
        pad = 6 + 1  # the cell's padding either side, and a point to spare

        def width(text: str, style: ParagraphStyle) -> float:
            return float(pdfmetrics.stringWidth(text, style.fontName, style.fontSize))

        least, natural = [], []
        for i, c in enumerate(columns):
            values = [row[i] for row in texts]
            words = [width(w, head) for w in c.header.split()] + [width(w, cell) for v in values for w in v.split()]
            least.append(max(words, default=0) + pad)
            natural.append(max([width(v, cell) for v in values] + [least[-1] - pad]) + pad)
        total = sum(c.width for c in columns)
        spare = WIDTH - sum(least)
        if spare <= 0:  # too many columns for whole words: as the columns' widths say
            return [WIDTH * c.width / total for c in columns]
        wanted = [n - w for n, w in zip(natural, least, strict=True)]
        if sum(wanted) >= spare:
            return [w + spare * more / sum(wanted) for w, more in zip(least, wanted, strict=True)]
        spare -= sum(wanted)
        return [n + spare * c.width / total for n, c in zip(natural, columns, strict=True)]

    def _table(self, columns: list[Column], rows: list[list[Cell]], widths: list[float] | None = None) -> Table:
        texts = [[_fmt(v, columns[i]) for i, v in enumerate(r[: len(columns)])] for r in rows]
        data: list[list[Any]] = [[self._t(c.header, "cellb") for c in columns]]
        data += [[self._t(v, "cell") for v in r] for r in texts]
        if widths is None:
            widths = self._widths(columns, texts)
        t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f2")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c4")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f7fa")]),
                ]
            )
        )
        return t

    def _image(self, png: bytes, width: float = WIDTH) -> Image:
        img = Image(io.BytesIO(png), hAlign="LEFT")
        scale = width / img.imageWidth
        img.drawWidth, img.drawHeight = width, img.imageHeight * scale
        return img

    # --- sections ----------------------------------------------------------------------------------------------

    def _x(self, x: Inline) -> str:
        assert self.data is not None
        return self.data.texts(x)

    def _intro(self, d: ExportData) -> list[Any]:
        s = d.spec
        rounds: Inline = (
            ngettext("{n} round", "{n} rounds", len(d.rounds))
            if len(d.rounds) > 1
            else _("round {number}", number=d.rounds[0].number)
        )
        made = _(
            "{organiser} · {rounds} · report made {when} by {role}",
            organiser=s.organiser,
            rounds=rounds,
            when=f"{d.exported_at:%d %B %Y, %H:%M}",
            role=role_phrase(d.role),
        )
        what = ngettext("Residents answered {n} question.", "Residents answered {n} questions.", len(s.questions))
        covers = _("This report covers {rounds}:", rounds=rounds)
        return [
            self._t(self._x(_("{title}: results", title=s.title)), "title"),
            self._t(self._x(made), "small"),
            Spacer(1, 4 * mm),
            self._p(f"<b>{escape(self._x(_('The consultation.')))}</b> " + escape(s.purpose)),
            self._t(f"{self._x(what)} {self._x(covers)} {self._x(residents_line(d))}"),
        ]

    def _participation(self, d: ExportData) -> list[Any]:
        t = rounds_table(d, short=True)
        return [
            self._p(escape(self._x(_("Who took part"))), "h2"),
            self._table(t.columns, t.rows, [WIDTH * w / 100 for w in ROUNDS_WIDTHS[: len(t.columns)]]),
            Spacer(1, 2 * mm),
            self._t(self._x(suppressed_note(d)) + " " + self._x(who_counts(d)), "small"),
        ]

    def _question(self, d: ExportData, i: int) -> list[Any]:
        """A question: the charts its type draws (the latest round's, how views moved) and its table of figures."""
        q = d.spec.questions[i - 1]
        figures = question_table(d, i, q)
        latest, moved = question_charts(d, q)
        heading = self._t(figures.title, "h2")
        out: list[Any] = []
        caption = _(
            "How views moved: each dot is a figure in one round (or what it is compared with); the arrow runs "
            "from the first to the last."
        )
        if latest is not None and moved is not None:  # side by side: the two charts of a question on one page
            half = (WIDTH - 4 * mm) / 2
            pair = Table(
                [[self._image(charts.bars(latest), half), self._image(charts.movement(moved), half)]],
                colWidths=[half + 2 * mm, half + 2 * mm], hAlign="LEFT",
                style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
            )  # fmt: skip
            note = f"{self._x(caption)} {self._x(movement_note(d, q))}"
            out.append(KeepTogether([heading, pair, self._t(note, "small")]))
        elif latest is not None:
            out.append(KeepTogether([heading, self._image(charts.bars(latest), CHART_WIDTH)]))
        # A long table flows on to the next page, its header repeated; a short one stays with its heading.
        table = self._figures(figures)
        out += [Spacer(1, 2 * mm), table] if out else [KeepTogether([heading, table])]
        out += [Spacer(1, 1 * mm), self._t(figures.note, "small")]
        return out

    def _figures(self, t: Figures) -> Table:
        """A question type's summary table as it is: its columns and rows, sized by its columns' widths."""
        return self._table(t.columns, t.rows)

    def _questions(self, d: ExportData) -> list[Any]:
        out: list[Any] = []
        for i in range(1, len(d.spec.questions) + 1):
            out += self._question(d, i)
        return out

    def _comments(self, d: ExportData) -> list[Any]:
        if not any(why_key(q) is not None for q in d.spec.questions):
            return []
        rounds: list[RoundPart] = [p for p in d.rounds if p.results.comments]
        heading = self._p(escape(self._x(_("What residents said"))), "h2")
        withheld = [self._t(self._x(_withheld(p.number, d.min_respondents)), "body") for p in d.rounds if p.withheld]
        if not rounds:
            if withheld:
                return [heading, *withheld]
            return [heading, self._t(self._x(_("No comments have been approved for publication yet.")), "body")]
        intro = self._t(
            self._x(
                _(
                    "Excerpts from residents' comments, saying why they answered as they did, newest first. Only "
                    "comments a facilitator approved are quoted."
                )
            ),
            "small",
        )
        out: list[Any] = []
        for i, p in enumerate(rounds):
            quotes: list[Any] = []
            for c in p.results.comments[:MAX_QUOTES]:
                text = c if len(c) <= EXCERPT else c[: EXCERPT - 1].rsplit(" ", 1)[0] + "…"
                quotes += [self._t(f"“{text}”", "quote"), Spacer(1, 1.5 * mm)]
            # The headings stay with the first quote rather than end a page alone.
            first = [heading, intro] if i == 0 else []
            round_heading = self._t(self._x(_("Round {number}", number=p.number)), "h3")
            out.append(KeepTogether([*first, round_heading, *quotes[:2]]))
            out += quotes[2:]
        return out + withheld

    def _about(self, d: ExportData) -> list[Any]:
        versions = ", ".join(str(v) for v in d.versions_used) or _("none")
        made = _(
            "Made from the consultation “{title}” (code {code}), questions as in version {latest}; residents "
            "answered version(s) {versions}. Residents are never named: figures are totals, and any figure based "
            "on fewer than {minimum} residents is not shown. Residents who erased their data are not counted.",
            title=d.spec.title,
            code=d.code,
            latest=d.latest_version,
            versions=versions,
            minimum=d.min_respondents,
        )
        notice = _("Privacy notice shown to residents: {notice}", notice=d.spec.privacy.notice)
        return [
            self._p(escape(self._x(_("About this report"))), "h2"),
            self._t(self._x(made), "small"),
            self._t(self._x(notice), "small"),
        ]

    def story(self, d: ExportData) -> list[Any]:
        """The report's flowables, in order: what finish() lays out on pages."""
        self.data = d
        self.st = _styles()
        story: list[Any] = []
        for part in (self._intro, self._participation, self._questions, self._comments, self._about):
            story += part(d)
        return story

    def finish(self, d: ExportData) -> None:
        story = self.story(d)
        regular, _bold = _fonts()
        tx = d.texts
        footer = tx(
            _("{title} · {organiser} · {date}", title=d.spec.title, organiser=d.spec.organiser,
              date=f"{d.exported_at:%d %B %Y}")
        )  # fmt: skip

        def on_page(canvas: Canvas, doc: Any) -> None:
            canvas.saveState()
            canvas.setFont(regular, 7.5)
            canvas.setFillColor(colors.HexColor("#666666"))
            canvas.drawString(18 * mm, 10 * mm, footer)
            canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, tx(_("page {number}", number=doc.page)))
            canvas.restoreState()

        doc = SimpleDocTemplate(
            self.out,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=18 * mm,
            title=tx(_("{title}: results", title=d.spec.title)),
            author=d.spec.organiser,
            subject=tx(_("Consultation {code}, {rounds}", code=d.code, rounds=d.rounds_label)),
            pageCompression=1 if self.compress else 0,
        )
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
