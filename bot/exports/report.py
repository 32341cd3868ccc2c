"""The report an officer publishes, as content: sections of headings, paragraphs, charts (each with alternative text
and its figures in a table beside it), tables and quotes, every text in the export's language. The HTML report and
the tagged PDF (bot/exports/html.py, bot/exports/pdf.py) are both laid out from what build() returns, so a section
added here appears in both."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import ClassVar

from bot.exports import charts
from bot.exports.cells import Cell
from bot.exports.data import ExportData, RoundPart
from bot.exports.tables import (
    DECIMAL,
    INT,
    PENCE,
    PENCE1,
    PERCENT,
    ChartData,
    Column,
    Table,
    chart_table,
    movement_note,
    question_charts,
    question_table,
    residents_line,
    role_phrase,
    rounds_table,
    why_key,
)
from dialogues.text import Inline, Msg, _, ngettext

EXCERPT = 400  # characters of a comment quoted in the report
MAX_QUOTES = 12  # per round
NUMERIC = frozenset({INT, PENCE, PENCE1, PERCENT, DECIMAL})  # right-aligned, as figures are read down a column


# --- the content -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Para:
    """A paragraph; `style` says how it reads: "body", "note" (smaller, beside figures) or "meta" (under the title)."""

    kind: ClassVar[str] = "para"
    text: str
    style: str = "body"
    lead: str = ""  # a few words in bold that open it ("The consultation.")


@dataclass(frozen=True)
class DataTable:
    """A table as it reads: its caption, column headers, each cell's text, which columns hold figures, and whether
    each row's first cell names the row (a row header)."""

    kind: ClassVar[str] = "table"
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    row_headers: bool = False
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A chart as a PNG, what it shows in words (its alternative text), a caption, and its figures as a table."""

    kind: ClassVar[str] = "figure"
    png: bytes
    alt: str
    caption: str  # "" if the chart's own title says enough
    data: DataTable
    width: int = 0  # pixels, as drawn
    height: int = 0

    @property
    def src(self) -> str:
        """The image as a data: URL, so the HTML report is one file that can be published as it is."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class Quote:
    """A resident's words, as approved for publication; `lines` as they wrote them."""

    kind: ClassVar[str] = "quote"
    lines: list[str]


Block = Para | DataTable | Figure | Quote


@dataclass
class Section:
    """A heading and what follows it; `sections` are headed one level below (h3 under h2)."""

    heading: str
    anchor: str
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass
class Report:
    language: str  # BCP 47, as the HTML lang attribute and the PDF's /Lang have it
    title: str
    meta: str  # who made it, when, for which rounds
    provisional: str  # said on every page when a round in it is still open; "" otherwise
    lead: list[Block]  # under the title, before the first section
    sections: list[Section]
    author: str
    subject: str
    created: str  # ISO 8601
    footer: str  # the PDF's running footer
    page: tuple[str, str]  # the text before and after a page number ("page ", "")
    contents: str  # the heading of the list of sections


def language_tag(language: str) -> str:
    """The export's language as a BCP 47 tag ("en", "pt-BR"); a catalogue with no such name (the pseudo-locale) as
    a private-use tag ("x-pseudo"), which a checker still accepts."""
    tag = language.replace("_", "-")
    return tag if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", tag) else "x-" + tag


# --- how cells read ------------------------------------------------------------------------------------------------


def cell_text(value: Cell, col: Column) -> str:
    """A table's value as the report prints it: percentages whole, pence to a tenth, dates as a council writes them."""
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
    return str(value)  # the HTML escapes it: the spreadsheet guard means nothing here


def data_table(t: Table, row_headers: bool = False, caption: str | None = None) -> DataTable:
    width = len(t.columns)
    return DataTable(
        caption=t.title if caption is None else caption,
        headers=[c.header for c in t.columns],
        rows=[[cell_text(v, t.columns[i]) for i, v in enumerate(r[:width])] for r in t.rows],
        numeric=[c.kind in NUMERIC for c in t.columns],
        row_headers=row_headers,
        note=t.note,
    )


def _figure(d: ExportData, chart: ChartData, png: bytes, caption: str = "") -> Figure:
    """A chart with its words and its figures. Its title is drawn in the image and heads the table's first column;
    the table's caption says whose figures they are."""
    tx = d.texts
    alt = chart.alt or tx(
        _("Chart: {title}. Its figures are in the table beside it.", title=chart.title)
    )  # a type that gives no words for its chart: the table beside it says what it shows
    width, height = _png_size(png)
    figures = data_table(chart_table(chart), row_headers=True, caption=tx(_("The chart's figures")))
    return Figure(png, alt, caption, figures, width, height)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk), so a browser keeps the room before it loads."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        return 0, 0
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# --- the sections --------------------------------------------------------------------------------------------------


def _withheld(number: int, minimum: int) -> Msg:
    return ngettext(
        "Round {number}: comments are withheld because fewer than {n} resident took part, too few to quote them "
        "without risking someone being recognised.",
        "Round {number}: comments are withheld because fewer than {n} residents took part, too few to quote them "
        "without risking someone being recognised.",
        minimum,
        number=number,
    )


def _rounds_phrase(d: ExportData) -> Inline:
    if len(d.rounds) > 1:
        return ngettext("{n} round", "{n} rounds", len(d.rounds))
    return _("round {number}", number=d.rounds[0].number)


