"""The report as a tagged PDF/UA-1 for a cabinet paper: the HTML report (bot/exports/html.py) laid out on A4 pages
by WeasyPrint, whose tags follow the HTML (headings, paragraphs, tables with their headers, figures with their
alternative text), with the document's language and title. Every page has a footer; a report of a round still open
says "provisional" at the top of every page."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from functools import cache
from typing import IO, Any

from bot.exports import html
from bot.exports.cells import Cell
from bot.exports.data import ExportData
from bot.exports.report import Quote, Report, Section, build

# Emoji and what joins or varies them (ZWJ, variation selector 16, keycaps, skin tones, flags' tag letters): dropped
# from residents' words when no colour emoji font is installed, rather than printed as empty boxes.
# Symbols below U+10000 (☺, ✓) stay: DejaVu Sans prints them.
EMOJI = re.compile("[\U0001f000-\U0001faff\U0001fc00-\U0001ffff\u200d\ufe0f\u20e3\U000e0020-\U000e007f]")


@cache
def emoji_font() -> bool:
    """Whether fontconfig (which WeasyPrint's Pango asks) has a font with emoji, such as Debian's
    fonts-noto-color-emoji."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        found = subprocess.run([fc_list, ":charset=1f600", "family"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(found.stdout.strip())


def without_emoji(text: str) -> str:
    return re.sub(r"[ \t]{2,}", " ", EMOJI.sub("", text)).strip()


def _plain(s: Section) -> Section:
    blocks = [Quote([without_emoji(line) for line in b.lines]) if isinstance(b, Quote) else b for b in s.blocks]
    return replace(s, blocks=blocks, sections=[_plain(sub) for sub in s.sections])


def printable(report: Report) -> Report:
    """The report as this machine can print it: residents' emoji kept if a colour emoji font is installed, dropped
    cleanly otherwise (the council's own texts are its own choice)."""
    if emoji_font():
        return report
    return replace(report, sections=[_plain(s) for s in report.sections])


def css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and line ends escaped, so no text can end it."""
    out = []
    for ch in text:
        if ch in '"\\' or ch < " " or ch == "\x7f":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def page_css(report: Report) -> str:
    """A4 pages with the footer (title, organiser, date; page number) and, while a round is open, the provisional
    notice at the top of every page. WeasyPrint keeps these margin boxes out of the tags: they repeat, they are not
    the content."""
    before, after = report.page
    top = f"@top-left {{ content: {css_string(report.provisional)}; color: #942514; font-weight: bold; }}"
    return f"""
@page {{
  size: A4;
  margin: 18mm 18mm 20mm 18mm;
  @bottom-left {{ content: {css_string(report.footer)}; font-size: 7.5pt; color: #484949; }}
  @bottom-right {{ content: {css_string(before)} counter(page) {css_string(after)}; font-size: 7.5pt; color: #484949; }}
  {top if report.provisional else ""}
}}
"""


def _fetcher() -> Any:
    """WeasyPrint may fetch nothing but the report's own charts (data: URLs): no file, no address on a network."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def header_scopes(document: Any, pdf: Any) -> None:
    """Says which cells each header cell heads (/Scope: /Column in a table's head, /Row in its body), as the
    HTML's scope attributes do; WeasyPrint links data cells to headers (/Headers, /ID) but writes no /Scope."""
    import pydyf

    elements = {
        o.reference: o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/StructElem"
    }
    for o in elements.values():
        if o.get("S") != "/TH":
            continue
        row = elements.get(o.get("P"))
        group = elements.get(row.get("P")) if row is not None else None
        scope = "/Column" if group is not None and group.get("S") == "/THead" else "/Row"
        attributes = o.get("A")
        if isinstance(attributes, pydyf.Dictionary):
            attributes["Scope"] = scope
        else:
            o["A"] = pydyf.Dictionary({"O": "/Table", "Scope": scope})


def write_pdf(report: Report, out: IO[bytes], compress: bool = True) -> None:
    from weasyprint import CSS, HTML

    report = printable(report)
    fetcher = _fetcher()
    document = HTML(string=html.render(report), url_fetcher=fetcher, media_type="print")
    document.write_pdf(
        out,
        stylesheets=[CSS(string=page_css(report), url_fetcher=fetcher)],
        pdf_variant="pdf/ua-1",  # tagged, with /Lang, /MarkInfo, the title shown and PDF/UA identification
        finisher=header_scopes,
        uncompressed_pdf=not compress,
        custom_metadata=False,
    )


class PdfWriter:
    wants_rows = False

    def __init__(self, out: IO[bytes], compress: bool = True):
        self.out = out
        self.compress = compress

    def start(self, d: ExportData) -> None:
        return

    def rows(self, batch: list[list[Cell]]) -> None:  # the report holds figures, never residents' rows
        return

    def finish(self, d: ExportData) -> None:
        write_pdf(build(d), self.out, self.compress)
