"""The PDF report for a cabinet paper (reportlab): the consultation, participation, charts, tables and comments."""

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
    NOT_SHOWN,
    PENCE,
    PENCE1,
    PERCENT,
    Column,
    rounds_table,
    suppressed_note,
)
from dialogues.schema import (
    AllocationQuestion,
    FreeTextQuestion,
    MultipleChoiceQuestion,
    Question,
    RankingQuestion,
    RatingQuestion,
    SingleChoiceQuestion,
)
from dialogues.tally import AllocationTally, allocation_question

EXCERPT = 400  # characters of a comment quoted in the report
MAX_QUOTES = 12  # per round
WIDTH = A4[0] - 36 * mm
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
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and col.kind in (PENCE, PENCE1):
        return f"{value}p"
    if hasattr(value, "strftime"):
        return f"{value:%d %b %Y}"
    return str(value).removeprefix("'")  # the spreadsheet guard means nothing in a PDF


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

    def _table(self, columns: list[Column], rows: list[list[Cell]], widths: list[float] | None = None) -> Table:
        data: list[list[Any]] = [[self._t(c.header, "cellb") for c in columns]]
        data += [[self._t(_fmt(v, columns[i]), "cell") for i, v in enumerate(r[: len(columns)])] for r in rows]
        if widths is None:
            total = sum(c.width for c in columns)
            widths = [WIDTH * c.width / total for c in columns]
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
        img = Image(io.BytesIO(png))
        scale = width / img.imageWidth
        img.drawWidth, img.drawHeight = width, img.imageHeight * scale
        return img

    # --- sections ----------------------------------------------------------------------------------------------

    def _intro(self, d: ExportData) -> list[Any]:
        s = d.spec
        alloc = allocation_question(s)
        what = f"Residents answered {len(s.questions)} question{'s' if len(s.questions) != 1 else ''}"
        if alloc is not None:
            what += (
                f", including sharing a council pound (100p) across {len(s.services)} services "
                "after seeing how it is spent today"
            )
        rounds = (
            f"{len(d.rounds)} round{'s' if len(d.rounds) != 1 else ''}"
            if len(d.rounds) > 1
            else f"round {d.rounds[0].number}"
        )
        return [
            self._t(f"{s.title}: results", "title"),
            self._t(f"{s.organiser} · {rounds} · report made {d.exported_at:%d %B %Y, %H:%M} by {d.role}", "small"),
            Spacer(1, 4 * mm),
            self._p("<b>The consultation.</b> " + escape(s.purpose)),
            self._t(
                f"{what}. This report covers {rounds}; {d.responses} response{'s' if d.responses != 1 else ''} in all."
            ),
        ]

    def _participation(self, d: ExportData) -> list[Any]:
        t = rounds_table(d)
        short = ["Round", "Title", "Status", "Opened", "Closed", "Started", "Sent answers", "Sent", "Shared pound"]
        columns = [Column(h, c.kind, c.width) for h, c in zip(short, t.columns, strict=False)]
        return [
            self._p("Who took part", "h2"),
            self._table(columns, t.rows, [WIDTH * w / 100 for w in ROUNDS_WIDTHS[: len(columns)]]),
            Spacer(1, 2 * mm),
            self._t(
                f"{suppressed_note(d)} Residents take part privately in Telegram; every answer they save counts, "
                "whether or not they pressed 'send my answers'.",
                "small",
            ),
        ]

    def _pound(self, d: ExportData) -> list[Any]:
        s = d.spec
        if allocation_question(s) is None:
            return []
        shown = [(p, p.results.allocation) for p in d.rounds if p.results.allocation is not None]
        heading = self._p("How residents would share the pound", "h2")
        if not shown:
            note = f"Not shown: fewer than {d.min_respondents} residents shared the pound in {d.rounds_label}."
            return [heading, self._t(note)]
        names, today = [sv.name for sv in s.services], [sv.today for sv in s.services]
        series = [(f"Residents, round {p.number}", [sv.mean for sv in a.services]) for p, a in shown]
        last, tally = shown[-1]
        out: list[Any] = [
            KeepTogether(
                [
                    heading,
                    self._image(charts.today_vs_average(names, today, series)),
                    self._t("Today's pence of each council pound beside residents' average (mean).", "small"),
                ]
            ),
            KeepTogether([self._p(f"Round {last.number} in figures", "h3"), self._allocation_figures(tally)]),
            KeepTogether(
                [
                    self._p("How much residents agree", "h2"),
                    self._image(charts.spread(tally, f"Round {last.number}, {tally.respondents} residents")),
                    self._t(
                        "Each box spans the middle half of residents' allocations to a service, the line inside it "
                        "is the median and the diamond the mean; whiskers run from the lowest to the highest "
                        "allocation. The red mark is today's spend.",
                        "small",
                    ),
                ]
            ),
        ]
        if len(shown) >= 2:
            out.append(
                KeepTogether(
                    [
                        self._p("Movement between rounds", "h2"),
                        self._image(charts.movement(names, series)),
                        self._t(
                            "Each service's average in each round; the arrow runs from the first round shown "
                            "to the last.",
                            "small",
                        ),
                    ]
                )
            )
        hidden = [p.number for p in d.rounds if p.results.allocation is None]
        if hidden:
            rounds = ", ".join(map(str, hidden))
            note = f"Not shown for round {rounds}: fewer than {d.min_respondents} residents shared the pound."
            out.append(self._t(note, "small"))
        return out

    def _allocation_figures(self, tally: AllocationTally) -> Table:
        cols = [
            Column("Service"),
            Column("Today", PENCE),
            Column("Mean", PENCE1),
            Column("Median", PENCE1),
            Column("Middle half", PENCE),
            Column("Change", PENCE1),
        ]
        rows: list[list[Cell]] = [
            [s.name, s.today, s.mean, s.median, f"{s.q1:.0f}p to {s.q3:.0f}p", s.change] for s in tally.services
        ]
        for r in rows:
            change = r[5]
            assert isinstance(change, float)
            r[5] = f"{change:+.1f}p"
        return self._table(cols, rows, [52 * mm, 18 * mm, 18 * mm, 18 * mm, 30 * mm, 20 * mm])

    def _question_grid(self, d: ExportData, q: Question) -> Table:
        """One row per option (or rating), one column per round: 'residents (share)', or the average position."""
        results = [
            (p.number, *next(((t, n) for qq, t, n in p.results.questions if qq.key == q.key), (None, 0)))
            for p in d.rounds
        ]
        ranking = isinstance(q, RankingQuestion)
        labels: list[str] = []
        if isinstance(q, RatingQuestion):
            labels = [str(v) for v in range(q.scale_min, q.scale_max + 1)]
            names = {str(q.scale_min): q.min_label, str(q.scale_max): q.max_label}
            shown = {v: f"{v} ({names[v]})" if names.get(v) else v for v in labels}
        elif isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion | RankingQuestion):
            labels = [o.label for o in q.options]
            last = next((t for _, t, _ in reversed(results) if t is not None), None)
            if ranking and last is not None:
                labels = [label for label, _ in last.counts]  # best first, as residents ranked them last
            shown = {v: v for v in labels}
        rows: list[list[Cell]] = []
        for label in labels:
            row: list[Cell] = [shown[label]]
            for _, tally, n in results:
                if tally is None:
                    row.append(NOT_SHOWN)
                    continue
                value = dict(tally.counts).get(label, 0.0)
                row.append(f"{value:.1f}" if ranking else f"{value:.0f} ({100 * value / n:.0f}%)" if n else "0")
            rows.append(row)
        if isinstance(q, RatingQuestion):
            averages: list[Cell] = [f"{t.mean:.1f}" if t and t.mean is not None else NOT_SHOWN for _, t, _ in results]
            rows.append(["Average", *averages])
        answered: list[Cell] = [str(n) if t is not None else f"fewer than {d.min_respondents}" for _, t, n in results]
        rows.append(["Residents who answered", *answered])
        what = "Average position (1 = first)" if ranking else "Residents (share)"
        cols = [Column("Rating" if isinstance(q, RatingQuestion) else "Option", width=40)]
        cols += [Column(f"Round {num}: {what}" if len(results) > 1 else what, width=22) for num, _, _ in results]
        return self._table(cols, rows)

    def _questions(self, d: ExportData) -> list[Any]:
        out: list[Any] = []
        others = [(i, q) for i, q in enumerate(d.spec.questions, 1) if not isinstance(q, AllocationQuestion)]
        if not others:
            return out
        out.append(self._p("Other questions", "h2"))
        for i, q in others:
            block: list[Any] = [self._t(f"{i}. {q.prompt}", "h3")]
            if isinstance(q, FreeTextQuestion):
                counts = [(p.number, n) for p in d.rounds for qq, _, n in p.results.questions if qq.key == q.key]
                text = "; ".join(
                    f"round {num}: {n} residents wrote an answer"
                    if n >= d.min_respondents
                    else f"round {num}: {NOT_SHOWN} (fewer than {d.min_respondents})"
                    for num, n in counts
                )
                block.append(
                    self._t(
                        f"Free text ({text}). The answers are in the spreadsheet export, under "
                        "pseudonyms; they are not moderated."
                    )
                )
            else:
                block.append(self._question_grid(d, q))
            out.append(KeepTogether(block))
        out.append(Spacer(1, 1 * mm))
        out.append(self._t(suppressed_note(d), "small"))
        return out

    def _comments(self, d: ExportData) -> list[Any]:
        rounds: list[RoundPart] = [p for p in d.rounds if p.results.comments]
        alloc = allocation_question(d.spec)
        if alloc is None or alloc.comment is None:
            return []
        heading = self._p("What residents said", "h2")
        if not rounds:
            return [heading, self._t("No comments have been approved for publication yet.", "body")]
        intro = self._t(
            "Excerpts from residents' comments on how they shared the pound, newest first. Only comments a "
            "facilitator approved are quoted.",
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
            out.append(KeepTogether([*first, self._p(f"Round {p.number}", "h3"), *quotes[:2]]))
            out += quotes[2:]
        return out

    def _about(self, d: ExportData) -> list[Any]:
        versions = ", ".join(str(v) for v in d.versions_used) or "none"
        return [
            self._p("About this report", "h2"),
            self._t(
                f"Made from the consultation “{d.spec.title}” (code {d.code}), questions as in version "
                f"{d.latest_version}; residents answered version(s) {versions}. Residents are never named: "
                "figures are totals, and any figure based on fewer than "
                f"{d.min_respondents} residents is not shown. Residents who erased their data are not counted.",
                "small",
            ),
            self._t("Privacy notice shown to residents: " + d.spec.privacy.notice, "small"),
        ]

    def finish(self, d: ExportData) -> None:
        self.data = d
        self.st = _styles()
        story: list[Any] = []
        for part in (self._intro, self._participation, self._pound, self._questions, self._comments, self._about):
            story += part(d)
        regular, _ = _fonts()
        footer = f"{d.spec.title} · {d.spec.organiser} · {d.exported_at:%d %B %Y}"

        def on_page(canvas: Canvas, doc: Any) -> None:
            canvas.saveState()
            canvas.setFont(regular, 7.5)
            canvas.setFillColor(colors.HexColor("#666666"))
            canvas.drawString(18 * mm, 10 * mm, footer)
            canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
            canvas.restoreState()

        doc = SimpleDocTemplate(
            self.out,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=18 * mm,
            title=f"{d.spec.title}: results",
            author=d.spec.organiser,
            subject=f"Consultation {d.code}, {d.rounds_label}",
            pageCompression=1 if self.compress else 0,
        )
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
