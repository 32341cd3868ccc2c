"""Cell values made safe for spreadsheets: no formula can start a cell, no character that breaks the file."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters that XML (so XLSX) cannot hold: control characters (tab, newline and carriage return are allowed),
# lone surrogates (they cannot even be encoded as UTF-8) and the two non-characters U+FFFE and U+FFFF.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Cell = str | int | float | datetime | None
_PASS = frozenset({int, float, datetime, type(None)})  # exact types that pass through safe() unchanged


def safe_text(text: str) -> str:
    """A string a spreadsheet shows as text: a leading apostrophe defuses =, +, -, @, tab and CR."""
    if not text.isprintable():  # printable text (nearly all of it) holds none of the illegal characters
        text = _ILLEGAL.sub("", text)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe(value: Any) -> Cell:
    """Numbers and times pass through; every string is made safe; anything else becomes safe text."""
    cls = value.__class__
    if cls is str:
        return safe_text(value)
    if cls in _PASS:
        return value
    if value is None or isinstance(value, bool):
        return None if value is None else ("yes" if value else "no")
    if isinstance(value, int | float | datetime):
        return value
    return safe_text(str(value))
