"""Tables of figures as the domain states them, before any format: XLSX sheets, CSV files and report sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dialogues.text import Inline, _

# How a column's values read: spreadsheets get a number format, CSV and the report a plain rendering.
TEXT, LONG, INT, PENCE, PENCE1, PERCENT, DECIMAL, DATETIME = (
    "text",
    "long",
    "int",
    "pence",
    "pence1",
    "percent",
    "decimal",
    "datetime",
)
NOT_SHOWN = _("not shown")  # a figure withheld because too few residents gave it


@dataclass(frozen=True)
class Column:
    header: Inline
    kind: str = TEXT
    width: float = 14


@dataclass
class ReportTable:
    """Rows of values under columns; a value is a number, a date, content text, a catalogue message or None."""

    name: str  # file name stem (CSV) and sheet name (XLSX, at most 31 characters)
    title: Inline
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    note: Inline | None = None

    def add(self, *values: Any) -> None:
        self.rows.append(list(values))
