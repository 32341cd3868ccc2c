"""Cell values made safe for spreadsheets: no formula can start a cell, no character that breaks the file."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters that XML (so XLSX) cannot hold; tab, newline and carriage return are allowed.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | float | datetime | None


def safe_text(text: str) -> str:
    """A string a spreadsheet shows as text: a leading apostrophe defuses =, +, -, @, tab and CR."""
    text = _ILLEGAL.sub("", text)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe(value: Any) -> Cell:
    """Numbers and times pass through; every string is made safe; anything else becomes safe text."""
    if value is None or isinstance(value, bool):
        return None if value is None else ("yes" if value else "no")
    if isinstance(value, int | float | datetime):
        return value
    return safe_text(str(value))
