"""Spreadsheet cells from residents' text can never start a formula or break the file."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.exports.cells import FORMULA_STARTS, safe, safe_text


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"],
)
def test_a_formula_start_gets_an_apostrophe(text: str) -> None:
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Libraries matter", "R-3fa9c21b0d4e", "100p", "a = b", "", "'quoted"])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert safe_text(text) == text


def test_numbers_and_times_pass_through_and_the_rest_becomes_text() -> None:
    when = datetime(2026, 5, 1, 9, 30)
    assert safe(-5) == -5 and safe(2.5) == 2.5 and safe(when) == when and safe(None) is None
    assert safe(True) == "yes"
    assert safe(["=1"]) == "['=1']"
    assert safe("bell\x07 and nul\x00") == "bell and nul"


@given(st.text())
def test_no_safe_text_starts_a_formula_or_holds_a_control_character(text: str) -> None:
    out = safe_text(text)
    assert not out.startswith(FORMULA_STARTS)
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in out)


@given(st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_openpyxl_stores_every_safe_text_as_text(texts: list[str]) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("S")
    ws.append([safe_text(t) for t in texts])
    buf = io.BytesIO()
    wb.save(buf)
    row = next(openpyxl.load_workbook(buf)["S"].iter_rows())
    assert all(c.data_type != "f" for c in row)
