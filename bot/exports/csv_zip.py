"""CSV files, one per table (rounds, one per question, about, responses), UTF-8 with a byte-order mark so Excel
reads them right, zipped together. Headers are in the export's language; every value is made safe."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from datetime import datetime
from typing import IO, Any

from bot.exports.breakdown import breakdown_tables
from bot.exports.cells import Cell, safe, safe_text
from bot.exports.data import ExportData
from bot.exports.tables import (
    PERCENT,
    Column,
    Table,
    about_table,
    columns_table,
    own_tables,
    question_tables,
    response_columns,
    rounds_table,
)

_AS_IS = frozenset({str, int, type(None)})  # what the csv module writes as _text would (None as an empty field)
_SHAPES = 1_000  # shapes of row whose places are kept


def _text(value: Cell, col: Column | None) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat(" ", "minutes")  # as f"{value:%Y-%m-%d %H:%M}", three times as quick
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, float):
        if col is not None and col.kind == PERCENT:
            return f"{value * 100:.1f}"
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return value


def _header(col: Column) -> str:
    """A column's header; a percentage's says so ("(%)"), as its values are 0 to 100 here, unless the header
    names the unit already ("Sent (% of started)")."""
    return safe_text(f"{col.header} (%)" if col.kind == PERCENT and "%" not in col.header else col.header)


class CsvZipWriter:
    wants_rows = True

    def __init__(self, out: IO[bytes]):
        self.zf = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self.columns: list[Column] = []
        self._responses: IO[bytes] | None = None
        self.shapes: dict[tuple[type, ...], list[int]] = {}  # the places to make into text, by shape of row

    def _table(self, name: str, table: Table) -> None:
        with self.zf.open(name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow([_header(c) for c in table.columns])
            for values in table.rows:
                w.writerow(
                    [_text(safe(v), table.columns[i] if i < len(table.columns) else None) for i, v in enumerate(values)]
                )

    def start(self, d: ExportData) -> None:
        # The responses file comes first and stays open while the rows stream (a zip entry must be finished
        # before the next starts); the tables, whose figures are counted from those rows, follow at finish().
        # Each batch is made into CSV text in memory, then encoded and compressed in one go.
        self.columns = response_columns(d)
        self._responses = self.zf.open("responses.csv", "w", force_zip64=True)
        self._responses.write(codecs.BOM_UTF8)
        self._write([[_header(c) for c in self.columns]])

    def _write(self, rows: list[list[Any]]) -> None:
        assert self._responses is not None
        text = io.StringIO(newline="")
        csv.writer(text).writerows(rows)
        self._responses.write(text.getvalue().encode("utf-8"))

    def rows(self, batch: list[list[Cell]]) -> None:
        # Only the cells the csv module would not write as _text does (times, fractions) are made into text: their
        # places are found once for each shape of row (the type of each cell), not cell by cell.
        cols, shapes = self.columns, self.shapes
        n = len(cols)
        out: list[list[Any]] = []
        for values in batch:
            shape = tuple(map(type, values))
            places = shapes.get(shape)
            if places is None:
                places = [i for i, t in enumerate(shape) if t not in _AS_IS]
                if len(shapes) < _SHAPES:
                    shapes[shape] = places
            if places:
                values = list(values)
                for i in places:
                    values[i] = _text(values[i], cols[i] if i < n else None)
            out.append(values)
        self._write(out)

    def finish(self, d: ExportData) -> None:
        if self._responses is not None:
            self._responses.close()
        self._table("rounds.csv", rounds_table(d))
        for i, table in enumerate(question_tables(d), 1):
            self._table(f"question_{i}_{d.spec.questions[i - 1].key}.csv", table)
        for table in breakdown_tables(d):
            self._table(f"{table.name.lower().replace(' ', '_')}.csv", table)
        self._table("columns.csv", columns_table(d))
        for table in own_tables(d):
            self._table(f"{table.name.replace(' ', '_')}.csv", table)
        self._table("about.csv", about_table(d))
        self.zf.close()
