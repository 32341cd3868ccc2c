"""The export's quick paths give what the plain ones would: local times, batched JSON, hand-written XLSX rows."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.exports.cells import safe_text
from bot.exports.tables import Column, LocalTime
from bot.exports.xlsx import MAX_TEXT, ResponseSheet
from storage.repositories.reports import decode_json

ZONES = ["Europe/London", "America/St_Johns", "Australia/Lord_Howe", "UTC"]  # whole, half- and half-hour DST


def plain_local(utc: datetime, tz: ZoneInfo) -> datetime:
    return utc.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)


@given(
    st.sampled_from(ZONES),
    st.lists(st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2031, 1, 1)), min_size=1, max_size=30),
)
def test_local_time_is_the_zones_own_conversion(zone: str, times: list[datetime]) -> None:
    tz = ZoneInfo(zone)
    local = LocalTime(tz)
    for t in times:
        assert local(t) == plain_local(t, tz)


@pytest.mark.parametrize("zone", ZONES)
def test_local_time_minute_by_minute_across_the_clocks_changing(zone: str) -> None:
    tz = ZoneInfo(zone)
    local = LocalTime(tz)
    for start in (datetime(2026, 3, 28, 12), datetime(2026, 10, 24, 12), datetime(2026, 4, 4, 12)):
        for minute in range(0, 36 * 60, 7):
            t = start + timedelta(minutes=minute, seconds=minute % 60)
            assert local(t) == plain_local(t, tz), t


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(st.lists(st.one_of(json_values.map(json.dumps), st.none(), st.integers()), max_size=40))
def test_decoding_a_batch_is_decoding_each_value(raw: list[Any]) -> None:
    assert decode_json(raw) == [json.loads(v) if isinstance(v, str) else v for v in raw]


def test_a_malformed_value_in_a_batch_is_found_not_hidden() -> None:
    with pytest.raises(ValueError):
        decode_json(['{"a": 1}', '{"broken', "3"])
    with pytest.raises(ValueError):
        decode_json(["1, 2"])  # would make the batch one value too many, not a silent shift


# --- the Responses rows, written by hand, read back by openpyxl -------------------------------------------------

HOSTILE = [
    "plain",
    "  leading and trailing spaces  ",
    "<r>rich?</r>",
    "a & b < c > d",
    "]]> and <![CDATA[x]]>",
    "line one\nline two",
    "emoji 🏳️‍🌈 and Arabic مرحبا",
    "'quoted",
    "x" * (MAX_TEXT + 50),
]


def sheet_xml(rows: list[list[Any]], columns: list[Column]) -> bytes:
    """A workbook whose Responses rows a ResponseSheet wrote (in two batches), spliced as XlsxWriter does."""
    package = io.BytesIO()
    wb = xlsxwriter.Workbook(package, {"in_memory": True})
    ws = wb.add_worksheet("Responses")
    for i, c in enumerate(columns):
        ws.write_string(0, i, c.header)
    wrap = wb.add_format({"text_wrap": True})._get_xf_index()
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})._get_xf_index()
    wb.close()
    sink = _Sink()
    sheet = ResponseSheet(sink, b"", columns, wrap, when)
    sheet.write(rows[: len(rows) // 2])
    sheet.write(rows[len(rows) // 2 :])
    sheet.close()
    out = io.BytesIO()
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, end, tail = data.partition(b"</sheetData>")
                data = head + sink.getvalue() + end + tail
            dst.writestr(info, data)
    return out.getvalue()


class _Sink(io.BytesIO):
    def close(self) -> None:  # keep the bytes readable after ResponseSheet closes its entry
        pass


def read_back(content: bytes) -> list[list[Any]]:
    ws = openpyxl.load_workbook(io.BytesIO(content))["Responses"]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=2)]


def expected(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_TEXT] or None
    return value


def test_hostile_text_numbers_and_times_come_back_as_written() -> None:
    columns = [Column("Text"), Column("Number"), Column("When"), Column("Ratio")]
    when = datetime(2026, 12, 1, 17, 30)
    rows: list[list[Any]] = [[t, i, when, i / 4] for i, t in enumerate(HOSTILE)] + [[None, None, None, None]]
    got = read_back(sheet_xml(rows, columns))
    assert len(got) == len(HOSTILE)  # the empty row holds no cells, so openpyxl sees no such row
    for row, back in zip(rows, got, strict=False):
        assert back[0] == expected(row[0])
        assert back[1] == row[1] and back[3] == row[3]
        assert back[2] == when


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=12))
def test_any_safe_text_comes_back_unchanged(texts: list[str]) -> None:
    rows = [[safe_text(t), n] for n, t in enumerate(texts)]
    got = {back[1]: back[0] for back in read_back(sheet_xml(rows, [Column("Text"), Column("N")]))}
    for text, n in rows:
        # openpyxl reads a lone carriage return as XML does, as a newline
        assert got[n] == (text.replace("\r\n", "\n").replace("\r", "\n") or None)
