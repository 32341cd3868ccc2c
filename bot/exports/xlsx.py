"""The XLSX workbook: Summary (with the lead question's figures and chart), one sheet per question, Responses, About.

xlsxwriter makes the workbook: every sheet, style and the chart, and the Responses sheet's frozen panes and
widths. Only the Responses rows are not its work: 100,000 responses are two million cells, which would take
xlsxwriter (or openpyxl) some ten seconds. The Responses sheet is the file's first zip entry, left open for rows
serialised here as each batch arrives (zlib compresses them without holding the GIL, so the next batch is read
from the database meanwhile); the figures are counted from those same rows, so the rest of the workbook is made
at finish() and its entries follow (a zip's order means nothing to a spreadsheet). Memory stays flat however
many responses there are. Only text that has been through cells.safe is written, XML-escaped here; sheet names,
headers and titles are in the export's language.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import IO, Any
from xml.etree import ElementTree

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from bot.exports.breakdown import breakdown_tables
from bot.exports.cells import Cell, safe, safe_text
from bot.exports.data import ExportData
from bot.exports.tables import (
    DATETIME,
    DECIMAL,
    INT,
    LONG,
    PENCE,
    PENCE1,
    PERCENT,
    Column,
    Table,
    about_table,
    chart_table,
    columns_table,
    lead_question,
    movement_note,
    own_tables,
    question_charts,
    question_table,
    question_tables,
    response_columns,
    role_phrase,
    rounds_table,
)
from dialogues.text import _

FORMATS = {
    INT: "#,##0",
    PENCE: '0"p"',
    PENCE1: '0.0"p"',
    PERCENT: "0.0%",
    DECIMAL: "0.00",
    DATETIME: "yyyy-mm-dd hh:mm",
}
HEADER = {"bold": True, "bg_color": "#DDE6F2", "pattern": 1, "text_wrap": True, "valign": "top"}
WRAP = {"text_wrap": True, "valign": "top"}
SUMMARY, RESPONSES, COLUMNS, ABOUT = _("Summary"), _("Responses"), _("Columns"), _("About")
CM = 96 / 2.54  # pixels per centimetre, for the chart's size
MAX_TEXT = 32_767  # the most characters a cell holds
_CELL_TYPES = frozenset({str, int, float, datetime, type(None)})  # what a row's cells may be to share a template
Shape = tuple[str, list[int], list[int], list[int]]  # a row template, the places of its texts, times and fractions
_BY_CELL: Shape = ("", [], [], [])  # rows written cell by cell
# One below zlib's default: on 100,000 responses 11.1 MB instead of 10.6 MB (openpyxl's file was 10.8 MB),
# in two thirds of the time (0.9 s instead of 1.4 s); level 1 would be 15 MB.
COMPRESS_LEVEL = 5
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


class XlsxWriter:
    wants_rows = True

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.sheets = ("Summary", "Responses", "About")  # in the export's language, from start()
        self.styles: tuple[int, int, int] = (0, 0, 0)  # the header's, long text's and times' style numbers
        self.responses: ResponseSheet | None = None
        self.zip: zipfile.ZipFile | None = None
        self.part = ""  # the Responses sheet's zip entry
        self.head = b""  # what xlsxwriter writes of it before the rows: both workbooks must agree on it

    def _workbook(self) -> io.BytesIO:
        """A new workbook (self.wb), made in memory into the package returned. The styles the Responses rows
        use are numbered first, so they have the same numbers in every workbook made here (xlsxwriter numbers a
        style when it is first used)."""
        package = io.BytesIO()
        options = {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "remove_timezone": True,
        }
        self.wb = xlsxwriter.Workbook(package, options)
        self._formats: dict[tuple[tuple[str, Any], ...], Format] = {}
        self.styles = (
            self._format(**HEADER)._get_xf_index(),
            self._format(**WRAP)._get_xf_index(),
            self._format(num_format=FORMATS[DATETIME])._get_xf_index(),
        )
        return package

    # --- cells -------------------------------------------------------------------------------------------------

    def _format(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def _cell_format(self, value: Cell, col: Column | None, **extra: Any) -> Format | None:
        props = dict(extra)
        if isinstance(value, datetime):
            props["num_format"] = FORMATS[DATETIME]
        elif isinstance(value, int | float) and col is not None and col.kind in FORMATS:
            props["num_format"] = FORMATS[col.kind]
        if col is not None and col.kind == LONG:
            props.update(WRAP)
        return self._format(**props) if props else None

    def _write(self, ws: Worksheet, row: int, col: int, value: Cell, column: Column | None, **extra: Any) -> None:
        fmt = self._cell_format(value, column, **extra)
        if value is None:
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif isinstance(value, datetime):
            ws.write_datetime(row, col, value, fmt)
        elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            ws.write_number(row, col, value, fmt)
        else:
            _write_text(ws, row, col, safe_text(str(value)) if value.__class__ is str else str(safe(value)), fmt)

    def _header(self, ws: Worksheet, row: int, columns: list[Column]) -> None:
        fmt = self._format(**HEADER)
        for i, col in enumerate(columns):
            _write_text(ws, row, i, safe_text(col.header), fmt)

    def _row(self, ws: Worksheet, row: int, values: list[Cell], columns: list[Column]) -> None:
        for i, v in enumerate(values):
            self._write(ws, row, i, v, columns[i] if i < len(columns) else None)

    @staticmethod
    def _widths(ws: Worksheet, widths: list[float]) -> None:
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)

    def _table_sheet(self, table: Table, name: str | None = None) -> Worksheet:
        ws = self.wb.add_worksheet(sheet_name(name or table.name))
        self._widths(ws, [c.width for c in table.columns])
        ws.freeze_panes(1, 0)
        self._header(ws, 0, table.columns)
        for r, values in enumerate(table.rows, 1):
            self._row(ws, r, values, table.columns)
        ws.autofilter(0, 0, max(len(table.rows), 1), max(len(table.columns) - 1, 0))
        row = len(table.rows) + 2  # a blank row, then what the table is
        _write_text(ws, row, 0, safe_text(table.title), self._format(bold=True))
        if table.note:
            _write_text(ws, row + 1, 0, safe_text(table.note), None)
        return ws

    def _rows_at(self, ws: Worksheet, row: int, table: Table, heading: bool = True) -> int:
        """A table on a sheet from `row`: its title (if `heading`), header and rows; the row after its last."""
        if heading:
            _write_text(ws, row, 0, safe_text(table.title), self._format(bold=True))
            row += 1
        self._header(ws, row, table.columns)
        for r, values in enumerate(table.rows, row + 1):
            self._row(ws, r, values, table.columns)
        return row + 1 + len(table.rows)

    # --- sheets ------------------------------------------------------------------------------------------------

    def _summary(self, d: ExportData) -> None:
        """Participation by round, then the lead question's figures by round (its type's summary table) and its
        chart: how views moved across the rounds with figures, or the latest round's, drawn from its figures
        written below it."""
        tx, name = d.texts, self.sheets[0]
        ws = self.wb.add_worksheet(name)
        rounds = rounds_table(d)
        lead = lead_question(d)
        figures = question_table(d, *lead) if lead is not None else None
        latest, moved = question_charts(d, lead[1]) if lead is not None else (None, None)
        drawn = moved or latest
        data = chart_table(drawn) if drawn is not None else None
        tables = [t for t in (rounds, figures, data) if t is not None]
        widths = [max(w) for w in zip(*(_pad([c.width for c in t.columns], 12) for t in tables), strict=True)]
        self._widths(ws, widths)
        title = tx(_("{title}: results", title=d.spec.title))
        _write_text(ws, 0, 0, safe_text(title), self._format(bold=True, font_size=14))
        line = _(
            "{organiser} · {rounds} · exported {when} by {role}",
            organiser=d.spec.organiser,
            rounds=d.rounds_label,
            when=f"{d.exported_at:%Y-%m-%d %H:%M}",
            role=role_phrase(d.role),
        )
        _write_text(ws, 1, 0, safe_text(tx(line)), None)
        _write_text(ws, 2, 0, safe_text(rounds.note), None)
        row = self._rows_at(ws, 4, rounds, heading=False)  # rows count from 0 here: the header is on the fifth row
        ws.freeze_panes(5, 0)  # the title and the participation table's header stay in sight
        ws.autofilter(4, 0, max(row - 1, 5), len(rounds.columns) - 1)
        if figures is not None:
            row = self._rows_at(ws, row + 1, figures)  # after a blank row
            if figures.note:
                _write_text(ws, row, 0, safe_text(figures.note), None)
                row += 1
        if data is None or drawn is None:
            return
        header = row + 1
        last = self._rows_at(ws, header, data, heading=False) - 1  # headed by the chart's title
        chart = self.wb.add_chart({"type": "bar"})  # horizontal bars: a group per label
        assert chart is not None
        for col in range(1, len(data.columns)):
            chart.add_series(
                {
                    "name": [name, header, col],
                    "categories": [name, header + 1, 0, last, 0],
                    "values": [name, header + 1, col, last, col],
                }
            )
        chart.set_title({"name": drawn.title})
        # In a bar chart x is the values: each tick with its unit, the axis named.
        chart.set_x_axis({"num_format": f'0"{drawn.unit}"' if drawn.unit else "0", "name": drawn.axis})
        chart.set_y_axis({"reverse": True})  # labels top to bottom in the file's order
        chart.set_size({"width": round(18 * CM), "height": round((4 + 0.6 * len(data.rows)) * CM)})
        if moved is not None and lead is not None:  # who the rounds' figures count: the same residents, or not
            _write_text(ws, last + 1, 0, safe_text(tx(movement_note(d, lead[1]))), None)
        ws.insert_chart(last + 3, 0, chart)  # two blank rows below the table

    def _about(self, d: ExportData) -> None:
        about = about_table(d)
        ws = self.wb.add_worksheet(self.sheets[2])
        self._widths(ws, [c.width for c in about.columns])
        ws.freeze_panes(1, 0)
        self._header(ws, 0, [Column(about.title), Column("")])
        for r, values in enumerate(about.rows, 1):
            self._write(ws, r, 0, values[0], None, bold=True, valign="top")
            self._write(ws, r, 1, values[1], about.columns[1])
        ws.autofilter(0, 0, len(about.rows), 1)

    def _responses_sheet(self, columns: list[Column], rows: int = 0) -> None:
        """The Responses sheet's frame; `rows` (known at finish) is how far its AutoFilter reaches. The filter is
        written after the rows in the sheet's XML, so the rows streamed before it is known are not affected."""
        ws = self.wb.add_worksheet(self.sheets[1])
        self._widths(ws, [c.width for c in columns])
        ws.freeze_panes(1, 1)  # the header row (ResponseSheet writes it) and the pseudonyms stay in sight
        if rows:
            ws.autofilter(0, 0, rows, len(columns) - 1)

    def _responses_part(self, src: zipfile.ZipFile) -> tuple[str, bytes, bytes]:
        """The Responses sheet's zip entry in a finished workbook, and its XML before and after the rows."""
        part = _sheet_part(src, self.sheets[1])
        xml = src.read(part).replace(b"<sheetData/>", b"<sheetData></sheetData>", 1)  # as an empty sheet has it
        head, end, tail = xml.partition(b"</sheetData>")
        if not end:
            raise RuntimeError(f"xlsxwriter wrote {part} without a <sheetData> to put the rows in")
        return part, head, end + tail

    def start(self, d: ExportData) -> None:
        """Opens the Responses sheet first, so its rows stream into the file as they come; the figures are
        counted from those rows, so every other sheet is made at finish().

        The sheet's own XML (widths, frozen panes) comes from a first workbook that has stand-ins for the sheets
        before it (the Summary and one per question); finish() checks the real workbook writes the same."""
        self.sheets = (sheet_name(d.texts(SUMMARY)), sheet_name(d.texts(RESPONSES)), sheet_name(d.texts(ABOUT)))
        columns = response_columns(d)
        package = self._workbook()
        for _i in range(1 + len(d.spec.questions) + len(d.extra)):  # the Summary, each question's, types' own
            self.wb.add_worksheet()
        self._responses_sheet(columns)
        self.wb.close()
        with zipfile.ZipFile(package) as src:
            self.part, self.head, tail = self._responses_part(src)
        self.zip = zipfile.ZipFile(self.out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
        sheet = self.zip.open(self.part, "w", force_zip64=True)
        # The <dimension> (the used range) is optional and would be wrong: it counts no rows at all.
        sheet.write(re.sub(rb"<dimension [^>]*/>", b"", self.head, count=1))
        header, wrap, when = self.styles
        self.responses = ResponseSheet(sheet, tail, columns, wrap, when)
        self.responses.header([safe_text(c.header) for c in columns], header)

    def rows(self, batch: list[list[Cell]]) -> None:
        assert self.responses is not None
        self.responses.write(batch)

    def finish(self, d: ExportData) -> None:
        assert self.responses is not None and self.zip is not None
        styles = self.styles
        package = self._workbook()
        self._summary(d)
        for table in question_tables(d) + own_tables(d):
            self._table_sheet(table)
        self._responses_sheet(response_columns(d), rows=max(self.responses.next - 2, 1))  # rows count from 2
        for table in breakdown_tables(d):  # after the Responses sheet, whose place its rows were written for
            self._table_sheet(table)
        self._table_sheet(columns_table(d), d.texts(COLUMNS))
        self._about(d)
        self.wb.close()
        with zipfile.ZipFile(package) as src:
            part, head, tail = self._responses_part(src)
            if (part, head, self.styles) != (self.part, self.head, styles):
                raise RuntimeError("the workbook's Responses sheet is not the one its rows were written for")
            self.responses.close(tail)  # the sheet's end as the finished workbook has it: with its AutoFilter
            for info in src.infolist():
                if info.filename != part:
                    self.zip.writestr(info, src.read(info))
        self.zip.close()


class ResponseSheet:
    """The Responses rows as SpreadsheetML <row> elements, written to the sheet's open zip entry.

    Row 1 is the header; rows count from 2. Strings are inline (no shared-string table to
    hold in memory), numbers plain, times Excel serial numbers with a date style, None no cell at all."""

    EPOCH = datetime(1899, 12, 30)
    DAY = timedelta(days=1)

    def __init__(self, out: IO[bytes], tail: bytes, columns: list[Column], wrap_xf: int, datetime_xf: int):
        self.out = out
        self.tail = tail
        self.refs = [xl_col_to_name(i) for i in range(len(columns))]
        self.text_style = [f' s="{wrap_xf}"' if c.kind == LONG else "" for c in columns]
        self.time_style = f' s="{datetime_xf}"'
        self.next = 2
        self.shapes: dict[tuple[type, ...], Shape] = {}

    def header(self, texts: list[str], style: int) -> None:
        cells = "".join(
            f'<c r="{ref}1" s="{style}" t="inlineStr"><is><t xml:space="preserve">{_escape(t[:MAX_TEXT])}</t></is></c>'
            for ref, t in zip(self.refs, texts, strict=False)
        )
        self.out.write(f'<row r="1">{cells}</row>'.encode())

    def write(self, batch: list[list[Cell]]) -> None:
        widest = max((len(v) for v in batch), default=0)
        if widest > len(self.refs):
            self.refs += [xl_col_to_name(i) for i in range(len(self.refs), widest)]
            self.text_style += [""] * (widest - len(self.text_style))
        shapes, text, plain = self.shapes, self._text, self._plain
        epoch, day, isfinite = self.EPOCH, self.DAY, math.isfinite
        out: list[str] = []
        add = out.append
        n = self.next
        for values in batch:
            # Rows of one shape (the type of each cell) share a template: the numbers go in as they are, in one
            # str.format; only texts, times and fractions are made into their XML first.
            shape = tuple(map(type, values))
            found = shapes.get(shape)
            if found is None:
                found = self._shape(shape)
            template, texts, times, fractions = found
            # A fraction that is no number a sheet holds (inf, nan) is written as text, cell by cell.
            if found is _BY_CELL or (fractions and not all(isfinite(values[i]) for i in fractions)):  # type: ignore[arg-type]
                add(plain(n, values))
            else:
                r = str(n)
                cells: list[Any] = list(values)
                for i in texts:
                    cells[i] = text(i, r, cells[i])
                for i in times:
                    v = cells[i]
                    if v.tzinfo is not None:
                        v = v.replace(tzinfo=None)
                    cells[i] = repr((v - epoch) / day)
                for i in fractions:
                    cells[i] = repr(cells[i])
                add(template.format(r, *cells))
            n += 1
        self.next = n
        self.out.write("".join(out).encode("utf-8"))

    _SHAPES = 1_000  # row shapes given templates; rows of other shapes are written cell by cell

    def _shape(self, shape: tuple[type, ...]) -> Shape:
        """The template for rows of `shape`, with the places of its texts, times and fractions; _BY_CELL for rows
        written cell by cell (a value that is no Cell, or too many shapes met already)."""
        found = _BY_CELL
        if len(self.shapes) < self._SHAPES and _CELL_TYPES.issuperset(shape):
            texts = [i for i, t in enumerate(shape) if t is str]
            times = [i for i, t in enumerate(shape) if t is datetime]
            fractions = [i for i, t in enumerate(shape) if t is float]
            found = (self._template(shape, texts=texts), texts, times, fractions)
        self.shapes[shape] = found
        return found

    def _template(self, shape: tuple[type, ...], texts: Sequence[int]) -> str:
        """A row as str.format fills it: {0} its number, {i + 1} cell i (whole for a text, its value otherwise)."""
        parts = ['<row r="{0}">']
        for i, (ref, t) in enumerate(zip(self.refs, shape, strict=False)):
            if i in texts:
                parts.append(f"{{{i + 1}}}")
            elif t is int or t is float:
                parts.append(f'<c r="{ref}{{0}}"><v>{{{i + 1}}}</v></c>')
            elif t is datetime:
                parts.append(f'<c r="{ref}{{0}}"{self.time_style}><v>{{{i + 1}}}</v></c>')
        parts.append("</row>")
        return "".join(parts)

    def _text(self, i: int, r: str, v: Any) -> str:
        """Cell i of row r, a text (or what is no Cell, as text); nothing for an empty one."""
        ref, style = self.refs[i], self.text_style[i]
        if v.__class__ is not str:
            text = _escape(safe_text(str(v))[:MAX_TEXT])
            return f'<c r="{ref}{r}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
        if not v:
            return ""
        if len(v) > MAX_TEXT:
            v = v[:MAX_TEXT]
        if "&" in v:
            v = v.replace("&", "&amp;")
        if "<" in v:
            v = v.replace("<", "&lt;")
        if ">" in v:
            v = v.replace(">", "&gt;")
        if v.strip() == v:
            return f'<c r="{ref}{r}"{style} t="inlineStr"><is><t>{v}</t></is></c>'
        # leading or trailing space, which Excel would drop
        return f'<c r="{ref}{r}"{style} t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'

    def _plain(self, n: int, values: list[Cell]) -> str:
        """Row n cell by cell."""
        r = str(n)
        out = [f'<row r="{r}">']
        add = out.append
        v: Any
        for i, v in enumerate(values[: len(self.refs)]):
            cls = v.__class__
            if cls is int:
                add(f'<c r="{self.refs[i]}{r}"><v>{v}</v></c>')
            elif v is None:
                continue
            elif cls is datetime:
                if v.tzinfo is not None:
                    v = v.replace(tzinfo=None)
                add(f'<c r="{self.refs[i]}{r}"{self.time_style}><v>{(v - self.EPOCH) / self.DAY!r}</v></c>')
            elif cls is float and math.isfinite(v):
                add(f'<c r="{self.refs[i]}{r}"><v>{v!r}</v></c>')
            else:  # a text, or not a Cell: cannot come from tables.ResponseRows, but must not break the file either
                add(self._text(i, r, v))
        add("</row>")
        return "".join(out)

    def close(self, tail: bytes | None = None) -> None:
        self.out.write(self.tail if tail is None else tail)
        self.out.close()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _write_text(ws: Worksheet, row: int, col: int, text: str, fmt: Format | None) -> None:
    """A string cell. xlsxwriter takes a string that starts with <r> and ends with </r> for rich-text XML and
    writes it unescaped: such a text is handed over as one escaped run instead, so it shows as it is."""
    text = text[:MAX_TEXT]
    if text.startswith("<r>") and text.endswith("</r>"):
        text = f'<r><t xml:space="preserve">{_escape(text)}</t></r>'
    ws.write_string(row, col, text, fmt)


def _sheet_part(package: zipfile.ZipFile, name: str) -> str:
    """The zip entry that holds the sheet called `name`, as the workbook and its relationships say."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rid = next(
        (s.get(f"{{{_NS['r']}}}id") for s in workbook.iterfind("m:sheets/m:sheet", _NS) if s.get("name") == name), None
    )
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels.iterfind("p:Relationship", _NS) if r.get("Id") == rid), None)
    if rid is None or target is None:
        raise RuntimeError(f"xlsxwriter's workbook has no sheet {name!r}")
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _pad(values: list[float], n: int) -> list[float]:
    return (values + [0.0] * n)[:n]


def sheet_name(text: str) -> str:
    """A sheet name Excel accepts: none of []:*?/\\, not starting or ending with an apostrophe, 31 characters."""
    name = re.sub(r"[\[\]:*?/\\]", " ", text).strip("'")[:31].strip("'")
    return name or "Sheet"