def _lead(d: ExportData) -> list[Block]:
    tx, s = d.texts, d.spec
    what = ngettext("Residents answered {n} question.", "Residents answered {n} questions.", len(s.questions))
    covers = _("This report covers {rounds}:", rounds=_rounds_phrase(d))
    return [
        Para(s.purpose, lead=tx(_("The consultation."))),
        Para(f"{tx(what)} {tx(covers)} {tx(residents_line(d))}"),
    ]


def _participation(d: ExportData) -> Section:
    tx = d.texts
    t = rounds_table(d)  # the full headers: residents who started, residents who sent their answers
    return Section(
        tx(_("Who took part")),
        "participation",
        [
            Para(tx(residents_line(d))),
            data_table(t, row_headers=True),  # its note says who is counted, and that small figures are not shown
        ],
    )


def _question(d: ExportData, i: int) -> Section:
    """A question: the charts its type draws (the latest round's, how views moved), each with its figures, then the
    type's own table of figures by round."""
    tx = d.texts
    q = d.spec.questions[i - 1]
    figures = question_table(d, i, q)
    latest, moved = question_charts(d, q)
    blocks: list[Block] = []
    if latest is not None:
        blocks.append(_figure(d, latest, charts.bars(latest)))
    if moved is not None:
        how = tx(
            _(
                "How views moved: each dot is a figure in one round (or what it is compared with); the arrow runs "
                "from the first to the last."
            )
        )
        blocks.append(_figure(d, moved, charts.movement(moved), f"{how} {tx(movement_note(d, q))}"))
    blocks.append(data_table(figures, caption=tx(_("Figures by round"))))
    return Section(figures.title, f"q{i}", blocks)


def _comments(d: ExportData) -> Section | None:
    if not any(why_key(q) is not None for q in d.spec.questions):
        return None
    tx = d.texts
    section = Section(tx(_("What residents said")), "comments")
    quoted: list[RoundPart] = [p for p in d.rounds if p.results.comments]
    withheld: list[Block] = [Para(tx(_withheld(p.number, d.min_respondents))) for p in d.rounds if p.withheld]
    if not quoted:
        section.blocks = withheld or [Para(tx(_("No comments have been approved for publication yet.")))]
        return section
    section.blocks.append(
        Para(
            tx(
                _(
                    "Excerpts from residents' comments, saying why they answered as they did, newest first. Only "
                    "comments a facilitator approved are quoted."
                )
            ),
            "note",
        )
    )
    for p in quoted:
        quotes: list[Block] = []
        for c in once(p.results.comments)[:MAX_QUOTES]:
            text = c if len(c) <= EXCERPT else c[: EXCERPT - 1].rsplit(" ", 1)[0] + "…"
            quotes.append(Quote(text.splitlines() or [""]))
        section.sections.append(Section(tx(_("Round {number}", number=p.number)), f"comments-{p.number}", quotes))
    if withheld:
        section.sections.append(Section(tx(_("Comments withheld")), "comments-withheld", list(withheld)))
    return section


def once(comments: list[str]) -> list[str]:
    """Comments in their order, each quoted once however many residents wrote it (letter case and spacing aside)."""
    seen: set[str] = set()
    out = []
    for c in comments:
        key = " ".join(c.casefold().split())
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _about(d: ExportData) -> Section:
    tx = d.texts
    versions = ", ".join(str(v) for v in d.versions_used) or tx(_("none"))
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
    return Section(tx(_("About this report")), "about", [Para(tx(made), "note"), Para(tx(notice), "note")])


def _provisional(d: ExportData) -> str:
    still = [p.number for p in d.rounds if p.results.round.status == "open"]
    if not still:
        return ""
    return d.texts(
        ngettext(
            "Provisional: round {rounds} is still open, so its figures will change until it closes.",
            "Provisional: rounds {rounds} are still open, so their figures will change until they close.",
            len(still),
            rounds=", ".join(str(n) for n in still),
        )
    )


def build(d: ExportData) -> Report:
    """The report's content from an export's figures: what the HTML and the PDF both lay out."""
    tx, s = d.texts, d.spec
    meta = _(
        "{organiser} · {rounds} · report made {when} by {role}",
        organiser=s.organiser,
        rounds=_rounds_phrase(d),
        when=f"{d.exported_at:%d %B %Y, %H:%M}",
        role=role_phrase(d.role),
    )
    sections = [_participation(d)]
    sections += [_question(d, i) for i in range(1, len(s.questions) + 1)]
    comments = _comments(d)
    if comments is not None:
        sections.append(comments)
    sections.append(_about(d))
    marker = "\x00"  # where the page number goes, in a message that says "page {number}"
    before, _sep, after = tx(_("page {number}", number=marker)).partition(marker)
    footer = _("{title} · {organiser} · {date}", title=s.title, organiser=s.organiser,
               date=f"{d.exported_at:%d %B %Y}")  # fmt: skip
    return Report(
        language=language_tag(d.texts.language),
        title=tx(_("{title}: results", title=s.title)),
        meta=tx(meta),
        provisional=_provisional(d),
        lead=_lead(d),
        sections=sections,
        author=s.organiser,
        subject=tx(_("Consultation {code}, {rounds}", code=d.code, rounds=d.rounds_label)),
        created=d.exported_at.isoformat(timespec="seconds"),
        footer=tx(footer),
        page=(before, after),
        contents=tx(_("Contents")),
    )
