"""The XLSX workbook, written in openpyxl write-only mode so responses stream: Summary, questions, Responses, About."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.exports.cells import Cell
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
    average_table,
    question_tables,
    response_columns,
    rounds_table,
)

FORMATS = {
    INT: "#,##0",
    PENCE: '0"p"',
    PENCE1: '0.0"p"',
    PERCENT: "0.0%",
    DECIMAL: "0.00",
    DATETIME: "yyyy-mm-dd hh:mm",
}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F2")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


class XlsxWriter:
    wants_rows = True

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.wb = Workbook(write_only=True)
        self.responses: WriteOnlyWorksheet | None = None
        self.response_columns: list[Column] = []

    # --- cells -------------------------------------------------------------------------------------------------

    def _cell(self, ws: WriteOnlyWorksheet, value: Cell, col: Column | None = None) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, datetime):
            c.number_format = FORMATS[DATETIME]
        elif isinstance(value, int | float) and col is not None and col.kind in FORMATS:
            c.number_format = FORMATS[col.kind]
        if col is not None and col.kind == LONG:
            c.alignment = WRAP
        return c

    def _header(self, ws: WriteOnlyWorksheet, columns: list[Column]) -> None:
        cells = []
        for col in columns:
            c = WriteOnlyCell(ws, value=col.header)
            c.font, c.fill, c.alignment = BOLD, HEADER_FILL, WRAP
            cells.append(c)
        ws.append(cells)

    def _row(self, ws: WriteOnlyWorksheet, values: list[Cell], columns: list[Column]) -> None:
        ws.append([self._cell(ws, v, columns[i] if i < len(columns) else None) for i, v in enumerate(values)])

    @staticmethod
    def _widths(ws: WriteOnlyWorksheet, widths: list[float]) -> None:
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w

    def _table_sheet(self, table: Table) -> WriteOnlyWorksheet:
        ws = self.wb.create_sheet(table.name[:31])
        self._widths(ws, [c.width for c in table.columns])
        ws.freeze_panes = "A2"
        self._header(ws, table.columns)
        for values in table.rows:
            self._row(ws, values, table.columns)
        ws.append([])
        note = WriteOnlyCell(ws, value=table.title)
        note.font = BOLD
        ws.append([note])
        if table.note:
            ws.append([table.note])
        return ws

    # --- sheets ------------------------------------------------------------------------------------------------

    def _summary(self, d: ExportData) -> None:
        ws = self.wb.create_sheet("Summary")
        rounds, averages = rounds_table(d), average_table(d)
        widths = [
            max(a, b)
            for a, b in zip(
                _pad([c.width for c in rounds.columns], 12),
                _pad([c.width for c in averages.columns] if averages else [], 12),
                strict=True,
            )
        ]
        self._widths(ws, widths)
        ws.freeze_panes = "A2"
        title = WriteOnlyCell(ws, value=f"{d.spec.title}: results")
        title.font = TITLE
        ws.append([title])
        ws.append([f"{d.spec.organiser} · {d.rounds_label} · exported {d.exported_at:%Y-%m-%d %H:%M} by {d.role}"])
        ws.append([rounds.note])
        ws.append([])
        self._header(ws, rounds.columns)
        for values in rounds.rows:
            self._row(ws, values, rounds.columns)
        row = 5 + len(rounds.rows)
        if averages is None:
            return
        ws.append([])
        heading = WriteOnlyCell(ws, value=averages.title)
        heading.font = BOLD
        ws.append([heading])
        header_row = row + 3
        self._header(ws, averages.columns)
        for values in averages.rows:
            self._row(ws, values, averages.columns)
        last_row = header_row + len(averages.rows)
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Today's pence beside residents' average"
        chart.y_axis.title = "pence of each pound"
        chart.y_axis.numFmt = "0"
        chart.height, chart.width = 4 + 0.6 * len(averages.rows), 18
        cats = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
        series_cols = [2] + [3 + 2 * i for i in range(len(d.rounds))]  # today, then each round's mean
        for col in series_cols:
            chart.series.append(
                Series(Reference(ws, min_col=col, min_row=header_row, max_row=last_row), title_from_data=True)
            )
        chart.set_categories(cats)
        chart.x_axis.delete = chart.y_axis.delete = False  # otherwise some Excel versions hide the axes
        chart.x_axis.scaling.orientation = "maxMin"  # services top to bottom in the file's order
        ws.add_chart(chart, f"A{last_row + 3}")

    def start(self, d: ExportData) -> None:
        self._summary(d)
        for table in question_tables(d):
            self._table_sheet(table)
        self.response_columns = response_columns(d)
        ws = self.wb.create_sheet("Responses")
        self._widths(ws, [c.width for c in self.response_columns])
        ws.freeze_panes = "B2"
        self._header(ws, self.response_columns)
        self.responses = ws
        about = about_table(d)
        ws_about = self.wb.create_sheet("About")
        self._widths(ws_about, [c.width for c in about.columns])
        ws_about.freeze_panes = "A2"
        self._header(ws_about, [Column("About this export"), Column("")])
        for values in about.rows:
            cells = [self._cell(ws_about, values[0]), self._cell(ws_about, values[1], about.columns[1])]
            cells[0].font, cells[0].alignment = BOLD, TOP
            ws_about.append(cells)

    def rows(self, batch: list[list[Cell]]) -> None:
        """Responses rows. A styled cell costs twice a plain one, so only long text gets a style (wrapping);
        times get openpyxl's own date format, and the headers say the unit (p)."""
        ws = self.responses
        assert ws is not None
        wrap = [i for i, c in enumerate(self.response_columns) if c.kind == LONG]
        for values in batch:
            row: list[Any] = list(values)
            for i in wrap:
                if i < len(row) and row[i]:
                    cell = WriteOnlyCell(ws, value=row[i])
                    cell.alignment = WRAP
                    row[i] = cell
            ws.append(row)

    def finish(self) -> None:
        self.wb.save(self.out)


def _pad(values: list[float], n: int) -> list[float]:
    return (values + [0.0] * n)[:n]
